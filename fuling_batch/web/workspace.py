"""The data folder: where each year's uploaded sheets, outputs and the history live.

Laid out like the command line's own folders, so the same data can be processed with
``fuling-batch run DATA/input/2026 --year 2026 --out DATA/output`` too::

    DATA/input/2026/          the year's score sheets (uploaded, or copied from a folder)
    DATA/output/2026/         what ``run`` writes (summary, notices/, 退回修改/, report.json)
    DATA/output/history.sqlite3
    DATA/.work/               uploads being received, returned copies and zips being made
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..history.store import default_history_path

__all__ = ["MAX_YEAR", "MIN_YEAR", "StoredFile", "Workspace"]

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One file in a year's input folder: its POSIX path relative to the folder."""

    relative: str
    size: int
    mtime_ns: int


class Workspace:
    """The folders under ``root`` (created on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()
        self.inputs = self.root / "input"
        self.outputs = self.root / "output"
        self.work = self.root / ".work"

    def prepare(self) -> None:
        """Create the folders; what an earlier server left in ``.work`` is removed."""
        for folder in (self.inputs, self.outputs):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True, exist_ok=True)

    def input_dir(self, year: int, *, create: bool = False) -> Path:
        folder = self.inputs / str(year)
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def year_dir(self, year: int) -> Path:
        return self.outputs / str(year)

    @property
    def history_path(self) -> Path:
        return default_history_path(self.outputs)

    def years(self) -> list[int]:
        """Years that have sheets or outputs here (a folder with something in it), ascending."""
        found: set[int] = set()
        for parent in (self.inputs, self.outputs):
            if parent.is_dir():
                for entry in parent.iterdir():
                    year = int(entry.name) if entry.name.isdigit() else 0
                    if MIN_YEAR <= year <= MAX_YEAR and entry.is_dir() and any(entry.iterdir()):
                        found.add(year)
        return sorted(found)

    def known_years(self) -> list[int]:
        """What the year chooser offers: the years here, this year and last, newest first."""
        this_year = dt.date.today().year
        return sorted({*self.years(), this_year, this_year - 1}, reverse=True)

    def default_year(self) -> int:
        years = self.years()
        return years[-1] if years else dt.date.today().year

    def files(self, year: int) -> list[StoredFile]:
        """Every file under the year's input folder, sorted (links are not followed)."""
        base = self.input_dir(year)
        out: list[StoredFile] = []  # os.walk yields nothing for a folder not made yet
        for folder, dirs, names in os.walk(base):
            dirs.sort()
            rel_dir = Path(folder).relative_to(base)
            for name in sorted(names):
                path = Path(folder, name)
                try:
                    stat = path.lstat()
                except OSError:
                    continue
                out.append(StoredFile((rel_dir / name).as_posix(), stat.st_size, stat.st_mtime_ns))
        out.sort(key=lambda f: f.relative)
        return out

    def find(self, year: int, relative: str) -> Path | None:
        """The stored file named ``relative``, or None: a name is looked up, never joined."""
        for stored in self.files(year):
            if stored.relative == relative:
                return self.input_dir(year) / stored.relative
        return None

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A private folder under ``.work`` for one request, removed afterwards."""
        self.work.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="req-", dir=self.work))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
