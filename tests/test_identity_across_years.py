"""One identity rule across years: 汇总, 年度趋势, report.json and the notice agree.

The case that used to split: last year's result was imported by name only (no credit code),
this year's sheet for the same enterprise carries its code, and both years are 不合格.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from docx import Document

from fuling_batch.forms.samples import fictional_code
from fuling_batch.history import History, import_results
from fuling_batch.pipeline import run
from fuling_batch.rules.identity import YearIndex, identity_key, lineages
from fuling_batch.rules.models import Grade, YearRecord
from tests.conftest import FilledSheet
from tests.factories import STANDARD

NAME = "涪陵试验建材有限公司"
# Sections 三、四、五 at zero: 50 points, 不合格.
FAILING = {line.code: line.value for line in STANDARD.lines if line.section in (3, 4, 5)}


def _results_table(path: Path, rows: list[tuple[str, float, str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "总分", "等次"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def _table(ws, header: str) -> tuple[int, dict[str, int]]:
    """(header row, column index by header text) of a summary sheet."""
    for row in ws.iter_rows(min_row=1, max_row=6):
        texts = {str(c.value).replace("\n", ""): c.column for c in row if c.value is not None}
        if header in texts:
            return row[0].row, texts
    raise AssertionError(f"no header {header!r} in {ws.title}")


def _rows_naming(ws, header_row: int, name_col: int, name: str) -> list[tuple]:
    return [
        row
        for row in ws.iter_rows(min_row=header_row + 1, values_only=True)
        if row[name_col - 1] == name
    ]


def test_a_name_only_import_and_a_coded_sheet_are_one_enterprise(
    filled_sheet: FilledSheet, tmp_path: Path
) -> None:
    out = tmp_path / "output"
    db = tmp_path / "history.sqlite3"
    with History(db) as history:
        imported = import_results(
            history, _results_table(tmp_path / "2025.xlsx", [(NAME, 52.0, "不合格")]), 2025
        )
    assert imported.imported == 1
    sheet = filled_sheet(NAME, FAILING, serial=41)
    outcome = run(sheet.parent, 2026, out, history_path=db, processes=1)

    (result,) = outcome.results
    assert result.final_grade is Grade.FAIL and result.fail_streak == 2

    book = openpyxl.load_workbook(outcome.summary)
    overview = book["汇总"]
    header_row, cols = _table(overview, "连续不合格")
    (row,) = _rows_naming(overview, header_row, cols["企业名称"], NAME)
    assert row[cols["连续不合格"] - 1] == "连续两年（2025—2026）"

    trends = book["年度趋势"]
    header_row, cols = _table(trends, "连续不合格（年）")
    rows = _rows_naming(trends, header_row, cols["企业名称"], NAME)
    assert len(rows) == 1, "the trend sheet splits one enterprise in two"
    (row,) = rows
    assert row[cols["连续不合格（年）"] - 1] == 2
    assert row[cols["2025年等次"] - 1] == "不合格" and row[cols["2026年等次"] - 1] == "不合格"
    assert row[cols["统一社会信用代码"] - 1] == fictional_code(41)

    report = json.loads((outcome.year_dir / "report.json").read_text(encoding="utf-8"))
    (entry,) = report["results"]
    assert entry["consecutive_fail"] is True
    assert "调整" in entry["consequences"]
    assert "调整" in entry["notice"]
    assert any(i["code"] == "HISTORY_NAME_MATCH" for f in report["files"] for i in f["issues"])

    text = "\n".join(p.text for p in Document(outcome.year_dir / entry["notice"]).paragraphs)
    assert "2025年度考核得分为52分、等次为“不合格”" in text
    assert "连续两年考核不合格" in text


def _record(year: int, code: str, name: str, grade: Grade = Grade.FAIL) -> YearRecord:
    return YearRecord(year, identity_key(code, name), code, name, 50.0, grade)


def test_lineages_follow_the_same_matches_as_grading() -> None:
    code = fictional_code(3)
    records = [
        _record(2024, "", "甲公司"),  # imported without a code
        _record(2025, code, "甲公司"),  # the same enterprise, now with its code
        _record(2026, code, "甲集团"),  # renamed: the code carries it
        _record(2026, "", "乙公司"),
        _record(2024, fictional_code(4), "丙公司"),
        _record(2026, fictional_code(4), "丙公司"),  # a year without a record does not split it
    ]
    groups = lineages(records)
    assert sorted(sorted(by_year) for by_year in groups.values()) == [
        [2024, 2025, 2026],
        [2024, 2026],
        [2026],
    ]
    index = YearIndex([r for r in records if r.year == 2025])
    assert index.match(code, "甲集团").record == records[1]


def test_a_coded_sheet_does_not_take_another_enterprises_name_only_record_when_its_code_matches() -> (
    None
):
    code = fictional_code(5)
    coded = _record(2025, code, "丁公司")
    uncoded = _record(2025, "", "丁公司")
    index = YearIndex([coded, uncoded])
    assert index.match(code, "丁公司").record == coded
    # A name shared by two records is no match for a sheet without a code.
    assert index.match("", "丁公司").record is None
    assert index.match("", "丁公司").candidates == 2
