"""A binary workbook (.xlsb) written record by record (MS-XLSB): nothing here writes .xlsb
(LibreOffice cannot), so a filled score sheet is copied into one cell by cell, with a formula
(BrtFmlaNum and its cached value) where asked."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string, coordinate_to_tuple


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _record(kind: int, body: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(body)) + body


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def _cell(col: int, value: object, formula: bool) -> bytes:
    head = struct.pack("<II", col, 0)  # column, style 0
    if formula:  # BrtFmlaNum: cached value, flags, then the parsed formula (ptgNum)
        rgce = b"\x1f" + struct.pack("<d", float(value))  # type: ignore[arg-type]
        parsed = struct.pack("<I", len(rgce)) + rgce + struct.pack("<I", 0)
        return _record(0x09, head + struct.pack("<dH", float(value), 0) + parsed)  # type: ignore[arg-type]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _record(0x06, head + _wide(str(value)))  # BrtCellSt
    return _record(0x05, head + struct.pack("<d", float(value)))  # BrtCellReal


def as_xlsb(source: Path, target: Path, formulas: frozenset[str] = frozenset()) -> Path:
    """``source``'s first visible sheet (values as openpyxl reads them) as an .xlsb; the
    cells in ``formulas`` (A1) become formulas whose cached value is the cell's value."""
    wb = openpyxl.load_workbook(source)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    marked = {coordinate_to_tuple(a) for a in formulas}
    rows = []
    for row in ws.iter_rows():
        cells = [c for c in row if c.value is not None]
        if not cells:
            continue
        r = cells[0].row
        body = [_record(0x00, struct.pack("<IIBBH", r - 1, 0, 0, 0, 0) + b"\x00" * 4)]
        for c in cells:
            col = column_index_from_string(c.column_letter)
            body.append(_cell(col - 1, c.value, (r, col) in marked))
        rows.append(b"".join(body))
    dimension = struct.pack("<IIII", 0, ws.max_row - 1, 0, ws.max_column - 1)
    sheet = (
        _record(0x81)  # BrtBeginSheet
        + _record(0x94, dimension)  # BrtWsDim
        + _record(0x91)  # BrtBeginSheetData
        + b"".join(rows)
        + _record(0x92)  # BrtEndSheetData
        + _record(0x82)  # BrtEndSheet
    )
    bundle = struct.pack("<II", 0, 1) + _wide("rId1") + _wide(ws.title)
    book = _record(0x83) + _record(0x8F) + _record(0x9C, bundle) + _record(0x90) + _record(0x84)
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
        'formats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/>'
        "</Relationships>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-'
        'excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application'
        '/vnd.openxmlformats-package.relationships+xml"/></Types>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
        'formats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
        "</Relationships>"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.bin", book)
        archive.writestr("xl/_rels/workbook.bin.rels", rels)
        archive.writestr("xl/worksheets/sheet1.bin", sheet)
    return target
