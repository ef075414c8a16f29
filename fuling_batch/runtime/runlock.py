"""One run at a time per year folder, and the leftovers of a run that was killed.

A run holds an exclusive lock on ``.fuling-run.lock`` in the year folder for as long as it
writes there. Holding it means no other run is writing: the staging folders (``.notices-*``,
``.returned-*``) and temporary files (``.~tmp-*``) a killed run left behind are then removed (they are the
program's own, never the operator's). A second run that finds the lock taken stops with a
message instead of writing over the first one's files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO

from ..errors import UsageError

__all__ = ["LEFTOVER_PREFIXES", "LOCK_NAME", "year_lock"]

LOCK_NAME = ".fuling-run.lock"
LEFTOVER_PREFIXES = (".~tmp-", ".notices-", ".returned-")
_KEEP = ("备份",)  # what the operator's files were moved to is never walked


def _lock(handle: IO[bytes]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            # msvcrt exists only on Windows: looked up by name so type checks pass elsewhere.
            locking = getattr(msvcrt, "locking")  # noqa: B009
            locking(handle.fileno(), getattr(msvcrt, "LK_NBLCK"), 1)  # noqa: B009
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_leftovers(year_dir: Path, keep: Collection[Path] = ()) -> list[Path]:
    """Remove the staging folders and temporary files of runs that did not finish (but not
    ``keep``: the caller's own, made before it took the lock)."""
    removed = []
    for root, dirs, files in os.walk(year_dir):
        if Path(root) == year_dir:
            dirs[:] = [d for d in dirs if d not in _KEEP and year_dir / d not in keep]
        for name in [d for d in dirs if d.startswith(LEFTOVER_PREFIXES)]:
            shutil.rmtree(Path(root) / name, ignore_errors=True)
            removed.append(Path(root) / name)
            dirs.remove(name)
        for name in files:
            if name.startswith(LEFTOVER_PREFIXES):
                with contextlib.suppress(OSError):
                    (Path(root) / name).unlink()
                    removed.append(Path(root) / name)
    return removed


@contextlib.contextmanager
def year_lock(year_dir: Path, keep: Collection[Path] = ()) -> Iterator[list[Path]]:
    """Hold the year folder's run lock; yields what a killed run had left and was removed
    (``keep``: the caller's own staging folders, made before it took the lock)."""
    year_dir.mkdir(parents=True, exist_ok=True)
    with open(year_dir / LOCK_NAME, "a+b") as handle:
        if not _lock(handle):
            raise UsageError(
                f"另一个 fuling-batch 正在处理 {year_dir}（运行或签发中），请等它结束后再运行"
            )
        yield remove_leftovers(year_dir, keep)
