"""The used-area bound of an .xlsx: the cheap over-estimate never lets a sheet through that the
exact count refuses, and a refusal is worded from the exact count."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from fuling_batch.intake.safety import (
    MAX_CELLS,
    MAX_COLS,
    MAX_ROWS,
    _bound_sheets,
    _formula_cells,
    _formula_cells_walked,
    _inflate,
    _Stored,
    _surely_small,
    column_letter,
    scan_zip,
)
from tests.intake.files.builders import fill_template

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(*sheets: str) -> bytes:
    """A bare workbook whose sheets S1, S2… have the given <sheetData> contents."""
    entries = "".join(
        f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {_NS} xmlns:r="{_REL}"><sheets>{entries}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for i, data in enumerate(sheets, 1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f"<worksheet {_NS}><sheetData>{data}</sheetData></worksheet>",
            )
    return buffer.getvalue()


def _cell(ref: str, value: str = "1", empty: bool = False) -> str:
    return f'<c r="{ref}" s="1"/>' if empty else f'<c r="{ref}"><v>{value}</v></c>'


def _row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


SMALL = _row(1, _cell("A1"), _cell("B1")) + _row(2, _cell("A2"))
LAST_COL = column_letter(MAX_COLS - 1)
PAST_COL = column_letter(MAX_COLS)


@pytest.mark.parametrize(
    ("sheets", "refused"),
    [
        ((SMALL,), False),
        # A styled empty cell far right: calamine ignores it, so does the bound.
        ((SMALL + _row(3, _cell("A3"), _cell("XFD3", empty=True)),), False),
        # Nor a row of styled empty cells, however far down.
        ((SMALL + _row(1048576, _cell("A1048576", empty=True)),), False),
        ((SMALL + _row(MAX_ROWS, _cell(f"{LAST_COL}{MAX_ROWS}")),), False),
        ((SMALL + _row(900, _cell("Z900")),), False),
        ((SMALL + _row(MAX_ROWS + 1, _cell(f"A{MAX_ROWS + 1}")),), True),
        ((SMALL + _row(3, _cell(f"{PAST_COL}3")),), True),
        ((SMALL, _row(1, _cell("A1"), _cell("XFD1"))), True),
        ((SMALL + _row(MAX_ROWS + 1),), False),  # a row element alone holds nothing
        (("".join(_cell(f"A{r}") for r in range(1, 999)) + "<c>" * (MAX_CELLS // 2),) * 2, True),
    ],
)
def test_bound_agrees_with_the_exact_count(sheets: tuple[str, ...], refused: bool) -> None:
    data = _xlsx(*sheets)
    scan = scan_zip(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = [
            (f"S{i}", archive.read(f"xl/worksheets/sheet{i}.xml"))
            for i in range(1, len(sheets) + 1)
        ]
    exact = _bound_sheets(xml)
    assert (scan.refusal is not None) is refused is (exact is not None)
    if refused:
        assert scan.refusal == exact
        assert scan.refusal is not None and scan.refusal.code == "SHEET_TOO_LARGE"


def test_the_cheap_bound_passes_a_real_sheet(tmp_path: Path) -> None:
    """Every sheet declares xmlns:r="http://…": that is no position past Z, or every file would
    take the exact count (which costs more than reading the sheet)."""
    with zipfile.ZipFile(fill_template(tmp_path / "a.xlsx")) as archive:
        sheets = [(n, archive.read(n)) for n in archive.namelist() if "worksheets/" in n]
    assert sheets and _surely_small(sheets)
    # As Excel, WPS and LibreOffice save it (openpyxl leaves the declaration out):
    declared = [(n, xml.replace(b"<worksheet ", b'<worksheet xmlns:r="' + _REL.encode() + b'" ', 1))
                for n, xml in sheets]  # fmt: skip
    assert all(b'xmlns:r="http' in xml for _, xml in declared) and _surely_small(declared)


@pytest.mark.parametrize(
    "position",
    [b'r="AA1"', b'r="aa1"', b"r = 'A1000'", b'x:r="A1000"', b'r=" ZZ3 "', b's="1"r="AB2"'],
)
def test_the_cheap_bound_sends_any_far_position_to_the_exact_count(position: bytes) -> None:
    xml = b"<worksheet " + _NS.encode() + b"><sheetData><row><c " + position + b"/></row>"
    assert not _surely_small([("S1", xml + b"</sheetData></worksheet>")])


@pytest.mark.parametrize(
    ("cells", "formulas"),
    [
        ('<c r="A1" s="1"><f>SUM(A2:A3)</f><v>3</v></c><c r="B1"><v>1</v></c>', {"A1"}),
        ('<c r="A1"><v>1</v><f>1+1</f></c>', {"A1"}),  # out of schema order
        ('<x:c r="B2"><x:f>1</x:f></x:c>', {"B2"}),  # a prefix
        ('<c r="C3"/><f>1</f>', set()),  # a formula in no cell
        ('<c r="D4">\n  <f>1</f></c>', {"D4"}),
        ("<c><f>1</f></c>", set()),  # no address
        ('<c r="E5"><f t="shared" si="0"/><v>2</v></c><c r="E6"><f>1</f></c>', {"E5", "E6"}),
        ('<c r="F6"><is><t>&lt;f&gt;</t></is></c>', set()),
    ],
)
def test_formula_cells_traced_back_agree_with_the_walk(cells: str, formulas: set[str]) -> None:
    xml = f'<worksheet {_NS}><sheetData><row r="1">{cells}</row></sheetData></worksheet>'
    data = xml.encode()
    assert _formula_cells(data) == _formula_cells_walked(data) == formulas


def test_error_cells_found_on_demand() -> None:
    data = _xlsx(SMALL + _row(3, '<c r="C3" t="e"><v>#REF!</v></c>'), SMALL)
    scan = scan_zip(data)
    assert scan.refusal is None
    assert scan.errors_in("S1") == {"C3": "#REF!"}
    assert scan.errors_in("S2") == {}


def _patch_central(data: bytes, member: str, offset: int, value: int) -> bytes:
    """Overwrite a 32-bit field of ``member``'s central-directory record."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + name_len] == member.encode():
            struct.pack_into("<I", out, at + offset, value)
            return bytes(out)
        at = out.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


@pytest.mark.parametrize(
    ("offset", "value", "why"),
    [(16, 0x12345678, "CRC"), (24, 10, "declared size smaller than the content")],
)
def test_a_worksheet_that_fails_its_check_is_corrupt(offset: int, value: int, why: str) -> None:
    data = _patch_central(_xlsx(SMALL), "xl/worksheets/sheet1.xml", offset, value)
    scan = scan_zip(data)
    assert scan.refusal is not None and scan.refusal.code == "FILE_CORRUPT", why


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_deflate_stream_must_end_where_its_declared_content_does() -> None:
    """Size and CRC can match while the stream goes on: what follows would be parsed unchecked."""
    content = _cell("A1").encode() * 50

    def stored(finish: int, extra: bytes = b"") -> _Stored:
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = deflater.compress(content) + deflater.flush(finish) + extra
        return _Stored("s.xml", zipfile.ZIP_DEFLATED, raw, len(content), zlib.crc32(content))

    assert _inflate(stored(zlib.Z_FINISH)) == content
    for damaged in (stored(zlib.Z_SYNC_FLUSH), stored(zlib.Z_FINISH, b"<c r='XFD1'/>")):
        with pytest.raises(zipfile.BadZipFile):
            _inflate(damaged)


def test_parts_compressed_another_way_are_refused() -> None:
    data = _zip(_members(_xlsx(SMALL)), zipfile.ZIP_BZIP2)
    scan = scan_zip(data)
    assert scan.refusal is not None and scan.refusal.code == "FILE_CORRUPT"


def test_part_names_that_differ_only_in_case_are_refused() -> None:
    members = _members(_xlsx(SMALL))
    members["XL/Worksheets/Sheet1.xml"] = members["xl/worksheets/sheet1.xml"]
    scan = scan_zip(_zip(members))
    assert scan.refusal is not None and scan.refusal.code == "FILE_CORRUPT"


@pytest.mark.parametrize("target", ["worksheets/SHEET1.xml", "../xl/./worksheets/sheet1.xml"])
def test_a_sheet_is_bounded_however_its_part_is_named(target: str) -> None:
    """A target resolved ignoring case, or not resolved at all (then every XML part is)."""
    members = _members(_xlsx(SMALL + _row(MAX_ROWS + 1, _cell(f"A{MAX_ROWS + 1}"))))
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    members["xl/_rels/workbook.xml.rels"] = rels.replace("worksheets/sheet1.xml", target).encode()
    scan = scan_zip(_zip(members))
    assert scan.refusal is not None and scan.refusal.code == "SHEET_TOO_LARGE"
