"""Importing an earlier year's results from a spreadsheet into the history."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fuling_batch.errors import UsageError
from fuling_batch.history.importer import import_results
from fuling_batch.history.store import History
from fuling_batch.rules.models import Grade
from tests.factories import credit_code, make_result, make_sheet

BAD_CODE = credit_code(2)[:17] + ("0" if credit_code(2)[17] != "0" else "1")


def workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def plain_results(path: Path) -> Path:
    return workbook(
        path,
        {
            "2025年考核结果": [
                ["企业名称", "统一社会信用代码", "考核年度", "总分", "等次"],
                ["甲建设集团有限公司", credit_code(1), 2025, 85, "合格"],  # row 2
                ["乙城投有限公司", BAD_CODE, 2025, 70, "基本合格"],
                ["丙水务有限公司", credit_code(3), 2025, "八十", "合格"],
                ["丁旅游开发有限公司", credit_code(4), 2025, 120, "合格"],
                ["戊交通建设有限公司", credit_code(5), 2025, 75, "良好"],
                ["己国有资产经营有限公司", "", 2025, "72.5", "基本合格"],  # row 7: name only
                ["庚农业投资有限公司", credit_code(7), "2025", 50, " 不合格 "],
                ["甲建设集团有限公司（重复）", credit_code(1), 2025, 81, "合格"],
                ["辛港务有限公司", credit_code(9), 2024, 66, "基本合格"],
                ["", "", 2025, 66, "基本合格"],  # row 11: nobody
            ]
        },
    )


def test_good_rows_are_stored_and_bad_rows_are_located_errors(tmp_path: Path) -> None:
    path = plain_results(tmp_path / "上年结果.xlsx")
    with History(tmp_path / "h.sqlite3") as history:
        outcome = import_results(history, path, 2025)
        rows = history.rows(year=2025)
    assert outcome.year == 2025 and outcome.imported == 3
    assert [(i.code, i.sheet, i.cell) for i in outcome.issues] == [
        ("IMPORT_BAD_CODE", "2025年考核结果", "B3"),
        ("IMPORT_BAD_TOTAL", "2025年考核结果", "D4"),
        ("IMPORT_BAD_TOTAL", "2025年考核结果", "D5"),
        ("IMPORT_BAD_GRADE", "2025年考核结果", "E6"),
        ("IMPORT_DUPLICATE", "2025年考核结果", "B9"),
        ("IMPORT_WRONG_YEAR", "2025年考核结果", "C10"),
        ("IMPORT_NO_IDENTITY", "2025年考核结果", "B11"),
    ]
    assert all(i.is_error and i.file == "上年结果.xlsx" for i in outcome.issues)
    assert "校验位" in outcome.issues[0].message
    assert "0到100" in outcome.issues[2].message
    assert "合格、基本合格或不合格" in outcome.issues[3].message

    by_name = {r["enterprise"]: r for r in rows}
    assert set(by_name) == {"甲建设集团有限公司", "己国有资产经营有限公司", "庚农业投资有限公司"}
    first = by_name["甲建设集团有限公司"]
    assert (first["key"], first["total"], first["final_grade"]) == (credit_code(1), 85, "合格")
    assert first["origin"] == "import" and first["raw_grade"] is None
    assert first["source_file"] == "上年结果.xlsx"
    assert first["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert by_name["己国有资产经营有限公司"]["key"] == "己国有资产经营有限公司"
    assert by_name["己国有资产经营有限公司"]["total"] == 72.5
    assert by_name["庚农业投资有限公司"]["final_grade"] == "不合格"


def summary_shaped(
    path: Path, rows: list[tuple[str, int, float, str, str]], year: int = 2025
) -> Path:
    """Like the tool's summary: title row, header row, data, then totals rows; more sheets."""
    header = [
        "排名", "企业名称", "统一社会信用代码", "党组织名称", "党组织书记", "行政主要负责人",
        "一、规范组织设置（8分）", "总分", "按总分等次", "▲未达标项", "最终等次", "处理意见",
    ]  # fmt: skip
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本表由 fuling-batch 生成"])
    detail = wb.create_sheet("明细")  # also qualifies, but 汇总 is preferred
    detail.append(["统一社会信用代码", "总分", "等次"])
    detail.append([credit_code(99), 10, "不合格"])
    ws = wb.create_sheet("汇总")
    ws.append([f"{year}年度涪陵区国有企业党组织规范化建设考核结果汇总表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for rank, (name, serial, total, raw, final) in enumerate(rows, 1):
        code = credit_code(serial) if serial else ""
        ws.append(
            [rank, name, code, f"中共{name}委员会", "张三", "李四", 8, total, raw, "", final, ""]
        )
    count = len(rows)
    ws.append(["", "合计", "", "", "", "", "", f"=SUM(H3:H{count + 2})", "", "", "", ""])
    ws.append(["", "平均分", "", "", "", "", "", 70.25, "", "", "", ""])
    ws.append(["", "合格：1家", "", "", "", "", "", "", "", "", "", ""])
    ws.append(["合计", "", "", "", "", "", "", 281, "", "", "", ""])
    ws.append(["", "不合格", "", "", "", "", "", 1, "", "", "", ""])
    ws.append([])
    ws.append(["注：本表按总分排序。"])
    wb.save(path)
    return path


SUMMARY_ROWS = [
    ("甲建设集团有限公司", 1, 92.5, "合格", "合格"),
    ("乙城投有限公司", 2, 85, "合格", "基本合格"),
    ("丙水务有限公司", 3, 66, "基本合格", "基本合格"),
    ("丁旅游开发有限公司", 4, 40, "不合格", "不合格"),
]


def test_a_summary_workbook_of_this_tool_imports_without_noise(tmp_path: Path) -> None:
    path = summary_shaped(tmp_path / "2025年汇总.xlsx", SUMMARY_ROWS)
    with History(tmp_path / "h.sqlite3") as history:
        outcome = import_results(history, path, 2025)
        rows = history.rows(year=2025)
    assert outcome.issues == ()
    assert outcome.imported == 4
    assert [(r["enterprise"], r["total"], r["final_grade"]) for r in rows] == sorted(
        [(name, total, final) for name, _, total, _, final in SUMMARY_ROWS],
        key=lambda row: credit_code(next(s for n, s, *_ in SUMMARY_ROWS if n == row[0])),
    )
    second = next(r for r in rows if r["credit_code"] == credit_code(2))
    assert second["final_grade"] == "基本合格"  # 最终等次, not 按总分等次
    assert (second["party_org"], second["secretary"], second["admin_head"]) == (
        "中共乙城投有限公司委员会", "张三", "李四",
    )  # fmt: skip
    assert credit_code(99) not in {r["credit_code"] for r in rows}


def test_reimport_replaces_the_years_imported_rows_and_keeps_run_rows(tmp_path: Path) -> None:
    first = summary_shaped(tmp_path / "a.xlsx", SUMMARY_ROWS)
    second = summary_shaped(
        tmp_path / "b.xlsx",
        [
            ("乙城投有限公司", 2, 55, "不合格", "不合格"),
            ("戊交通建设有限公司", 5, 81, "合格", "合格"),
        ],
    )
    with History(tmp_path / "h.sqlite3") as history:
        history.record_year(2024, [make_result(serial=1, year=2024)], datetime(2024, 12, 1))
        import_results(history, first, 2025)
        again = import_results(history, second, 2025)
        assert again.imported == 2
        assert {(r.credit_code, r.grade) for r in history.records(year=2025)} == {
            (credit_code(2), Grade.FAIL),
            (credit_code(5), Grade.PASS),
        }
        assert len(history.rows(year=2024)) == 1  # another year is untouched

        # A year graded from score sheets wins over an import of the same year.
        history.record_year(2025, [make_result(serial=2, year=2025)], datetime(2025, 12, 1))
        third = import_results(history, second, 2025)
        assert third.imported == 1
        assert [(i.code, i.cell, i.is_error) for i in third.issues] == [
            ("IMPORT_KEPT_RUN", "C3", False)
        ]
        stored = {r["credit_code"]: r["origin"] for r in history.rows(year=2025)}
        assert stored == {credit_code(2): "run", credit_code(5): "import"}


def test_an_import_with_no_good_row_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with History(db) as history:
        import_results(history, summary_shaped(tmp_path / "a.xlsx", SUMMARY_ROWS), 2025)
    before = list(sqlite3.connect(db).iterdump())
    bad = workbook(
        tmp_path / "bad.xlsx",
        {"Sheet1": [["说明"], ["统一社会信用代码", "总分", "等次"], [BAD_CODE, 80, "合格"]]},
    )
    no_header = workbook(tmp_path / "none.xlsx", {"Sheet1": [["企业", "分数"], ["甲", 80]]})
    empty = workbook(tmp_path / "empty.xlsx", {"Sheet1": [["企业名称", "总分", "等次"]]})
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a workbook")
    with History(db) as history:
        bad_outcome = import_results(history, bad, 2025)
        none_outcome = import_results(history, no_header, 2025)
        empty_outcome = import_results(history, empty, 2025)
        garbage_outcome = import_results(history, garbage, 2025)
        with pytest.raises(UsageError, match="找不到"):
            import_results(history, tmp_path / "missing.xlsx", 2025)
    assert list(sqlite3.connect(db).iterdump()) == before
    assert (bad_outcome.imported, [(i.code, i.cell) for i in bad_outcome.issues]) == (
        0, [("IMPORT_BAD_CODE", "A3")],
    )  # fmt: skip
    assert [i.code for i in none_outcome.issues] == ["IMPORT_NO_HEADER"]
    assert "统一社会信用代码" in none_outcome.issues[0].message
    assert [i.code for i in empty_outcome.issues] == ["IMPORT_EMPTY"]
    assert [(i.code, i.file) for i in garbage_outcome.issues] == [
        ("IMPORT_UNREADABLE", "garbage.xlsx")
    ]


def test_imported_last_year_drives_previous_and_the_consecutive_rule(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "2025.xlsx",
        {"结果": [["企业名称", "总分", "等次"], ["名称导入有限公司", 50, "不合格"]]},
    )
    with History(tmp_path / "h.sqlite3") as history:
        import_results(history, path, 2025)
        sheet = make_sheet(enterprise="名称导入有限公司", serial=40)
        found, issues = history.previous([sheet], 2026)
    assert found[sheet.key].grade is Grade.FAIL
    assert [i.code for i in issues] == ["HISTORY_NAME_MATCH"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_a_legacy_xls_file_is_read(tmp_path: Path) -> None:
    source = summary_shaped(tmp_path / "old.xlsx", SUMMARY_ROWS[:2])
    outdir = tmp_path / "xls"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xls", "--outdir", str(outdir), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with History(tmp_path / "h.sqlite3") as history:
        outcome = import_results(history, outdir / "old.xls", 2025)
        assert outcome.imported == 2 and outcome.issues == ()
        assert {r.credit_code for r in history.records()} == {credit_code(1), credit_code(2)}


def test_the_summary_workbook_this_tool_writes_round_trips(tmp_path: Path) -> None:
    from fuling_batch.config import Config
    from fuling_batch.summary.workbook import write_summary
    from tests.factories import STANDARD

    fail = {line.code: 0.0 for line in STANDARD.lines if line.section in (2, 3, 4)}
    results = [
        make_result(enterprise="甲建设集团有限公司", serial=1, year=2025),
        make_result({"3.2": 1}, enterprise="乙城投有限公司", serial=2, year=2025),
        make_result(fail, enterprise="丙水务有限公司", serial=3, year=2025),
        make_result({"8.1": 0}, enterprise="丁无代码有限公司", code="", year=2025),
    ]
    book = write_summary(tmp_path / "out", 2025, results, [], [], STANDARD, Config())
    with History(tmp_path / "h.sqlite3") as history:
        outcome = import_results(history, book, 2025)
        stored = {r.key: (r.total, r.grade) for r in history.records(year=2025)}
    assert outcome.issues == ()
    assert outcome.imported == 4
    assert stored == {r.key: (r.total, r.final_grade) for r in results}
    assert stored[credit_code(2)] == (99, Grade.BASIC)  # 最终等次, not 初评等次


def test_the_history_commands_import_and_show(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fuling_batch.cli import main

    source = summary_shaped(tmp_path / "2025.xlsx", SUMMARY_ROWS)
    db = tmp_path / "h.sqlite3"
    runner = CliRunner()
    imported = runner.invoke(
        main, ["history", "import", str(source), "--year", "2025", "--history", str(db)]
    )
    assert imported.exit_code == 0, imported.output
    shown = runner.invoke(main, ["history", "show", "--history", str(db), "--code", credit_code(4)])
    assert shown.exit_code == 0, shown.output
    assert "丁旅游开发有限公司" in shown.output and "不合格" in shown.output
    assert "甲建设集团有限公司" not in shown.output
    bad = workbook(
        tmp_path / "bad.xlsx", {"S": [["统一社会信用代码", "总分", "等次"], [BAD_CODE, 80, "合格"]]}
    )
    failed = runner.invoke(
        main, ["history", "import", str(bad), "--year", "2025", "--history", str(db)]
    )
    assert failed.exit_code == 1
    with History(db) as history:
        assert len(history.rows(year=2025)) == 4  # the failed import changed nothing


@pytest.mark.parametrize(
    ("sheet", "title", "year", "warned"),
    [
        ("结果", "2026年度国有企业党组织规范化建设考核汇总表", 2025, "A1"),  # the title says 2026
        ("结果", "2025年度国有企业党组织规范化建设考核汇总表", 2025, None),
        ("2026年考核结果", None, 2025, ""),  # no title row: the sheet's name says 2026
        ("2025年考核结果", None, 2025, None),
        ("结果", None, 2025, None),  # nothing names a year
    ],
)
def test_a_title_naming_another_year_is_a_warning(
    tmp_path: Path, sheet: str, title: str | None, year: int, warned: str | None
) -> None:
    rows: list[list[Any]] = [[title]] if title else []
    rows += [
        ["企业名称", "统一社会信用代码", "总分", "等次"],
        ["甲公司", credit_code(1), 85, "合格"],
    ]
    path = workbook(tmp_path / "结果.xlsx", {sheet: rows})
    with History(tmp_path / "h.sqlite3") as history:
        outcome = import_results(history, path, year)
    assert outcome.imported == 1  # still imported, for the year asked
    found = [i for i in outcome.issues if i.code == "IMPORT_TITLE_YEAR"]
    if warned is None:
        assert not found
    else:
        [issue] = found
        assert issue.cell == warned and not issue.is_error
        assert "2026年" in issue.message and "--year 2026" in issue.message
