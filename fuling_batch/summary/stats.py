"""The 统计 and 年度趋势 sheets of the summary workbook, with their native Excel charts.

统计 answers "where is the district weak" (grade shares, section score rates, the weakest
lines); 年度趋势 answers "how did each enterprise and the district move" from the history
records. Both are written row by row (the workbook is in ``constant_memory`` mode).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook

from ..rules.consequences import fail_streak
from ..rules.identity import lineages
from ..rules.models import Grade, GradeResult, YearRecord
from ..rules.standard import Line, Standard, at_least, same_score
from .detail import criterion
from .printing import chart_px
from .writer import (
    CHART_COLOURS,
    FONT,
    Column,
    Entry,
    Formats,
    SheetFactory,
    SheetWriter,
    enterprise_label,
    finish_table,
    fit_width,
    score_columns,
)

__all__ = [
    "TrendRow",
    "consecutive_fails",
    "ranked",
    "trend_rows",
    "weakest_lines",
    "write_statistics",
    "write_trends",
]

WEAKEST = 10  # how many lines the 统计 sheet lists as the district's weakest
# Two charts side by side below a table: each this wide (px), 20 apart.
_CHART_W = 460
_CHARTS_PX = 2 * _CHART_W + 20


def ranked(results: Sequence[GradeResult]) -> list[tuple[int, GradeResult]]:
    """Results by final grade (合格, 基本合格, 不合格), then total (highest first), ties by
    credit code/key, with competition ranks (1, 2, 2, 4): a 基本合格 enterprise never ranks
    above a 合格 one, whatever its total (the ▲ rule can lower a high total's grade)."""
    grades = list(Grade)
    order = sorted(results, key=lambda r: (grades.index(r.final_grade), -r.total, r.key))
    out: list[tuple[int, GradeResult]] = []
    for i, r in enumerate(order):
        prev = out[-1][1] if out else None
        tied = (
            prev is not None
            and prev.final_grade is r.final_grade
            and same_score(prev.total, r.total)
        )
        out.append((out[-1][0] if tied else i + 1, r))
    return out


def weakest_lines(
    results: Sequence[GradeResult],
    standard: Standard,
    n: int = WEAKEST,
    per_line: Sequence[Sequence[float]] | None = None,
) -> list[tuple[Line, float]]:
    """The ``n`` lines with the lowest district score rate (average / 分值), in annex order on ties.

    ``per_line`` is :func:`score_columns` of ``results`` over the standard's lines, when the
    caller has it already.
    """
    if not results:
        return []
    lines = standard.lines
    if per_line is None:
        per_line = score_columns(results, lines)
    rates = [
        (line, sum(scores) / len(scores) / line.value)
        for line, scores in zip(lines, per_line, strict=True)
    ]
    return sorted(rates, key=lambda pair: pair[1])[:n]


def _range(sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    a = xl_rowcol_to_cell(first_row, first_col, row_abs=True, col_abs=True)
    b = xl_rowcol_to_cell(last_row, last_col, row_abs=True, col_abs=True)
    return f"='{sheet}'!{a}:{b}"


def _chart_text(text: str, size: int = 12) -> dict[str, object]:
    return {"name": text, "name_font": {"name": FONT, "size": size, "bold": True}}


def write_statistics(
    book: Workbook,
    sheet: SheetFactory,
    fmt: Formats,
    order: Sequence[tuple[int, GradeResult]],
    standard: Standard,
    per_line: Sequence[Sequence[float]] | None = None,
) -> None:
    """统计: grade distribution, section score rates and the weakest lines, with two charts.

    ``per_line``: each line's scores in ``order`` (see :func:`score_columns`), when known.
    """
    results = [r for _, r in order]
    if per_line is None:
        per_line = score_columns(results, standard.lines)
    n = len(results)
    columns = [
        Column("等次", 44),
        Column("最终等次（家）", 12),
        Column("占比", 12),
        Column("初评等次（家）", 12),
        Column("占比", 12),
    ]
    # The two charts go below the tables, side by side on a page of their own (940 px).
    out: SheetWriter = sheet("统计", columns, freeze=False, least_px=chart_px(_CHARTS_PX))
    out.ws.set_column(5, 5, 12)  # 重点项 of the weakest-lines table below
    name = out.name
    row = out.header_row
    grade_first = row + 1
    for grade in Grade:
        row += 1
        final = sum(r.final_grade is grade for r in results)
        raw = sum(r.raw_grade is grade for r in results)
        out.row(
            row,
            [str(grade), final, _share(final, n), raw, _share(raw, n)],
            [fmt.grade[grade], fmt.int, fmt.pct, fmt.int, fmt.pct],
        )
    grade_last = row
    row += 1
    out.row(
        row,
        ["合计", n, _share(n, n), n, _share(n, n)],
        [fmt.foot_text, fmt.foot_int, fmt.foot_pct, fmt.foot_int, fmt.foot_pct],
    )

    row += 2
    out.cell(row, 0, "各部分得分情况", fmt.section)
    row += 1
    out.ws.set_row(row, 30)
    out.row(row, ["部分", "满分", "平均得分", "得分率", "满分企业（家）"], [fmt.header] * 5)
    section_first = row + 1
    for i, section in enumerate(standard.sections):
        row += 1
        scores = [r.section_scores[i] for r in results]
        avg = sum(scores) / n if n else None
        full = sum(at_least(s, section.cap) for s in scores)
        out.row(
            row,
            [section.title, section.cap, avg, None if avg is None else avg / section.cap, full],
            [fmt.text, fmt.num, fmt.num, fmt.pct, fmt.int],
        )
    section_last = row
    row += 1
    avg_total = sum(r.total for r in results) / n if n else None
    out.row(
        row,
        [
            "总分",
            standard.total,
            avg_total,
            None if avg_total is None else avg_total / standard.total,
            sum(at_least(r.total, standard.total) for r in results),
        ],
        [fmt.foot_text, fmt.foot_num, fmt.foot_num, fmt.foot_pct, fmt.foot_int],
    )

    row += 2
    out.cell(row, 0, f"全区得分率最低的{WEAKEST}项", fmt.section)
    row += 1
    out.ws.set_row(row, 30)
    out.row(
        row,
        ["评分内容", "分值", "平均得分", "得分率", "扣分企业（家）", "重点项"],
        [fmt.header] * 6,
    )
    weakest = weakest_lines(results, standard, per_line=per_line)
    lost_by_line = {
        line.code: sum(not line.is_full(s) for s in scores)
        for line, scores in zip(standard.lines, per_line, strict=True)
    }
    for line, rate in weakest:
        row += 1
        lost = lost_by_line[line.code]
        label = f"{line.code} {criterion(line)}"
        out.row(
            row,
            [label, line.value, rate * line.value, rate, lost, "▲" if line.key else ""],
            [fmt.wrap, fmt.num, fmt.num, fmt.pct, fmt.int, fmt.center],
        )
    if not weakest:
        row += 1
        out.cell(row, 0, "本年度无参评企业", fmt.text)
    # Right after the tables (which fill about one page): a break a row or two further down
    # could follow the page's own and leave a blank page.
    charts_row = row + 1
    out.ws.set_h_pagebreaks([charts_row])  # a chart is never cut by a page break

    pie = book.add_chart({"type": "pie"})
    pie.add_series(
        {
            "name": "最终等次",
            "categories": _range(name, grade_first, 0, grade_last, 0),
            "values": _range(name, grade_first, 1, grade_last, 1),
            "points": [{"fill": {"color": CHART_COLOURS[g]}} for g in Grade],
            "data_labels": {
                "value": True,
                "percentage": True,
                "category": True,
                "separator": "\n",
                "font": {"name": FONT},
            },
        }
    )
    pie.set_title(_chart_text("最终等次分布"))
    pie.set_legend({"position": "bottom", "font": {"name": FONT}})
    pie.set_size({"width": _CHART_W, "height": 340})
    out.ws.insert_chart(charts_row, 0, pie)

    bar = book.add_chart({"type": "bar"})
    bar.add_series(
        {
            "name": "得分率",
            "categories": _range(name, section_first, 0, section_last, 0),
            "values": _range(name, section_first, 3, section_last, 3),
            "fill": {"color": "#4472C4"},
            "data_labels": {"value": True, "num_format": "0.0%", "font": {"name": FONT}},
        }
    )
    bar.set_title(_chart_text("各部分得分率"))
    bar.set_x_axis(
        {
            "min": 0,
            "max": 1,
            "num_format": "0%",
            "major_gridlines": {"visible": True},
            "num_font": {"name": FONT},
        }
    )
    bar.set_y_axis({"reverse": True, "num_font": {"name": FONT}})
    bar.set_legend({"none": True})
    bar.set_size({"width": _CHART_W, "height": 340})
    out.ws.insert_chart(charts_row, 0, bar, {"x_offset": _CHART_W + 20})


def _share(count: int, n: int) -> float | None:
    return count / n if n else None


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One enterprise across the years: its latest name and code, and a record per year."""

    key: str
    enterprise: str
    credit_code: str
    by_year: dict[int, YearRecord]


def trend_rows(
    year: int, order: Sequence[tuple[int, GradeResult]], records: Sequence[YearRecord]
) -> list[TrendRow]:
    """Every enterprise with a record up to ``year``: this year's in rank order, then the rest by key.

    Records are grouped by the identity rule (:func:`~fuling_batch.rules.identity.lineages`),
    as grading matched them. This year's results are added when the history lacks them, so
    the sheet never contradicts 汇总.
    """
    kept = {(rec.year, rec.key): rec for rec in records if rec.year <= year}
    for _, r in order:
        kept.setdefault(
            (year, r.key),
            YearRecord(year, r.key, r.credit_code, r.enterprise, r.total, r.final_grade),
        )
    groups = lineages(list(kept.values()))
    line_of = {(y, rec.key): line for line, by_year in groups.items() for y, rec in by_year.items()}
    current = list(dict.fromkeys(line_of[(year, r.key)] for _, r in order))
    rows = []
    for line in current:
        rows.append(_trend_row(groups[line]))
    rest = [_trend_row(groups[line]) for line in set(groups) - set(current)]
    rows += sorted(rest, key=lambda row: row.key)
    return rows


def _trend_row(by_year: dict[int, YearRecord]) -> TrendRow:
    by_year = dict(sorted(by_year.items()))
    latest = by_year[max(by_year)]
    return TrendRow(latest.key, latest.enterprise, latest.credit_code, by_year)


def consecutive_fails(row: TrendRow, year: int) -> int:
    """The enterprise's fail streak ending at ``year`` (:func:`~fuling_batch.rules.consequences.fail_streak`)."""
    return fail_streak({y: rec.grade for y, rec in row.by_year.items()}, year)


def write_trends(
    book: Workbook,
    sheet: SheetFactory,
    fmt: Formats,
    year: int,
    order: Sequence[tuple[int, GradeResult]],
    records: Sequence[YearRecord],
) -> None:
    """年度趋势: enterprises × years, then the district per year with a line and a stacked column chart."""
    rows = trend_rows(year, order, records)
    years = sorted({y for row in rows for y in row.by_year} | {year})
    columns = [
        Column("企业名称", fit_width(["企业名称", *(r.enterprise for r in rows)], 14, 36)),
        Column("统一社会信用代码", 20),
    ]
    for y in years:
        columns += [Column(f"{y}年\n总分", 8), Column(f"{y}年\n等次", 9)]
    columns += [Column("较上年变化", 8), Column("连续不合格（年）", 9)]
    # The two charts below the table span 940 px; many years make the table wider still.
    out: SheetWriter = sheet("年度趋势", columns, freeze_cols=1, least_px=chart_px(_CHARTS_PX))
    # One formats list per run of grades: rows sharing it share their row template.
    formats_of: dict[tuple[Grade | None, ...], list[Any]] = {}

    def entries() -> Iterator[Entry]:
        for trend in rows:
            recs = [trend.by_year.get(y) for y in years]
            values: list[object] = [trend.enterprise, trend.credit_code]
            for rec in recs:
                values += [
                    None if rec is None else rec.total,
                    "" if rec is None else str(rec.grade),
                ]
            now, before = trend.by_year.get(year), trend.by_year.get(year - 1)
            values += [
                None if now is None or before is None else round(now.total - before.total, 6),
                consecutive_fails(trend, year),
            ]
            grades = tuple(None if rec is None else rec.grade for rec in recs)
            formats = formats_of.get(grades)
            if formats is None:
                formats = formats_of[grades] = [fmt.text, fmt.text]
                for grade in grades:
                    formats += [fmt.num, fmt.center if grade is None else fmt.grade[grade]]
                formats += [fmt.delta, fmt.int]
            yield values, formats, enterprise_label(trend.enterprise)

    row = out.rows(out.header_row, entries())
    finish_table(out, row, len(columns) - 1)

    row += 2
    # The district's years and their two charts open a printed page of their own: a chart is
    # never cut by a page break (the table above may take any number of pages).
    out.ws.set_h_pagebreaks([row])
    out.cell(row, 0, "全区历年情况", fmt.section)
    row += 1
    out.ws.set_row(row, 30)
    out.row(row, ["年度", "参评企业（家）", "平均总分", *(str(g) for g in Grade)], [fmt.header] * 6)
    first = row + 1
    for y in years:
        row += 1
        recs = [t.by_year[y] for t in rows if y in t.by_year]
        avg = sum(r.total for r in recs) / len(recs) if recs else None
        counts = [sum(r.grade is g for r in recs) for g in Grade]
        out.row(
            row,
            [f"{y}年", len(recs), avg, *counts],
            [fmt.center, fmt.int, fmt.num, fmt.int, fmt.int, fmt.int],
        )
    last = row
    name = out.name

    line = book.add_chart({"type": "line"})
    line.add_series(
        {
            "name": "平均总分",
            "categories": _range(name, first, 0, last, 0),
            "values": _range(name, first, 2, last, 2),
            "marker": {"type": "circle", "size": 7},
            "data_labels": {
                "value": True,
                "num_format": "0.0",
                "position": "above",
                "font": {"name": FONT},
            },
        }
    )
    line.set_title(_chart_text("全区平均总分"))
    line.set_y_axis({"min": 0, "max": 100, "num_format": "0", "num_font": {"name": FONT}})
    line.set_x_axis({"num_font": {"name": FONT}})
    line.set_legend({"none": True})
    line.set_size({"width": 460, "height": 300})
    out.ws.insert_chart(last + 2, 0, line)

    stacked = book.add_chart({"type": "column", "subtype": "stacked"})
    for i, grade in enumerate(Grade):
        stacked.add_series(
            {
                "name": _range(name, first - 1, 3 + i, first - 1, 3 + i),
                "categories": _range(name, first, 0, last, 0),
                "values": _range(name, first, 3 + i, last, 3 + i),
                "fill": {"color": CHART_COLOURS[grade]},
                # "0;;;" hides the label of an empty segment (a zero count).
                "data_labels": {
                    "value": True,
                    "num_format": "0;;;",
                    "font": {
                        "name": FONT,
                        "color": "#000000" if grade is Grade.BASIC else "#FFFFFF",
                    },
                },
                "gap": 80,
            }
        )
    stacked.set_title(_chart_text("各等次企业数"))
    stacked.set_y_axis({"num_format": "0", "num_font": {"name": FONT}})
    stacked.set_x_axis({"num_font": {"name": FONT}})
    stacked.set_legend({"position": "bottom", "font": {"name": FONT}})
    stacked.set_size({"width": 460, "height": 300})
    out.ws.insert_chart(last + 2, 0, stacked, {"x_offset": 480})
