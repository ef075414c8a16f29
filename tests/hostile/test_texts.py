"""Names and texts from hostile sheets: duplicates found after normalising, control and bidi
characters cleaned for every output, file names bounded in bytes."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from fuling_batch.config import GradingConfig
from fuling_batch.forms.returned import write_returned_copies
from fuling_batch.intake.check import check_folder
from fuling_batch.pipeline import run
from fuling_batch.rules.models import FileReport, FileStatus
from fuling_batch.runtime.fileio import safe_filename, unique_names
from tests.hostile.files import rewrite
from tests.intake.files.builders import STANDARD, fill_template


def check(folder: Path) -> dict[str, FileReport]:
    return {r.path: r for r in check_folder(folder, 2026, STANDARD, GradingConfig(), 1)}


def codes(report: FileReport) -> set[str]:
    return {i.code for i in report.issues}


def _sheet(folder: Path, file: str, serial: int, name: str, coded: bool = True) -> Path:
    """A filled sheet for ``name``, with the serial's credit code, or none (``coded=False``)."""
    header = {"企业名称": name} if coded else {"企业名称": name, "统一社会信用代码": ""}
    return fill_template(folder / file, serial=serial, header=header)


def test_a_name_only_sheet_matching_a_coded_one_is_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _sheet(folder, "a.xlsx", 1, "涪陵试验有限公司")
    _sheet(folder, "b.xlsx", 2, "涪陵试验有限公司", coded=False)
    reports = check(folder)
    assert all("DUPLICATE_ENTERPRISE" in codes(r) for r in reports.values())
    assert all(r.status is FileStatus.REJECTED for r in reports.values())


def test_names_that_differ_only_by_spaces_or_width_are_one_enterprise(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _sheet(folder, "a.xlsx", 1, "涪陵 试验有限公司", coded=False)
    _sheet(folder, "b.xlsx", 2, "涪陵试验有限公司", coded=False)
    _sheet(folder, "c.xlsx", 3, "ＡＢＣ公司", coded=False)
    _sheet(folder, "d.xlsx", 4, "ABC 公司", coded=False)
    reports = check(folder)
    assert all("DUPLICATE_ENTERPRISE" in codes(r) for r in reports.values())


def test_limited_and_limited_liability_are_told_apart_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _sheet(folder, "a.xlsx", 1, "涪陵试验有限公司")
    _sheet(folder, "b.xlsx", 2, "涪陵试验有限责任公司")
    reports = check(folder)
    assert all(r.status is FileStatus.ACCEPTED for r in reports.values())
    assert all("SIMILAR_NAME" in codes(r) for r in reports.values())


def test_one_name_with_two_codes_is_accepted_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _sheet(folder, "a.xlsx", 1, "涪陵试验有限公司")
    _sheet(folder, "b.xlsx", 2, "涪陵试验有限公司")
    reports = check(folder)
    assert all(r.status is FileStatus.ACCEPTED for r in reports.values())
    assert all("SAME_NAME_OTHER_CODE" in codes(r) for r in reports.values())


def test_a_remark_longer_than_a_cell_is_cut_marked_and_warned(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    fill_template(folder / "a.xlsx", {"1.1": 0}, remarks={"1.1": "资料" * 20_000})
    report = check(folder)["a.xlsx"]
    assert report.status is FileStatus.ACCEPTED
    assert "TEXT_TOO_LONG" in codes(report)
    assert report.sheet is not None
    remark = next(s.remark for s in report.sheet.scores if s.code == "1.1")
    assert len(remark) <= 32_767 and remark.endswith("已截断，全文见原评分表）")


def _escaped(base: Path, target: Path, text: str) -> Path:
    """``base`` with its enterprise name stored as an Excel escape (``_x0001_``)."""

    def change(name: str, data: bytes) -> bytes:
        # openpyxl writes each character as a reference; the escape goes in as Excel writes it.
        stored = "".join(c if c.isascii() else f"&#{ord(c)};" for c in "涪陵示例企业1有限公司")
        return data.replace(stored.encode(), text.encode("ascii", "xmlcharrefreplace"))

    target.parent.mkdir(parents=True, exist_ok=True)
    return rewrite(base, target, change)


def test_control_characters_reach_no_output(tmp_path: Path) -> None:
    base = fill_template(tmp_path / "base.xlsx", {"1.1": 0, "2.1": 0, "3.1": 0})
    _escaped(base, tmp_path / "in" / "a.xlsx", "涪陵_x0001_示例_x0000_企业\u202e1有限公司")
    outcome = run(tmp_path / "in", 2026, tmp_path / "out", processes=1, first_year=True)
    (result,) = outcome.results
    assert result.enterprise == "涪陵示例企业1有限公司"
    report = outcome.reports[0]
    assert "TEXT_HIDDEN_CHARS" in codes(report)
    sign_off = next(p for p in (outcome.year_dir / "notices").iterdir() if "呈批表" in p.name)
    text = "".join(
        p.text for t in Document(sign_off).tables for r in t.rows for p in r.cells[1].paragraphs
    )
    assert "涪陵示例企业1有限公司" in text
    for path in outcome.year_dir.rglob("*"):
        assert "\u202e" not in path.name and not any(ord(c) < 32 for c in path.name)


@pytest.mark.parametrize("char", ["😀", "𠀀", "涪"])
def test_file_names_are_bounded_in_bytes(tmp_path: Path, char: str) -> None:
    stems = unique_names([safe_filename(char * 80 + "_谈话提醒通知书")] * 3)
    for stem in stems:
        assert len(os.fsencode(f"{stem}.docx")) <= 255
        (tmp_path / f"{stem}.docx").write_bytes(b"")  # the file system takes it


def test_bidi_and_reserved_names_are_made_safe() -> None:
    assert safe_filename("涪陵\u202excod.exe") == "涪陵xcod.exe"
    assert safe_filename("a\u200bb\ufeffc") == "abc"
    assert safe_filename("NUL") == "_NUL"
    assert safe_filename("con .txt") == "_con .txt"


def test_returned_copies_of_merged_cells_and_long_xls_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    merged = fill_template(folder / "merged.xlsx", {"1.1": 7})  # out of range: an error there
    wb = openpyxl.load_workbook(merged)
    ws = wb["评分表"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 7)
    ws.merge_cells(
        start_row=cell.row, start_column=cell.column - 1, end_row=cell.row, end_column=cell.column
    )
    ws.cell(cell.row, cell.column - 1).value = 7
    wb.save(merged)
    long_xls = folder / ("涪" * 78 + ".xls")
    long_xls.write_bytes(
        (Path(__file__).parents[1] / "intake" / "files" / "filled_2026.xls").read_bytes()
    )
    reports = check_folder(folder, 2025, STANDARD, GradingConfig(), 1)  # 2025: every sheet wrong
    written, failed = write_returned_copies(folder, reports, tmp_path / "out")
    assert failed == [] and len(written) == 2
    for path in written:
        assert len(os.fsencode(path.name)) <= 255
        with zipfile.ZipFile(path) as archive:
            assert any(n.startswith("xl/comments") for n in archive.namelist())
