"""The yearly job: read and check every sheet, grade, record history, write the outputs.

Data flows one way: intake → grading (with last year from history) → summary and returned
copies, with the notices rendering beside them → notices put in place → history → report.json.
History records a year only once its outputs exist; its rows and report.json are made while
the notices may still be rendering, since where each notice will be is known beforehand. Each stage is its own module; this one
only orders them and decides where the files go.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import FewerResults, UsageError
from .history.rectifications import entries as rectification_entries
from .history.store import History, default_history_path
from .intake.check import PARALLEL_FROM, check_folder
from .oserrors import output_error
from .outputs import RETURNED_DIR, Outputs, RunSettings, refuse_open_outputs, with_issues
from .rules.grading import grade
from .rules.issues import Issue
from .rules.models import FileReport, FileStatus, GradeResult, ScoreSheet, YearRecord
from .rules.numbering import EMPTY_REGISTER, Plan, RegisterView
from .rules.standard import Standard, load_standard
from .runtime.manifest import Manifest
from .runtime.runlock import year_lock
from .runtime.workers import prestart
from .summary.workbook import LastYear
from .year_record import (
    carry_over,
    plan_year,
    previous_year_findings,
    register_view,
)

if TYPE_CHECKING:
    pass

__all__ = ["RETURNED_DIR", "RunOutcome", "grade_reports", "run"]


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
    print_pages: int = 0  # pages of the combined print file (an even number per notice)
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
    reports = with_issues(reports, lookup_issues)
    results = [grade(s, standard, config.grading, year, previous.get(s.key)) for s in sheets]
    results.sort(key=lambda r: (-r.total, r.key))
    return reports, results


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
    force: bool = False,
    replace: bool = False,
) -> RunOutcome:
    """Run the whole job for ``year``; outputs go under ``out_dir/year``.

    Once the year's notices are issued, a run that would change what one states raises
    :class:`~fuling_batch.year_record.YearLocked` before anything is written, unless
    ``amend``: the notice is then voided and a corrected one numbered. ``first_year`` says
    there is no earlier year to look back on (no PREVIOUS_YEAR_MISSING). A file in the
    output folders that the program did not write, or that changed since, is moved to
    ``备份/`` (the run says so in ``run_issues``), never deleted. An output open in Office
    (its lock file is there) stops the run with :class:`OutputError` unless ``force``.
    A run that would record far fewer enterprises for the year than history holds stops
    with :class:`~fuling_batch.errors.FewerResults` before anything is written, unless ``replace``
    (:func:`refuse_fewer`).
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
    from .forms.returned import staging

    with staging(job.year_dir) as staged:
        job.staged = staged  # returned copies are made where the sheets are read
        with job.stage("read+validate"):
            reports = check_folder(
                input_dir,
                year,
                job.standard,
                job.config.grading,
                processes,
                progress,
                exclude=[out_dir],
                after=staged,
            )
        with History(history_path or default_history_path(out_dir)) as history:
            return job.finish(
                reports,
                history,
                amend=amend,
                first_year=first_year,
                force=force,
                replace=replace,
            )


# A run that accepts fewer than this share of the enterprises recorded for its year stops
# and asks for --replace: a folder of the wrong year, or of a few re-submitted sheets, must
# not silently replace the year's record.
REPLACE_SHARE = 0.5


def refuse_fewer(year: int, recorded: int, accepted: int, *, replace: bool) -> None:
    """Stop (FewerResults) when the run would replace ``recorded`` results with far fewer."""
    if replace or recorded == 0 or accepted >= recorded * REPLACE_SHARE:
        return
    raise FewerResults(year, recorded, accepted)


class _YearRun(RunSettings):
    """One run: its settings (:class:`~fuling_batch.outputs.RunSettings`) and its stages."""

    def finish(
        self,
        reports: list[FileReport],
        history: History,
        *,
        amend: bool,
        first_year: bool,
        force: bool,
        replace: bool = False,
    ) -> RunOutcome:
        """Grade, plan the register, then write every output and record the year."""

        year = self.year
        with self.stage("grade"):
            past = history.records(up_to_year=year - 1)
            reports, results = grade_reports(
                reports, year, history, self.standard, self.config, past
            )
            existing = history.register(year)
            # Before anything is written: an issued notice is history.
            plan = plan_year(results, existing, self.config.notices.first_number, year, amend=amend)
        refuse_fewer(year, history.recorded(year), len(results), replace=replace)
        run_issues = [] if first_year else previous_year_findings(year, past, results)
        register = register_view(existing, plan, self.config.notices.number_prefix, year)
        if not force:
            refuse_open_outputs(self.year_dir, year)
        try:
            lock = year_lock(self.year_dir, [self.staged.folder] if self.staged else [])
            lock.__enter__()
        except OSError as exc:
            raise output_error(exc, str(self.year_dir)) from exc
        try:
            return self._write(reports, results, history, past, plan, register, run_issues)
        finally:
            lock.__exit__(None, None, None)

    def _write(
        self,
        reports: list[FileReport],
        results: list[GradeResult],
        history: History,
        past: Sequence[YearRecord],
        plan: Plan,
        register: RegisterView,
        run_issues: list[Issue],
    ) -> RunOutcome:
        """Every output, with the year folder's run lock held (killed runs' leftovers gone)."""
        from .notices.render import notice_files

        year = self.year
        manifest = Manifest(self.year_dir, self.now)
        files = notice_files(self.year_dir, year, results, self.config.notices, plan.numbers)
        fixed = {e.key: history.notice_context(e.id) for e in plan.kept_issued}
        last = rectification_entries(history, year - 1)
        today = self.now.date()
        last_year = LastYear(last, carry_over(results, last, today), today)
        outputs = Outputs(
            self, manifest, reports, results, files, fixed, register, run_issues, last_year
        )
        outputs.write(past, plan, history)
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
            print_pages=outputs.print_pages,
            run_issues=outputs.run_issues,
            register=register,
        )
