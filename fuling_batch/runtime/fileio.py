"""Output files: atomic replacement and names that are safe on Windows."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import OutputError

__all__ = [
    "NAME_MAX_BYTES",
    "atomic_path",
    "has_invisible",
    "name_fits",
    "permissions",
    "safe_filename",
    "unique_names",
    "write_atomic",
]

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
# Bidi controls (U+202E shows "evil\u202Excod.exe" as "evilexe.docx"), zero-width and other
# invisible format characters: a file name must look like what it is. Kept in step with
# rules/text.INVISIBLE, which runtime/ cannot import (it comes before rules/).
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")
# Every file system in use (ext4, NTFS, APFS, FAT with long names) holds a name of 255 bytes
# in its own encoding; NTFS counts UTF-16 units (255), the others UTF-8 bytes (255).
NAME_MAX_BYTES = 255
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once, at import: reading it means setting it, and two threads doing that at once (the
# pipeline writes notices and the summary together) could leave the process with umask 0.
_UMASK = _read_umask()


def permissions(mode: int) -> int:
    """``mode`` as the process umask lets it be (what ``open``/``mkdir`` would have given)."""
    return mode & ~_UMASK


def safe_filename(name: str, max_chars: int = 80, suffix: str = "") -> str:
    """A file-name stem Windows accepts: no ``\\/:*?"<>|``, no controls, no bidi or invisible
    characters, not reserved, non-empty, at most ``max_chars`` characters, and short enough
    that ``stem + suffix`` (plus room for a ``（N）`` that :func:`unique_names` may add) fits
    in 255 bytes as the file system stores it (:func:`name_fits`)."""
    stem = _FORBIDDEN.sub("_", _SURROGATES.sub("_", _INVISIBLE.sub("", name)))
    stem = stem.strip().rstrip(". ")
    if len(stem) > max_chars:
        stem = stem[:max_chars].rstrip(". ")
    room = f"（999）{suffix or '.docx'}"  # the mark unique_names may add, and an extension
    while stem and not name_fits(stem + room):
        stem = stem[:-1].rstrip(". ")
    if not stem:
        stem = "未命名"
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem = f"_{stem}"
    return stem


def name_fits(name: str) -> bool:
    """Whether one path component fits in 255 bytes in the file system's encoding, and in
    255 UTF-16 units (NTFS, where the folder may be copied)."""
    try:
        stored = len(os.fsencode(name))
    except UnicodeError:
        return False
    return stored <= NAME_MAX_BYTES and len(name.encode("utf-16-le")) // 2 <= NAME_MAX_BYTES


def has_invisible(name: str) -> bool:
    """Whether ``name`` holds a character :func:`safe_filename` drops as invisible."""
    return bool(_INVISIBLE.search(name))


def unique_names(stems: list[str]) -> list[str]:
    """Make stems unique case-insensitively (Windows) by appending （2）, （3）… in order."""
    seen: set[str] = set()
    out = []
    for stem in stems:
        candidate, n = stem, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{stem}（{n}）"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one step.

    On any failure the temporary file is removed and the previous ``target`` stays intact.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; outputs should get the usual permissions (umask).
        os.chmod(tmp, permissions(0o666))
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise OutputError(
                f"无法写入 {target}：文件可能正在 Excel/WPS/Word 中打开，请关闭后重新运行（原文件未改动）"
            ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` and move the result onto ``target`` atomically."""
    with atomic_path(target) as tmp:
        write(tmp)
    return target
