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
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import UsageError
from .history.store import History, default_history_path, year_records, year_rows
from .intake.check import PARALLEL_FROM, check_folder
from .report import REPORT_NAME, dumps, notice_status, report_data, write_report
from .rules.grading import grade
from .rules.issues import Issue
from .rules.models import FileReport, FileStatus, GradeResult, ScoreSheet, YearRecord
from .rules.numbering import EMPTY_REGISTER, Plan, RegisterView
from .rules.standard import Standard, load_standard
from .runtime import collector
from .runtime.manifest import Manifest, files_under
from .runtime.workers import prestart
from .year_record import (
    plan_year,
    previous_year_findings,
    register_update,
    register_view,
    restore_issued,
)

if TYPE_CHECKING:
    from .notices.prepare import PreparedTemplate
    from .notices.records import PlannedNotice
    from .notices.render import StagedNotices

__all__ = ["RETURNED_DIR", "RunOutcome", "grade_reports", "run"]

RETURNED_DIR = "退回修改"
NOTICES_DIR = "notices"


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
    there is no earlier year to look back on (no PREVIOUS_YEAR_MISSING). A file in the
    output folders that the program did not write, or that changed since, is moved to
    ``备份/`` (the run says so in ``run_issues``), never deleted.
    """
    from .notices.render import check_template
    from .notices.template import default_notice_template

    if not input_dir.is_dir():
        raise UsageError(f"找不到评分表文件夹：{input_dir}")
    if processes != 1 and _many_entries(input_dir):
        prestart()  # the workers' server starts while the template is checked and files found
    job = _YearRun(
        input_dir=input_dir,
        year=year,
        year_dir=out_dir / str(year),
        config=config or Config(),
        standard=standard or load_standard(),
        # Fail fast on an edited notice template, before any sheet is read or file written.
        prepared=check_template(notice_template or default_notice_template()),
        processes=processes,
        pdf=pdf,
        now=now or dt.datetime.now().astimezone(),
    )
    with collector.paused() as collecting:
        with job.stage("read+validate"):
            reports = check_folder(
                input_dir, year, job.standard, job.config.grading, processes, progress
            )
        with History(history_path or default_history_path(out_dir)) as history:
            return job.finish(reports, history, collecting, amend=amend, first_year=first_year)


@dataclass
class _YearRun:
    """One run's settings and the state its stages hand on (see :func:`run`)."""

    input_dir: Path
    year: int
    year_dir: Path
    config: Config
    standard: Standard
    prepared: PreparedTemplate
    processes: int | None
    pdf: bool
    now: dt.datetime
    timings: dict[str, float] = field(default_factory=dict)

    def stage(self, name: str) -> AbstractContextManager[None]:
        return _stage(self.timings, name)

    def finish(
        self,
        reports: list[FileReport],
        history: History,
        collecting: Callable[[], AbstractContextManager[None]],
        *,
        amend: bool,
        first_year: bool,
    ) -> RunOutcome:
        """Grade, plan the register, then write every output and record the year."""
        from .notices.render import notice_files

        year = self.year
        with self.stage("grade"):
            past = history.records(up_to_year=year - 1)
            reports, results = grade_reports(
                reports, year, history, self.standard, self.config, past
            )
            existing = history.register(year)
            # Before anything is written: an issued notice is history.
            plan = plan_year(results, existing, self.config.notices.first_number, year, amend=amend)
        run_issues = [] if first_year else previous_year_findings(year, past, results)
        register = register_view(existing, plan, self.config.notices.number_prefix, year)
        self.year_dir.mkdir(parents=True, exist_ok=True)
        manifest = Manifest(self.year_dir, self.now)
        files = notice_files(self.year_dir, year, results, self.config.notices, plan.numbers)
        fixed = {e.key: history.notice_context(e.id) for e in plan.kept_issued}
        outputs = _Outputs(self, manifest, reports, results, files, fixed, register, run_issues)
        outputs.write(past, plan, history, collecting)
        return RunOutcome(
            year=year,
            year_dir=self.year_dir,
            reports=outputs.reports,
            results=results,
            summary=outputs.summary,
            report=outputs.report,
            notices=outputs.notices,
            returned=outputs.returned,
            timings=self.timings,
            run_issues=outputs.run_issues,
            register=register,
        )


@dataclass
class _Outputs:
    """The files one run writes, in order, and what it learns while writing them."""

    job: _YearRun
    manifest: Manifest
    reports: list[FileReport]
    results: list[GradeResult]
    files: list[PlannedNotice]
    fixed: dict[str, dict[str, Any]]
    register: RegisterView
    run_issues: list[Issue]
    summary: Path | None = None
    report: Path | None = None
    notices: list[Path] = field(default_factory=list)
    returned: list[Path] = field(default_factory=list)

    def write(
        self,
        past: Sequence[YearRecord],
        plan: Plan,
        history: History,
        collecting: Callable[[], AbstractContextManager[None]],
    ) -> None:
        """Notices render in worker processes while this thread writes the rest: on two cores
        the summary's single thread would otherwise leave one idle. They are staged, and put
        in place only once everything else has succeeded; history records the year after
        that (if Word holds the old folder, history is untouched), report.json last."""
        job, year, year_dir = self.job, self.job.year, self.job.year_dir
        cancel = threading.Event()
        with ThreadPoolExecutor(1, thread_name_prefix="notices") as background:
            staged_future = background.submit(self._render, cancel)
            try:
                self._returned_copies(collecting)
                # The trend sheet's rows for this year come from the results.
                self._summary([*past, *year_records(year, self.results)])
                self.manifest.keep_all(
                    files_under(year_dir / NOTICES_DIR), always=() if job.pdf else (".pdf",)
                )
                # History's rows and report.json are made while the notices may still be
                # rendering (where they will be is known), and written once they are done.
                with job.stage("history"):
                    rows = year_rows(year, self.results, job.now)
                self.run_issues += _kept_files(self.manifest)
                with job.stage("report"):
                    report_text = self._report_text()
                staged = staged_future.result()
                restore_issued(staged.staging, year_dir, plan, self.files)
                self.notices = [n.path for n in staged.publish()]
                self.manifest.forget_under(year_dir / NOTICES_DIR)
                for path in files_under(year_dir / NOTICES_DIR):
                    self.manifest.record(path)
                with job.stage("history"):
                    update = register_update(
                        year,
                        year_dir,
                        plan,
                        self.files,
                        staged.contexts,
                        rows.stamp,
                        self.manifest.files,
                    )
                    history.write_year(rows, update)
            except BaseException:
                # Stop rendering, and remove its staged folder whenever it ends (at once, or
                # later if a second Ctrl+C cuts the wait short). The error is raised as is,
                # the notices' own included.
                cancel.set()
                staged_future.add_done_callback(_discard_staged)
                raise
        with job.stage("report"):
            self.manifest.keep(year_dir / REPORT_NAME)
            self.report = write_report(year_dir / REPORT_NAME, report_text)
            self.manifest.record(self.report)
            self.manifest.save()

    def _render(self, cancel: threading.Event) -> StagedNotices:
        from .notices.render import stage_notices

        job = self.job
        with job.stage("notices"):
            return stage_notices(
                job.year_dir,
                job.year,
                self.results,
                job.standard,
                job.config.notices,
                job.prepared,
                job.processes,
                job.pdf,
                cancel=cancel,
                files=self.files,
                fixed=self.fixed,
            )

    def _returned_copies(self, collecting: Callable[[], AbstractContextManager[None]]) -> None:
        """Returned copies of rejected sheets, with the cycle collector on (openpyxl's cycles).

        A re-run replaces the year's returned copies, so copies of sheets fixed since then do
        not linger beside the new ones (the operator's own files there are kept in 备份).
        """
        folder = self.job.year_dir / RETURNED_DIR
        self.manifest.keep_all(files_under(folder))
        shutil.rmtree(folder, ignore_errors=True)
        self.manifest.forget_under(folder)
        if not any(r.status is FileStatus.REJECTED for r in self.reports):
            return
        # openpyxl is only needed to mark up returned copies: don't pay for it otherwise.
        from .forms.returned import write_returned_copies

        with self.job.stage("returned"), collecting():
            self.returned, failed = write_returned_copies(self.job.input_dir, self.reports, folder)
        self.reports = _with_issues(self.reports, failed)
        for path in self.returned:
            self.manifest.record(path)

    def _summary(self, records: list[YearRecord]) -> None:
        from .summary.workbook import summary_filename, write_summary

        job = self.job
        with job.stage("summary"):
            self.manifest.keep(job.year_dir / summary_filename(job.year))
            self.summary = write_summary(
                job.year_dir,
                job.year,
                self.results,
                self.reports,
                records,
                job.standard,
                job.config,
                register=self.register,
                banner=_banner(self.run_issues),
            )
            self.manifest.record(self.summary)

    def _report_text(self) -> str:
        year_dir = self.job.year_dir
        where = {r.key: r.path.relative_to(year_dir).as_posix() for _, r in self.files}
        data = report_data(
            self.job.year,
            self.reports,
            self.results,
            where,
            self.run_issues,
            notice_status(self.register.entries),
        )
        return dumps(data)


def _kept_files(manifest: Manifest) -> list[Issue]:
    """A warning for each file moved to 备份, naming where it went."""
    return [
        Issue.warning(
            "OUTPUT_FILE_KEPT",
            f"{manifest.rel(old)} 不是本程序生成的文件（或生成后被修改过），未删除，已移到 "
            f"{new.relative_to(manifest.year_dir).as_posix()}",
        )
        for old, new in manifest.moved
    ]


def _banner(run_issues: Sequence[Issue]) -> str:
    """The red line above the 汇总 table: what the reader must know before trusting it."""
    return "\n".join(f"【注意】{issue.message}" for issue in run_issues)
