"""Wide sheets printed readably: the plan of scales and column groups (summary/printing.py)."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import pytest

from fuling_batch.summary import printing
from fuling_batch.summary.printing import MIN_SCALE, chart_px, fit_readably, plan_columns
from fuling_batch.summary.writer import Column

_PAGE = printing._PRINT_WIDTH_PX


def _pages(widths: list[float], breaks: tuple[int, ...], repeat: int) -> list[list[float]]:
    bounds = [repeat, *breaks, len(widths)]
    return [widths[:repeat] + widths[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize(
    ("widths", "repeat", "starts"),
    [
        ([5, 24] + [5.5] * 58 + [7], 2, [2, 10, 15, 25, 34, 40, 49, 56]),  # 分项得分
        ([5, 24, 20, 20] + [9] * 8 + [8, 9, 16, 9, 16, 8, 9, 7, 13, 18], 2, [2, 4, 12, 17]),  # 汇总
        ([30, 7, 40, 6, 6, 6, 50], 1, []),
        ([200], 0, []),  # one column wider than a page: at the least scale, on its own
    ],
)
def test_every_page_fits_at_a_readable_scale(widths: list[float], repeat: int, starts: list[int]):
    plan = plan_columns(widths, repeat, starts)
    assert MIN_SCALE <= plan.scale <= 100 and plan.scale % 5 == 0
    capacity = _PAGE * 100 / plan.scale
    for page in _pages(widths, plan.breaks, plan.repeat):
        assert printing.printed_px(page) <= capacity or len(page) == plan.repeat + 1
    assert set(plan.breaks) <= set(starts or range(len(widths)))


def test_a_table_one_page_wide_gets_the_largest_scale_that_holds_it_and_its_charts():
    assert plan_columns([10] * 5, 1) == printing.PrintPlan(100, 0, ())  # nothing repeated
    charts = plan_columns([10] * 5, 1, least_px=chart_px(940))
    assert charts.scale < 100 and chart_px(940) <= _PAGE * 100 / charts.scale


def test_wrapping_columns_are_narrowed_to_print_at_the_readable_scale():
    columns = [Column("企业名称", 30), Column("编号", 7), Column("说明", 120)]
    narrowed = fit_readably(columns, ("企业名称", "说明"))
    assert narrowed[1] == columns[1]  # not named: kept
    assert narrowed[0].width < 30 and narrowed[2].width < 120
    assert printing.printed_px([c.width for c in narrowed]) <= _PAGE * 100 / (MIN_SCALE + 2) + 1
    assert fit_readably(columns[:2], ("企业名称",)) == columns[:2]  # narrow enough already


def _sheet(tmp_path, rows: int, tall: int):  # type: ignore[no-untyped-def]
    """A 汇总-like sheet: title rows, a header, ``rows`` data rows ``tall`` pt each, 5 footer rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "s.xlsx"))
    ws = book.add_worksheet()
    ws.set_landscape()
    ws.set_print_scale(80)
    ws.set_row(0, 28)
    ws.set_row(3, 40)  # the header
    for row in range(4, 4 + rows):
        ws.set_row(row, tall)
    return book, ws, 4 + rows  # the footer's first row


@pytest.mark.parametrize("rows", range(1, 40))
def test_the_footer_never_prints_alone_or_split(tmp_path, rows: int) -> None:  # type: ignore[no-untyped-def]
    book, ws, footer = _sheet(tmp_path, rows, 30)
    last = footer + 4
    printing.keep_footer(ws, footer, last, (2, 3), keep=2)
    breaks = list(ws.hbreaks)
    book.close()
    heights = [printing._row_pt(ws, r) for r in range(last + 1)]
    capacity = printing._PRINT_HEIGHT_PT * 100 / 80
    pages, used = [[]], 0.0
    for row, height in enumerate(heights):
        if (row in breaks or used + height > capacity) and used > sum(heights[2:4]):
            pages.append([])
            used = sum(heights[2:4])
        used += height
        pages[-1].append(row)
    (with_footer,) = [page for page in pages if footer in page]
    assert last in with_footer  # not split
    assert any(4 <= row < footer for row in with_footer)  # with table rows above it
    assert len(breaks) <= 1 and all(row >= 4 for row in breaks)


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils not installed",
)
def test_the_samples_totals_print_with_table_rows_above_them(sample_input, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """As LibreOffice prints 汇总: every page holding a footer row holds an enterprise's row
    too (before, 不合格（家） and 合计 printed alone on a page)."""
    import openpyxl

    from fuling_batch.pipeline import run

    run(sample_input, 2026, tmp_path / "out", history_path=tmp_path / "h.db", first_year=True)
    (summary,) = (tmp_path / "out" / "2026").glob("*汇总表.xlsx")
    book = openpyxl.load_workbook(summary)
    for name in book.sheetnames[1:]:
        del book[name]  # 汇总 alone, so that its pages are the PDF's
    alone = tmp_path / "汇总.xlsx"
    book.save(alone)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(alone)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "汇总.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) >= 2
    footers = ("区平均", "合格（家）", "合计")
    for number, page in enumerate(pages, 1):
        if any(word in page for word in footers):
            assert "涪陵示例" in page, f"page {number} holds the totals alone:\n{page}"
    assert sum(page.count("合计") for page in pages) >= 1
