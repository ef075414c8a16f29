"""The yearly job: read and check every sheet, grade, record history, write the outputs.

Data flows one way: intake → grading (with last year from history) → summary and returned
copies, with the notices rendering beside them → notices put in place → history → report.json.
History records a year only once its outputs exist; its rows and report.json are made while
the notices may still be rendering, since where each notice will be is known beforehand. Each stage is its own module; this one
only orders them and decides where the files go.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import UsageError
from .history.store import History, default_history_path, year_records, year_rows
from .intake.check import PARALLEL_FROM, check_folder
from .report import REPORT_NAME, dumps, notice_status, report_data, write_report
from .rules.grading import grade
from .rules.issues import Issue
from .rules.models import FileReport, FileStatus, GradeResult, ScoreSheet, YearRecord
from .rules.numbering import EMPTY_REGISTER, RegisterView
from .rules.standard import Standard, load_standard
from .runtime import collector
from .runtime.workers import prestart
from .year_record import (
    plan_year,
    previous_year_findings,
    register_update,
    register_view,
    restore_issued,
)

if TYPE_CHECKING:
    from .notices.render import StagedNotices

__all__ = ["RETURNED_DIR", "RunOutcome", "grade_reports", "run"]

RETURNED_DIR = "退回修改"


@dataclass(frozen=True)
class RunOutcome:
    """Everything one run produced, for the CLI's summary and for callers from Python."""

    year: int
    year_dir: Path
    reports: list[FileReport]
    results: list[GradeResult]
    summary: Path | None = None
    report: Path | None = None
    notices: list[Path] = field(default_factory=list)
    returned: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    run_issues: list[Issue] = field(default_factory=list)
    register: RegisterView = EMPTY_REGISTER  # the year's 发文登记 after the run

    @property
    def rejected(self) -> list[FileReport]:
        return [r for r in self.reports if r.status is FileStatus.REJECTED]

    @property
    def missing_returned(self) -> list[str]:
        """Rejected files whose returned copy could not be made (RETURNED_COPY_FAILED)."""
        return [
            r.path for r in self.reports if any(i.code == "RETURNED_COPY_FAILED" for i in r.issues)
        ]

    @property
    def exit_code(self) -> int:
        """SPEC: 0 when every sheet was accepted, 1 when some sheet was rejected."""
        return 1 if self.rejected else 0


@contextmanager
def _stage(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of a stage to ``timings`` (the bench prints these)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def _discard_staged(future: Future[StagedNotices]) -> None:
    with contextlib.suppress(Exception):
        future.result().discard()


def _many_entries(folder: Path, enough: int = PARALLEL_FROM) -> bool:
    """At least ``enough`` entries directly in ``folder``: a batch intake will read in workers."""
    with os.scandir(folder) as entries:
        return any(i >= enough - 1 for i, _ in enumerate(entries))


def grade_reports(
    reports: Sequence[FileReport],
    year: int,
    history: History,
    standard: Standard,
    config: Config,
    past: Sequence[YearRecord] | None = None,
) -> tuple[list[FileReport], list[GradeResult]]:
    """Grade every accepted sheet against last year's record; history warnings join their file.

    ``past`` is ``history.records(up_to_year=year - 1)`` when the caller has read it already.
    """
    sheets: list[ScoreSheet] = [
        r.sheet for r in reports if r.status is FileStatus.ACCEPTED and r.sheet is not None
    ]
    previous, lookup_issues = history.previous(sheets, year, past)
    reports = _with_issues(reports, lookup_issues)
    results = [grade(s, standard, config.grading, year, previous.get(s.key)) for s in sheets]
    results.sort(key=lambda r: (-r.total, r.key))
    return reports, results


def _write_outputs(
    input_dir: Path,
    year_dir: Path,
    year: int,
    reports: list[FileReport],
    results: list[GradeResult],
    records: list[YearRecord],
    standard: Standard,
    config: Config,
    timings: dict[str, float],
    collecting: Callable[[], AbstractContextManager[None]],
    register: RegisterView = EMPTY_REGISTER,
    banner: str = "",
) -> tuple[list[FileReport], list[Path], Path]:
    """Returned copies of rejected sheets (with the cycle collector on), then the summary.

    Returns the reports with a finding for each copy that could not be made, the copies and
    the summary.
    """
    from .summary.workbook import write_summary

    # A re-run replaces the year's returned copies, so copies of sheets fixed since then do
    # not linger beside the new ones.
    shutil.rmtree(year_dir / RETURNED_DIR, ignore_errors=True)
    returned: list[Path] = []
    if any(r.status is FileStatus.REJECTED for r in reports):
        # openpyxl is only needed to mark up returned copies: don't pay for it otherwise.
        from .forms.returned import write_returned_copies

        with _stage(timings, "returned"), collecting():
            returned, failed = write_returned_copies(input_dir, reports, year_dir / RETURNED_DIR)
        reports = _with_issues(reports, failed)
    with _stage(timings, "summary"):
        summary = write_summary(
            year_dir,
            year,
            results,
            reports,
            records,
            standard,
            config,
            register=register,
            banner=banner,
        )
    return reports, returned, summary


def _with_issues(reports: Sequence[FileReport], issues: Sequence[Issue]) -> list[FileReport]:
    """``reports`` with each of ``issues`` added to the report of its file."""
    by_file: dict[str, list[Issue]] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    return [
        replace(r, issues=(*r.issues, *by_file[r.path])) if r.path in by_file else r
        for r in reports
    ]


def run(
    input_dir: Path,
    year: int,
    out_dir: Path = Path("output"),
    *,
    history_path: Path | None = None,
    config: Config | None = None,
    standard: Standard | None = None,
    notice_template: Path | None = None,
    processes: int | None = None,
    pdf: bool = False,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
    amend: bool = False,
    first_year: bool = False,
) -> RunOutcome:
    """Run the whole job for ``year``; outputs go under ``out_dir/year``.

    Once the year's notices are issued, a run that would change what one states raises
    :class:`~fuling_batch.year_record.YearLocked` before anything is written, unless
    ``amend``: the notice is then voided and a corrected one numbered. ``first_year`` says
    there is no earlier year to look back on (no PREVIOUS_YEAR_MISSING).
    """
    from .notices.render import check_template, notice_files, stage_notices
    from .notices.template import default_notice_template

    if not input_dir.is_dir():
        raise UsageError(f"找不到评分表文件夹：{input_dir}")
    if processes != 1 and _many_entries(input_dir):
        prestart()  # the workers' server starts while the template is checked and files found
    config = config or Config()
    standard = standard or load_standard()
    # Fail fast on an edited notice template, before any sheet is read or file written.
    prepared = check_template(notice_template or default_notice_template())

    timings: dict[str, float] = {}
    year_dir = out_dir / str(year)
    with collector.paused() as collecting:
        with _stage(timings, "read+validate"):
            reports = check_folder(input_dir, year, standard, config.grading, processes, progress)
        with History(history_path or default_history_path(out_dir)) as history:
            with _stage(timings, "grade"):
                past = history.records(up_to_year=year - 1)
                reports, results = grade_reports(reports, year, history, standard, config, past)
                existing = history.register(year)
                # Before anything is written: an issued notice is history.
                plan = plan_year(results, existing, config.notices.first_number, year, amend=amend)
            run_issues = [] if first_year else previous_year_findings(year, past, results)
            register = register_view(existing, plan, config.notices.number_prefix, year)
            year_dir.mkdir(parents=True, exist_ok=True)
            files = notice_files(year_dir, year, results, config.notices, plan.numbers)
            fixed = {e.key: history.notice_context(e.id) for e in plan.kept_issued}

            def render_notices() -> StagedNotices:
                with _stage(timings, "notices"):
                    return stage_notices(
                        year_dir,
                        year,
                        results,
                        standard,
                        config.notices,
                        prepared,
                        processes,
                        pdf,
                        cancel=cancel,
                        files=files,
                        fixed=fixed,
                    )

            # Notices render in worker processes while this thread writes the summary: on two
            # cores the summary's single thread would otherwise leave one idle. They are staged
            # and only put in place once everything else has succeeded.
            cancel = threading.Event()
            with ThreadPoolExecutor(1, thread_name_prefix="notices") as background:
                staged_future = background.submit(render_notices)
                try:
                    # The trend sheet's rows for this year come from the results: history is
                    # written only once the summary and the notices exist.
                    records = past + year_records(year, results)
                    reports, returned, summary = _write_outputs(
                        input_dir,
                        year_dir,
                        year,
                        reports,
                        results,
                        records,
                        standard,
                        config,
                        timings,
                        collecting,
                        register,
                        _banner(run_issues),
                    )
                    # History's rows and report.json are made while the notices may still be
                    # rendering (where they will be is known), and written once they are done.
                    with _stage(timings, "history"):
                        rows = year_rows(year, results, now or dt.datetime.now().astimezone())
                    with _stage(timings, "report"):
                        where = {r.key: r.path.relative_to(year_dir).as_posix() for _, r in files}
                        report_text = dumps(
                            report_data(
                                year,
                                reports,
                                results,
                                where,
                                run_issues,
                                notice_status(register.entries),
                            )
                        )
                    # The notices are put in place first: history records the year only once
                    # every output exists (if Word holds the old folder, history is untouched).
                    staged = staged_future.result()
                    restore_issued(staged.staging, year_dir, plan, files)
                    notice_records = staged.publish()
                    with _stage(timings, "history"):
                        update = register_update(
                            year, year_dir, plan, files, staged.contexts, rows.stamp
                        )
                        history.write_year(rows, update)
                except BaseException:
                    # Stop rendering, and remove its staged folder whenever it ends (at once, or
                    # later if a second Ctrl+C cuts the wait short). The error is raised as is,
                    # the notices' own included.
                    cancel.set()
                    staged_future.add_done_callback(_discard_staged)
                    raise
            with _stage(timings, "report"):
                report = write_report(year_dir / REPORT_NAME, report_text)
    return RunOutcome(
        year=year,
        year_dir=year_dir,
        reports=reports,
        results=results,
        summary=summary,
        report=report,
        notices=[n.path for n in notice_records],
        returned=returned,
        timings=timings,
        run_issues=run_issues,
        register=register,
    )


def _banner(run_issues: Sequence[Issue]) -> str:
    """The red line above the 汇总 table: what the reader must know before trusting it."""
    return "\n".join(f"【注意】{issue.message}" for issue in run_issues)
