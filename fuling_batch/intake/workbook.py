"""Opening a workbook safely: the one way any part of the program reads a spreadsheet.

Score sheets, last years' results (``history import``) and the enterprise roster all come
from people and may be hostile. Each is read here: its size bounded, its format told by its
bytes, its container's directory and used area bounded (``safety``, ``compound``, ``odf``), and
only then handed to python-calamine. A file that fails any of these is :class:`Refused` with a
stable issue code and a Chinese message; nothing is parsed before the checks pass.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from ..oserrors import read_reason
from .compound import scan_cfb
from .discover import Format, sniff
from .safety import MAX_FILE_BYTES, Refusal, Scan, corrupt, scan_zip

__all__ = [
    "READ_ERRORS",
    "Refused",
    "SafeWorkbook",
    "inspect",
    "open_workbook",
    "read_bounded",
    "why_unreadable",
]

_RESAVE = "请用 Excel/WPS 另存为 .xlsx 后重新提交"


class Refused(Exception):
    """A file that is not parsed, and why (:class:`~fuling_batch.intake.safety.Refusal`)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal

    @property
    def code(self) -> str:
        return self.refusal.code


# What opening and reading a workbook may raise, for a file's reason: see why_unreadable.
READ_ERRORS = (Refused, python_calamine.CalamineError, OSError, ValueError)


def why_unreadable(exc: Exception) -> Refusal:
    """Why a workbook could not be read (one of READ_ERRORS), told to the operator in
    Chinese; the library's or the system's own words go to ``detail``."""
    if isinstance(exc, Refused):
        return exc.refusal
    if isinstance(exc, OSError):
        return Refusal(
            "FILE_UNREADABLE",
            f"无法读取文件（{read_reason(exc)}），请确认文件仍在、未被占用后重新运行",
            f"{type(exc).__name__}: {exc}",
        )
    return corrupt(exc, "或格式不受支持")


@dataclass(slots=True)
class SafeWorkbook:
    """A workbook's bytes that passed every bound, and what the scan found in them."""

    data: bytes
    scan: Scan

    def calamine(self) -> python_calamine.CalamineWorkbook:
        """The workbook opened by python-calamine (the caller closes it)."""
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.data))


def _read_up_to(handle: io.RawIOBase, size: int, limit: int) -> bytes:
    """The file's bytes, at most ``limit``; it may have grown or shrunk since ``size`` was read."""
    chunks: list[bytes] = []
    got = 0
    want = min(size + 1, limit)  # one more byte tells whether it grew
    while got < limit:
        chunk = handle.read(want)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        want = min(64 * 1024, limit - got)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_bounded(path: Path) -> bytes:
    """The bytes of ``path``, refused (FILE_TOO_LARGE) past :data:`MAX_FILE_BYTES`.

    Unbuffered, and sized by the file: a read of the limit would allocate 20 MB per file.
    ``OSError`` passes to the caller, which knows what the file was for.
    """
    with open(path, "rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise Refused(
                Refusal(
                    "FILE_TOO_LARGE",
                    f"文件大小 {size} 字节，超过评分表上限 {MAX_FILE_BYTES} 字节，已拒绝读取",
                )
            )
        data = _read_up_to(handle, size, MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Refused(
            Refusal("FILE_TOO_LARGE", f"文件超过评分表上限 {MAX_FILE_BYTES} 字节，已拒绝读取")
        )
    return data


def _text_kind(head: bytes) -> str:
    sample = head[:2048].lower()
    if b"<html" in sample or b"<!doctype" in sample or b"<table" in sample:
        return "网页（HTML）文件"
    if b"<?xml" in sample:
        return "XML 表格（Excel 2003 XML）文件"
    return "文本/CSV 文件"


def inspect(data: bytes) -> SafeWorkbook:
    """Tell the format of ``data`` by its bytes and bound it; :class:`Refused` when it fails."""
    kind = sniff(data[:8192])
    if kind is Format.EMPTY:
        raise Refused(Refusal("FILE_EMPTY", "文件为空（0字节），请重新保存后提交"))
    if kind is Format.TEXT:
        raise Refused(
            Refusal("NOT_SPREADSHEET", f"文件实为{_text_kind(data)}，只是扩展名为表格；{_RESAVE}")
        )
    if kind is Format.UNKNOWN:
        raise Refused(
            Refusal("NOT_SPREADSHEET", f"无法识别的文件格式，不是 Excel 工作簿；{_RESAVE}")
        )
    scan = scan_zip(data) if kind is Format.ZIP else scan_cfb(data)
    if scan.refusal:
        raise Refused(scan.refusal)
    return SafeWorkbook(data, scan)


def open_workbook(path: Path) -> SafeWorkbook:
    """Read ``path`` and pass it through every bound (:func:`read_bounded`, :func:`inspect`)."""
    return inspect(read_bounded(Path(path)))
