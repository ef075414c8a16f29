"""Wide tables printed readably: groups of columns, one page wide each, at 80 % or more.

汇总 has 25 columns and 分项得分 61; fitted one page wide they printed at about 5 pt. Instead
such a sheet prints at a scale of at least :data:`MIN_SCALE` % (10 pt text stays 8 pt or more),
A4 across, in groups of columns that each fit the page: a vertical page break before each
group, and the first columns (排名, 企业名称) repeated on every page, as the header rows are.
Groups start only where the caller allows (a section's first column), unless one block is
wider than a page.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

__all__ = ["MIN_SCALE", "PrintPlan", "apply_plan", "plan_columns"]

MIN_SCALE = 80
# A4 across less the sheets' 0.4 inch side margins, in pixels at 96 dpi.
_PRINT_WIDTH_PX = (297 / 25.4 - 0.8) * 96
# Pixels per unit of Excel column width, on the generous side: LibreOffice prints columns of
# width 5.5 and 10 at 53 and 91 px (8.33 px a unit and 7.4 more), Excel narrower, so a group
# planned this way fits in both.
_PX_PER_UNIT, _PX_PER_COLUMN = 8.4, 8


@dataclass(frozen=True, slots=True)
class PrintPlan:
    """The print scale (%), the repeated first columns, and the first column of each page
    after the first (xlsxwriter's vertical page breaks)."""

    scale: int
    repeat: int
    breaks: tuple[int, ...]

    @property
    def title_span(self) -> tuple[int, int] | None:
        """The columns the title spans: those of the first page that are not repeated (a title
        across the repeated columns would print a slice of itself on every page); None when
        the sheet is one page wide."""
        return (self.repeat, self.breaks[0] - 1) if self.breaks else None


def _px(width: float) -> float:
    return width * _PX_PER_UNIT + _PX_PER_COLUMN


def _groups(
    widths: Sequence[float], repeat: int, starts: Sequence[int], scale: int
) -> tuple[int, ...]:
    capacity = _PRINT_WIDTH_PX * 100 / scale
    fixed = sum(_px(w) for w in widths[:repeat])
    bounds = sorted({repeat, *(s for s in starts if repeat < s < len(widths)), len(widths)})
    blocks = list(itertools.pairwise(bounds))
    breaks: list[int] = []
    used = fixed
    for first, end in blocks:
        block = sum(_px(w) for w in widths[first:end])
        if used + block <= capacity:
            used += block
            continue
        if used > fixed:  # the block opens the next page
            breaks.append(first)
            used = fixed
            if used + block <= capacity:
                used += block
                continue
        for col in range(first, end):  # a block wider than a page: column by column
            w = _px(widths[col])
            if used + w > capacity and used > fixed:
                breaks.append(col)
                used = fixed
            used += w
    return tuple(breaks)


def plan_columns(widths: Sequence[float], repeat: int = 2, starts: Sequence[int] = ()) -> PrintPlan:
    """The fewest pages across at a scale of at least :data:`MIN_SCALE`, the largest scale
    that gives them; ``starts`` are the columns a page may begin with (all, when empty)."""
    allowed = starts or range(len(widths))
    scales = range(100, MIN_SCALE - 1, -5)
    _, scale = min((len(_groups(widths, repeat, allowed, s)), -s) for s in scales)
    scale = -scale
    return PrintPlan(scale, repeat, _groups(widths, repeat, allowed, scale))


def apply_plan(ws: Worksheet, plan: PrintPlan) -> None:
    """The sheet's print scale, repeated columns and page breaks (A4 across is set already)."""
    ws.set_print_scale(plan.scale)
    if plan.repeat:
        ws.repeat_columns(0, plan.repeat - 1)
    if plan.breaks:
        ws.set_v_pagebreaks(list(plan.breaks))
