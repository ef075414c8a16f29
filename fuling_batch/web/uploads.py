"""Bringing score sheets in: uploaded files, a .zip of them, or a folder on this computer.

Nothing is trusted about a name. A stored name is the last part of what the browser (or the
zip, or the folder) called the file, made safe for Windows by
:func:`~fuling_batch.runtime.fileio.safe_filename`: ``../../x.xlsx``, ``..\\x.xlsx``,
``C:\\x.xlsx`` and ``/etc/x.xlsx`` all become ``x.xlsx`` inside the year's folder, ``CON.xlsx``
becomes ``_CON.xlsx``. Files are received into a private scratch folder and moved into place
only when the whole request was accepted, so a refused upload leaves nothing behind.

A .zip is opened from its central directory first: too many members, a declared total over
the limit, or a member that inflates more than the bomb ratio refuses the archive before any
member is extracted; a member's declared size also bounds what is read from it.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..intake.discover import SPREADSHEET_SUFFIXES, discover, skip_reason
from ..oserrors import output_error, read_reason
from ..runtime.fileio import safe_filename
from .settings import Limits, human_size

__all__ = [
    "Incoming",
    "UploadOutcome",
    "UploadRefused",
    "extract_zip",
    "from_folder",
    "place",
    "receive_attachment",
    "receive_file",
    "stored_name",
]

_CHUNK = 1024 * 1024
# Members this small are never bombs, whatever their ratio (an empty sheet's XML packs 50:1).
_RATIO_FROM = 1024 * 1024
# What a 整改 report comes as: documents, scans, photos, an archive of them (kept as it is).
ATTACHMENT_SUFFIXES = frozenset(
    {".pdf", ".ofd", ".doc", ".docx", ".wps", ".rtf", ".txt", ".xls", ".xlsx", ".et",
     ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".zip", ".rar", ".7z"}
)  # fmt: skip
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


class UploadRefused(Exception):
    """The whole request is refused; nothing was stored."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.title = title
        self.text = text


@dataclass(frozen=True)
class Incoming:
    """One file received into scratch space, with the name it will be stored under."""

    name: str
    source: str  # where it came from, for messages: "资料.zip › 甲公司.xlsx"
    given: str  # the name it had there, to tell the operator when it was changed
    path: Path


@dataclass
class UploadOutcome:
    """What an upload did: the names stored, the names changed, the files left out and why."""

    stored: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)


def _last_part(raw: str) -> str:
    """What follows the last ``/`` or ``\\``: a browser, a zip or Windows may use either."""
    return raw.replace("\\", "/").split("/")[-1]


def stored_name(raw: str) -> str:
    """The name a file called ``raw`` is stored under: no folders, safe on Windows."""
    stem, suffix = os.path.splitext(_last_part(raw))
    if not suffix and stem.startswith(".") and "." not in stem[1:]:
        stem, suffix = "", stem  # ".xlsx" alone: a suffix without a name
    # Leading dots would make it a hidden file, which the intake skips without a word.
    stem = safe_filename(stem.lstrip(". "))
    return f"{stem}{suffix.lower()}"


def _why_not(name: str) -> str:
    """Why a file of this name is not stored, or "" when it is a score sheet."""
    if name.startswith("~$"):
        return "Office 临时锁定文件，未上传"
    if os.path.splitext(name)[1].lower() == ".zip":
        return "压缩包中的压缩包不会展开，请解压后再上传"
    reason = skip_reason(name.lstrip("."))
    return reason.replace("已跳过", "未上传") if reason else ""


def _too_big(source: str, limits: Limits) -> UploadRefused:
    return UploadRefused(
        413,
        "文件过大",
        f"“{source}”超过 {human_size(limits.file_bytes)}，不像是评分表（一份评分表通常只有几十 KB）。"
        "本次上传的文件均未保存；请去掉该文件后重新上传。",
    )


def _new_part(scratch: Path) -> Path:
    fd, name = tempfile.mkstemp(suffix=".part", dir=scratch)
    os.close(fd)
    return Path(name)


def _copy(source: IO[bytes], target: Path, most: int) -> int:
    """Copy at most ``most`` bytes; returns how many there were (``most + 1`` means more)."""
    written = 0
    with open(target, "wb") as out:
        while written <= most:
            chunk = source.read(min(_CHUNK, most + 1 - written))
            if not chunk:
                break
            out.write(chunk)
            written += len(chunk)
    return written


def receive_file(
    source: IO[bytes], raw_name: str, scratch: Path, limits: Limits
) -> tuple[list[Incoming], list[tuple[str, str]]]:
    """One uploaded file (a sheet or a .zip) into ``scratch``; returns it (or its members)."""
    name = stored_name(raw_name)
    is_zip = name.lower().endswith(".zip")
    if not is_zip and (why := _why_not(name)):
        return [], [(raw_name, why)]
    target = _new_part(scratch)
    most = limits.request_bytes if is_zip else limits.file_bytes
    if _copy(source, target, most) > most:
        raise _too_big(raw_name, limits)
    if is_zip:
        return extract_zip(target, raw_name, scratch, limits)
    return [Incoming(name, raw_name, _last_part(raw_name), target)], []


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author typed it.

    Without the UTF-8 flag, zipfile reads names as CP437; Windows' own zip tool (and most
    on Chinese desktops) writes GBK there, and some tools write UTF-8 without the flag.
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def extract_zip(
    archive: Path, label: str, scratch: Path, limits: Limits
) -> tuple[list[Incoming], list[tuple[str, str]]]:
    """The score sheets in ``archive``, each extracted into ``scratch``."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRefused(
            400, "压缩包无法打开", f"“{label}”不是有效的 .zip 压缩包，或已损坏。请重新压缩后上传。"
        ) from exc
    with zf:
        members = [info for info in zf.infolist() if not info.is_dir()]
        _check_archive(members, label, limits)
        incoming: list[Incoming] = []
        ignored: list[tuple[str, str]] = []
        for info in members:
            shown = f"{label} › {_member_name(info)}"
            name = stored_name(_member_name(info))
            if why := _why_not(name) or _hidden_member(info):
                ignored.append((shown, why))
                continue
            if info.flag_bits & _ENCRYPTED_FLAG:
                ignored.append((shown, "压缩包中的文件已加密，未上传"))
                continue
            if info.file_size > limits.file_bytes:
                raise _too_big(shown, limits)
            target = _new_part(scratch)
            try:
                with zf.open(info) as member:
                    if _copy(member, target, info.file_size) > info.file_size:
                        raise _bomb(label)
            except NotImplementedError as exc:  # a compression method zipfile does not know
                raise UploadRefused(
                    400,
                    "压缩方式不受支持",
                    f"“{shown}”使用了不支持的压缩方式。本次上传的文件均未保存；请用 Windows 的"
                    "“发送到 › 压缩(zipped)文件夹”或 WPS、7-Zip 的 ZIP 格式重新压缩后上传。",
                ) from exc
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise UploadRefused(
                    400,
                    "压缩包已损坏",
                    f"无法解压“{shown}”（压缩包已损坏或不完整）。本次上传的文件均未保存；"
                    "请重新压缩后上传。",
                ) from exc
            except OSError as exc:  # writing it here: the data folder's disk, not the upload
                raise output_error(exc, str(target)) from exc
            incoming.append(Incoming(name, shown, _last_part(_member_name(info)), target))
    return incoming, ignored


def _hidden_member(info: zipfile.ZipInfo) -> str:
    parts = info.filename.replace("\\", "/").split("/")
    # "." and ".." are not hidden folders: such names only try to climb out, and lose their folders.
    folders = [part for part in parts[:-1] if part not in (".", "..")]
    if any(part.startswith(".") or part == "__MACOSX" for part in folders):
        return "系统生成的隐藏文件，未上传"
    return ""


def _bomb(label: str) -> UploadRefused:
    return UploadRefused(
        413,
        "压缩包异常",
        f"“{label}”解压后的大小远超正常评分表（疑似“压缩炸弹”），已拒绝。本次上传的文件均未保存。",
    )


def _check_archive(members: Sequence[zipfile.ZipInfo], label: str, limits: Limits) -> None:
    """Refuse the archive from its directory alone, before anything is inflated."""
    if len(members) > limits.zip_members:
        raise UploadRefused(
            413,
            "压缩包内文件过多",
            f"“{label}”中有 {len(members)} 个文件，超过 {limits.zip_members} 个的上限。请分几个压缩包上传。",
        )
    if sum(info.file_size for info in members) > limits.zip_total_bytes:
        raise _bomb(label)
    for info in members:
        if info.file_size > _RATIO_FROM and (
            info.compress_size == 0 or info.file_size / info.compress_size > limits.zip_ratio
        ):
            raise _bomb(label)


def from_folder(
    folder: Path, scratch: Path, limits: Limits
) -> tuple[list[Incoming], list[tuple[str, str]]]:
    """Copies of the score sheets under ``folder`` (recursive; the folder is only read)."""
    candidates = discover(folder)
    readable = [c for c in candidates if not c.skip]
    if len(readable) > limits.folder_files:
        raise UploadRefused(
            413,
            "文件过多",
            f"该文件夹中有 {len(readable)} 份表格，超过 {limits.folder_files} 份的上限。请分几个文件夹导入。",
        )
    ignored = [(c.relative, c.skip.replace("已跳过", "未导入")) for c in candidates if c.skip]
    incoming: list[Incoming] = []
    for candidate in readable:
        target = _new_part(scratch)
        try:
            with open(candidate.path, "rb") as source:
                if _copy(source, target, limits.file_bytes) > limits.file_bytes:
                    ignored.append(
                        (candidate.relative, f"超过 {human_size(limits.file_bytes)}，未导入")
                    )
                    target.unlink()
                    continue
        except OSError as exc:
            ignored.append((candidate.relative, f"无法读取（{read_reason(exc)}），未导入"))
            continue
        name = stored_name(candidate.relative)
        incoming.append(Incoming(name, candidate.relative, candidate.path.name, target))
    return incoming, ignored


def place(incoming: Sequence[Incoming], dest: Path, outcome: UploadOutcome) -> UploadOutcome:
    """Move the received files into ``dest``; a file of the same name there is replaced.

    Two files of one request that would get one name (case-insensitively, as on Windows) are
    told apart by （2）, （3）…
    """
    dest.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for item in incoming:
        stem, suffix = os.path.splitext(item.name)
        name, n = item.name, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}（{n}）{suffix}"
        taken.add(name.casefold())
        os.replace(item.path, dest / name)
        outcome.stored.append(name)
        if name != item.given:
            outcome.renamed.append((item.source, name))
    return outcome


def is_sheet_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in SPREADSHEET_SUFFIXES


def receive_attachment(source: IO[bytes], raw_name: str, scratch: Path, limits: Limits) -> Path:
    """One attachment of a 整改 report, received into a folder of its own under ``scratch``
    under its safe name (the library keeps that name). A .zip is kept as it is, never opened.

    Refuses (:class:`UploadRefused`) a kind of file a report does not come as, an empty file
    and one over ``limits.attachment_bytes``.
    """
    name = stored_name(raw_name)
    stem, suffix = os.path.splitext(name)
    if name.startswith("~$") or suffix not in ATTACHMENT_SUFFIXES or not stem:
        raise UploadRefused(
            400,
            "附件类型不支持",
            f"“{raw_name}”不是整改材料常用的文件类型（可上传 PDF、OFD、Word、WPS、Excel、图片或压缩包）。"
            "本次未记录任何内容。",
        )
    folder = Path(tempfile.mkdtemp(prefix="att-", dir=scratch))
    target = folder / name
    size = _copy(source, target, limits.attachment_bytes)
    if size > limits.attachment_bytes:
        raise UploadRefused(
            413,
            "附件过大",
            f"“{raw_name}”超过 {human_size(limits.attachment_bytes)}。本次未记录任何内容；"
            "请压缩或拆分后重新上传。",
        )
    if size == 0:
        raise UploadRefused(
            400,
            "附件是空文件",
            f"“{raw_name}”是空文件（0 字节），可能已被移动或没有保存完整。本次未记录任何内容；"
            "请重新选择附件。",
        )
    return target
