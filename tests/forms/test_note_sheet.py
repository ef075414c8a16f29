"""The returned copy's 退回说明 sheet prints: A4 landscape, one page wide, the table's header
repeated on every page, page numbers in the footer, the wrapped explanation merged across the
sheet. Both writers (the package marked in place, the .xls rebuilt by openpyxl) are checked,
and LibreOffice prints a long list over several pages with nothing cut off."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from fuling_batch.config import GradingConfig
from fuling_batch.forms.notes import NOTE_SHEET, NOTE_WIDTHS
from fuling_batch.forms.returned import returned_copy, write_returned_copies
from fuling_batch.intake import check_folder
from fuling_batch.rules.issues import Issue
from fuling_batch.rules.models import FileReport, FileStatus
from tests.factories import STANDARD
from tests.intake.files.builders import fill_template

XLS = Path(__file__).parents[1] / "intake" / "files" / "filled_2026.xls"
HEADER = ["类别", "工作表", "单元格", "问题及修改方法"]


def _findings(path: str, count: int) -> tuple[Issue, ...]:
    """``count`` findings with long messages (each wraps over two or three lines in D)."""
    return tuple(
        Issue.error(
            "SCORE_OUT_OF_RANGE",
            f"第{n}条：得分超出该项分值范围，请对照评分标准逐项核对得分，改正后在扣分说明栏写明"
            f"扣分理由和依据，并由考核组成员确认；如确属满分，请填写该项分值。末尾标记{n:03d}",
            file=path,
            sheet="评分表",
            cell=f"E{10 + n}",
        )
        for n in range(1, count + 1)
    )


def _rejected(tmp_path: Path, count: int) -> tuple[Path, FileReport]:
    folder = tmp_path / "in"
    folder.mkdir()
    fill_template(folder / "甲公司.xlsx", {"1.1": 7})
    (report,) = check_folder(folder, 2026, STANDARD, GradingConfig())
    assert report.status is FileStatus.REJECTED
    report = dataclasses.replace(report, issues=report.issues + _findings(report.path, count))
    return folder, report


def _in_place(tmp_path: Path, count: int = 3) -> tuple[openpyxl.Workbook, FileReport]:
    folder, report = _rejected(tmp_path, count)
    (path,), failed = write_returned_copies(folder, [report], tmp_path / "out")
    assert failed == []
    return openpyxl.load_workbook(path), report


def _rebuilt(tmp_path: Path, count: int = 3) -> tuple[openpyxl.Workbook, FileReport]:
    report = FileReport("乙公司.xls", FileStatus.REJECTED, _findings("乙公司.xls", count))
    return openpyxl.load_workbook(io.BytesIO(returned_copy(XLS.read_bytes(), report))), report


@pytest.mark.parametrize("made", [_in_place, _rebuilt], ids=["in place", "rebuilt from xls"])
def test_the_note_sheet_is_set_up_to_print(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb, report = made(tmp_path)
    note = wb.worksheets[0]
    assert note.title == NOTE_SHEET
    setup = note.page_setup
    assert (int(setup.paperSize), setup.orientation) == (9, "landscape")  # A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one page wide, as long as needed
    assert note.sheet_properties.pageSetUpPr.fitToPage
    margins = note.page_margins
    assert {margins.left, margins.right, margins.top, margins.bottom} == {0.5}
    assert note.oddFooter.center.text == "第 &P 页，共 &N 页"
    header = next(r[0].row for r in note.iter_rows() if r[0].value == "类别")
    assert [c.value for c in note[header]] == HEADER
    assert note.print_title_rows == f"${header}:${header}"
    merged = {str(r) for r in note.merged_cells.ranges}
    assert {"A1:D1", "A2:D2"} <= merged
    assert note["A2"].alignment.wrap_text and note.row_dimensions[2].height
    assert [note.column_dimensions[c].width for c in "ABCD"] == list(NOTE_WIDTHS)
    body = list(note.iter_rows(min_row=header + 1, max_col=4))
    assert len(body) == len(report.issues)
    for row in [note[header], *body]:
        for cell in row:
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
            assert cell.alignment.wrap_text and cell.alignment.vertical == "top"


def test_each_findings_row_is_tall_enough_for_its_wrapped_text(tmp_path: Path) -> None:
    """LibreOffice does not fit rows to wrapped text when it opens a file: each row is given
    a height, more for a longer finding."""
    wb, report = _in_place(tmp_path)
    note = wb.worksheets[0]
    header = next(r[0].row for r in note.iter_rows() if r[0].value == "类别")
    heights = {
        note.cell(row, 4).value: note.row_dimensions[row].height
        for row in range(header + 1, header + 1 + len(report.issues))
    }
    short, long = min(heights, key=len), max(heights, key=len)
    assert heights[short] >= 15 and heights[long] >= 2 * 15  # a long finding takes 2+ lines
    assert heights[long] > heights[short]


def test_the_inspectors_own_print_titles_stay_on_their_sheet(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()

    def titles(ws, rows):  # type: ignore[no-untyped-def]
        ws.print_title_rows = "1:3"

    fill_template(folder / "丙公司.xlsx", {"1.1": 7}, edit=titles)
    (report,) = check_folder(folder, 2026, STANDARD, GradingConfig())
    (path,), _ = write_returned_copies(folder, [report], tmp_path / "out")
    wb = openpyxl.load_workbook(path)
    assert wb["评分表"].print_title_rows == "$1:$3"
    header = next(r[0].row for r in wb[NOTE_SHEET].iter_rows() if r[0].value == "类别")
    assert wb[NOTE_SHEET].print_title_rows == f"${header}:${header}"


def _pages(pdf: Path) -> list[str]:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout.split("\f")


def _page_size(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page, in points."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    size = next(line for line in info.stdout.splitlines() if line.startswith("Page size"))
    width, _, height = size.split(":")[1].split()[:3]
    return float(width), float(height)


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and poppler (pdftotext) are not installed",
)
def test_libreoffice_prints_a_long_note_over_pages_with_the_header_on_each(
    tmp_path: Path,
) -> None:
    folder, report = _rejected(tmp_path, 40)
    (path,), _ = write_returned_copies(folder, [report], tmp_path / "out")
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "甲公司.pdf"
    width, height = _page_size(pdf)
    assert (round(width), round(height)) == (842, 595)  # A4, landscape
    # The note sheet prints first; its pages are those that show the table's header (the
    # score sheet's pages follow).
    pages = []
    for page in _pages(pdf):
        if not all(word in page for word in HEADER):
            break
        pages.append(page)
    assert len(pages) >= 2, "40 long findings take more than one page, each with the header"
    assert "退回修改说明" in pages[0]
    for number, page in enumerate(pages, 1):
        assert f"第 {number} 页，共 " in page
    text = "".join("".join(page.split()) for page in pages)
    for issue in report.issues:
        assert "".join(issue.message.split()) in text, "no finding is cut off"
