"""The files one run writes, in order: returned copies, the summary, the notices (rendered
beside them), history, report.json; and the manifest that keeps the operator's own files."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import OutputError
from .history.store import History, year_records, year_rows
from .report import REPORT_NAME, dumps, notice_status, report_data, write_report
from .rules.issues import Issue
from .rules.models import FileReport, FileStatus, GradeResult, YearRecord
from .rules.numbering import Plan, RegisterView
from .rules.standard import Standard
from .runtime.locks import open_files
from .runtime.manifest import Manifest, files_under
from .year_record import (
    register_update,
    restore_issued,
)

if TYPE_CHECKING:
    from .forms.returned import Staging
    from .notices.prepare import PreparedTemplate
    from .notices.records import PlannedNotice
    from .notices.render import StagedNotices
    from .summary.workbook import LastYear

__all__ = [
    "NOTICES_DIR",
    "RETURNED_DIR",
    "Outputs",
    "RunSettings",
    "refuse_open_outputs",
    "stage",
    "with_issues",
]


@dataclass
class RunSettings:
    """One run's settings, and the time each of its stages took."""

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
    # Returned copies staged while the sheets were read (forms/returned.Staging), if any.
    staged: Staging | None = None

    def stage(self, name: str) -> AbstractContextManager[None]:
        return stage(self.timings, name)


@dataclass
class Outputs:
    """The files one run writes, in order, and what it learns while writing them."""

    job: RunSettings
    manifest: Manifest
    reports: list[FileReport]
    results: list[GradeResult]
    files: list[PlannedNotice]
    fixed: dict[str, dict[str, Any]]
    register: RegisterView
    run_issues: list[Issue]
    last_year: LastYear
    summary: Path | None = None
    report: Path | None = None
    notices: list[Path] = field(default_factory=list)
    returned: list[Path] = field(default_factory=list)
    print_pages: int = 0  # of the combined print file (estimated, notices/pages.py)

    def write(
        self,
        past: Sequence[YearRecord],
        plan: Plan,
        history: History,
    ) -> None:
        """Notices render in worker processes while this thread writes the rest: on two cores
        the summary's single thread would otherwise leave one idle. They are staged, and put
        in place only once everything else has succeeded; then report.json, and history
        records the year last (if any output fails, history is untouched)."""
        job, year, year_dir = self.job, self.job.year, self.job.year_dir
        cancel = threading.Event()
        with ThreadPoolExecutor(1, thread_name_prefix="notices") as background:
            staged_future = background.submit(self._render, cancel)
            try:
                self._returned_copies()
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
                self.print_pages = staged.pages
                self.manifest.forget_under(year_dir / NOTICES_DIR)
                for path in files_under(year_dir / NOTICES_DIR):
                    self.manifest.record(path)
                # report.json is the last output, written before history records the year: a
                # run that could not write it leaves history as it was.
                with job.stage("report"):
                    self.manifest.keep(year_dir / REPORT_NAME)
                    self.report = write_report(year_dir / REPORT_NAME, report_text)
                    self.manifest.record(self.report)
                # Saved before history: if recording the year fails, the next run still knows
                # these files are the program's.
                self.manifest.save()
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
                carry_over=self.last_year.carry_over,
            )

    def _returned_copies(self) -> None:
        """Returned copies of rejected sheets: most were staged by the workers that read
        the sheets, and are moved into place here; the rest are made here.

        A re-run replaces the year's returned copies, so copies of sheets fixed since then do
        not linger beside the new ones (the operator's own files there are kept in 备份).
        """
        folder = self.job.year_dir / RETURNED_DIR
        self.manifest.keep_all(files_under(folder))
        shutil.rmtree(folder, ignore_errors=True)
        self.manifest.forget_under(folder)
        if not any(r.status is FileStatus.REJECTED for r in self.reports):
            return
        from .forms.returned import write_returned_copies

        job = self.job
        with job.stage("returned"):
            self.returned, failed = write_returned_copies(
                job.input_dir, self.reports, folder, job.staged
            )
        self.reports = with_issues(self.reports, failed)
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
                last_year=self.last_year,
            )
            self.manifest.record(self.summary)

    def _report_text(self) -> str:
        from .notices.letters import letter_names, letters_due

        year_dir = self.job.year_dir
        where = {r.key: r.path.relative_to(year_dir).as_posix() for _, r in self.files}
        due = letters_due([plan for plan, _ in self.files])
        letters = {
            plan.result.key: f"{NOTICES_DIR}/{name}"
            for plan, name in zip(due, letter_names(due), strict=True)
        }
        data = report_data(
            self.job.year,
            self.reports,
            self.results,
            where,
            self.run_issues,
            notice_status(self.register.entries),
            letters,
        )
        return dumps(data)


def refuse_open_outputs(year_dir: Path, year: int) -> None:
    """Stop before writing anything when an output the run replaces is open in Office."""
    from .summary.workbook import summary_filename

    outputs = [
        year_dir / summary_filename(year),
        year_dir / REPORT_NAME,
        *files_under(year_dir / NOTICES_DIR),
        *files_under(year_dir / RETURNED_DIR),
    ]
    found = open_files(p for p in outputs if not p.name.startswith(("~$", ".~lock.")))
    if found:
        names = "；".join(
            f"{f.path.relative_to(year_dir).as_posix()}（{f'由“{f.user}”' if f.user else ''}打开）"
            for f in found
        )
        raise OutputError(
            f"以下文件正在 Excel/WPS/Word 中打开，无法替换：{names}。请关闭后重新运行；"
            "如确认无人在用（锁定文件是异常退出留下的），可加 --force（历年数据库未改动）"
        )


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


def _discard_staged(future: Future[StagedNotices]) -> None:
    with contextlib.suppress(Exception):
        future.result().discard()


RETURNED_DIR = "退回修改"


NOTICES_DIR = "notices"


def with_issues(reports: Sequence[FileReport], issues: Sequence[Issue]) -> list[FileReport]:
    """``reports`` with each of ``issues`` added to the report of its file."""
    by_file: dict[str, list[Issue]] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append(issue)
    return [
        replace(r, issues=(*r.issues, *by_file[r.path])) if r.path in by_file else r
        for r in reports
    ]


@contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall time of a stage to ``timings`` (the bench prints these)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
