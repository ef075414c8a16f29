"""Each check on a real filled template: status, stable code and the exact cell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl.worksheet.worksheet import Worksheet

from fuling_batch.config import GradingConfig
from fuling_batch.intake.check import check_folder
from fuling_batch.rules.models import FileReport, FileStatus
from tests.factories import credit_code
from tests.intake.files.builders import STANDARD, fill_template

BIG = next(line for line in STANDARD.lines if line.value >= 5)  # room for "4.5"
KEY_LINE = next(line for line in STANDARD.lines if line.key)
PLAIN_LINE = next(line for line in STANDARD.lines if not line.key)
Edit = Callable[[Worksheet, dict[str, int]], object]


def put(ws: Worksheet, row: int, col: int, value: object) -> None:
    ws.cell(row, col).value = value


def check_one(
    tmp_path: Path, year: int | None = 2026, **fill: Any
) -> tuple[FileReport, dict[str, int]]:
    folder = tmp_path / "in"
    captured: dict[str, int] = {}
    user_edit: Edit | None = fill.pop("edit", None)

    def edit(ws: Worksheet, rows: dict[str, int]) -> None:
        captured.update(rows)
        if user_edit:
            user_edit(ws, rows)

    fill_template(folder / "sheet.xlsx", edit=edit, **fill)
    (report,) = check_folder(folder, year, STANDARD, GradingConfig())
    return report, captured


def codes(report: FileReport) -> set[tuple[str, str]]:
    return {(i.code, i.cell) for i in report.issues}


def test_full_marks_accepted_and_read(tmp_path: Path) -> None:
    report, rows = check_one(tmp_path)
    assert report.status is FileStatus.ACCEPTED
    assert report.issues == ()
    sheet = report.sheet
    assert sheet is not None
    assert [s.code for s in sheet.scores] == [line.code for line in STANDARD.lines]
    assert sum(s.score for s in sheet.scores) == STANDARD.total
    assert sheet.by_code["1.1"].cell == f"E{rows['1.1']}"
    assert sheet.by_code["1.1"].remark_cell == f"F{rows['1.1']}"
    assert sheet.header.enterprise == "涪陵示例企业1有限公司"
    assert sheet.header.credit_code == credit_code(1)
    assert sheet.header.year == 2026
    assert dict(sheet.header.cells)["统一社会信用代码"] == "F2"
    assert dict(sheet.header.cells)["企业名称"] == "B2"
    assert sheet.sheet == "评分表"
    assert len(sheet.sha256) == 64


# (case id, fill kwargs, expected status, issue code, cell as a function of the code rows)
CASES: list[tuple[str, dict[str, Any], FileStatus, str, Callable[[dict[str, int]], str]]] = [
    (
        "blank",
        {"scores": {"1.2": None}},
        FileStatus.REJECTED,
        "SCORE_BLANK",
        lambda r: f"E{r['1.2']}",
    ),
    (
        "over",
        {"scores": {"2.1": 5}},
        FileStatus.REJECTED,
        "SCORE_OUT_OF_RANGE",
        lambda r: f"E{r['2.1']}",
    ),
    (
        "negative",
        {"scores": {"2.2": -0.5}},
        FileStatus.REJECTED,
        "SCORE_OUT_OF_RANGE",
        lambda r: f"E{r['2.2']}",
    ),
    (
        "ref",
        {"scores": {"1.3": "#REF!"}},
        FileStatus.REJECTED,
        "SCORE_ERROR_VALUE",
        lambda r: f"E{r['1.3']}",
    ),
    (
        "chinese",
        {"scores": {"1.4": "五"}},
        FileStatus.REJECTED,
        "SCORE_NOT_NUMBER",
        lambda r: f"E{r['1.4']}",
    ),
    (
        "nan",
        {"scores": {"1.4": "nan"}},
        FileStatus.REJECTED,
        "SCORE_NOT_NUMBER",
        lambda r: f"E{r['1.4']}",
    ),
    (
        "inf",
        {"scores": {"1.4": "inf"}},
        FileStatus.REJECTED,
        "SCORE_NOT_NUMBER",
        lambda r: f"E{r['1.4']}",
    ),
    (
        "underscore",
        {"scores": {"1.4": "1_000"}},
        FileStatus.REJECTED,
        "SCORE_NOT_NUMBER",
        lambda r: f"E{r['1.4']}",
    ),
    (
        "bool",
        {"scores": {"1.4": True}},
        FileStatus.REJECTED,
        "SCORE_NOT_NUMBER",
        lambda r: f"E{r['1.4']}",
    ),
    *[
        (
            f"text-{i}",
            {"scores": {BIG.code: text}, "remarks": {BIG.code: "扣分"}},
            FileStatus.ACCEPTED,
            "SCORE_TEXT",
            lambda r: f"E{r[BIG.code]}",
        )
        for i, text in enumerate(["4.5", " 3 ", "４.５", "4分"])
    ],
    (
        "step",
        {"scores": {BIG.code: 4.3}},
        FileStatus.ACCEPTED,
        "SCORE_STEP",
        lambda r: f"E{r[BIG.code]}",
    ),
    (
        "no-remark",
        {"scores": {"1.5": 0.5}, "remarks": {"1.5": None}},
        FileStatus.ACCEPTED,
        "REMARK_MISSING",
        lambda r: f"F{r['1.5']}",
    ),
    (
        "value-changed",
        {"edit": lambda ws, r: put(ws, r["1.6"], 4, 2)},
        FileStatus.REJECTED,
        "VALUE_CHANGED",
        lambda r: f"D{r['1.6']}",
    ),
    (
        # TRUE equals 1 in Python; item 1.1 is worth 1 point, and a boolean is still no value.
        "value-boolean",
        {"edit": lambda ws, r: put(ws, r["1.1"], 4, True)},
        FileStatus.REJECTED,
        "VALUE_CHANGED",
        lambda r: f"D{r['1.1']}",
    ),
    (
        "key-removed",
        {"edit": lambda ws, r: put(ws, r[KEY_LINE.code], 3, "")},
        FileStatus.REJECTED,
        "KEY_CHANGED",
        lambda r: f"C{r[KEY_LINE.code]}",
    ),
    (
        "key-added",
        {"edit": lambda ws, r: put(ws, r[PLAIN_LINE.code], 3, "▲")},
        FileStatus.REJECTED,
        "KEY_CHANGED",
        lambda r: f"C{r[PLAIN_LINE.code]}",
    ),
    (
        "code-missing",
        {"edit": lambda ws, r: put(ws, r["5.3"], 1, None)},
        FileStatus.REJECTED,
        "CODE_MISSING",
        lambda r: "A7",
    ),
    (
        "code-repeated",
        {"edit": lambda ws, r: put(ws, r["5.4"], 1, "5.3")},
        FileStatus.REJECTED,
        "CODE_REPEATED",
        lambda r: f"A{r['5.4']}",
    ),
    (
        "code-unknown",
        {"edit": lambda ws, r: put(ws, r["5.4"], 1, "9.9")},
        FileStatus.REJECTED,
        "CODE_UNKNOWN",
        lambda r: f"A{r['5.4']}",
    ),
    (
        "code-number",
        {"edit": lambda ws, r: put(ws, r["1.2"], 1, 1.2)},
        FileStatus.ACCEPTED,
        "CODE_NUMERIC",
        lambda r: f"A{r['1.2']}",
    ),
    (
        "code-ambiguous",
        {"edit": lambda ws, r: put(ws, r["3.1"], 1, 3.1)},
        FileStatus.REJECTED,
        "CODE_AMBIGUOUS",
        lambda r: f"A{r['3.1']}",
    ),
    ("year", {"header": {"考核年度": 2025}}, FileStatus.REJECTED, "YEAR_MISMATCH", lambda r: "B3"),
    (
        "year-text",
        {"header": {"考核年度": "去年"}},
        FileStatus.REJECTED,
        "YEAR_INVALID",
        lambda r: "B3",
    ),
    (
        "credit-bad",
        {"header": {"统一社会信用代码": credit_code(1)[:17] + "0"}},
        FileStatus.REJECTED,
        "CREDIT_CODE_INVALID",
        lambda r: "F2",
    ),
    (
        "credit-missing",
        {"header": {"统一社会信用代码": None}},
        FileStatus.ACCEPTED,
        "CREDIT_CODE_MISSING",
        lambda r: "F2",
    ),
    (
        "name-missing",
        {"header": {"企业名称": None}},
        FileStatus.REJECTED,
        "HEADER_MISSING",
        lambda r: "B2",
    ),
    (
        "secretary-missing",
        {"header": {"党组织书记": "  "}},
        FileStatus.REJECTED,
        "HEADER_MISSING",
        lambda r: "B4",
    ),
    (
        "head-missing",
        {"header": {"行政主要负责人": None}},
        FileStatus.REJECTED,
        "HEADER_MISSING",
        lambda r: "F4",
    ),
    (
        "typed-subtotal",
        {"edit": lambda ws, r: put(ws, r["1.8"] + 1, 5, 99)},
        FileStatus.ACCEPTED,
        "TOTAL_MISMATCH",
        lambda r: f"E{r['1.8'] + 1}",
    ),
]


@pytest.mark.parametrize(
    ("fill", "status", "code", "cell"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_check(
    tmp_path: Path,
    fill: dict[str, Any],
    status: FileStatus,
    code: str,
    cell: Callable[[dict[str, int]], str],
) -> None:
    report, rows = check_one(tmp_path, **fill)
    assert report.status is status, report.issues
    assert (code, cell(rows)) in codes(report), report.issues
    found = next(i for i in report.issues if i.code == code)
    assert found.file == "sheet.xlsx"
    assert found.sheet == "评分表"
    assert found.message  # Chinese, how to fix
    if status is FileStatus.ACCEPTED:
        assert report.sheet is not None


def test_text_number_is_read_as_its_value(tmp_path: Path) -> None:
    report, _ = check_one(tmp_path, scores={BIG.code: "４.５"}, remarks={BIG.code: "扣分"})
    assert report.sheet is not None
    assert report.sheet.by_code[BIG.code].score == 4.5


def test_year_not_checked_without_year(tmp_path: Path) -> None:
    report, _ = check_one(tmp_path, year=None, header={"考核年度": 2025})
    assert report.status is FileStatus.ACCEPTED
    assert report.sheet is not None and report.sheet.header.year == 2025
