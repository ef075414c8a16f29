"""Returned copies marked in the inspector's own package: every part the marks do not need is
the input's, byte for byte; the marks read back with openpyxl; LibreOffice opens the copy."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from fuling_batch.config import GradingConfig
from fuling_batch.forms.notes import AMBER_RGB, RED_RGB
from fuling_batch.forms.returned import (
    NOTE_SHEET,
    STAGING_PREFIX,
    Staging,
    returned_copy,
    write_returned_copies,
)
from fuling_batch.intake import check_folder
from fuling_batch.pipeline import run
from fuling_batch.rules.models import FileReport, FileStatus
from tests.factories import STANDARD
from tests.intake.files.builders import fill_template


def _png() -> bytes:
    """A valid 1×1 PNG (LibreOffice checks the image data)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xc0\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
DRAWING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<xdr:oneCellAnchor><xdr:from><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"
    '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr>'
    '<xdr:cNvPr id="2" name="印章"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/>'
    '<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/>'
    '<a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
    "</xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
IMAGE_REL = f"{REL}/image"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _inspector_workbook(path: Path) -> Path:
    """A score sheet as an inspector's office keeps it: a wrong score (an error) and a score
    typed as text (a warning) where they left a comment of their own, data
    validation, sheet protection, a print area and page setup, a second sheet, then an
    image and a macro project added to the package (.xlsm)."""

    def edit(ws, rows):  # type: ignore[no-untyped-def]
        from openpyxl.comments import Comment
        from openpyxl.worksheet.datavalidation import DataValidation

        ws.cell(rows["2.2"], 5).comment = Comment("考核组自己的批注", "考核组")
        check = DataValidation(type="decimal", operator="between", formula1="0", formula2="5")
        ws.add_data_validation(check)
        check.add(f"E{rows['2.1']}:E{rows['2.5']}")
        ws.protection.sheet = True
        ws.print_area = f"A1:G{rows['8.4']}"
        ws.page_setup.orientation = "landscape"
        ws.parent.create_sheet("附件清单")["A1"] = "附件一"

    plain = fill_template(path.with_suffix(".xlsx"), {"1.1": 7, "2.2": "2分"}, edit=edit)
    with zipfile.ZipFile(plain) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    plain.unlink()
    sheet = "xl/worksheets/sheet1.xml"
    rels = "xl/worksheets/_rels/sheet1.xml.rels"
    parts[sheet] = re.sub(
        rb"(<legacyDrawing|</worksheet>)",
        rb'<drawing xmlns:r="%s" r:id="rIdPic"/>\1' % REL.encode(),
        parts[sheet],
        count=1,
    )
    parts[rels] = parts[rels].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdPic" Type="{DRAWING_REL}" Target="../drawings/drawing1.xml"/>'
        "</Relationships>".encode(),
    )
    parts["xl/drawings/drawing1.xml"] = DRAWING.encode()
    parts["xl/drawings/_rels/drawing1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
        '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1"'
        f' Type="{IMAGE_REL}" Target="../media/image1.png"/></Relationships>'
    ).encode()
    parts["xl/media/image1.png"] = PNG
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not a real macro project, kept as is"
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/></Relationships>'.encode(),
    )
    types = parts["[Content_Types].xml"]
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    parts["[Content_Types].xml"] = types.replace(
        b"</Types>",
        b'<Default Extension="png" ContentType="image/png"/>'
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b'<Override PartName="/xl/drawings/drawing1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


@pytest.fixture
def inspected(tmp_path: Path) -> tuple[Path, FileReport]:
    folder = tmp_path / "in"
    folder.mkdir()
    _inspector_workbook(folder / "甲公司.xlsm")
    (report,) = check_folder(folder, 2026, STANDARD, GradingConfig())
    assert report.status is FileStatus.REJECTED
    assert {"SCORE_OUT_OF_RANGE", "SCORE_TEXT"} <= {i.code for i in report.issues}
    return folder, report


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


REWRITTEN = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/worksheets/sheet1.xml",  # the score sheet
    "xl/worksheets/_rels/sheet1.xml.rels",
}


def test_every_part_the_marks_do_not_need_is_the_inputs_byte_for_byte(
    inspected: tuple[Path, FileReport], tmp_path: Path
) -> None:
    folder, report = inspected
    source = folder / report.path
    before = source.read_bytes()
    written, failed = write_returned_copies(folder, [report], tmp_path / "out")
    assert failed == [] and [p.name for p in written] == ["甲公司.xlsm"]
    assert source.read_bytes() == before  # the input is only read
    old, new = _members(before), _members(written[0].read_bytes())
    assert list(new)[: len(old)] == list(old), "every part kept, in its place"
    comments = {n for n in old if n.startswith(("xl/comments", "xl/drawings/commentsDrawing"))}
    assert comments, "the inspector's own comment is there to be merged with"
    untouched = set(old) - REWRITTEN - comments
    assert {"xl/media/image1.png", "xl/vbaProject.bin", "xl/sharedStrings.xml"} & untouched
    for name in untouched:
        assert new[name] == old[name], name
    added = set(new) - set(old)
    assert len(added) == 1 and next(iter(added)).startswith("xl/worksheets/sheet")
    rels = new["xl/worksheets/_rels/sheet1.xml.rels"]
    for target in re.findall(rb'Target="([^"]+)"', old["xl/worksheets/_rels/sheet1.xml.rels"]):
        assert target in rels  # the sheet still reaches its drawing, comments and VML


def test_marks_read_back_with_openpyxl(inspected: tuple[Path, FileReport], tmp_path: Path) -> None:
    folder, report = inspected
    (path,), _ = write_returned_copies(folder, [report], tmp_path / "out")
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert (
        wb.sheetnames
        == [NOTE_SHEET, "评分表", "填表说明", "_meta", "附件清单"][: len(wb.sheetnames)]
        or wb.sheetnames[0] == NOTE_SHEET
    )
    assert wb.active is not None and wb.active.title == NOTE_SHEET
    ws = wb["评分表"]
    by_code = {i.code: i for i in report.issues}
    wrong, text = by_code["SCORE_OUT_OF_RANGE"], by_code["SCORE_TEXT"]
    red = ws[wrong.cell]
    assert red.fill.fgColor.rgb == RED_RGB and red.comment is not None
    assert red.comment.text.startswith("【错误】") and wrong.message in red.comment.text
    # 2.2 carried the inspector's own comment: kept, with the finding after it.
    amber = ws[text.cell]
    assert amber.fill.fgColor.rgb == AMBER_RGB and amber.comment is not None
    assert amber.comment.text.startswith("考核组自己的批注")
    assert f"【警告】{text.message}" in amber.comment.text
    # What the inspector set up is still there.
    original = openpyxl.load_workbook(folder / report.path, keep_vba=True)["评分表"]
    assert ws.protection.sheet and ws.data_validations.dataValidation
    assert str(ws.print_area) == str(original.print_area)
    assert ws.page_setup.orientation == "landscape"
    assert red.font.b == original[wrong.cell].font.b
    assert red.border.left.style == original[wrong.cell].border.left.style
    note = wb[NOTE_SHEET]
    assert str(note["A1"].value) == f"退回修改说明：{report.path}" and note["A1"].font.b
    header = next(r for r in note.iter_rows() if r[0].value == "类别")
    assert [c.value for c in header] == ["类别", "工作表", "单元格", "问题及修改方法"]
    listed = [tuple(c.value for c in r) for r in note.iter_rows(min_row=header[0].row + 1)]
    assert ("错误", "评分表", wrong.cell, wrong.message) in listed
    assert len(listed) == len(report.issues)


def test_a_merged_range_is_marked_on_its_top_left_cell(tmp_path: Path) -> None:
    folder = tmp_path / "in"

    def merge(ws, rows):  # type: ignore[no-untyped-def]
        ws.merge_cells(start_row=rows["1.1"], start_column=4, end_row=rows["1.1"], end_column=5)
        ws.cell(rows["1.1"], 4).value = 7

    fill_template(folder / "合并.xlsx", {"1.1": 7}, edit=merge)
    (report,) = check_folder(folder, 2026, STANDARD, GradingConfig())
    data = returned_copy((folder / report.path).read_bytes(), report)
    ws = openpyxl.load_workbook(io.BytesIO(data))["评分表"]
    inside = [
        (i, str(r.start_cell.coordinate))
        for i in report.issues
        for r in ws.merged_cells.ranges
        if i.cell and i.cell in r and i.cell != r.start_cell.coordinate
    ]
    assert inside, [i.cell for i in report.issues]
    wrong, top_left = inside[0]
    assert ws[wrong.cell].comment is None
    assert ws[top_left].fill.fgColor.rgb == RED_RGB and ws[top_left].comment is not None


def test_a_run_makes_the_copies_where_it_reads_and_redoes_those_a_duplicate_changed(
    filled_sheet, tmp_path: Path
) -> None:
    """With 16 files the sheets are read (and their copies staged) in worker processes; a
    copy staged before the duplicate check found its twin is made again, naming the twin."""
    for n in range(15):
        filled_sheet(f"企业{n:02d}", serial=n + 1, scores={"1.1": 9} if n % 3 == 0 else None)
    twin = tmp_path / "input" / "企业00副本.xlsx"
    shutil.copy(tmp_path / "input" / "企业00.xlsx", twin)
    serial = tmp_path / "serial"
    outcome = run(tmp_path / "input", 2026, tmp_path / "out", history_path=tmp_path / "h.db")
    alone = run(tmp_path / "input", 2026, serial, history_path=tmp_path / "h2.db", processes=1)
    names = sorted(p.name for p in outcome.returned)
    assert names == sorted(p.name for p in alone.returned)
    assert len(names) == 6 and "企业00副本.xlsx" in names
    assert not list(outcome.year_dir.glob(f"{STAGING_PREFIX}*")), "the staging folder is gone"
    for path in outcome.returned:  # made in workers or here, serially: the same bytes
        assert path.read_bytes() == (alone.year_dir / "退回修改" / path.name).read_bytes()
    wb = openpyxl.load_workbook(outcome.year_dir / "退回修改" / "企业00.xlsx")
    note = " ".join(str(c.value) for row in wb[NOTE_SHEET].iter_rows() for c in row)
    assert "企业00副本.xlsx" in note


def test_staging_never_raises_and_skips_what_is_not_returned(tmp_path: Path) -> None:
    staged = Staging(tmp_path / ".returned-x")
    broken = FileReport("坏.xlsx", FileStatus.REJECTED, ())
    staged(broken, b"not a zip")  # made again (and reported) with the outputs
    staged(FileReport("好.xlsx", FileStatus.ACCEPTED, ()), b"")
    assert not staged.folder.exists()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_a_returned_copy(
    inspected: tuple[Path, FileReport], tmp_path: Path
) -> None:
    folder, report = inspected
    (path,), _ = write_returned_copies(folder, [report], tmp_path / "out")
    for kind in ("pdf", "xlsx"):
        done = subprocess.run(
            ["soffice", "--headless", "--convert-to", kind, "--outdir", str(tmp_path / kind), path],
            capture_output=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "pdf" / "甲公司.pdf").stat().st_size > 1000
    again = openpyxl.load_workbook(tmp_path / "xlsx" / "甲公司.xlsx")
    assert again.sheetnames[0] == NOTE_SHEET
    wrong = next(i for i in report.issues if i.code == "SCORE_OUT_OF_RANGE")
    cell = again["评分表"][wrong.cell]
    assert cell.fill.fgColor.rgb == RED_RGB and cell.comment is not None
    assert wrong.message in cell.comment.text
