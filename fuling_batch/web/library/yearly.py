"""The yearly job through the door: checking, running, returned copies, outputs, history.

Checking, running, returned copies, importing and reading history are the library's own
functions, called as the command line calls them; this module only decides where in the
data folder they read and write, and turns what they return into plain data for the pages.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ...config import Config, load_config
from ...errors import FulingError
from ...history.importer import ImportOutcome, import_results
from ...history.store import History
from ...intake import FILE_LEVEL_CODES, check_folder
from ...report import REPORT_NAME
from ...rules.creditcode import is_valid, normalize
from ...rules.identity import identity_key
from ...rules.models import FileReport, FileStatus, YearRecord
from ...rules.standard import Standard, load_standard
from ..workspace import Workspace

__all__ = [
    "Checks",
    "Outputs",
    "RunFewer",
    "RunLocked",
    "RunSummary",
    "enterprise_rows",
    "history_records",
    "identity",
    "import_history",
    "listing",
    "outputs",
    "pdf_available",
    "read_report",
    "returned_copy",
    "run_year",
    "section_caps",
]

Progress = Callable[[int, int], None]
_STANDARD: list[Standard] = []


def standard() -> Standard:
    if not _STANDARD:
        _STANDARD.append(load_standard())
    return _STANDARD[0]


def config_for(path: Path | None) -> Config:
    """As the command line reads it: ``--config``, else ``fuling_batch.toml`` in the working folder.

    Read on each use, so an edited file applies from the next check or run on.
    """
    return load_config(path)


def section_caps() -> list[tuple[str, float]]:
    return [(section.name, section.cap) for section in standard().sections]


# -- checking -------------------------------------------------------------------------------


class Checks:
    """``check_folder`` on a year's sheets, remembered until a file there changes.

    The files page asks after every upload; a folder that has not changed is not read again.
    One check per year runs at a time: a second request waits for it and takes its answer.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._locks: dict[int, threading.Lock] = {}
        self._cache: dict[int, tuple[object, list[FileReport]]] = {}
        self._guard = threading.Lock()

    def reports(self, year: int, config: Config) -> list[FileReport]:
        with self._guard:
            lock = self._locks.setdefault(year, threading.Lock())
        with lock:
            key = (tuple(self.workspace.files(year)), config.grading)
            cached = self._cache.get(year)
            if cached is not None and cached[0] == key:
                return cached[1]
            folder = self.workspace.input_dir(year, create=True)
            reports = check_folder(folder, year, standard(), config.grading)
            self._cache[year] = (key, reports)
            return reports


def returnable(report: FileReport) -> bool:
    """A returned copy can be made: the sheet was read (not refused as a whole file)."""
    return report.status is FileStatus.REJECTED and not any(
        issue.code in FILE_LEVEL_CODES for issue in report.issues
    )


def returned_copy(input_dir: Path, report: FileReport, scratch: Path) -> tuple[Path | None, str]:
    """The marked copy of a rejected sheet (退回修改), made now; or None and why not."""
    from ...forms.returned import write_returned_copies

    written, failed = write_returned_copies(input_dir, [report], scratch)
    if written:
        return written[0], ""
    return None, failed[0].message if failed else "该文件无法生成退回修改副本"


# -- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """What the page says about a finished run (the outcome itself holds every sheet)."""

    files: dict[str, int]
    grades: dict[str, int]
    notices: int
    returned: int
    missing_returned: list[str] = field(default_factory=list)
    run_issues: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    locked: ClassVar[bool] = False
    fewer: ClassVar[bool] = False


@dataclass(frozen=True)
class RunLocked:
    """The run stopped before writing anything: it would change notices already issued.

    ``changes`` are the library's own lines, one per issued notice; ``pdf`` and
    ``first_year`` are the run's options, for the amended run the page offers.
    """

    title: str
    changes: list[str]
    text: str
    pdf: bool
    first_year: bool
    locked: ClassVar[bool] = True
    fewer: ClassVar[bool] = False


@dataclass(frozen=True)
class RunFewer:
    """The run stopped before writing anything: it would replace the year's recorded results
    with far fewer (:class:`~fuling_batch.errors.FewerResults`); the page asks to confirm.

    ``pdf``, ``first_year`` and ``amend`` are the run's options, for the confirmed run.
    """

    year: int
    recorded: int
    accepted: int
    pdf: bool
    first_year: bool
    amend: bool
    locked: ClassVar[bool] = True  # nothing was written: no findings of the year to show
    fewer: ClassVar[bool] = True


def run_year(
    workspace: Workspace,
    year: int,
    config: Config,
    pdf: bool,
    progress: Progress,
    *,
    amend: bool = False,
    first_year: bool = False,
    replace: bool = False,
) -> RunSummary | RunLocked | RunFewer:
    from ...errors import FewerResults
    from ...pipeline import run
    from ...year_record import YearLocked

    try:
        outcome = run(
            workspace.input_dir(year),
            year,
            workspace.outputs,
            history_path=workspace.history_path,
            config=config,
            pdf=pdf,
            progress=progress,
            amend=amend,
            first_year=first_year,
            replace=replace,
        )
    except FewerResults as fewer:
        return RunFewer(year, fewer.recorded, fewer.accepted, pdf, first_year, amend)
    except YearLocked as locked:
        lines = str(locked).splitlines()
        changes = [line.strip().lstrip("·").strip() for line in lines if "·" in line[:4]]
        rest = "".join(line for line in lines[1:] if "·" not in line[:4])
        rest = rest.replace("请加 --amend 重新运行", "请点击下方“确认更正（--amend）”重新处理")
        return RunLocked(lines[0], changes, rest, pdf, first_year)
    return RunSummary(
        files=dict(Counter(report.status.label for report in outcome.reports)),
        grades=dict(Counter(str(result.final_grade) for result in outcome.results)),
        notices=len(outcome.notices),
        returned=len(outcome.returned),
        missing_returned=outcome.missing_returned,
        run_issues=[(issue.code, issue.message) for issue in outcome.run_issues],
    )


def pdf_available() -> bool:
    from ...notices.pdf import require_soffice

    try:
        require_soffice()
    except FulingError:
        return False
    return True


# -- outputs --------------------------------------------------------------------------------


def read_report(workspace: Workspace, year: int) -> dict[str, Any] | None:
    """The year's report.json (the SPEC's contract), or None before the first run."""
    path = workspace.year_dir(year) / REPORT_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data["_mtime"] = path.stat().st_mtime
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Outputs:
    """The files a run left for the year, by what they are."""

    folder: Path
    summary: Path | None
    sign_off: list[Path]
    combined: list[Path]
    notices: list[tuple[dict[str, Any], list[Path]]]  # (result, [docx, pdf])
    others: list[Path]

    def all_notice_files(self) -> list[Path]:
        return sorted(p for p in (self.folder / "notices").glob("*") if p.is_file())

    def find(self, name: str) -> Path | None:
        """A file of the notices folder by name: looked up, never joined."""
        return next((p for p in self.all_notice_files() if p.name == name), None)


def outputs(workspace: Workspace, year: int, report: dict[str, Any] | None) -> Outputs:
    from ...notices.combined import combined_name
    from ...notices.signoff import sign_off_name
    from ...summary.workbook import summary_filename

    folder = workspace.year_dir(year)
    summary = folder / summary_filename(year)
    files = {p.name: p for p in listing(folder / "notices")}

    def variants(docx_name: str) -> list[Path]:
        stem = Path(docx_name).stem
        return [files[n] for n in (docx_name, f"{stem}.pdf") if n in files]

    notices = []
    used: set[str] = set()
    for result in (report or {}).get("results", []):
        if result.get("notice"):
            paths = variants(Path(result["notice"]).name)
            used.update(p.name for p in paths)
            notices.append((result, paths))
    sign_off = variants(sign_off_name(year))
    combined = variants(combined_name(year))
    used.update(p.name for p in [*sign_off, *combined])
    return Outputs(
        folder=folder,
        summary=summary if summary.is_file() else None,
        sign_off=sign_off,
        combined=combined,
        notices=notices,
        others=[p for name, p in sorted(files.items()) if name not in used],
    )


def listing(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


# -- history --------------------------------------------------------------------------------


def history_records(workspace: Workspace) -> list[YearRecord]:
    if not workspace.history_path.is_file():
        return []
    with History(workspace.history_path) as history:
        return history.records()


def identity(credit_code: str, enterprise: str) -> str:
    """The key history stores an enterprise under (its code, else its exact name)."""
    return identity_key(credit_code, enterprise)


def enterprise_rows(workspace: Workspace, key: str) -> list[dict[str, Any]]:
    """Every stored year of one enterprise, by its identity key, oldest first."""
    if not key or not workspace.history_path.is_file():
        return []
    with History(workspace.history_path) as history:
        # A code is looked up by its index; a name (no code) needs every row.
        coded = normalize(key) == key and is_valid(key)
        rows = history.rows(code=key) if coded else history.rows()
        return [row for row in rows if row["key"] == key]


def import_history(workspace: Workspace, path: Path, year: int) -> ImportOutcome:
    with History(workspace.history_path) as history:
        return import_results(history, path, year)
