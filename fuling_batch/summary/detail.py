"""The detail sheets of the summary workbook: 扣分明细, ▲未达标明细 and 校验问题.

Each row answers "why": which line lost points and what the inspector wrote, which ▲ item
capped a grade, and which input cell needs fixing. Written row by row (``constant_memory``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..rules.codes import CODES
from ..rules.issues import Severity
from ..rules.models import FileReport, FileStatus, Grade, GradeResult
from ..rules.standard import Line, Standard, fmt_number
from .printing import fit_readably
from .writer import (
    Column,
    Entry,
    Formats,
    SheetFactory,
    SheetWriter,
    enterprise_label,
    file_label,
    finish_table,
    fit_width,
)

__all__ = ["criterion", "impact", "write_deductions", "write_issues", "write_triangles"]


def criterion(line: Line) -> str:
    """The shortened criterion of a line: the item's first clause, plus the part for 4.1.x."""
    return f"{line.item.short}——{line.label}" if line.label else line.item.short


def write_deductions(
    sheet: SheetFactory, fmt: Formats, order: Sequence[tuple[int, GradeResult]], standard: Standard
) -> None:
    line_of = {line.code: line for line in standard.lines}
    rows = [
        (r, line, item)
        for _, r in order
        for item in r.sheet.scores
        if (line := line_of.get(item.code)) is not None and not line.is_full(item.score)
    ]
    # The criterion of each line, shortened once (not once per row).
    text_of = {line.code: criterion(line) for line in standard.lines}
    used = {line.code for _, line, _ in rows}
    names = {r.enterprise for r, _, _ in rows}
    columns = [
        Column("企业名称", fit_width(["企业名称", *names], 14, 30)),
        Column("编号", 7),
        Column("评分内容", fit_width([text_of[code] for code in sorted(used)], 20, 40)),
        Column("分值", 6),
        Column("得分", 6),
        Column("扣分", 6),
        Column("扣分说明", 50),
    ]
    columns = fit_readably(columns, ("企业名称", "评分内容", "扣分说明"))
    out: SheetWriter = sheet("扣分明细", columns, freeze_cols=1)
    formats = [fmt.wrap, fmt.center, fmt.wrap, fmt.num, fmt.num, fmt.num, fmt.wrap]

    def entries() -> Iterator[Entry]:
        last: GradeResult | None = None
        for r, line, item in rows:
            if r is not last:  # rows come grouped by enterprise
                last, name, who = r, r.enterprise, enterprise_label(r.enterprise)
            lost = round(line.value - item.score, 6)
            code = line.code
            yield (
                [name, code, text_of[code], line.value, item.score, lost, item.remark],
                formats,
                who,
            )

    finish_table(out, out.rows(out.header_row, entries()), len(columns) - 1)


def impact(result: GradeResult) -> str:
    """What a ▲ item not met did to the grade."""
    if result.raw_grade is Grade.PASS and result.final_grade is not Grade.PASS:
        return f"{result.raw_grade}→{result.final_grade}（降级）"
    return f"无降级影响（按总分已为{result.raw_grade}）"


def write_triangles(
    sheet: SheetFactory,
    fmt: Formats,
    order: Sequence[tuple[int, GradeResult]],
    standard: Standard,
) -> None:
    lines_of: dict[str, list[Line]] = {}
    for line in standard.lines:
        lines_of.setdefault(line.item.code, []).append(line)
    rows: list[tuple[GradeResult, str, tuple[Line, ...]]] = []
    for _, r in order:
        if not r.triangle_not_met:
            continue
        for code in r.triangle_not_met:
            short = tuple(line for line in lines_of[code] if line.code in r.triangle_lines)
            rows.append((r, code, short or tuple(lines_of[code])))
    short_of = {code: standard.item(code).short for code in lines_of}
    columns = [
        Column("企业名称", fit_width(["企业名称", *{r.enterprise for r, _, _ in rows}], 14, 30)),
        Column("▲编号", 7),
        Column("评分内容", fit_width([short_of[c] for c in {c for _, c, _ in rows}], 20, 40)),
        Column("分值", 6),
        Column("得分", 6),
        Column("未达标情况", 36),
        Column("总分", 7),
        Column("初评等次", 9),
        Column("最终等次", 9),
        Column("对等次的影响", 26),
    ]
    columns = fit_readably(columns, ("企业名称", "评分内容", "未达标情况", "对等次的影响"))
    out: SheetWriter = sheet("▲未达标明细", columns, freeze_cols=1)
    items = {code: standard.item(code) for code in lines_of}
    head = [fmt.wrap, fmt.center, fmt.wrap, fmt.num, fmt.num, fmt.wrap, fmt.num]
    # One formats list per pair of grades: rows sharing it share their row template.
    formats_of = {
        (raw, final): [*head, fmt.grade[raw], fmt.grade[final], fmt.wrap]
        for raw in Grade
        for final in Grade
    }

    def entries() -> Iterator[Entry]:
        last: GradeResult | None = None
        for r, code, short_lines in rows:
            if r is not last:  # rows come grouped by enterprise: its own cells are made once
                last = r
                name, by_code, who = r.enterprise, r.sheet.by_code, enterprise_label(r.enterprise)
                tail = [r.total, str(r.raw_grade), str(r.final_grade), impact(r)]
                formats = formats_of[r.raw_grade, r.final_grade]
            item = items[code]
            got = round(sum(by_code[line.code].score for line in lines_of[code]), 6)
            detail = "；".join(
                f"{line.code}{line.label}得{fmt_number(by_code[line.code].score)}分/满分{fmt_number(line.value)}分"
                for line in short_lines
            )
            yield [name, code, short_of[code], item.value, got, detail, *tail], formats, who

    finish_table(out, out.rows(out.header_row, entries()), len(columns) - 1)


def _category(code: str) -> str:
    """The Chinese category of a finding (rules/codes.py); a code this version does not know
    (a report of another version) is 其他 rather than a failed summary."""
    found = CODES.get(code)
    return found.category if found is not None else "其他"


def write_issues(sheet: SheetFactory, fmt: Formats, reports: Sequence[FileReport]) -> None:
    rows: list[tuple[FileReport, list[object]]] = []
    for report in sorted(reports, key=lambda rep: rep.path):
        status = report.status.label
        for issue in report.issues:
            sev = issue.severity.label
            rows.append(
                (
                    report,
                    [
                        issue.file or report.path,
                        issue.sheet,
                        issue.cell,
                        sev,
                        _category(issue.code),
                        issue.message,
                        status,
                        issue.code,
                    ],
                )
            )
        if not report.issues and report.status is not FileStatus.ACCEPTED:
            rows.append((report, [report.path, "", "", "", "", "（未记录具体问题）", status, ""]))
    columns = [
        Column("文件", fit_width(["文件", *(str(v[0]) for _, v in rows)], 16, 40)),
        Column("工作表", fit_width(["工作表", *(str(v[1]) for _, v in rows)], 8, 20)),
        Column("单元格", 8),
        Column("级别", 6),
        Column("类别", fit_width(["类别", *(str(v[4]) for _, v in rows)], 8, 14)),
        Column("说明", 60),
        Column("文件状态", 9),
        # The stable code, for whoever reads report.json beside it: narrow, last.
        Column("代码", fit_width(["代码", *(str(v[7]) for _, v in rows)], 8, 22)),
    ]
    columns = fit_readably(columns, ("文件", "说明"))
    out: SheetWriter = sheet("校验问题", columns, freeze_cols=1)
    level = {
        Severity.ERROR.label: fmt.grade[Grade.FAIL],
        Severity.WARNING.label: fmt.grade[Grade.BASIC],
        "": fmt.center,
    }
    status_fmt = {
        FileStatus.ACCEPTED.label: fmt.center,
        FileStatus.REJECTED.label: fmt.grade[Grade.FAIL],
        FileStatus.SKIPPED.label: fmt.center,
    }
    formats_of = {
        (sev, status): [fmt.wrap, fmt.text, fmt.center, lf, fmt.center, fmt.wrap, sf, fmt.wrap]
        for sev, lf in level.items()
        for status, sf in status_fmt.items()
    }
    entries = (
        (values, formats_of[str(values[3]), str(values[6])], file_label(report.path))
        for report, values in rows
    )
    finish_table(out, out.rows(out.header_row, entries), len(columns) - 1)
