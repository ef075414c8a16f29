"""Roster → pre-filled score sheets, on real roster workbooks written with openpyxl."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from fuling_batch.errors import UsageError
from fuling_batch.forms.roster import read_roster, write_prefilled
from fuling_batch.forms.template import SHEET_NAME
from fuling_batch.rules.issues import Severity
from tests.factories import credit_code
from tests.forms.test_template import header_cells

HEAD = ["序号", "企业名称", "统一社会信用代码", "党组织名称", "党组织书记", "行政主要负责人"]
LONG = "重庆市涪陵区" + "国有资本投资运营管理" * 12 + "有限公司"
BAD = credit_code(3)[:-1] + ("0" if credit_code(3)[-1] != "0" else "1")


def make_roster(path: Path, rows: list[list[object]], title: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    if title:
        ws.append(["2026年度国有企业党组织考核名册"])
        ws.append([])
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    rows: list[list[object]] = [
        [
            1,
            "涪陵建设集团有限公司",
            credit_code(1),
            "中共涪陵建设集团有限公司委员会",
            "张三",
            "李四",
        ],
        [2, "坏代码公司", BAD, "", "王五", "赵六"],  # row 5
        [None, None, None, None, None, None],  # blank: skipped silently
        [4, 'A/B:C*D?"E"<F>|G\\H公司', credit_code(4), "", "", ""],
        [5, "CON", credit_code(5), "", "", ""],
        [6, LONG, credit_code(6), "", "", ""],
        [7, "同名公司", credit_code(7), "", "", ""],
        [8, "同名公司", credit_code(8), "", "", ""],
        [9, "重复代码公司", credit_code(1), "", "", ""],  # row 12: duplicate of row 4
        [10, None, credit_code(10), "", "", ""],  # row 13: no name
        [11, "全角代码公司", " " + credit_code(11).translate(_FULLWIDTH), "", "", ""],
    ]
    return make_roster(tmp_path / "名册.xlsx", rows)


_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def test_bad_rows_are_reported_with_their_cell_and_not_written(
    roster: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    outcome = write_prefilled(roster, out, year=2026)
    by_code = {issue.code: issue for issue in outcome.issues}
    assert set(by_code) == {
        "ROSTER_BAD_CREDIT_CODE",
        "ROSTER_DUPLICATE_CREDIT_CODE",
        "ROSTER_MISSING_NAME",
    }
    assert all(issue.severity is Severity.ERROR for issue in outcome.issues)
    bad = by_code["ROSTER_BAD_CREDIT_CODE"]
    assert (bad.file, bad.sheet, bad.cell) == (str(roster), "名册", "C5")
    assert "第5行" in bad.message and "校验位" in bad.message and BAD in bad.message
    dup = by_code["ROSTER_DUPLICATE_CREDIT_CODE"]
    assert dup.cell == "C12" and "第4行" in dup.message
    assert by_code["ROSTER_MISSING_NAME"].cell == "B13"

    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in outcome.written)
    assert len(names) == 7
    assert not any("坏代码" in n or "重复代码" in n for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_file_names_are_safe_on_windows_and_distinct(roster: Path, tmp_path: Path) -> None:
    outcome = write_prefilled(roster, tmp_path / "out", year=2026)
    stems = [p.stem for p in outcome.written]
    for stem in stems:
        assert not re.search(r'[\\/:*?"<>|]', stem)
        assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
        assert len(stem) <= 90
        assert stem.startswith("2026年度评分表_")
    assert "2026年度评分表_涪陵建设集团有限公司" in stems
    same = [s for s in stems if "同名公司" in s]
    assert len(same) == 2 and len(set(same)) == 2
    assert any(s.startswith("2026年度评分表_A_B_C_D_") for s in stems)
    assert any("国有资本投资运营管理" in s for s in stems)


def test_prefilled_values_are_in_the_header_value_cells(roster: Path, tmp_path: Path) -> None:
    outcome = write_prefilled(roster, tmp_path / "out", year=2026)
    first = openpyxl.load_workbook(outcome.written[0])[SHEET_NAME]
    cells = header_cells(first)
    assert first[cells["企业名称"]].value == "涪陵建设集团有限公司"
    assert first[cells["统一社会信用代码"]].value == credit_code(1)
    assert first[cells["党组织名称"]].value == "中共涪陵建设集团有限公司委员会"
    assert first[cells["党组织书记"]].value == "张三"
    assert first[cells["行政主要负责人"]].value == "李四"
    assert first[cells["考核年度"]].value == 2026
    assert first[cells["考核日期"]].value is None
    # the long name is kept whole inside the sheet even though the file name is cut
    full = next(p for p in outcome.written if "国有资本投资运营管理" in p.stem)
    ws = openpyxl.load_workbook(full)[SHEET_NAME]
    assert ws[header_cells(ws)["企业名称"]].value == LONG
    # a full-width code with spaces is normalised, not rejected
    fw = next(p for p in outcome.written if "全角代码公司" in p.stem)
    ws = openpyxl.load_workbook(fw)[SHEET_NAME]
    assert ws[header_cells(ws)["统一社会信用代码"]].value == credit_code(11)


def test_without_year_names_have_no_year_and_year_cell_stays_blank(tmp_path: Path) -> None:
    roster = make_roster(tmp_path / "r.xlsx", [[1, "甲公司", credit_code(1)]], title=False)
    outcome = write_prefilled(roster, tmp_path / "out")
    assert [p.name for p in outcome.written] == ["评分表_甲公司.xlsx"]
    assert outcome.issues == ()
    ws = openpyxl.load_workbook(outcome.written[0])[SHEET_NAME]
    assert ws[header_cells(ws)["考核年度"]].value is None


def test_numeric_code_cell_gets_a_text_format_hint(tmp_path: Path) -> None:
    roster = make_roster(tmp_path / "r.xlsx", [[1, "数字公司", 915001021234567890]])
    outcome = write_prefilled(roster, tmp_path / "out", year=2026)
    assert outcome.written == ()
    [issue] = outcome.issues
    assert issue.code == "ROSTER_BAD_CREDIT_CODE" and issue.cell == "C4"
    assert "文本格式" in issue.message


def test_missing_code_is_a_warning_and_the_sheet_is_written(tmp_path: Path) -> None:
    roster = make_roster(tmp_path / "r.xlsx", [[1, "无代码公司", None, "", "周七"]])
    outcome = write_prefilled(roster, tmp_path / "out", year=2026)
    [issue] = outcome.issues
    assert (issue.code, issue.severity, issue.cell) == (
        "ROSTER_MISSING_CREDIT_CODE",
        Severity.WARNING,
        "C4",
    )
    assert len(outcome.written) == 1


def test_roster_without_header_row_is_an_issue(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["甲公司", credit_code(1)])
    wb.save(tmp_path / "r.xlsx")
    outcome = write_prefilled(tmp_path / "r.xlsx", tmp_path / "out")
    assert outcome.written == ()
    assert [i.code for i in outcome.issues] == ["ROSTER_NO_HEADER"]
    assert "企业名称" in outcome.issues[0].message
    assert not (tmp_path / "out").exists()


def test_header_found_with_moved_columns_and_spaced_labels(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])
    ws.append([None, "统一社会 信用代码", None, "企业名称 "])
    ws.append([None, credit_code(2), None, "乙公司"])
    wb.save(tmp_path / "r.xlsx")
    entries, issues = read_roster(tmp_path / "r.xlsx")
    assert issues == []
    assert [(e.row, e.name, e.values["统一社会信用代码"]) for e in entries] == [
        (3, "乙公司", credit_code(2))
    ]


def test_unreadable_roster_is_an_issue_and_missing_roster_a_usage_error(tmp_path: Path) -> None:
    junk = tmp_path / "r.xlsx"
    junk.write_bytes(b"not a workbook")
    outcome = write_prefilled(junk, tmp_path / "out")
    assert [i.code for i in outcome.issues] == ["ROSTER_UNREADABLE"]
    with pytest.raises(UsageError):
        write_prefilled(tmp_path / "missing.xlsx", tmp_path / "out")


def test_a_long_party_organisation_name_wraps_in_a_taller_row(tmp_path: Path) -> None:
    org = "中共重庆市涪陵区国有资本投资运营管理集团有限责任公司第一届委员会"
    path = make_roster(tmp_path / "r.xlsx", [[1, "长名企业有限公司", credit_code(1), org, "张三", "李四"],
                                             [2, "短名企业有限公司", credit_code(2), "中共短名委员会", "王五", "赵六"]])  # fmt: skip
    outcome = write_prefilled(path, tmp_path / "out", year=2026)
    heights = {}
    for written in outcome.written:
        ws = openpyxl.load_workbook(written)[SHEET_NAME]
        cell = ws[header_cells(ws)["党组织名称"]]
        assert cell.alignment.wrap_text  # shown whole, on several lines
        heights[ws[header_cells(ws)["企业名称"]].value] = ws.row_dimensions[cell.row].height
    # 30 characters in a column of about 15: three lines, the short name one.
    assert heights["长名企业有限公司"] >= 3 * 14
    assert heights["短名企业有限公司"] < 23  # the usual 22 pt
