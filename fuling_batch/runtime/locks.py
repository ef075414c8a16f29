"""Is an output open in Office? The lock files Word, Excel, WPS and LibreOffice leave beside it.

Microsoft Office and WPS write ``~$名称`` (Word drops the first two characters of a name of
eight or more: ``~$称.docx`` for ``名称名称名称名称.docx``); LibreOffice writes
``.~lock.名称#``. Each records who has the file open: the run names that person rather than
fail later on a file it cannot replace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["OpenFile", "lock_files", "open_files"]


@dataclass(frozen=True, slots=True)
class OpenFile:
    path: Path
    lock: Path
    user: str  # who the lock file names ('' when it does not say)


def lock_files(path: Path) -> list[Path]:
    """The lock files that would mean ``path`` is open, whichever program opened it."""
    name = path.name
    names = {f"~${name}", f".~lock.{name}#"}
    if len(path.stem) >= 8:
        names.add(f"~${name[2:]}")
    return [path.with_name(n) for n in sorted(names)]


def _office_user(data: bytes) -> str:
    # Byte 0: length of the ANSI user name that follows; at 0x36 the same name in UTF-16LE
    # with a two-byte length (present in files from Office 2007 on, and in WPS's).
    if len(data) >= 0x38:
        length = int.from_bytes(data[0x36:0x38], "little")
        raw = data[0x38 : 0x38 + 2 * length]
        with contextlib.suppress(UnicodeDecodeError):
            text = raw.decode("utf-16-le").strip("\x00 ")
            if text:
                return text
    if data:
        raw = data[1 : 1 + data[0]]
        for encoding in ("gbk", "latin-1"):
            with contextlib.suppress(UnicodeDecodeError):
                return raw.decode(encoding).strip("\x00 ")
    return ""


def _libreoffice_user(data: bytes) -> str:
    # "Full Name,login,host,date,profile;" (the name may be empty: then the login).
    text = data.decode("utf-8", errors="replace")
    fields = text.split(",")
    return (fields[0] or (fields[1] if len(fields) > 1 else "")).strip()


def open_files(paths: Iterable[Path]) -> list[OpenFile]:
    """Those of ``paths`` that a lock file says are open, with who has them open."""
    found = []
    for path in paths:
        for lock in lock_files(Path(path)):
            try:
                data = lock.read_bytes()[:4096]
            except OSError:
                continue
            user = (
                _libreoffice_user(data) if lock.name.startswith(".~lock.") else _office_user(data)
            )
            found.append(OpenFile(Path(path), lock, user))
            break
    return found
