"""What the command line prints: tables of findings and results, and the progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from .rules.issues import Issue, Severity
from .rules.models import FileReport, FileStatus, Grade, GradeResult
from .rules.standard import fmt_number

__all__ = [
    "RUN_TABLE_ROWS",
    "err",
    "out",
    "print_file_counts",
    "print_findings",
    "print_issues",
    "print_results",
    "print_run_issues",
    "print_skipped",
    "print_warnings",
    "progress_bar",
]

# markup=False: names and messages from the sheets are printed as typed (a name holding
# "[red]" is text, not a colour); colours are given as styles (``style=``, ``labelled``, Text).
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def labelled(label: str, style: str, text: object) -> Text:
    """``label`` in ``style`` followed by ``text`` as it is."""
    return Text.assemble((label, style), str(text))


_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def severity_markup(severity: Severity) -> Text:
    return Text(severity.label, style=_SEVERITY_COLOUR[severity])


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when output is redirected (logs, CI)."""
    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# `run` prints a short summary: beyond this many rows the workbook and report.json
# hold the full lists, and a terminal table of thousands of rows only costs seconds.
RUN_TABLE_ROWS = 30


def print_issues(
    reports: Sequence[FileReport], errors_only: bool = False, limit: int | None = None
) -> None:
    rows = [(r, i) for r in reports for i in r.issues if i.is_error or not errors_only]
    if not rows:
        return
    hidden = len(rows) - limit if limit is not None and len(rows) > limit else 0
    rows = rows[: len(rows) - hidden]
    table = Table(title="校验问题" if not errors_only else "被退回的评分表", show_lines=False)
    for name in ("文件", "工作表", "单元格", "级别", "说明"):
        table.add_column(name, overflow="fold")
    for report, issue in rows:
        table.add_row(
            report.path, issue.sheet, issue.cell, severity_markup(issue.severity), issue.message
        )
    out.print(table)
    if hidden:
        out.print(f"……另有 {hidden} 条问题未列出，完整列表见汇总表“校验问题”工作表和 report.json。")


def print_warnings(reports: Sequence[FileReport], limit: int = 5) -> None:
    """How many warnings the accepted and rejected sheets carry, and the first few: a sheet
    read with warnings is graded, but the operator should check what was read."""
    rows = [
        (r, i)
        for r in reports
        if r.status is not FileStatus.SKIPPED
        for i in r.issues
        if not i.is_error
    ]
    if not rows:
        return
    files = len({r.path for r, _ in rows})
    shown = rows[:limit]
    out.print(
        labelled(
            "警告：",
            "yellow",
            f"{files} 个文件共 {len(rows)} 条（已照常评级，请核对）"
            + (f"，前 {len(shown)} 条：" if len(rows) > len(shown) else "："),
        )
    )
    for report, issue in shown:
        where = " › ".join(part for part in (report.path, issue.sheet, issue.cell) if part)
        out.print(f"  {where}：{issue.message}")
    if len(rows) > len(shown):
        out.print(f"  ……其余 {len(rows) - len(shown)} 条见汇总表“校验问题”工作表和 report.json。")


def print_skipped(reports: Sequence[FileReport]) -> None:
    """Every skipped file by name, with why it was skipped."""
    skipped = [r for r in reports if r.status is FileStatus.SKIPPED]
    if not skipped:
        return
    out.print(f"已跳过的文件（{len(skipped)} 个，未作为评分表读取）：")
    for report in skipped:
        reason = "；".join(i.message for i in report.issues) or "不是评分表"
        out.print(f"  {report.path}：{reason}")


def print_file_counts(reports: Sequence[FileReport]) -> None:
    counts = {status: sum(r.status is status for r in reports) for status in FileStatus}
    out.print("文件：" + "，".join(f"{s.label} {n}" for s, n in counts.items()))


def print_results(results: Sequence[GradeResult], limit: int = RUN_TABLE_ROWS) -> None:
    if not results:
        out.print("没有可评级的评分表。")
        return
    shown = list(results)
    title = f"{results[0].year}年度考核结果"
    if len(shown) > limit:
        # Too many to list: show who needs a notice, the most serious first.
        shown = sorted((r for r in results if r.needs_notice), key=lambda r: r.total)[:limit]
        title += f"（仅列出需发通知书的前 {len(shown)} 家，完整结果见汇总表和 report.json）"
    table = Table(title=title)
    for name in ("企业名称", "总分", "初评等次", "▲未达标", "最终等次", "处理意见"):
        table.add_column(name, overflow="fold")
    for r in shown:
        table.add_row(
            r.enterprise,
            fmt_number(r.total),
            str(r.raw_grade),
            "、".join(r.triangle_not_met),
            str(r.final_grade),
            "、".join(r.consequences) or "—",
        )
    out.print(table)
    grades = {g: sum(r.final_grade is g for r in results) for g in Grade}
    due = sum(r.needs_notice for r in results)
    out.print(
        "等次：" + "，".join(f"{g} {n}" for g, n in grades.items()) + f"；需发通知书 {due} 份"
    )


def print_findings(issues: Sequence[Issue]) -> None:
    for issue in issues:
        err.print(
            Text.assemble(severity_markup(issue.severity), f" {issue.where}：{issue.message}")
        )


def print_run_issues(issues: Sequence[Issue], limit: int = 5) -> None:
    """Year-level findings last, where they are seen: a missing year in red, kept files in
    yellow (the first few; report.json lists them all)."""
    kept = [i for i in issues if i.code == "OUTPUT_FILE_KEPT"]
    for issue in kept[:limit]:
        err.print(issue.message, style="yellow")
    if len(kept) > limit:
        err.print(
            f"……另有 {len(kept) - limit} 个文件已移到“备份”文件夹，详见 report.json。",
            style="yellow",
        )
    for issue in issues:
        if issue.code != "OUTPUT_FILE_KEPT":
            err.print(issue.message, style="bold red")
