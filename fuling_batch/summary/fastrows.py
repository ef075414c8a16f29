"""The fast path for whole data rows of the summary workbook (xlsxwriter ``constant_memory``).

A kept speed trick (``runtime/tricks.py``): at 10,000 enterprises it saves 10.0 s of the run,
34.7 % (``bench/bench_e2e.py 10000 --compare fastrows``; docs/architecture.md).

xlsxwriter spends about 3 µs per cell (a cell tuple, dimension checks, attribute escaping by
regular expression, one ``write`` per cell) and, in constant_memory mode, repeats every string
inline (about 150 MB of XML to compress for 10,000 enterprises, mostly names and criteria
repeated on each deduction row). ``fast_rows`` writes runs of ``<row>`` elements straight to
the worksheet's row-data file, with the same checks as :meth:`SheetWriter.cell`, and stores its
strings in the workbook's shared string table (each distinct text once, escaped by xlsxwriter
when it writes sharedStrings.xml). It relies on xlsxwriter's internals in constant_memory mode
(``previous_row`` and ``_write_single_row`` to flush the pending row, ``fh``,
``_check_dimensions``, ``row_info``, ``row_sizes``, ``xls_rowmax``, ``xls_colmax``,
``str_table``, ``Format._get_xf_index``): :func:`active` is False unless the installed
xlsxwriter is a version this was tested with (``TESTED``) and has them all, and then every
cell takes the per-cell path, which uses xlsxwriter's public methods only (a test shows that
both paths give the same cells).

A row is written from a template per row shape (value types and formats) when every value
is plain; any doubt sends it cell by cell, which checks each value and names the offender.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..runtime.tricks import enabled, release

__all__ = [
    "STR_MAX",
    "SUPPORTED",
    "TESTED",
    "Entry",
    "active",
    "fast_rows",
    "inline_text",
    "number_styles",
    "style_attribute",
    "supported",
]

# xlsxwriter releases whose internals this module was tested against: [from, to).
TESTED = ((3, 2), (4, 0))


def supported(version: str) -> bool:
    """Whether the fast path may run with xlsxwriter ``version`` (and its internals exist)."""
    return (
        TESTED[0] <= release(version) < TESTED[1]
        and all(hasattr(Worksheet, name) for name in ("_write_single_row", "_check_dimensions"))
        and hasattr(SharedStringTable, "_get_shared_string_index")
        and hasattr(Format, "_get_xf_index")
    )


SUPPORTED = supported(getattr(xlsxwriter, "__version__", ""))


def active() -> bool:
    """Whether rows take the fast path: a tested xlsxwriter, and the trick not switched off."""
    return SUPPORTED and enabled("fastrows")


def number_styles(formats: Iterable[Format]) -> None:
    """Number ``formats`` now, in this order, rather than in the order cells reach the file:
    the fast path writes each cell's style number itself, so it must not depend on how (or
    how late) rows are written."""
    for cell_format in formats:
        cell_format._get_xf_index()


def style_attribute(cell_format: Format | None) -> str:
    """The ``s="N"`` attribute of a cell element in ``cell_format``."""
    return "" if cell_format is None else f' s="{cell_format._get_xf_index()}"'


STR_MAX = 32767  # UTF-16 units in one cell
_COLUMNS = [xl_col_to_name(col) for col in range(256)]
# Anything that needs more than copying the text: XML specials, control characters, Excel's
# _xHHHH_ escapes, non-characters, and leading/trailing white space (xml:space="preserve").
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")


def inline_text(text: str) -> str:
    """The ``<is>`` body of an inline string cell, escaped as Excel (and xlsxwriter) expect."""
    if not _SPECIAL.search(text):
        return f"<t>{text}</t>"
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{preserve}>{text}</t>"


def _too_long(text: str) -> bool:
    # A string can't exceed the limit if it is under half of it: skip the UTF-16 count then.
    return len(text) > STR_MAX // 2 and len(text.encode("utf-16-le")) // 2 > STR_MAX


def _rich_looking(text: str) -> bool:
    return text.startswith("<r>") and text.endswith("</r>")


Entry = tuple[Sequence[object], Sequence[Any], str]
"""One row to write: its values from column A, their formats, and who it is about."""


class SheetWriter(Protocol):
    """What :func:`fast_rows` needs of ``summary.writer.SheetWriter`` (declared here so that
    the fast path does not import the writer that calls it)."""

    ws: Worksheet
    styles: dict[int, str]
    templates: dict[tuple[tuple[type, ...], tuple[int, ...]], Any]

    def wrapping(self, formats: Sequence[Any], shape: tuple[int, ...]) -> list[int]: ...
    def height(self, values: Sequence[object], wrapping: Sequence[int]) -> float | None: ...
    def cells(
        self,
        row: int,
        values: Sequence[object],
        formats: Sequence[Any],
        height: float | None,
        who: str,
    ) -> None: ...
    def style(self, cell_format: Any) -> str: ...
    def bad_number(self, value: float, who: str) -> NoReturn: ...
    def fail(self, rc: int, row: int, col: int, value: object, who: str) -> NoReturn: ...


def fast_rows(out: SheetWriter, row: int, entries: Iterable[Entry]) -> int:
    """Write each entry as the next row after ``row``, below every written row; the last row.

    A formats list is recognised by identity (its shape is worked out once for a run of
    rows): a caller must not change a list it has passed.

    Rows are joined and written to the worksheet's row-data file in runs, and the sheet's
    dimensions are updated once per call: per row only its XML is made (from its shape's
    template), with every check of the per-cell path. A row whose height the caller set
    (``set_row``) takes xlsxwriter's own path.
    """
    ws = out.ws
    index_of = ws.str_table._get_shared_string_index
    row_info, row_sizes, row_limit, col_limit = (
        ws.row_info,
        ws.row_sizes,
        ws.xls_rowmax,
        ws.xls_colmax,
    )
    parts: list[str] = []
    rows_lo = rows_hi = cols_hi = -1
    cols_lo = col_limit
    held = True  # xlsxwriter may hold a row of its own: flush it before the first row here
    last_formats: Sequence[Any] | None = None
    shape: tuple[int, ...] = ()
    wrapping: list[int] = []

    def flush() -> None:
        nonlocal rows_lo, rows_hi, cols_lo, cols_hi
        if parts:
            ws.fh.write("".join(parts))
            parts.clear()
        if rows_lo >= 0:  # what _check_dimensions would have recorded row by row
            ws._check_dimensions(rows_lo, 0, ignore_col=True)
            ws._check_dimensions(rows_hi, 0, ignore_col=True)
        if cols_hi >= 0:
            ws._check_dimensions(0, cols_lo, ignore_row=True)
            ws._check_dimensions(0, cols_hi, ignore_row=True)
        rows_lo = rows_hi = cols_hi = -1
        cols_lo = col_limit

    for values, formats, who in entries:
        row += 1
        if len(values) != len(formats):
            raise ValueError("values and formats differ in length")
        if formats is not last_formats:  # callers reuse one list for a run of rows
            last_formats = formats
            shape = tuple(map(id, formats))  # formats live as long as the workbook
            wrapping = out.wrapping(formats, shape)
        height = out.height(values, wrapping) if wrapping else None
        if row in row_info:  # a height set by the caller: keep xlsxwriter's path
            flush()
            # ``row`` becomes xlsxwriter's current row even if it gets no cell: it is written
            # (with its height) when the next row starts, and rows above it are refused.
            ws._write_single_row(row)
            out.cells(row, values, formats, height, who)
            held = True
            continue
        if held:
            ws._write_single_row(row)  # ``row`` becomes the current row
            held = False
        r = str(row + 1)
        done = _templated(out, r, values, formats, index_of, shape)
        if done is None:
            done = _cell_by_cell(out, row, r, values, formats, who, index_of)
        xml, first, last = done
        if first < 0 and height is None:
            continue  # nothing to write, as xlsxwriter would
        if row >= row_limit:
            flush()
            out.fail(-1, row, max(first, 0), values[first] if first >= 0 else None, who)
        if first >= 0:
            if last >= col_limit:
                flush()
                out.fail(-1, row, last, values[last], who)
            if first < cols_lo:
                cols_lo = first
            if last > cols_hi:
                cols_hi = last
        if rows_lo < 0:
            rows_lo = row
        rows_hi = row
        if height is None:
            parts.append(f'<row r="{r}">{xml}</row>' if xml else f'<row r="{r}"/>')
        else:
            pixels = int(height * 4.0 / 3.0 + 0.5)
            row_sizes[row] = [pixels, False]  # chart anchors below add up the row heights
            start = f'<row r="{r}" ht="{pixels * 0.75:.16g}" customHeight="1"'
            parts.append(f"{start}>{xml}</row>" if xml else f"{start}/>")
        if len(parts) >= _RUN:
            ws.fh.write("".join(parts))
            parts.clear()
    flush()
    if not held:
        ws.previous_row = row  # as if xlsxwriter had written (and flushed) up to here
    return row


# Rows joined per write to the row-data file.
_RUN = 256


def _cell_by_cell(
    out: SheetWriter,
    row: int,
    r: str,
    values: Sequence[object],
    formats: Sequence[Any],
    who: str,
    index_of: Callable[[str], int],
) -> tuple[str, int, int]:
    """The cells' XML and first/last column, checking and converting each value on its own."""
    styles = out.styles
    cells: list[str] = []
    first = last = -1
    col = -1
    for value, cell_format in zip(values, formats, strict=True):
        col += 1
        kind = type(value)
        if kind is str and value:
            text: str = value  # type: ignore[assignment]
            if len(text) > STR_MAX // 2 and _too_long(text):
                out.fail(-2, row, col, value, who)
            # xlsxwriter copies a shared string that looks like rich text (<r>…</r>) into the
            # file unescaped: such a value is written inline and escaped, so it stays text.
            if text[:3] == "<r>" and _rich_looking(text):
                body = f' t="inlineStr"><is>{inline_text(text)}</is></c>'
            else:
                body = f' t="s"><v>{index_of(text)}</v></c>'
        elif kind is float or kind is int:
            if not math.isfinite(value):  # type: ignore[arg-type]
                out.bad_number(value, who)  # type: ignore[arg-type]
            body = f"><v>{value:.16G}</v></c>"
        elif value is None or value == "":
            if cell_format is None:
                continue  # xlsxwriter writes no blank cell without a format
            body = "/>"
        elif isinstance(value, str):
            text = str(value)
            if _too_long(text):
                out.fail(-2, row, col, value, who)
            body = f' t="inlineStr"><is>{inline_text(text)}</is></c>'
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if not math.isfinite(number):
                out.bad_number(number, who)
            body = f"><v>{value:.16G}</v></c>"
        else:
            raise TypeError(f"unsupported cell value {value!r}")
        if first < 0:
            first = col
        last = col
        style = styles.get(id(cell_format))
        if style is None:
            style = out.style(cell_format)
        cells.append(
            f'<c r="{_COLUMNS[col] if col < 256 else xl_col_to_name(col)}{r}"{style}{body}'
        )
    return "".join(cells), first, last


@dataclass(frozen=True, slots=True)
class _Template:
    """The XML of a row shape (value types and formats): ``text.format(row, *values)``."""

    text: str
    str_cols: tuple[int, ...]
    strings: Callable[[Sequence[object]], tuple[Any, ...]]
    numbers: Callable[[Sequence[object]], tuple[Any, ...]] | None
    first: int
    last: int


def _getter(cols: Sequence[int]) -> Callable[[Sequence[object]], tuple[Any, ...]]:
    if len(cols) == 1:
        col = cols[0]
        return lambda values: (values[col],)
    return operator.itemgetter(*cols)


def _make_template(
    out: SheetWriter, kinds: tuple[type, ...], formats: Sequence[Any]
) -> _Template | None:
    parts: list[str] = []
    str_cols: list[int] = []
    num_cols: list[int] = []
    first = last = -1
    for col, (kind, cell_format) in enumerate(zip(kinds, formats, strict=True)):
        if kind is type(None):
            if cell_format is None:
                continue
            body = "/>"
        elif kind is str:
            body = f' t="s"><v>{{{col + 1}}}</v></c>'
            str_cols.append(col)
        elif kind is int or kind is float:
            body = f"><v>{{{col + 1}:.16G}}</v></c>"
            num_cols.append(col)
        else:
            return None  # anything else takes the cell-by-cell path
        style = out.styles.get(id(cell_format))
        if style is None:
            style = out.style(cell_format)
        letters = _COLUMNS[col] if col < 256 else xl_col_to_name(col)
        parts.append(f'<c r="{letters}{{0}}"{style}{body}')
        if first < 0:
            first = col
        last = col
    return _Template(
        "".join(parts),
        tuple(str_cols),
        _getter(str_cols) if str_cols else lambda values: (),
        _getter(num_cols) if num_cols else None,
        first,
        last,
    )


def _templated(
    out: SheetWriter,
    r: str,
    values: Sequence[object],
    formats: Sequence[Any],
    index_of: Callable[[str], int],
    shape: tuple[int, ...] | None,
) -> tuple[str, int, int] | None:
    """The cells' XML from the row shape's template, or None when a value needs a closer look.

    Any doubt (an empty or very long string, text that looks like rich-text XML, a number
    that may not be finite, an unusual type) returns None *before* a string is stored, and
    :func:`_cell_by_cell` then checks each value and names the offending one.
    """
    key = (tuple(map(type, values)), shape or tuple(map(id, formats)))
    template = out.templates.get(key, False)
    if template is False:
        template = out.templates[key] = _make_template(out, key[0], formats)
    if template is None:
        return None
    if template.numbers is not None:
        try:
            if not math.isfinite(math.fsum(template.numbers(values))):
                return None
        except (OverflowError, ValueError):
            return None
    args = list(values)
    if template.str_cols:
        texts = template.strings(values)
        if "" in texts or max(map(len, texts)) > STR_MAX // 2 or "<r>" in "".join(texts):
            return None
        for col, text in zip(template.str_cols, texts, strict=True):
            args[col] = index_of(text)
    return template.text.format(r, *args), template.first, template.last
