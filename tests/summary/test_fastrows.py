"""SheetWriter.rows on real workbooks: the fast path and xlsxwriter's per-cell path agree."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.workbook import Workbook

from fuling_batch.errors import OutputError
from fuling_batch.runtime import tricks
from fuling_batch.summary.writer import Column, Formats, SheetWriter, start_sheet

LAST_ROW = 1_048_575  # Excel's last row, 0-based


def _sheet(path: Path) -> tuple[Workbook, SheetWriter]:
    book = Workbook(str(path), {"constant_memory": True})
    fmt = Formats(book)
    columns = [Column("企业名称", 12), Column("得分", 6), Column("扣分说明", 10)]
    return book, start_sheet(book, fmt, "表", "标题", "副标题", columns)


def _both(tmp_path: Path, write: object) -> list[openpyxl.Workbook]:
    books = []
    for fast in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(tricks.ENV, "" if fast else "fastrows")
            path = tmp_path / f"{fast}.xlsx"
            book, out = _sheet(path)
            write(out)  # type: ignore[operator]
            book.close()
        books.append(openpyxl.load_workbook(path))
    return books


def _dimension(path: Path) -> str:
    """The <dimension> xlsxwriter records (openpyxl's ``dimensions`` counts the cells instead)."""
    with zipfile.ZipFile(path) as z:
        found = re.search(rb'<dimension ref="([^"]+)"/>', z.read("xl/worksheets/sheet1.xml"))
    assert found is not None
    return found.group(1).decode()


def _rows(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[tuple[object, ...]]:
    """Each cell's value and look (the two paths number the same styles differently)."""
    return [
        tuple(
            (
                c.coordinate,
                c.value,
                c.number_format,
                c.font.name,
                c.font.sz,
                c.alignment.wrap_text,
                c.border.left.style,
            )
            for c in row
        )
        for row in ws.iter_rows()
    ]


def test_a_run_of_rows_with_a_caller_set_height_inside_matches_the_per_cell_path(
    tmp_path: Path,
) -> None:
    def write(out: SheetWriter) -> None:
        fmt = out.fmt
        formats = [fmt.wrap, fmt.num, fmt.wrap]
        out.ws.set_row(6, 40)  # set by the caller before the run reaches it
        entries = [
            (["甲公司", 1.5, "未按期召开组织生活会"], formats, "甲"),
            (["", None, ""], [None, None, None], "空行"),  # nothing to write
            (["乙公司" * 8, 2, "说明很长" * 10], formats, "乙"),  # wraps: gets a height
            (["丙公司", 0.0, "x"], formats, "丙"),  # row 6: the caller's height
            (["丁公司", 3.0, ""], formats, "丁"),  # an empty text: the cell-by-cell path
        ]
        last = out.rows(out.header_row, entries)
        assert last == out.header_row + len(entries)
        assert out.rows(last, []) == last  # an empty run writes nothing
        out.row(last + 1, ["戊公司", 4.0, "尾行"], formats, "戊")

    fast, per_cell = _both(tmp_path, write)
    a, b = fast.worksheets[0], per_cell.worksheets[0]
    assert _rows(a) == _rows(b)
    assert a.dimensions == b.dimensions == "A1:C9"
    assert {_dimension(tmp_path / f"{fast}.xlsx") for fast in (True, False)} == {"A1:C9"}
    heights = {n: d.height for n, d in a.row_dimensions.items() if d.height}
    assert heights == {n: d.height for n, d in b.row_dimensions.items() if d.height}
    assert heights[7] == pytest.approx(40, abs=0.5) and heights[6] > 15
    assert a["A7"].value == "丙公司" and a["B8"].value == 3 and a["C8"].value is None


@pytest.mark.parametrize("fast", [True, False])
def test_a_row_past_excels_last_row_names_its_enterprise(tmp_path: Path, fast: bool) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(tricks.ENV, "" if fast else "fastrows")
        book, out = _sheet(tmp_path / "x.xlsx")
        formats = [out.fmt.text, out.fmt.num, out.fmt.text]
        entries = [([f"企业{i}", 1.0, ""], formats, f"企业“企业{i}”") for i in range(3)]
        with pytest.raises(OutputError, match=r"第1048577行.*超出 Excel 行列上限.*企业2"):
            out.rows(LAST_ROW - 2, entries)
        book.close()


def test_values_and_formats_of_different_lengths_are_refused(tmp_path: Path) -> None:
    book, out = _sheet(tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="differ in length"):
        out.rows(out.header_row, [(["甲", 1.0], [out.fmt.text], "")])
    book.close()


def test_the_sheet_dimensions_cover_a_run_written_last(tmp_path: Path) -> None:
    def write(out: SheetWriter) -> None:
        formats = [out.fmt.text, out.fmt.num, out.fmt.text]
        out.rows(out.header_row, [([f"企业{i}", float(i), "说明"], formats, "") for i in range(3)])

    _both(tmp_path, write)
    assert {_dimension(tmp_path / f"{fast}.xlsx") for fast in (True, False)} == {"A1:C6"}


@pytest.mark.parametrize("fast", [True, False])
def test_a_run_ending_on_a_caller_sized_empty_row_refuses_rows_above_it(
    tmp_path: Path, fast: bool
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(tricks.ENV, "" if fast else "fastrows")
        path = tmp_path / "x.xlsx"
        book, out = _sheet(path)
        formats = [out.fmt.text, out.fmt.num, out.fmt.text]
        top = out.header_row
        out.ws.set_row(top + 4, 40)
        entries = [([f"企业{i}", 1.0, "说明"], formats, "") for i in range(3)]
        last = out.rows(top, [*entries, (["", None, ""], [None, None, None], "")])
        assert last == top + 4
        with pytest.raises(OutputError):
            out.row(top + 2, ["迟到的行", 1.0, ""], formats, "企业“迟到的行”")
        book.close()
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet["A"]][top + 1 :] == ["企业0", "企业1", "企业2"]
    if fast:  # xlsxwriter's own path drops a row that has a height and no cell
        assert sheet.row_dimensions[top + 5].height == pytest.approx(40, abs=0.5)


@pytest.mark.parametrize(
    ("version", "fast"),
    [("3.2.0", True), ("3.3.1", True), ("3.1.9", False), ("4.0.0", False), ("", False)],
)
def test_only_a_tested_xlsxwriter_takes_the_fast_path(version: str, fast: bool) -> None:
    from fuling_batch.summary import fastrows

    assert fastrows.supported(version) is fast


def test_the_switch_turns_the_fast_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from fuling_batch.summary import fastrows

    assert fastrows.active() is fastrows.SUPPORTED
    monkeypatch.setenv(tricks.ENV, "zip-writer, fastrows")
    assert not fastrows.active()
    monkeypatch.setenv(tricks.ENV, "all")
    assert not fastrows.active()
    with pytest.raises(ValueError, match="unknown trick"):
        tricks.enabled("fast-rows")
