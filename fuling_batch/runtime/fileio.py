"""Output files: atomic replacement and names that are safe on Windows."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import OutputError

__all__ = ["atomic_path", "permissions", "safe_filename", "unique_names", "write_atomic"]

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
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


def safe_filename(name: str, max_chars: int = 80) -> str:
    """A file-name stem Windows accepts: no ``\\/:*?"<>|``, not reserved, bounded, non-empty."""
    stem = _FORBIDDEN.sub("_", name).strip().rstrip(". ")
    if len(stem) > max_chars:
        stem = stem[:max_chars].rstrip(". ")
    if not stem:
        stem = "未命名"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem


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
