"""The used area of each sheet of an OpenDocument (.ods) or binary Excel (.xlsb) workbook,
measured from its own XML or records before python-calamine builds a dense grid of it.

An .ods cell may be repeated (``table:number-columns-repeated``, rows by
``table:number-rows-repeated``): a few hundred bytes can stand for 99,000 × 90 cells, which
calamine expands. Repeated *empty* cells are how LibreOffice fills a row's width and cost
nothing (calamine skips them), so only cells that hold something count, as for .xlsx. An
.xlsb sheet is a stream of records: a row header gives the row, each cell record its column.
``safety`` turns the areas into a refusal with its limits.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import NamedTuple

__all__ = ["Area", "ods_areas", "xlsb_areas", "xlsb_sheet_names"]


class Area(NamedTuple):
    """One sheet's used area as calamine will see it, and its formula cells (A1)."""

    sheet: str
    rows: int
    cols: int
    cells: int
    formulas: frozenset[str] = frozenset()


_ODS_TAG = re.compile(
    rb"<(/?)(?:[\w-]+:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_NAME = re.compile(rb'\bname="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d{1,10})"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d{1,10})"')


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def ods_areas(content: bytes) -> list[Area]:
    """The used area of every table of an .ods ``content.xml``.

    A cell counts when it declares a value type or has content (a self-closing cell is empty);
    its repetitions count in full, and so do the repetitions of its row. Positions include the
    empty cells and rows before it, since calamine's grid starts at A1.
    """
    areas: list[Area] = []
    name = ""
    rows = cols = cells = 0
    formulas: set[str] = set()
    row_at = row_repeat = col_at = row_cells = row_cols = 0
    depth = 0  # tables nested in a cell are counted with their host table
    for match in _ODS_TAG.finditer(content):
        closing, tag, attrs, empty = match.groups()
        if tag == b"table":
            if closing:
                depth -= 1
                if depth == 0:
                    areas.append(Area(name, rows, cols, cells, frozenset(formulas)))
            elif not empty:
                depth += 1
                if depth == 1:
                    found = _ODS_NAME.search(attrs)
                    name = found.group(1).decode("utf-8", "replace") if found else ""
                    rows = cols = cells = row_at = 0
                    formulas = set()
            continue
        if depth != 1:
            continue
        if tag == b"table-row":
            if closing or empty:
                if empty:
                    row_repeat = _repeat(_ROWS_REPEATED, attrs)
                if row_cells:
                    rows = row_at + row_repeat
                    cols = max(cols, row_cols)
                    cells += row_cells * row_repeat
                row_at += row_repeat
            else:
                row_repeat = _repeat(_ROWS_REPEATED, attrs)
                col_at = row_cells = row_cols = 0
            continue
        if closing:
            continue
        repeat = _repeat(_COLS_REPEATED, attrs)
        if not empty or b"value-type=" in attrs:
            row_cells += repeat
            row_cols = col_at + repeat
            if b"formula=" in attrs:
                formulas.add(f"{_letters(col_at)}{row_at + 1}")
        col_at += repeat
    return areas


def _repeat(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    found = pattern.search(attrs)
    return max(1, int(found.group(1))) if found else 1


# .xlsb records (MS-XLSB 2.3): a row header, and the cell records with their column first.
_ROW_HEADER = 0x0000
_CELLS = frozenset({*range(0x0002, 0x000C), 0x003E})  # values, strings, formulas (not blank)
_SHORT_CELLS = frozenset(range(0x000D, 0x0013))  # "short" cells: the column follows the last
_FORMULAS = frozenset(range(0x0008, 0x000C))


def _varint(data: bytes, at: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(most):
        if at >= len(data):
            raise ValueError("记录不完整")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, at


def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (record type, body) of each BIFF12 record of an .xlsb part, in order."""
    at = 0
    while at < len(data):
        kind, at = _varint(data, at, 2)
        size, at = _varint(data, at, 4)
        yield kind, data[at : at + size]
        at += size


def xlsb_areas(parts: Sequence[tuple[str, bytes]]) -> list[Area]:
    """The used area of each worksheet part (``xl/worksheets/sheetN.bin``) of an .xlsb."""
    areas = []
    for name, data in parts:
        rows = cols = cells = 0
        row = col = 0
        formulas: set[str] = set()
        for kind, body in _records(data):
            if kind == _ROW_HEADER and len(body) >= 4:
                row = struct.unpack_from("<I", body)[0]
                col = -1
            elif kind in _CELLS and len(body) >= 4:
                col = struct.unpack_from("<I", body)[0]
            elif kind in _SHORT_CELLS:
                col += 1
            else:
                continue
            cells += 1
            rows, cols = max(rows, row + 1), max(cols, col + 1)
            if kind in _FORMULAS:
                formulas.add(f"{_letters(col)}{row + 1}")
        areas.append(Area(name, rows, cols, cells, frozenset(formulas)))
    return areas


_BUNDLE_SHEET = 0x009C  # BrtBundleSh: a sheet's state, tab id, relationship id and name
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _wide_string(data: bytes, at: int) -> tuple[str, int]:
    """An XLWideString (a count of UTF-16 units, then the units); a null one is ""."""
    (count,) = struct.unpack_from("<I", data, at)
    at += 4
    if count == 0xFFFFFFFF:
        return "", at
    if count > (len(data) - at) // 2:
        raise ValueError("记录不完整")
    return data[at : at + 2 * count].decode("utf-16-le", "replace"), at + 2 * count


def xlsb_sheet_names(workbook: bytes, rels: ET.Element | None) -> dict[str, str]:
    """Worksheet part (``xl/worksheets/sheet1.bin``, lower case) → sheet name, from the
    workbook's BrtBundleSh records and its relationships (``xl/_rels/workbook.bin.rels``,
    parsed by the caller with defusedxml): the names calamine gives the sheets, so that a
    formula cell found in a part is reported for its sheet."""
    targets: dict[str, str] = {}
    for rel in rels if rels is not None else ():
        if rel.tag == _RELATIONSHIP:
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = target.lower()
    names: dict[str, str] = {}
    for kind, body in _records(workbook):
        if kind == _BUNDLE_SHEET and len(body) >= 16:
            rel_id, after = _wide_string(body, 8)
            name, _ = _wide_string(body, after)
            if rel_id in targets:
                names[targets[rel_id]] = name
    return names
