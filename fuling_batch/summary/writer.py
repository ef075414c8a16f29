"""Shared machinery of the summary workbook: formats, checked cell writes, sheet layout.

Every value is written as its type says (strings always as text, so an inspector's
``=HYPERLINK(…)`` stays text) and every failure (a truncated string, a row past Excel's limit,
a number that is not finite) becomes an :class:`~fuling_batch.errors.OutputError` that names
the enterprise. Single cells go through :meth:`SheetWriter.cell` (xlsxwriter's methods, return
codes checked); whole data rows in ``constant_memory`` mode through
:func:`fuling_batch.summary.fastrows.fast_rows` (a kept speed trick, guarded), which stores
the same cells with the same checks at a fraction of xlsxwriter's per-cell cost.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..errors import OutputError
from ..rules.models import Grade, GradeResult
from ..rules.standard import Line
from . import fastrows
from .fastrows import Entry

__all__ = [
    "Column",
    "Entry",
    "Formats",
    "SheetFactory",
    "SheetWriter",
    "display_width",
    "enterprise_label",
    "file_label",
    "finish_table",
    "fit_width",
    "score_columns",
    "start_sheet",
    "wrapped_lines",
]

FONT = "宋体"
FONT_SIZE = 10
LINE_HEIGHT = 13  # points per line of 10-point text
NUM = "0.0"
PCT = "0.0%"
DELTA = "+0.0;-0.0;0.0"
# Fill colours of the grade cells: green / amber / red, light enough to print in grey.
GRADE_COLOURS = {
    Grade.PASS: ("#C6EFCE", "#006100"),
    Grade.BASIC: ("#FFEB9C", "#9C5700"),
    Grade.FAIL: ("#FFC7CE", "#9C0006"),
}
# Series colours of the charts: the same three hues, saturated enough to tell apart.
CHART_COLOURS = {Grade.PASS: "#70AD47", Grade.BASIC: "#FFC000", Grade.FAIL: "#C00000"}


class _CharWidths(dict[str, int]):
    """Each character's width (1 or 2), looked up in Unicode's table once per character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def display_width(text: str) -> int:
    """Width in Excel column units: a CJK (wide) character takes two, others one."""
    if text.isascii():
        return len(text)
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def score_columns(results: Sequence[GradeResult], lines: Sequence[Line]) -> list[list[float]]:
    """Each line's scores across ``results``: computed once, read by several sheets."""
    maps = [{s.code: s.score for s in r.sheet.scores} for r in results]
    return [[m[line.code] for m in maps] for line in lines]


def fit_width(texts: Iterable[str], lo: float = 6, hi: float = 40) -> float:
    """A column width that shows the widest of ``texts`` (per line), bounded to ``lo … hi``."""
    widest = 0
    for text in texts:
        for line in text.split("\n"):
            # A character is at most two wide: most lines cannot beat the widest so far.
            if 2 * len(line) > widest and (width := display_width(line)) > widest:
                widest = width
                if widest + 2 >= hi:
                    return hi  # as wide as the column may be: the rest cannot change it
    return max(lo, min(hi, widest + 2))


class Formats:
    """The workbook's cell formats, created once (xlsxwriter formats belong to one workbook)."""

    def __init__(self, book: Workbook) -> None:
        def fmt(**props: Any) -> Any:
            base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
            return book.add_format(base | props)

        cell = {"border": 1, "border_color": "#808080"}
        self.title = fmt(bold=True, font_size=16, align="center")
        self.subtitle = fmt(font_size=10, align="left", font_color="#404040")
        self.banner = fmt(
            bold=True, font_size=11, font_color="#C00000", bg_color="#FDE9E7", text_wrap=True
        )
        self.header = fmt(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2", **cell)
        self.text = fmt(**cell)
        self.wrap = fmt(text_wrap=True, **cell)
        self.center = fmt(align="center", **cell)
        self.int = fmt(align="center", num_format="0", **cell)
        self.num = fmt(num_format=NUM, **cell)
        self.pct = fmt(num_format=PCT, **cell)
        self.delta = fmt(num_format=DELTA, **cell)
        self.grade_fail_text = fmt(align="center", bold=True, font_color="#C00000", **cell)
        self.grade_void = fmt(align="center", font_color="#808080", font_strikeout=True, **cell)
        self.section = fmt(bold=True, font_size=12)
        self.foot_text = fmt(bold=True, bg_color="#F2F2F2", **cell)
        self.foot_num = fmt(bold=True, bg_color="#F2F2F2", num_format=NUM, **cell)
        self.foot_pct = fmt(bold=True, bg_color="#F2F2F2", num_format=PCT, **cell)
        self.foot_int = fmt(bold=True, bg_color="#F2F2F2", num_format="0", align="center", **cell)
        self.grade = {
            grade: fmt(align="center", bg_color=bg, font_color=fg, **cell)
            for grade, (bg, fg) in GRADE_COLOURS.items()
        }
        self.plain = fmt()  # the font of a cell written without a format
        if fastrows.active():
            fastrows.number_styles(
                one
                for value in vars(self).values()
                for one in (value.values() if isinstance(value, dict) else (value,))
            )


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its header text (``\\n`` allowed) and width in Excel units."""

    header: str
    width: float


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[:limit] + "…"


class SheetWriter:
    """A worksheet plus the formats, writing cells in row order with every return code checked."""

    def __init__(self, ws: Worksheet, fmt: Formats) -> None:
        self.ws = ws
        self.fmt = fmt
        self.name = ws.get_name()
        self.header_row = 2
        self.widths: list[float] = []
        # ' s="N"' for each format object seen by :func:`fast_rows` (by id: formats live as
        # long as the workbook, and each one is kept here too).
        self.styles: dict[int, str] = {}
        self.templates: dict[tuple[tuple[type, ...], tuple[int, ...]], Any] = {}
        self._wrapping: dict[tuple[int, ...], list[int]] = {}  # wrapping columns by formats
        self._lines: dict[tuple[int, str], int] = {}  # wrapped line counts by (column, text)
        self._style_formats: list[Any] = []

    def cell(
        self, row: int, col: int, value: object, cell_format: Any = None, who: str = ""
    ) -> None:
        """Write one value; ``who`` (see :func:`enterprise_label`) is named if it cannot be stored."""
        if value is None or value == "":
            rc = self.ws.write_blank(row, col, None, cell_format)
        elif isinstance(value, str):
            if value.startswith("<r>") and value.endswith("</r>"):
                rc = self._rich_looking(row, col, value, cell_format)
            else:
                rc = self.ws.write_string(row, col, value, cell_format)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                self.bad_number(value, who)
            rc = self.ws.write_number(row, col, value, cell_format)
        else:
            raise TypeError(f"unsupported cell value {value!r}")
        if rc:
            self.fail(rc, row, col, value, who)

    def _rich_looking(self, row: int, col: int, text: str, cell_format: Any) -> int:
        """Write text that looks like rich-text XML (``<r>…</r>``) as text.

        xlsxwriter copies such a string into the file as XML (it becomes formatted text, or
        breaks the file); written as a rich string of two runs in the cell's own font, every
        character is escaped and the cell shows exactly ``text``.
        """
        font = cell_format if cell_format is not None else self.fmt.plain
        return int(self.ws.write_rich_string(row, col, font, text[:1], font, text[1:], font))

    def row(
        self, row: int, values: Sequence[object], formats: Sequence[Any], who: str = ""
    ) -> None:
        """Write ``values`` from column A with the matching ``formats`` (see :meth:`rows`)."""
        self.rows(row - 1, ((values, formats, who),))

    def rows(self, row: int, entries: Iterable[Entry]) -> int:
        """Write each ``(values, formats, who)`` as the next row after ``row``; the last row.

        A row holding wrapped text gets a height for its longest cell: neither Excel nor
        LibreOffice re-measures rows of a generated file. In ``constant_memory`` mode rows
        below every row written so far go through :func:`fast_rows`, which stores the same
        cells as xlsxwriter's per-cell path at a fraction of the cost.
        """
        ws = self.ws
        if fastrows.active() and ws.constant_memory and row >= ws.previous_row:
            return fastrows.fast_rows(self, row, entries)
        for values, formats, who in entries:
            row += 1
            if len(values) != len(formats):
                raise ValueError("values and formats differ in length")
            wrapping = self.wrapping(formats, tuple(map(id, formats)))
            self.cells(row, values, formats, self.height(values, wrapping), who)
        return row

    def cells(
        self,
        row: int,
        values: Sequence[object],
        formats: Sequence[Any],
        height: float | None,
        who: str,
    ) -> None:
        """One row through xlsxwriter's own methods, cell by cell."""
        if height is not None:
            self.ws.set_row(row, height)
        for col, (value, cell_format) in enumerate(zip(values, formats, strict=True)):
            self.cell(row, col, value, cell_format, who)

    def wrapping(self, formats: Sequence[Any], shape: tuple[int, ...]) -> list[int]:
        """The columns of a row shape whose text wraps (kept once the widths are known)."""
        wrapping = self._wrapping.get(shape)
        if wrapping is None:
            wrap, widths = self.fmt.wrap, self.widths
            wrapping = [col for col, f in enumerate(formats) if f is wrap and col < len(widths)]
            if widths:  # the column widths are final once the header row is written
                self._wrapping[shape] = wrapping
        return wrapping

    def height(self, values: Sequence[object], wrapping: Sequence[int]) -> float | None:
        """The height a row needs for its wrapped text; None for one line."""
        widths = self.widths
        lines = 1
        for col in wrapping:
            value = values[col]
            # At most two units a character: a short one-line text cannot wrap.
            if isinstance(value, str) and (2 * len(value) > widths[col] - 1.5 or "\n" in value):
                key = (col, value)  # names and criteria repeat row after row
                n = self._lines.get(key)
                if n is None:
                    n = self._lines[key] = wrapped_lines(value, widths[col])
                if n > lines:
                    lines = n
        return LINE_HEIGHT * lines + 2 if lines > 1 else None

    def style(self, cell_format: Any) -> str:
        """The style attribute of ``cell_format`` in a cell element, remembered for next time."""
        style = fastrows.style_attribute(cell_format)
        self._style_formats.append(cell_format)
        self.styles[id(cell_format)] = style
        return style

    def bad_number(self, value: float, who: str) -> NoReturn:
        """Refuse a NaN or infinite value: Excel cannot hold it."""
        raise OutputError(f"工作表“{self.name}”中{_whose(who)}的数值 {value} 无效，无法写入汇总表")

    def fail(self, rc: int, row: int, col: int, value: object, who: str) -> NoReturn:
        where = f"工作表“{self.name}”第{row + 1}行第{col + 1}列"
        if rc == -2 and isinstance(value, str) and len(value) > 32767:
            raise OutputError(
                f"{_whose(who)}的内容过长（{len(value)}个字符），超过 Excel 单元格上限 32767 个字符，"
                f"无法完整写入{where}；请在评分表中缩短后重新运行"
            )
        if rc == -1:
            raise OutputError(f"{where}超出 Excel 行列上限，{_whose(who)}的数据无法写入汇总表")
        raise OutputError(f"写入{where}失败（代码 {rc}），涉及{_whose(who)}")


def _whose(who: str) -> str:
    return who or "汇总数据"


def enterprise_label(name: str) -> str:
    """How an error message names an enterprise (long names shortened)."""
    return f"企业“{_short(name)}”"


def file_label(path: str) -> str:
    """How an error message names an input file."""
    return f"文件“{_short(path, 60)}”"


SheetFactory = Callable[..., "SheetWriter"]
"""``sheet(name, columns, **start_sheet options)``: a new sheet with the workbook's title rows."""


def start_sheet(
    book: Workbook,
    fmt: Formats,
    name: str,
    title: str,
    subtitle: str,
    columns: Sequence[Column],
    *,
    freeze_cols: int = 0,
    above_header: Sequence[Sequence[object]] = (),
    freeze: bool = True,
    banner: str = "",
    fit: bool = True,
    title_span: tuple[int, int] | None = None,
) -> SheetWriter:
    """Add a sheet with the title rows, the header rows and A4 landscape print settings.

    Row 0 is the title, row 1 the subtitle (issuing body); then a ``banner`` (a warning the
    reader must not miss, in red across the table), the ``above_header`` rows (e.g. each
    column's 分值) and the column headers at ``out.header_row``. Header rows are frozen and
    repeated on every printed page; the caller writes data from ``out.header_row + 1`` on.
    With ``fit`` the sheet prints one page wide; without, the caller sets its print scale
    (``summary/printing.py``), and the title spans the columns ``title_span`` (first, last: those
    of the first printed page that are not repeated on every page).
    """
    ws = book.add_worksheet(name)
    out = SheetWriter(ws, fmt)
    last_col = max(len(columns) - 1, 0)
    title_first, title_col = (0, last_col) if title_span is None else title_span
    title_col = min(title_col, last_col)
    ws.set_row(0, 28)
    if title_col > title_first:
        rc = ws.merge_range(0, title_first, 0, title_col, title, fmt.title)
        if rc:
            out.fail(rc, 0, title_first, title, "")
    else:
        out.cell(0, title_first, title, fmt.title)
    out.cell(1, 0, subtitle, fmt.subtitle)
    first = 2
    if banner:
        ws.set_row(first, LINE_HEIGHT * max(2, banner.count("\n") + 2))
        rc = ws.merge_range(first, 0, first, last_col, banner, fmt.banner) if last_col else 0
        if not last_col:
            out.cell(first, 0, banner, fmt.banner)
        if rc:
            out.fail(rc, first, 0, banner, "")
        first += 1
    for offset, values in enumerate(above_header):
        out.row(first + offset, values, [fmt.header] * len(values))
    out.header_row = first + len(above_header)
    # Excel does not grow a row for wrapped text written by a program: size it here.
    lines = max((wrapped_lines(c.header, c.width) for c in columns), default=1)
    ws.set_row(out.header_row, LINE_HEIGHT * lines + 4)
    out.widths = [c.width for c in columns]
    for col, column in enumerate(columns):
        ws.set_column(col, col, column.width)
        out.cell(out.header_row, col, column.header, fmt.header)
    if freeze:
        ws.freeze_panes(out.header_row + 1, freeze_cols)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if fit:
        ws.fit_to_pages(1, 0)
    if freeze:  # 统计's several short tables: its first header over the charts page is wrong
        ws.repeat_rows(2, out.header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    return out


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapping column ``width`` units wide."""
    usable = max(width - 1.5, 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def finish_table(out: SheetWriter, last_row: int, last_col: int) -> None:
    """Autofilter from the column headers down to the last data row."""
    out.ws.autofilter(out.header_row, 0, max(last_row, out.header_row), last_col)
