"""Finding the score sheets in the input folder, and telling what a file is by its bytes.

Every file under the folder is listed (so the operator sees what was ignored and why). Office
lock files, hidden files and files whose extension is not a spreadsheet's are *skipped* without
being opened. For the rest the first bytes decide the format, not the name: a web page or a CSV
saved with an ``.xls`` name is told to be re-saved, a Word file renamed ``.xlsx`` is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..oserrors import read_reason
from ..rules.text import clean_text
from ..runtime.manifest import MANIFEST_NAME

__all__ = [
    "SPREADSHEET_SUFFIXES",
    "Candidate",
    "Format",
    "discover",
    "display_name",
    "locate",
    "skip_reason",
    "sniff",
]

# What Excel and WPS Office save spreadsheets as (.et/.ett: WPS's own names for BIFF/OOXML).
SPREADSHEET_SUFFIXES = frozenset(
    {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".xlsb", ".ods", ".et", ".ett"}
)

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Format(StrEnum):
    ZIP = "zip"  # OOXML (.xlsx/.xlsm/.xlsb) or ODF (.ods): checked further in safety.py
    CFB = "cfb"  # compound file: legacy .xls, or an encrypted OOXML
    TEXT = "text"  # HTML, XML 2003, CSV… saved under a spreadsheet name
    EMPTY = "empty"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One file under the input folder: its POSIX path relative to the folder, and why skipped."""

    path: Path
    relative: str
    skip: str = ""  # Chinese reason; empty when the file is to be read


def skip_reason(name: str) -> str:
    """Why a file with this name is not opened at all, or ``""`` when it is a candidate."""
    if name.startswith("~$"):
        return "Office 临时锁定文件（~$开头），已跳过"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "WPS/LibreOffice 临时锁定文件，已跳过"
    if name.startswith("."):
        return "隐藏文件，已跳过"
    if os.path.splitext(name)[1].lower() not in SPREADSHEET_SUFFIXES:
        return "不是电子表格文件（只读取 .xlsx/.xlsm/.xls 等），已跳过"
    return ""


def display_name(name: str) -> str:
    """A file name as text every output can hold.

    A name the file system's encoding could not decode (a zip unpacked from Windows keeps
    its GBK bytes) arrives with surrogate escapes, which no UTF-8 file, database or console
    accepts: its bytes are read as GB 18030 (a superset of GBK) when they are that, else
    the undecodable bytes become U+FFFD. Control characters are dropped (``clean_text``).
    """
    if name.isprintable():
        return name
    try:
        raw = os.fsencode(name)
    except UnicodeError:
        raw = name.encode("utf-8", "surrogatepass")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
    return clean_text(text, keep_breaks=False) or "_"


def locate(input_dir: Path, relative: str) -> Path:
    """The file a candidate's ``relative`` path names (its components may be display names)."""
    path = Path(input_dir)
    for part in relative.split("/"):
        if (path / part).exists():
            path = path / part
            continue
        with os.scandir(path) as listing:
            match = next((e.name for e in listing if display_name(e.name) == part), part)
        path = path / match
    return path


def _outside(entry: os.DirEntry[str], root: Path) -> str:
    """Where a link points when that is outside ``root`` (else "")."""
    try:
        target = Path(os.path.realpath(entry.path))
    except (OSError, ValueError):
        return "?"
    return "" if target.is_relative_to(root) else str(target)


def discover(input_dir: Path, exclude: Iterable[Path] = ()) -> list[Candidate]:
    """Every file under ``input_dir`` (recursive), sorted by relative POSIX path.

    Symbolic links are not followed into directories (a link loop must not hang the batch),
    and a link to a file outside ``input_dir`` is skipped (a sheet folder must not reach
    into the rest of the disk); files in hidden folders are listed as skipped, and so is a
    folder that cannot be listed, with the reason. The program's own output is never input:
    a folder in ``exclude`` (the run's output folder), or one holding the manifest of a
    year's outputs, is listed once as skipped and not entered. Each entry's type comes from
    the listing itself (no ``stat`` per file, except for links).
    """
    found: list[Candidate] = []
    root = Path(os.path.realpath(input_dir))
    excluded = {Path(os.path.realpath(p)) for p in exclude}

    def walk(folder: Path, rel: str, hidden_dir: bool) -> None:
        if rel and (
            Path(os.path.realpath(folder)) in excluded or (folder / MANIFEST_NAME).is_file()
        ):
            found.append(
                Candidate(
                    folder, rel.rstrip("/"), "这是本程序的输出文件夹，其中的文件不作为评分表读取"
                )
            )
            return
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            why = read_reason(exc)
            found.append(
                Candidate(
                    folder,
                    rel or ".",
                    f"无法打开该文件夹（{why}），其中的文件未读取；请检查文件夹权限",
                )
            )
            return
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()  # a link to a folder counts, as in os.walk
            except OSError:
                is_dir = False
            relative = f"{rel}{display_name(name)}"
            if is_dir:
                if not entry.is_symlink():
                    walk(folder / name, f"{relative}/", hidden_dir or name.startswith("."))
                continue
            reason = skip_reason(name)
            if not reason and hidden_dir:
                reason = "位于隐藏文件夹中，已跳过"
            if not reason and not _regular_file(entry):
                reason = "不是普通文件（可能是失效的快捷方式），已跳过"
            if not reason and entry.is_symlink() and (target := _outside(entry, root)):
                reason = f"是指向评分表文件夹以外位置（{display_name(target)}）的链接，未读取；请把评分表本身放进文件夹"
            found.append(Candidate(folder / name, relative, reason))

    walk(Path(input_dir), "", False)
    found.sort(key=lambda c: c.relative)
    return found


def _regular_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()  # follows a link: a link to a file is read as that file
    except OSError:
        return False


def sniff(head: bytes) -> Format:
    """The container format from a file's first bytes."""
    if not head:
        return Format.EMPTY
    if head.startswith(ZIP_MAGIC):
        return Format.ZIP
    if head.startswith(CFB_MAGIC):
        return Format.CFB
    sample = head[:4096]
    if b"\x00" not in sample:
        return Format.TEXT  # HTML, SpreadsheetML 2003, CSV, tab-separated text
    try:
        sample.decode("utf-16")
    except UnicodeDecodeError:
        return Format.UNKNOWN
    return Format.TEXT if sample[:2] in (b"\xff\xfe", b"\xfe\xff") else Format.UNKNOWN
