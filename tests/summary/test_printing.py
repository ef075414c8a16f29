"""Wide sheets printed readably: the plan of scales and column groups (summary/printing.py)."""

from __future__ import annotations

import itertools

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
