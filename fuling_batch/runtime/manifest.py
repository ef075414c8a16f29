"""What the program wrote in a year's output folder, with hashes: so that nothing else is lost.

A re-run replaces its own outputs. A file in those places that the program did not write, or
that was changed since it wrote it (a summary annotated in Excel, a notice edited in Word, a
file the operator added), is moved to ``备份/<时间>/`` under the year folder, never deleted or
overwritten. The manifest is a JSON file in the year folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from .fileio import atomic_path

__all__ = ["BACKUP_DIR", "MANIFEST_NAME", "Manifest", "files_under", "sha256_of"]

MANIFEST_NAME = ".fuling-manifest.json"
BACKUP_DIR = "备份"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Manifest:
    """The files the program wrote under ``year_dir`` (relative POSIX path → SHA-256)."""

    def __init__(self, year_dir: Path, stamp: dt.datetime | None = None) -> None:
        self.year_dir = Path(year_dir)
        self.path = self.year_dir / MANIFEST_NAME
        when = stamp or dt.datetime.now()
        self.backup = self.year_dir / BACKUP_DIR / when.strftime("%Y-%m-%d_%H%M%S")
        self.files: dict[str, str] = {}
        self.moved: list[tuple[Path, Path]] = []  # (where it was, where it is now)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.files = {str(k): str(v) for k, v in dict(data.get("files", {})).items()}
        except (OSError, ValueError, AttributeError):
            self.files = {}  # no manifest (first run, or an older release): nothing is ours

    def rel(self, path: Path) -> str:
        return Path(path).relative_to(self.year_dir).as_posix()

    def is_ours(self, path: Path) -> bool:
        """Written by the program and unchanged since."""
        known = self.files.get(self.rel(path))
        return known is not None and known == sha256_of(path)

    def keep(self, path: Path) -> Path | None:
        """Move ``path`` to the backup folder unless it is the program's, unchanged; where to."""
        path = Path(path)
        if not path.is_file() or self.is_ours(path):
            return None
        return self.move(path)

    def move(self, path: Path) -> Path:
        """Move ``path`` into the backup folder, keeping its place under the year folder."""
        target = self.backup / self.rel(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        n = 1
        while target.exists():
            n += 1
            target = target.with_name(f"{target.stem}（{n}）{target.suffix}")
        shutil.move(os.fspath(path), os.fspath(target))
        self.moved.append((path, target))
        return target

    def keep_all(self, paths: Iterable[Path], *, always: Iterable[str] = ()) -> None:
        """:meth:`keep` each file; files whose suffix is in ``always`` are moved even if ours."""
        kinds = set(always)
        for path in paths:
            if Path(path).suffix.lower() in kinds and Path(path).is_file():
                self.move(Path(path))
            else:
                self.keep(Path(path))

    def record(self, path: Path, sha256: str | None = None) -> None:
        self.files[self.rel(path)] = sha256 or sha256_of(path)

    def forget_under(self, folder: Path) -> None:
        prefix = self.rel(folder) + "/"
        self.files = {k: v for k, v in self.files.items() if not k.startswith(prefix)}

    def save(self) -> None:
        text = json.dumps({"files": dict(sorted(self.files.items()))}, ensure_ascii=False, indent=0)
        with atomic_path(self.path) as tmp:
            tmp.write_text(text, encoding="utf-8")


def files_under(folder: Path) -> list[Path]:
    """Every file below ``folder`` (none if it does not exist)."""
    return (
        sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).is_dir() else []
    )
