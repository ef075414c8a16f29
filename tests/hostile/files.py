"""Hostile workbooks made from real filled sheets: members rewritten, sheets copied and hidden,
hand-built .ods and .xls packages. Each is a real file the intake reads as any other."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.intake.files.builders import STANDARD, code_rows, fill_sheet, fill_template

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of the package ``src`` with each member passed through ``change(name, data)``."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info)))
    return dst


def worksheet_part(path: Path, sheet: str = "评分表") -> str:
    """The zip member holding ``sheet`` (openpyxl writes sheets in order as sheetN.xml)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    return f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"


def with_hidden_copy(path: Path, hidden_scores: dict[str, float] | None = None) -> Path:
    """``path`` plus a hidden copy of its score sheet (full marks unless told), placed first."""
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["评分表"])
    copy.title = "评分表(2)"
    fill_sheet(copy, hidden_scores)
    copy.sheet_state = "hidden"
    wb.move_sheet(copy, offset=-wb.index(copy))
    wb.save(path)
    return path


def zero_sheet(path: Path) -> Path:
    """A filled sheet scored 0 on every line."""
    return fill_template(path, {line.code: 0 for line in STANDARD.lines})


def set_cell(path: Path, code: str, column: int, value: object) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    ws.cell(code_rows(ws)[code], column).value = value
    wb.save(path)
    return path


def ods(path: Path, tables: str) -> Path:
    """An OpenDocument spreadsheet whose <office:spreadsheet> holds ``tables``."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        f'office:version="1.2"><office:body><office:spreadsheet>{tables}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def ods_repeated(path: Path, rows: int, cols: int) -> Path:
    """An .ods of a few hundred bytes whose one repeated cell holds a value ``rows × cols`` times."""
    cell = (
        f'<table:table-cell table:number-columns-repeated="{cols}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    row = f'<table:table-row table:number-rows-repeated="{rows}">{cell}</table:table-row>'
    return ods(path, f'<table:table table:name="评分表">{row}</table:table>')


def _biff(rtype: int, body: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def _cfb_mini(stream: bytes) -> bytes:
    """A compound file (v3) whose one stream ``Workbook`` is under 4 KB: it lives in the mini
    stream, as Office stores small streams (sector 0 FAT, 1 directory, 2 mini FAT, 3+ data)."""
    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(stream) < 4096
    minis = (len(stream) + 63) // 64
    container = stream.ljust(minis * 64, b"\x00")
    data_sectors = [
        container[i : i + 512].ljust(512, b"\x00") for i in range(0, len(container), 512)
    ]
    fat = [fatsect, end, end] + [
        4 + k if k < len(data_sectors) - 1 else end for k in range(len(data_sectors))
    ]
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))
    minifat = [k + 1 if k < minis - 1 else end for k in range(minis)]
    minifat_sector = struct.pack("<128I", *(minifat + [free] * (128 - len(minifat))))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB3I", len(raw), kind, 1, nostream, nostream, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, 1, 3, len(container))
        + entry("Workbook", 2, nostream, 0, len(stream))
    ).ljust(512, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    return header + fat_sector + directory + minifat_sector + b"".join(data_sectors)


def small_xls(path: Path, row: int, col: int) -> Path:
    """A legacy .xls of under 4 KB (its Workbook stream in the mini stream) with one sheet
    holding a single number at (row, col): a few hundred bytes that calamine expands into a
    dense grid of (row + 1) × (col + 1) cells."""
    globals_bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
    name = "评分表".encode("utf-16-le")
    sheet_bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))
    boundsheet_len = 4 + 8 + len(name)
    codepage = _biff(0x0042, struct.pack("<H", 1200))
    offset = len(globals_bof) + len(codepage) + boundsheet_len + 4  # + the globals' EOF
    boundsheet = _biff(0x0085, struct.pack("<IBBBB", offset, 0, 0, 3, 1) + name)
    number = _biff(0x0203, struct.pack("<HHHd", row, col, 0, 1.0))
    stream = (
        globals_bof
        + codepage
        + boundsheet
        + _biff(0x000A, b"")
        + sheet_bof
        + number
        + _biff(0x000A, b"")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_cfb_mini(stream))
    return path
