"""Hostile input files at intake: each is refused or read with a located issue, never graded
from the wrong place, never expanded without bound, never trusted silently."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fuling_batch.config import GradingConfig
from fuling_batch.intake.check import check_folder
from fuling_batch.rules.models import FileReport, FileStatus
from tests.hostile.files import (
    ods_repeated,
    rewrite,
    small_xls,
    with_hidden_copy,
    worksheet_part,
    zero_sheet,
)
from tests.intake.files.builders import STANDARD, fill_template, score_cell


def check(folder: Path) -> dict[str, FileReport]:
    return {r.path: r for r in check_folder(folder, 2026, STANDARD, GradingConfig(), 1)}


def codes(report: FileReport) -> set[str]:
    return {i.code for i in report.issues}


def test_a_hidden_copy_of_the_score_sheet_is_never_graded(tmp_path: Path) -> None:
    sheet = with_hidden_copy(zero_sheet(tmp_path / "in" / "a.xlsx"))
    report = check(sheet.parent)["a.xlsx"]
    assert report.status is FileStatus.REJECTED and report.sheet is None
    (issue,) = [i for i in report.issues if i.code == "SHEET_AMBIGUOUS"]
    assert "“评分表”" in issue.message and "“评分表(2)”" in issue.message


def test_a_hidden_score_sheet_alone_is_graded_with_a_warning(tmp_path: Path) -> None:
    import openpyxl

    path = fill_template(tmp_path / "in" / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("封面", 0)
    wb["评分表"].sheet_state = "hidden"
    wb.save(path)
    report = check(path.parent)["a.xlsx"]
    assert report.status is FileStatus.ACCEPTED
    assert "SHEET_HIDDEN" in codes(report)


def test_an_ods_of_repeated_cells_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = ods_repeated(tmp_path / "in" / "a.ods", 20_000, 90)
    assert path.stat().st_size < 2000
    report = check(path.parent)["a.ods"]
    assert codes(report) == {"SHEET_TOO_LARGE"}
    assert "20000行×90列" in report.issues[0].message


def test_an_ods_whose_empty_repeats_fill_the_sheet_is_not_refused(tmp_path: Path) -> None:
    from tests.hostile.files import ods

    row = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="16383"/>'
        "</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    path = ods(tmp_path / "in" / "a.ods", f'<table:table table:name="S">{row}</table:table>')
    assert codes(check(path.parent)["a.ods"]) == {"SHEET_NOT_FOUND"}


def test_a_tiny_xls_is_bounded_like_a_large_one(tmp_path: Path) -> None:
    # A few hundred bytes in the compound file's mini stream, one number at IV65536: calamine
    # would build a grid of 65536 × 256 cells.
    path = small_xls(tmp_path / "in" / "a.xls", 65535, 255)
    assert path.stat().st_size < 4096
    report = check(path.parent)["a.xls"]
    assert codes(report) == {"SHEET_TOO_LARGE"}


def test_an_xlsb_is_bounded(tmp_path: Path) -> None:
    import struct
    import zipfile

    def record(kind: int, body: bytes) -> bytes:
        return bytes([kind, len(body)]) + body

    row = record(0x00, struct.pack("<I", 1_000_000) + b"\x00" * 8)
    cell = record(0x05, struct.pack("<II", 16_000, 0) + struct.pack("<d", 1.0))
    path = tmp_path / "in" / "a.xlsb"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", row + cell)
    assert codes(check(path.parent)["a.xlsb"]) == {"SHEET_TOO_LARGE"}


def test_a_styled_empty_cell_at_the_last_cell_is_not_refused(tmp_path: Path) -> None:
    base = fill_template(tmp_path / "base.xlsx")
    part = worksheet_part(base)

    def styled(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>'
        )

    (tmp_path / "in").mkdir()
    rewrite(base, tmp_path / "in" / "a.xlsx", styled)
    report = check(tmp_path / "in")["a.xlsx"]
    assert report.status is FileStatus.ACCEPTED, report.issues


def _formula_in(base: Path, target: Path, cached: bytes | None) -> Path:
    cell = score_cell(base, "1.1").encode()
    part = worksheet_part(base)

    def formula(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        value = b"" if cached is None else b"<v>" + cached + b"</v>"
        return re.sub(
            rb'<c r="' + cell + rb'"([^>]*?)(?:/>|>.*?</c>)',
            lambda m: b'<c r="' + cell + b'"' + m.group(1) + b"><f>0.5+0.5</f>" + value + b"</c>",
            data,
            count=1,
            flags=re.DOTALL,
        )

    target.parent.mkdir(exist_ok=True)
    return rewrite(base, target, formula)


def test_a_formula_in_a_score_cell_is_graded_from_its_cached_value_with_a_warning(
    tmp_path: Path,
) -> None:
    base = fill_template(tmp_path / "base.xlsx")
    _formula_in(base, tmp_path / "in" / "a.xlsx", b"1")
    report = check(tmp_path / "in")["a.xlsx"]
    assert report.status is FileStatus.ACCEPTED
    (issue,) = [i for i in report.issues if i.code == "FORMULA_IN_SCORE"]
    assert issue.cell == score_cell(base, "1.1")


def test_a_formula_without_a_cached_value_is_rejected(tmp_path: Path) -> None:
    base = fill_template(tmp_path / "base.xlsx")
    _formula_in(base, tmp_path / "in" / "a.xlsx", None)
    report = check(tmp_path / "in")["a.xlsx"]
    assert report.status is FileStatus.REJECTED
    assert "FORMULA_NO_VALUE" in codes(report) and "SCORE_BLANK" not in codes(report)


_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'


@pytest.mark.parametrize(
    "member",
    ["sheet", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml", "_rels/.rels"],
)
def test_entity_declarations_are_refused_in_chinese(tmp_path: Path, member: str) -> None:
    base = fill_template(tmp_path / "base.xlsx")
    part = worksheet_part(base) if member == "sheet" else member
    (tmp_path / "in").mkdir()
    rewrite(base, tmp_path / "in" / "a.xlsx", lambda n, d: _DOCTYPE + d if n == part else d)
    report = check(tmp_path / "in")["a.xlsx"]
    (issue,) = report.issues
    assert issue.code == "XML_DOCTYPE"
    assert part in issue.message and "DOCTYPE" in issue.message
    words = re.findall(r"[A-Za-z]{4,}", issue.message.replace(part, ""))
    assert words == ["DOCTYPE", "Excel", "Excel", "xlsx"], words


def test_a_doctype_after_a_long_comment_is_still_found(tmp_path: Path) -> None:
    base = fill_template(tmp_path / "base.xlsx")
    part = worksheet_part(base)
    padded = b"<?xml version='1.0'?><!--" + b"x" * 20_000 + b"-->" + _DOCTYPE[21:]
    (tmp_path / "in").mkdir()
    rewrite(base, tmp_path / "in" / "a.xlsx", lambda n, d: padded + d if n == part else d)
    assert codes(check(tmp_path / "in")["a.xlsx"]) == {"XML_DOCTYPE"}


def test_links_that_leave_the_input_folder_are_skipped(tmp_path: Path) -> None:
    outside = fill_template(tmp_path / "elsewhere" / "secret.xlsx")
    inside = fill_template(tmp_path / "in" / "a.xlsx")
    os.symlink(outside, tmp_path / "in" / "link_out.xlsx")
    os.symlink(inside, tmp_path / "in" / "sub_link.xlsx")
    reports = check(tmp_path / "in")
    out = reports["link_out.xlsx"]
    assert out.status is FileStatus.SKIPPED and out.sheet is None
    assert "文件夹以外" in out.issues[0].message
    # A link to a file inside the folder is read as that file (here: the same enterprise).
    assert "DUPLICATE_ENTERPRISE" in codes(reports["sub_link.xlsx"])


@pytest.mark.parametrize(
    "position",
    [
        b'r="B21" r="XFD1048576"',  # the fuzz's mutant (seed 4): calamine takes the last
        b'r="xfd1048576"',  # letters in lower case
        b'r = "XFD1048576"',  # blanks around "="
        b"r='XFD1048576'",  # single quotes
        b's="6"r="XFD1048576"',  # no blank before it (the fuzz, seed 7)
        b'r="B21"r="XFD1048576"',  # no blank between two (seed 9)
        b'foo="a>b" r="XFD1048576"',  # after a ">" inside a quoted value
    ],
    ids=[
        "duplicate",
        "lower-case",
        "blanks",
        "single-quotes",
        "no-blank",
        "no-blank-twice",
        "quoted-gt",
    ],
)
def test_a_cell_placed_far_away_in_any_spelling_is_refused(tmp_path: Path, position: bytes) -> None:
    """Each spelling places the cell at XFD1048576 for calamine (a grid of 17 billion cells,
    an abort of the whole process); the bound reads the position as calamine does."""
    base = fill_template(tmp_path / "base.xlsx")
    part = worksheet_part(base)
    cell = score_cell(base, "1.1").encode()

    def moved(name: str, data: bytes) -> bytes:
        return data.replace(b'<c r="' + cell + b'"', b"<c " + position, 1) if name == part else data

    (tmp_path / "in").mkdir()
    rewrite(base, tmp_path / "in" / "a.xlsx", moved)
    report = check(tmp_path / "in")["a.xlsx"]
    assert codes(report) == {"SHEET_TOO_LARGE"}
    assert "1048576行×16384列" in report.issues[0].message


def test_a_formula_in_a_score_cell_of_an_xlsb_is_warned(tmp_path: Path) -> None:
    from tests.hostile.xlsb import as_xlsb

    base = fill_template(tmp_path / "base.xlsx")
    cell = score_cell(base, "1.1")
    as_xlsb(base, tmp_path / "in" / "a.xlsb", frozenset({cell}))
    report = check(tmp_path / "in")["a.xlsb"]
    assert report.status is FileStatus.ACCEPTED, report.issues
    (issue,) = [i for i in report.issues if i.code == "FORMULA_IN_SCORE"]
    assert issue.cell == cell and issue.sheet == "评分表"
    # The same sheet without the formula: graded alike, with no warning.
    as_xlsb(base, tmp_path / "plain" / "a.xlsb")
    assert not check(tmp_path / "plain")["a.xlsb"].issues


def test_a_zip_of_a_version_python_cannot_read_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    """The fuzz (seed 25): a flipped byte in the central directory asks for zip version 13.2;
    zipfile raises NotImplementedError, which was a FILE_CRASHED."""
    data = bytearray(fill_template(tmp_path / "base.xlsx").read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (132).to_bytes(2, "little")  # version needed: 13.2
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xlsx").write_bytes(bytes(data))
    report = check(tmp_path / "in")["a.xlsx"]
    assert codes(report) == {"FILE_CORRUPT"}, report.issues
