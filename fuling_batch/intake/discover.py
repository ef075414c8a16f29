"""Finding the score sheets in the input folder, and telling what a file is by its bytes.

Every file under the folder is listed (so the operator sees what was ignored and why). Office
lock files, hidden files and files whose extension is not a spreadsheet's are *skipped* without
being opened. For the rest the first bytes decide the format, not the name: a web page or a CSV
saved with an ``.xls`` name is told to be re-saved, a Word file renamed ``.xlsx`` is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = [
    "SPREADSHEET_SUFFIXES",
    "Candidate",
    "Format",
    "discover",
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


def discover(input_dir: Path) -> list[Candidate]:
    """Every file under ``input_dir`` (recursive), sorted by relative POSIX path.

    Symbolic links are not followed into directories (a link loop must not hang the batch);
    files in hidden folders are listed as skipped, and so is a folder that cannot be listed,
    with the reason. Each entry's type comes from the listing itself (no ``stat`` per file,
    except for links).
    """
    found: list[Candidate] = []

    def walk(folder: Path, rel: str, hidden_dir: bool) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            why = exc.strerror or str(exc)
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
            relative = f"{rel}{name}"
            if is_dir:
                if not entry.is_symlink():
                    walk(folder / name, f"{relative}/", hidden_dir or name.startswith("."))
                continue
            reason = skip_reason(name)
            if not reason and hidden_dir:
                reason = "位于隐藏文件夹中，已跳过"
            if not reason and not _regular_file(entry):
                reason = "不是普通文件（可能是失效的快捷方式），已跳过"
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
