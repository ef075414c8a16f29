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

from .writer import Column

__all__ = [
    "MIN_SCALE",
    "PrintPlan",
    "apply_plan",
    "chart_px",
    "fit_readably",
    "keep_footer",
    "plan_columns",
    "printed_px",
]

MIN_SCALE = 80
# A4 across less the sheets' 0.4 inch side margins, in pixels at 96 dpi.
_PRINT_WIDTH_PX = (297 / 25.4 - 0.8) * 96
# A4 down (landscape) less the sheets' 0.6 inch top and bottom margins, in points; a little
# is held back for the difference between the row heights here and a program's.
_PRINT_HEIGHT_PT = ((210 / 25.4 - 1.2) * 72) * 0.97
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


def chart_px(width: float) -> float:
    """How wide a chart of ``width`` pixels (xlsxwriter's ``set_size``) prints: it is anchored
    to the cells it covers at xlsxwriter's 7 pixels a unit, and those cells print wider."""
    return width * _PX_PER_UNIT / 7


def printed_px(widths: Sequence[float]) -> float:
    """How wide columns of these widths print at 100 % (pixels, as planned here)."""
    return sum(_px(w) for w in widths)


def fit_readably(
    columns: Sequence[Column], shrink: Sequence[str], least: float = 12
) -> list[Column]:
    """A sheet fitted one page wide prints at the scale its width allows: the columns named in
    ``shrink`` (wrapping text) are narrowed, down to ``least``, until it prints at a little
    more than :data:`MIN_SCALE` (their rows grow taller instead)."""
    target = _PRINT_WIDTH_PX * 100 / (MIN_SCALE + 2)
    excess = printed_px([c.width for c in columns]) - target
    room = sum(c.width - least for c in columns if c.header in shrink and c.width > least)
    if excess <= 0 or room <= 0:
        return list(columns)
    factor = min(1.0, excess / _PX_PER_UNIT / room)
    return [
        Column(c.header, round(c.width - (c.width - least) * factor, 1))
        if c.header in shrink and c.width > least
        else c
        for c in columns
    ]


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


def plan_columns(
    widths: Sequence[float],
    repeat: int = 2,
    starts: Sequence[int] = (),
    least_px: float = 0,
) -> PrintPlan:
    """The fewest pages across at a scale of at least :data:`MIN_SCALE`, the largest scale
    (in steps of 5 %) that gives them; ``starts`` are the columns a page may begin with (all,
    when empty); ``least_px`` is how wide the printed area is at least (charts beside or below
    the table), in pixels at 100 %.

    A sheet one page wide gets its scale too rather than "fit to one page wide": the scale
    is then known, never below :data:`MIN_SCALE`, whatever the program that prints it."""
    allowed = starts or range(len(widths))
    scales = range(100, MIN_SCALE - 1, -5)
    _, scale = min((len(_groups(widths, repeat, allowed, s)), -s) for s in scales)
    scale = -scale
    wide = max(printed_px(widths), least_px)
    while scale > MIN_SCALE and wide > _PRINT_WIDTH_PX * 100 / scale:
        scale -= 5
    breaks = _groups(widths, repeat, allowed, scale)
    return PrintPlan(scale, repeat if breaks else 0, breaks)


def apply_plan(ws: Worksheet, plan: PrintPlan) -> None:
    """The sheet's print scale, repeated columns and page breaks (A4 across is set already)."""
    ws.set_print_scale(plan.scale)
    if plan.repeat:
        ws.repeat_columns(0, plan.repeat - 1)
    if plan.breaks:
        ws.set_v_pagebreaks(list(plan.breaks))


def keep_footer(ws: Worksheet, first: int, last: int, repeated: tuple[int, int], keep: int) -> None:
    """Never print the footer rows ``first``…``last`` (totals, counts) on a page of their own,
    or split across two: when they would be, a page break before the ``keep`` table rows above
    them takes those along (as a 落款 is kept with the last lines of a notice).

    Pages are worked out from the rows' heights as written (xlsxwriter's ``row_sizes``, in
    pixels; 15 pt where none was set), the ``repeated`` rows (first, last) heading every page
    after the first, at the sheet's print scale.
    """
    heights = [_row_pt(ws, row) for row in range(last + 1)]
    capacity = _PRINT_HEIGHT_PT * 100 / ws.print_scale
    heading = sum(heights[repeated[0] : repeated[1] + 1])
    page_of, page, used = [], 0, 0.0
    for height in heights:
        if used + height > capacity and used > heading:
            page, used = page + 1, heading
        used += height
        page_of.append(page)
    if page_of[first] == page_of[last] and page_of[first - 1] == page_of[first]:
        return
    ws.set_h_pagebreaks([max(repeated[1] + 1, first - keep)])


def _row_pt(ws: Worksheet, row: int) -> float:
    size = ws.row_sizes.get(row)
    return (size[0] if size else ws.default_row_height) * 0.75
