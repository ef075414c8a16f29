"""The district summary workbook (汇总表): who passed, who failed and why, in seven sheets.

汇总 and 分项得分 are written here; 扣分明细, ▲未达标明细 and 校验问题 in
:mod:`fuling_batch.summary_detail`; 统计 and 年度趋势 (with their charts) in
:mod:`fuling_batch.summary_stats`. The workbook is written with xlsxwriter in
``constant_memory`` mode, so every sheet is written strictly row by row, top to bottom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.workbook import Workbook

from ..config import Config
from ..errors import OutputError
from ..oserrors import output_error
from ..rules.consequences import streak_words
from ..rules.models import FileReport, Grade, GradeResult, YearRecord
from ..rules.numbering import EMPTY_REGISTER, RegisterView
from ..rules.rectification import Rectification
from ..rules.standard import Standard, fmt_number
from ..runtime.fileio import atomic_path
from .detail import write_deductions, write_issues, write_triangles
from .printing import apply_plan, keep_footer, plan_columns
from .rectification import write_last_rectification
from .register import write_register
from .stats import ranked, write_statistics, write_trends
from .writer import (
    FONT,
    FONT_SIZE,
    Column,
    Entry,
    Formats,
    SheetFactory,
    SheetWriter,
    enterprise_label,
    finish_table,
    fit_width,
    score_columns,
    start_sheet,
)

__all__ = ["SHEET_NAMES", "LastYear", "summary_filename", "write_summary"]

SHEET_NAMES = (
    "汇总", "分项得分", "扣分明细", "▲未达标明细", "统计", "年度趋势", "校验问题", "发文登记",
    "上年整改情况",
)  # fmt: skip
# Rows are streamed to disk as each sheet is written: memory stays flat for 10,000 enterprises.
CONSTANT_MEMORY = True


@dataclass(frozen=True)
class LastYear:
    """Last year's 整改 as the summary shows it: every entry, and each enterprise's state by
    its key this year."""

    entries: Sequence[Rectification] = ()
    carry_over: Mapping[str, str] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)


def summary_filename(year: int) -> str:
    """The workbook's file name, which says the year."""
    return f"{year}年度国有企业党组织规范化建设考核汇总表.xlsx"


def write_summary(
    out_dir: Path,
    year: int,
    results: Sequence[GradeResult],
    reports: Sequence[FileReport],
    records: Sequence[YearRecord],
    standard: Standard,
    config: Config,
    *,
    register: RegisterView = EMPTY_REGISTER,
    banner: str = "",
    last_year: LastYear | None = None,
) -> Path:
    """Write ``out_dir/summary_filename(year)`` atomically and return its path.

    ``results`` may come in any order (they are ranked by total, ties by credit code/key);
    ``reports`` feed 校验问题; ``records`` (all years up to ``year``, this year included) feed
    年度趋势; ``register`` (the year's document register after this run) feeds 发文登记; a
    ``banner`` is a warning printed in red above the 汇总 table; ``last_year`` is last year's
    整改 (上年整改情况, and a column of 汇总). A value Excel cannot hold
    raises :class:`OutputError` and leaves any previous file untouched.
    """
    target = Path(out_dir) / summary_filename(year)
    with atomic_path(target) as tmp:
        book = Workbook(
            str(tmp),
            {
                "constant_memory": CONSTANT_MEMORY,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_format_properties": {"font_name": "宋体", "font_size": 10},
            },
        )
        # A fixed creation time: the same inputs give the same bytes.
        book.set_properties(
            {
                "title": summary_filename(year).removesuffix(".xlsx"),
                "author": config.notices.authority,
                "company": config.notices.authority,
                "created": dt.datetime(year, 12, 31),
            }
        )
        _build(
            book, year, results, reports, records, standard, config, register, banner,
            last_year or LastYear(),
        )  # fmt: skip
        try:
            book.close()
        except (OSError, XlsxWriterException) as exc:
            # xlsxwriter wraps the operating system's error in its own.
            cause = exc if isinstance(exc, OSError) else exc.__context__
            if isinstance(cause, OSError):
                raise output_error(cause, str(target)) from exc
            raise OutputError(f"无法写入汇总表 {target}：{exc}") from exc
    return target


def _build(
    book: Workbook,
    year: int,
    results: Sequence[GradeResult],
    reports: Sequence[FileReport],
    records: Sequence[YearRecord],
    standard: Standard,
    config: Config,
    register: RegisterView,
    banner: str,
    last_year: LastYear,
) -> None:
    fmt = Formats(book)
    order = ranked(results)
    heading = f"{year}年度国有企业党组织规范化建设考核"
    body = f"制表单位：{config.notices.authority}　　考核年度：{year}年　　参评企业：{len(order)}家"

    def sheet(
        name: str,
        columns: Sequence[Column],
        *,
        repeat: int = 1,
        starts: Sequence[int] = (),
        least_px: float = 0,
        **kw: Any,
    ) -> SheetWriter:
        """A sheet printed A4 across at a known scale of 80 % or more (summary/printing.py):
        in groups of columns where it is wider than a page, the first ``repeat`` columns on
        every page, a page starting only at ``starts`` (any column when empty)."""
        title = f"{heading}{name}表" if name == "汇总" else f"{heading}{name}"
        plan = plan_columns([c.width for c in columns], repeat, starts, least_px)
        out = start_sheet(
            book, fmt, name, title, body, columns, fit=False, title_span=plan.title_span, **kw
        )
        apply_plan(out.ws, plan)
        return out

    # Each line's scores in rank order: read by 分项得分 and 统计 (10,000 × 58 values).
    per_line = score_columns([r for _, r in order], standard.lines)
    _write_overview(sheet, fmt, order, standard, banner, last_year.carry_over)
    whole_pct = book.add_format(
        {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter", "bold": True,
         "bg_color": "#F2F2F2", "num_format": "0%", "border": 1, "border_color": "#808080"}
    )  # fmt: skip
    _write_line_scores(sheet, fmt, order, standard, per_line, whole_pct)
    write_deductions(sheet, fmt, order, standard)
    write_triangles(sheet, fmt, order, standard)
    write_statistics(book, sheet, fmt, order, standard, per_line)
    write_trends(book, sheet, fmt, year, order, records)
    write_issues(sheet, fmt, reports)
    write_register(sheet, fmt, register)
    graded_now = {
        r.previous.key: str(r.final_grade) for _, r in order if r.previous and r.previous.key
    }
    write_last_rectification(sheet, fmt, last_year.entries, last_year.today, graded_now)


def _streak(result: GradeResult) -> str:
    """连续不合格: ``否``, or ``连续两年（2025—2026）``."""
    if not result.consecutive_fail:
        return "否"
    first = result.year - result.fail_streak + 1
    return f"{streak_words(result.fail_streak)}（{first}—{result.year}）"


def _texts(order: Sequence[tuple[int, GradeResult]], attr: str) -> list[str]:
    return [getattr(r.sheet.header, attr) for _, r in order]


def _write_overview(
    sheet: SheetFactory,
    fmt: Formats,
    order: Sequence[tuple[int, GradeResult]],
    standard: Standard,
    banner: str = "",
    carry_over: Mapping[str, str] | None = None,
) -> None:
    results = [r for _, r in order]
    sections = standard.sections
    consequence_texts = ["、".join(r.consequences) or "无" for r in results]
    columns = [
        Column("排名", 5),
        Column("企业名称", fit_width(["企业名称", *_texts(order, "enterprise")], 14, 24)),
        Column("统一社会信用代码", 20),
        Column("党组织名称", fit_width(["党组织名称", *_texts(order, "party_org")], 14, 20)),
        *(Column(f"{s.numeral}、{s.name}\n（{fmt_number(s.cap)}分）", 9) for s in sections),
        Column(f"总分（{fmt_number(standard.total)}分）", 8),
        Column("初评等次", 9),
        Column("▲未达标项", fit_width(["、".join(r.triangle_not_met) for r in results], 10, 16)),
        Column("最终等次", 9),
        Column("处理意见", fit_width(consequence_texts, 10, 16)),
        Column("上年总分", 8),
        Column("上年等次", 9),
        Column("变化", 7),
        Column("连续不合格", 13),
        Column("上年整改情况", 18),
    ]
    # Printed in groups of columns (identity, section scores, grades, last year), 排名 and
    # 企业名称 on every page.
    n = len(sections)
    out: SheetWriter = sheet(
        "汇总", columns, freeze_cols=2, banner=banner, repeat=2, starts=(2, 4, 4 + n, 4 + n + 5)
    )
    grade_fmt = fmt.grade
    formats_of: dict[tuple[Grade, Grade, Grade | None], list[Any]] = {}

    def formats(r: GradeResult) -> list[Any]:
        """One list per grade combination: rows sharing it share their row template."""
        prev = None if r.previous is None else r.previous.grade
        key = (r.raw_grade, r.final_grade, prev)
        found = formats_of.get(key)
        if found is None:
            found = formats_of[key] = [
                fmt.int,
                fmt.wrap,
                fmt.text,
                fmt.wrap,
                *[fmt.num] * len(sections),
                fmt.num,
                grade_fmt[r.raw_grade],
                fmt.wrap,
                grade_fmt[r.final_grade],
                fmt.wrap,
                fmt.num,
                fmt.center if prev is None else grade_fmt[prev],
                fmt.delta,
                fmt.center,
                fmt.wrap,
            ]
        return found

    def entries() -> Iterator[Entry]:
        for (rank, r), consequences in zip(order, consequence_texts, strict=True):
            prev = r.previous
            h = r.sheet.header
            values = [
                rank,
                h.enterprise,
                h.credit_code,
                h.party_org,
                *r.section_scores,
                r.total,
                str(r.raw_grade),
                "、".join(r.triangle_not_met) or "无",
                str(r.final_grade),
                consequences,
                None if prev is None else prev.total,
                "无记录" if prev is None else str(prev.grade),
                None if prev is None else round(r.total - prev.total, 6),
                _streak(r),
                (carry_over or {}).get(r.key, "—"),
            ]
            yield values, formats(r), enterprise_label(h.enterprise)

    row = out.rows(out.header_row, entries())
    finish_table(out, row, len(columns) - 1)
    # Footer: district averages, then grade counts under the 初评等次 / 最终等次 columns.
    n = len(results)
    raw_col = 4 + len(sections) + 1
    final_col = raw_col + 2
    row += 1
    footer = row
    averages = [_mean([r.section_scores[i] for r in results]) for i in range(len(sections))]
    out.row(
        row,
        ["", f"区平均（{n}家）", "", "", *averages, _mean([r.total for r in results])],
        [fmt.foot_text] * 4 + [fmt.foot_num] * (len(sections) + 1),
    )
    for grade in (*Grade, None):
        row += 1
        label = "合计" if grade is None else f"{grade}（家）"
        raw = n if grade is None else sum(r.raw_grade is grade for r in results)
        final = n if grade is None else sum(r.final_grade is grade for r in results)
        out.cell(row, 1, label, fmt.foot_text)
        out.cell(row, raw_col, raw, fmt.foot_int)
        out.cell(row, final_col, final, fmt.foot_int)
    if results:
        keep_footer(out.ws, footer, row, (2, out.header_row), keep=2)


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def _write_line_scores(
    sheet: SheetFactory,
    fmt: Formats,
    order: Sequence[tuple[int, GradeResult]],
    standard: Standard,
    per_line: Sequence[Sequence[float]],
    whole_pct: Any,
) -> None:
    lines = standard.lines
    columns = [
        Column("排名", 5),
        Column("企业名称", fit_width(["企业名称", *_texts(order, "enterprise")], 14, 20)),
        *(Column(line.code, 5.5) for line in lines),
        Column("总分", 7),
    ]
    above = [
        ["", "分值", *(line.value for line in lines), standard.total],
        ["", "重点项", *("▲" if line.key else "" for line in lines), ""],
    ]
    # Printed in groups of whole sections, 排名 and 企业名称 on every page.
    starts = [
        2 + i for i, line in enumerate(lines) if i == 0 or line.section != lines[i - 1].section
    ]
    out: SheetWriter = sheet(
        "分项得分", columns, freeze_cols=2, above_header=above, repeat=2, starts=starts
    )
    formats = [fmt.int, fmt.text, *[fmt.num] * (len(lines) + 1)]
    entries = (
        ([rank, r.enterprise, *scores, r.total], formats, enterprise_label(r.enterprise))
        for (rank, r), scores in zip(order, zip(*per_line, strict=True), strict=True)
    )
    row = out.rows(out.header_row, entries)
    finish_table(out, row, len(columns) - 1)
    row += 1
    out.row(
        row,
        ["", "区平均", *(_mean(v) for v in per_line), _mean([r.total for _, r in order])],
        [fmt.foot_text] * 2 + [fmt.foot_num] * (len(lines) + 1),
    )
    row += 1
    rates = [
        sum(line.is_full(s) for s in v) / len(v) if v else None
        for line, v in zip(lines, per_line, strict=True)
    ]
    # Whole percentages: "100.0%" does not fit a score column and would show as ###.
    out.row(row, ["", "满分率", *rates, ""], [fmt.foot_text] * 2 + [whole_pct] * (len(lines) + 1))
