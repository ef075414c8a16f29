"""Reading a score sheet with python-calamine, by the labels and codes of the score-sheet
contract (docs/architecture.md, "Contracts").

Nothing here relies on fixed positions or the sheet's name: the score sheet is the sheet with a
header row holding 编号/分值/得分/扣分说明, the header block is found by its label cells, and each
scorable row by the item code in the 编号 column. Rows and columns inserted anywhere, renamed or
extra sheets are therefore read the same. Grids are read with ``skip_empty_area=False`` so that
list indices are the real row/column numbers and every address in a message is the file's own.

The reader does not judge values: it returns the raw cells (:class:`RawSheet`) and
``validate.py`` decides what is wrong.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import python_calamine

from ..rules.models import HEADER_LABELS
from ..rules.standard import Standard
from ..rules.text import compact_text
from .safety import ErrorCells, FormulaCells, column_letter
from .values import CodeKind, ParsedCode, parse_code

__all__ = [
    "HEADER_LABELS",
    "TABLE_LABELS",
    "Cell",
    "ManyScoreSheets",
    "NoScoreSheet",
    "RawRow",
    "RawSheet",
    "Total",
    "has_blank_score",
    "read_workbook",
]

# The item table's header cells; 重点项 (the ▲ column) is read when present.
CODE, TEXT_COL, KEY, VALUE, SCORE, REMARK = "编号", "评分标准", "重点项", "分值", "得分", "扣分说明"
TABLE_LABELS = (CODE, VALUE, SCORE, REMARK)
# How far right of a label its value may be (past the label's merged range).
_VALUE_REACH = 4

_LABEL_MAX = 24  # characters; the longest label plus room for spaces and a colon

Grid = Sequence[Sequence[object]]
_HEADER_SET = frozenset(HEADER_LABELS)
_LAST_CODES: tuple[Standard, frozenset[str], frozenset[str]] | None = None


class NoScoreSheet(Exception):
    """No sheet of the workbook has the item table's header row."""


class ManyScoreSheets(Exception):
    """More than one sheet is a score sheet (a hidden copy, say): which one counts is unknown."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(", ".join(names))
        self.names = tuple(names)


# Cells and rows are NamedTuples, not frozen dataclasses: a batch builds ~350 per sheet, and a
# tuple is built in a third of the time while staying just as immutable.
class Cell(NamedTuple):
    value: object
    address: str


class RawRow(NamedTuple):
    """One row of the item table that carries an item code."""

    code: ParsedCode
    code_cell: Cell
    value: Cell | None
    key: Cell | None
    score: Cell
    remark: Cell


@dataclass(frozen=True, slots=True)
class Total:
    """A subtotal (``section`` > 0), the grand total (``section`` == 0) or a part total (``item``)."""

    label: str
    score: Cell
    section: int = 0
    item: str = ""


@dataclass(slots=True)
class RawSheet:
    name: str
    header: dict[str, Cell]
    table_cells: dict[str, str]  # table label -> address of its header cell
    rows: list[RawRow] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    error_cells: dict[str, str] = field(default_factory=dict)  # A1 -> "#REF!"
    formula_cells: frozenset[str] = frozenset()  # A1 of every cell holding a formula
    hidden: bool = False  # the sheet is hidden in Excel/WPS


# Column letters of the first columns and 1-based numbers of the first rows, made once.
_LETTERS = tuple(column_letter(c) for c in range(256))
_NUMBERS = tuple(str(r + 1) for r in range(512))


def _letters(col: int) -> str:
    return _LETTERS[col] if col < len(_LETTERS) else column_letter(col)


def _a1(row: int, col: int) -> str:
    return f"{_letters(col)}{row + 1}"


def _label(value: object) -> str:
    # Labels are short; criterion texts and remarks are not, and are most of the cells.
    if not isinstance(value, str) or not value or len(value) > _LABEL_MAX:
        return ""
    return _label_text(value)


@lru_cache(maxsize=4096)
def _label_text(value: str) -> str:
    # Cached: the same labels, codes and short texts recur in every sheet of a batch.
    return compact_text(value).rstrip(":：")


@lru_cache(maxsize=1024)
def _section(code: str) -> int:
    return int(code.split(".")[0])


@lru_cache(maxsize=4096)
def _text_code(value: str, known: frozenset[str]) -> ParsedCode:
    return parse_code(value, known)


_NO_CODE = ParsedCode(CodeKind.NONE)


def _code(value: object, known: frozenset[str]) -> ParsedCode:
    if type(value) is str:
        return _text_code(value, known)
    if value is None:
        return _NO_CODE  # a blank 编号 cell: most rows that are not items
    return parse_code(value, known)


def _at(grid: Grid, row: int, col: int) -> object:
    if 0 <= row < len(grid) and 0 <= col < len(grid[row]):
        value = grid[row][col]
        return None if value == "" else value
    return None


def _find_table_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(grid):
        labels: dict[str, int] = {}
        for c, value in enumerate(row):
            text = _label(value)
            if text in (CODE, TEXT_COL, KEY, VALUE, SCORE, REMARK) and text not in labels:
                labels[text] = c
        if all(name in labels for name in TABLE_LABELS):
            return r, labels
    return None


def _merged_end(
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]], row: int, col: int
) -> int:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return c1
    return col


def _header(
    grid: Grid, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> dict[str, Cell]:
    found: dict[str, Cell] = {}
    for r, row in enumerate(grid):
        if len(found) == len(_HEADER_SET):
            break  # every label found: a later copy of a label is ignored anyway
        for c, value in enumerate(row):
            label = _label(value)
            if label not in _HEADER_SET or label in found:
                continue
            start = _merged_end(merged, r, c) + 1
            cell = Cell(None, _a1(r, start))
            for col in range(start, start + _VALUE_REACH):
                candidate = _at(grid, r, col)
                if candidate is None:
                    continue
                if _label(candidate) not in _HEADER_SET:
                    cell = Cell(candidate, _a1(r, col))
                break
            found[label] = cell
    return found


def _table(
    grid: Grid, top: int, cols: dict[str, int], known: frozenset[str]
) -> tuple[list[RawRow], list[Total]]:
    rows: list[RawRow] = []
    totals: list[Total] = []
    section = 0
    code_col, score_col, value_col, remark_col = cols[CODE], cols[SCORE], cols[VALUE], cols[REMARK]
    key_col = cols.get(KEY)
    first_col, width = min(cols.values()), max(cols.values()) + 1
    code_at, score_at, value_at, remark_at = (
        _letters(col) for col in (code_col, score_col, value_col, remark_col)
    )
    key_at = _letters(key_col) if key_col is not None else ""
    # Cells and rows are built with tuple.__new__ directly: ~350 a sheet, and the NamedTuple
    # constructor's Python-level __new__ was most of this loop's time.
    new = tuple.__new__
    for r in range(top + 1, len(grid)):
        row = grid[r]
        if len(row) < width:  # calamine's rows are full width; be safe with a short one
            row = [*row, *[""] * (width - len(row))]
        # "" is calamine's empty cell: None, as _at reads it.
        raw_code = None if (v := row[code_col]) == "" else v
        code = _code(raw_code, known)
        number = _NUMBERS[r] if r < len(_NUMBERS) else str(r + 1)
        if code.kind is not CodeKind.NONE:
            section = _section(code.code) if code.code else section
            key = None
            if key_col is not None:
                key = new(Cell, (None if (v := row[key_col]) == "" else v, key_at + number))
            rows.append(
                new(
                    RawRow,
                    (
                        code,
                        new(Cell, (raw_code, code_at + number)),
                        new(Cell, (None if (v := row[value_col]) == "" else v, value_at + number)),
                        key,
                        new(Cell, (None if (v := row[score_col]) == "" else v, score_at + number)),
                        new(
                            Cell, (None if (v := row[remark_col]) == "" else v, remark_at + number)
                        ),
                    ),
                )
            )
            continue
        texts = "".join([v for v in row[first_col:score_col] if type(v) is str])
        if ("小计" in texts and section) or "合计" in texts or "总分" in texts:
            score = Cell(None if (v := row[score_col]) == "" else v, score_at + number)
            if "小计" in texts and section:
                totals.append(Total(f"第{section}部分小计", score, section=section))
            else:
                totals.append(Total("合计", score))
    return rows, totals


def _codes(standard: Standard) -> tuple[frozenset[str], frozenset[str]]:
    """The standard's line codes, and all its codes (lines and items); kept for the last one."""
    global _LAST_CODES
    if _LAST_CODES is None or _LAST_CODES[0] is not standard:
        lines = frozenset(line.code for line in standard.lines)
        _LAST_CODES = (standard, lines, lines | frozenset(i.code for i in standard.items))
    return _LAST_CODES[1], _LAST_CODES[2]


def has_blank_score(raw: RawSheet, standard: Standard) -> bool:
    """Whether a scored line's 得分 cell read as empty (where an error value would hide)."""
    lines = _codes(standard)[0]
    return any(row.score.value is None and row.code.code in lines for row in raw.rows)


def read_workbook(
    data: bytes,
    standard: Standard,
    error_cells: ErrorCells | None = None,
    formula_cells: FormulaCells | None = None,
) -> RawSheet:
    """Find and read the score sheet in a workbook's bytes (any format calamine reads).

    Every sheet is looked at, hidden ones too: a sheet is a score sheet when it has the table
    header row and at least half the standard's line codes. Two score sheets (a hidden copy
    with other scores, say) raise :class:`ManyScoreSheets`: grading one of them silently would
    be a guess. With none, the sheet with a header row and the most codes is read (validation
    says what is missing); with no header row at all, :class:`NoScoreSheet`. Calamine's own
    errors pass to the caller (the caller turns all of these into issues).
    """
    lines, known = _codes(standard)
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    hidden = {
        meta.name
        for meta in workbook.sheets_metadata
        if meta.visible != python_calamine.SheetVisibleEnum.Visible
    }
    best: tuple[int, RawSheet] | None = None
    complete: list[str] = []
    for index, name in enumerate(workbook.sheet_names):
        try:
            sheet = workbook.get_sheet_by_index(index)
        except python_calamine.CalamineError:
            continue  # chart sheets and macro sheets have no cells
        grid: Grid = sheet.to_python(skip_empty_area=False)  # a new list of new lists
        found = _find_table_header(grid)
        if found is None:
            continue
        top, cols = found
        rows, totals = _table(grid, top, cols, known)
        matched = sum(1 for row in rows if row.code.code in known)
        if matched * 2 >= len(lines):
            complete.append(name)
        if best is not None and matched <= best[0]:
            continue
        raw = RawSheet(
            name=name,
            header=_header(grid, sheet.merged_cell_ranges or []),
            table_cells={label: _a1(top, col) for label, col in cols.items()},
            rows=rows,
            totals=totals,
            error_cells=dict((error_cells or {}).get(name, {})),
            formula_cells=frozenset((formula_cells or {}).get(name, ())),
            hidden=name in hidden,
        )
        best = (matched, raw)
    workbook.close()
    if len(complete) > 1:
        raise ManyScoreSheets(complete)
    if best is None:
        raise NoScoreSheet(", ".join(workbook.sheet_names))
    return best[1]
