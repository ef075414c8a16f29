"""The marked sheet edited as bytes gives what the lxml tree gives, on sheets saved the way
openpyxl and LibreOffice save them; anything the bytes path cannot be sure of takes the tree."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from fuling_batch.config import GradingConfig
from fuling_batch.forms import marking
from fuling_batch.forms.marking import mark_package
from fuling_batch.forms.sheetbytes import SheetBytes
from fuling_batch.intake import check_folder
from fuling_batch.rules.models import FileStatus
from tests.factories import STANDARD
from tests.intake.files.builders import fill_template

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _canonical(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for row in root.iter(f"{{{MAIN}}}row"):
        row.attrib.pop("spans", None)  # a hint the tree drops on the rows it touches
    return etree.tostring(root, method="c14n", exclusive=True)


def _rejected(tmp_path: Path, office: bool) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    # A score over its cap (an error) and a deduction without its 扣分说明 (a warning).
    sheet = fill_template(tmp_path / "甲公司.xlsx", {"1.1": 7, "2.2": 0.5})
    if office:
        done = subprocess.run(
            ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(folder), sheet],
            capture_output=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    else:
        shutil.copy(sheet, folder)
    return folder / "甲公司.xlsx"


@pytest.mark.parametrize(
    "office",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice missing"),
        ),
    ],
    ids=["openpyxl", "libreoffice"],
)
def test_the_bytes_and_the_tree_mark_a_sheet_alike(
    tmp_path: Path, office: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _rejected(tmp_path, office)
    (report,) = check_folder(path.parent, 2026, STANDARD, GradingConfig())
    assert report.status is FileStatus.REJECTED
    data = path.read_bytes()
    sheet = SheetBytes.of(_members(data)[SHEET])
    cells = {i.cell for i in report.issues if i.cell}
    assert sheet is not None and sheet.has(cells), "this sheet should take the bytes path"

    by_bytes = _members(mark_package(data, report))
    monkeypatch.setattr(marking.SheetBytes, "of", classmethod(lambda cls, data: None))
    by_tree = _members(mark_package(data, report))

    assert by_bytes.keys() == by_tree.keys()
    for name in by_bytes:
        if name == SHEET:
            assert _canonical(by_bytes[name]) == _canonical(by_tree[name])
        else:
            assert by_bytes[name] == by_tree[name], name
    assert b"<legacyDrawing" in by_bytes[SHEET]
    assert b'tabSelected="1"' not in by_bytes[SHEET]


def _sheet(body: str, root: str = f'<worksheet xmlns="{MAIN}">') -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'{root}<sheetData><row r="1"><c r="A1" s="2"><v>1</v></c></row></sheetData>'
        f"{body}</worksheet>"
    ).encode()


MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"/>'


@pytest.mark.parametrize(
    ("sheet", "why"),
    [
        (_sheet(""), "no element to place legacyDrawing after"),
        (_sheet(MARGINS + '<legacyDrawing r:id="rId1"/>'), "a legacyDrawing already"),
        (_sheet(MARGINS + '<!-- <c r="A1" s="9"/> -->'), "a comment could hide a cell"),
        (_sheet(MARGINS + "<mc:AlternateContent/>"), "wrapped elements"),
        (
            _sheet(MARGINS, f'<x:worksheet xmlns:x="{MAIN}">').replace(
                b"</worksheet>", b"</x:worksheet>"
            ),
            "prefixed root",
        ),
        (_sheet(MARGINS, '<worksheet xmlns="urn:other">'), "another namespace"),
        (_sheet("<headerFooter><oddFooter>页</oddFooter>"), "an element not closed"),
    ],
)
def test_what_the_bytes_path_cannot_be_sure_of_takes_the_tree(sheet: bytes, why: str) -> None:
    assert SheetBytes.of(sheet) is None, why


def test_a_cell_missing_or_twice_takes_the_tree() -> None:
    sheet = SheetBytes.of(_sheet(MARGINS).replace(b"</row>", b'<c r="B1"/><c r="B1"/></row>'))
    assert sheet is not None
    assert sheet.has(["A1"]) and not sheet.has(["A1", "C1"]) and not sheet.has(["B1"])


def test_the_legacy_drawing_goes_after_the_last_element_before_it_in_schema_order() -> None:
    body = (
        '<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>1'
        "</formula><extLst/></cfRule></conditionalFormatting>"
        + MARGINS
        + "<headerFooter><oddFooter>&amp;P</oddFooter></headerFooter>"
        + '<legacyDrawingHF r:id="rId9"/><tableParts count="0"/><extLst/>'
    )
    root = f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    sheet = SheetBytes.of(_sheet(body, root))
    assert sheet is not None
    assert sheet.style("A1") == 2
    sheet.set_style("A1", 7)
    sheet.set_legacy_drawing("rId5")
    out = sheet.bytes()
    children = [etree.QName(e).localname for e in etree.fromstring(out)]
    assert children == [
        "sheetData",
        "conditionalFormatting",
        "pageMargins",
        "headerFooter",
        "legacyDrawing",
        "legacyDrawingHF",
        "tableParts",
        "extLst",
    ]
    assert b'<c r="A1" s="7">' in out and b'r:id="rId5"' in out


def test_styles_in_either_quote_and_none() -> None:
    sheet = SheetBytes.of(
        _sheet(MARGINS).replace(b"</row>", b"<c r='B1' t=\"n\"/><c r=\"C1\" s='4'/></row>")
    )
    assert sheet is not None
    # Only double-quoted addresses are found: the single-quoted one takes the tree.
    assert not sheet.has(["B1"]) and sheet.style("C1") == 4
    sheet.set_style("C1", 9)
    assert b'<c r="C1" s="9"/>' in sheet.bytes()
