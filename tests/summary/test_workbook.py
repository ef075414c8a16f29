"""The district summary workbook: written for real, read back with openpyxl, checked cell by cell."""

from __future__ import annotations

import dataclasses
import math
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from fuling_batch.config import Config, NoticeConfig
from fuling_batch.errors import OutputError
from fuling_batch.rules.issues import Issue
from fuling_batch.rules.models import (
    FileReport,
    FileStatus,
    Grade,
    GradeResult,
    PreviousRecord,
    YearRecord,
)
from fuling_batch.runtime import tricks
from fuling_batch.summary.printing import MIN_SCALE
from fuling_batch.summary.stats import ranked
from fuling_batch.summary.workbook import SHEET_NAMES, summary_filename, write_summary
from tests.factories import STANDARD, make_result

YEAR = 2026
HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(1)", "-1+1", "+1", "http://example.com"]
FAIL_SCORES = {line.code: 0.0 for line in STANDARD.lines if line.section in (3, 4, 5)}  # total 50


def _record(result: GradeResult, year: int, total: float, grade: Grade) -> YearRecord:
    return YearRecord(year, result.key, result.credit_code, result.enterprise, total, grade)


def _this_year(result: GradeResult) -> YearRecord:
    return _record(result, YEAR, result.total, result.final_grade)


@pytest.fixture(scope="module")
def data() -> dict:
    prev_full = PreviousRecord(YEAR - 1, 95.0, Grade.PASS, "城投集团")
    prev_fail = PreviousRecord(YEAR - 1, 55.0, Grade.FAIL, "旧名称水务公司")
    full = make_result(enterprise="城投集团", serial=1, previous=prev_full)
    downgraded = make_result({"2.3": 2.0, "4.1.2": 2.0}, enterprise="交旅集团", serial=2)
    failing = make_result(FAIL_SCORES, enterprise="水务公司", serial=3, previous=prev_fail)
    # Two enterprises with the same total: ranked by credit code, sharing rank.
    tie_b = make_result({"8.1": 2.0}, enterprise="乙公司", serial=5)
    tie_a = make_result({"8.2": 0.0}, enterprise="甲公司", serial=4)
    hostile = [
        make_result({"7.5": 1.0}, enterprise=name, serial=10 + i, remarks={"7.5": "=1+2"})
        for i, name in enumerate(HOSTILE)
    ]
    results = [tie_b, failing, hostile[0], full, downgraded, tie_a, *hostile[1:]]
    records = [_this_year(r) for r in results]
    records += [
        _record(full, YEAR - 2, 88.0, Grade.PASS),
        _record(full, YEAR - 1, 95.0, Grade.PASS),
        YearRecord(YEAR - 2, failing.key, failing.credit_code, "旧名称水务公司", 50.0, Grade.FAIL),
        YearRecord(YEAR - 1, failing.key, failing.credit_code, "旧名称水务公司", 55.0, Grade.FAIL),
        _record(downgraded, YEAR - 2, 70.0, Grade.BASIC),  # no record last year
        YearRecord(YEAR - 1, "closed-key", "", "已注销公司", 65.0, Grade.BASIC),
    ]
    reports = [
        FileReport(
            "b.xlsx",
            FileStatus.REJECTED,
            (
                Issue.error(
                    "SCORE_RANGE", "得分超出范围，请填写0至分值之间的数", sheet="评分表", cell="F20"
                ),
            ),
        ),
        FileReport(
            "a.xlsx",
            FileStatus.ACCEPTED,
            (
                Issue.warning(
                    "SCORE_TEXT", "得分以文本录入，已按数字读取", sheet="评分表", cell="F12"
                ),
                Issue.warning(
                    "TOTAL_MISMATCH", "表内合计与程序计算不一致", sheet="评分表", cell="F70"
                ),
            ),
        ),
        FileReport("~$lock.xlsx", FileStatus.SKIPPED),
        FileReport("c.xlsx", FileStatus.ACCEPTED),
    ]
    config = Config(notices=NoticeConfig(authority="测试制表单位党委"))
    return {
        "results": results,
        "records": records,
        "reports": reports,
        "config": config,
        "full": full,
        "downgraded": downgraded,
        "failing": failing,
        "ties": (tie_a, tie_b),
    }


def _write(data: dict, out_dir: Path, **changes: object) -> Path:
    args = {k: data[k] for k in ("results", "reports", "records", "config")} | changes
    return write_summary(
        out_dir, YEAR, args["results"], args["reports"], args["records"], STANDARD, args["config"]
    )


@pytest.fixture(scope="module")
def book(data: dict, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = _write(data, tmp_path_factory.mktemp("summary"))
    assert path.name == summary_filename(YEAR) == "2026年度国有企业党组织规范化建设考核汇总表.xlsx"
    return openpyxl.load_workbook(path)


def _header(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


def _data_rows(ws: Worksheet, header_row: int, count: int) -> list[list[object]]:
    return [[c.value for c in ws[r]] for r in range(header_row + 1, header_row + 1 + count)]


def test_sheets_titles_and_print_setup(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == list(SHEET_NAMES)
    grouped = {"汇总", "分项得分"}  # printed in groups of columns, not fitted to the width
    for ws in book.worksheets:
        # A title across the repeated columns would print a slice of itself on every page.
        assert "2026年度" in ws["C1" if ws.title in grouped else "A1"].value
        assert "测试制表单位党委" in ws["A2"].value
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        # 统计's tables are short and its charts have a page of their own: a first table's
        # header repeated over the charts would be wrong.
        assert bool(ws.print_title_rows) == (ws.title != "统计"), ws.title
        assert ws["A3"].font.name == "宋体"
        # A known scale, never "fit to one page wide": 10 pt text prints at 8 pt or more.
        setup = ws.sheet_properties.pageSetUpPr
        assert setup is None or not setup.fitToPage
        assert MIN_SCALE <= ws.page_setup.scale <= 100
        if ws.title in grouped:
            assert ws.print_title_cols == "$A:$B"  # 排名 and 企业名称 on every page
            assert ws.col_breaks.brk, "more than one page across"
    overview = book["汇总"]
    assert overview.freeze_panes == "C4"
    assert overview.auto_filter.ref == "A3:V13"
    assert book["分项得分"].freeze_panes == "C6"  # 分值 and ▲ rows above the codes


def test_overview_ranks_grades_and_history(book: openpyxl.Workbook, data: dict) -> None:
    ws = book["汇总"]
    sections = [f"{s.numeral}、{s.name}\n（{s.cap:g}分）" for s in STANDARD.sections]
    assert _header(ws, 3) == [
        "排名", "企业名称", "统一社会信用代码", "党组织名称", *sections, "总分（100分）", "初评等次",
        "▲未达标项", "最终等次", "处理意见", "上年总分", "上年等次", "变化", "连续不合格", "上年整改情况",
    ]  # fmt: skip
    results = data["results"]
    rows = _data_rows(ws, 3, len(results))
    totals = [row[12] for row in rows]
    assert totals == sorted(totals, reverse=True)
    assert rows[0][1] == "城投集团" and rows[0][12] == 100
    assert rows[-1][1] == "水务公司"
    by_name = {row[1]: row for row in rows}
    for r in results:
        row = by_name[r.enterprise]
        assert row[2] == r.credit_code
        assert row[3] == r.sheet.header.party_org
        assert row[4:12] == list(r.section_scores)
        assert row[12] == r.total
        assert (row[13], row[15]) == (str(r.raw_grade), str(r.final_grade))
    tie_a, tie_b = data["ties"]
    assert tie_a.total == tie_b.total
    ia, ib = rows.index(by_name["甲公司"]), rows.index(by_name["乙公司"])
    assert ib == ia + 1 and rows[ia][0] == rows[ib][0] == ia + 1  # shared rank, code order
    assert by_name["交旅集团"][13:21] == [
        "合格", "2.3、4.1", "基本合格", "谈话提醒", None, "无记录", None, "否",
    ]  # fmt: skip
    assert by_name["水务公司"][13:21] == [
        "不合格", "3.1、3.2、3.3、3.4、3.7、3.9、4.1、4.2、4.4、4.5、4.6、5.1、5.2、5.3、5.4、5.6",
        "不合格", "组织诫勉、重点整顿、调整", 55, "不合格", -5, "连续两年（2025—2026）",
    ]  # fmt: skip
    assert by_name["城投集团"][14:21] == ["无", "合格", "无", 95, "合格", 5, "否"]
    # No 整改 was recorded last year: the 上年整改情况 column says so.
    assert {row[21] for row in rows} == {"—"}
    # Footer: averages, then counts under 初评等次 (N) and 最终等次 (P).
    foot = 3 + len(results) + 1
    assert ws.cell(foot, 2).value == f"区平均（{len(results)}家）"
    assert ws.cell(foot, 13).value == pytest.approx(sum(r.total for r in results) / len(results))
    assert ws.cell(foot, 5).value == pytest.approx(
        sum(r.section_scores[0] for r in results) / len(results)
    )
    counts = {
        ws.cell(foot + k, 2).value: (ws.cell(foot + k, 14).value, ws.cell(foot + k, 16).value)
        for k in range(1, 5)
    }
    final = {g: sum(r.final_grade is g for r in results) for g in Grade}
    raw = {g: sum(r.raw_grade is g for r in results) for g in Grade}
    assert counts == {
        "合格（家）": (raw[Grade.PASS], final[Grade.PASS]),
        "基本合格（家）": (raw[Grade.BASIC], final[Grade.BASIC]),
        "不合格（家）": (raw[Grade.FAIL], final[Grade.FAIL]),
        "合计": (len(results), len(results)),
    }
    assert final[Grade.BASIC] == raw[Grade.BASIC] + 1  # the ▲ downgrade is visible


def test_grade_cells_are_coloured_and_numbers_have_one_decimal(book: openpyxl.Workbook) -> None:
    ws = book["汇总"]
    colours = {}
    for row in ws.iter_rows(min_row=4, max_row=13):
        colours[row[15].value] = row[15].fill.fgColor.rgb
        assert row[12].number_format == "0.0"
        assert row[4].number_format == "0.0"
    assert colours == {"合格": "FFC6EFCE", "基本合格": "FFFFEB9C", "不合格": "FFFFC7CE"}


def test_line_scores_sheet(book: openpyxl.Workbook, data: dict) -> None:
    ws = book["分项得分"]
    lines = STANDARD.lines
    assert len(lines) == 58
    assert _header(ws, 5) == ["排名", "企业名称", *(line.code for line in lines), "总分"]
    assert _header(ws, 3)[2:] == [*(line.value for line in lines), STANDARD.total]
    assert _header(ws, 4)[2:-1] == ["▲" if line.key else None for line in lines]
    results = data["results"]
    rows = _data_rows(ws, 5, len(results))
    for (rank, r), row in zip(ranked(results), rows, strict=True):
        assert row[:2] == [rank, r.enterprise]
        assert row[2:-1] == [r.sheet.by_code[line.code].score for line in lines]
        assert row[-1] == r.total
    average, full_rate = (_header(ws, 5 + len(results) + k) for k in (1, 2))
    col = 2 + [line.code for line in lines].index("2.3")
    scores = [r.sheet.by_code["2.3"].score for r in results]
    assert (average[1], full_rate[1]) == ("区平均", "满分率")
    assert average[col] == pytest.approx(sum(scores) / len(scores))
    assert full_rate[col] == pytest.approx(sum(s == 3 for s in scores) / len(scores))
    # Whole percentages: "100.0%" would not fit the score column and show as ###.
    assert ws.cell(5 + len(results) + 2, col + 1).number_format == "0%"
    # Each printed page holds whole sections: a page break only before a section's first line.
    starts = {2 + i for i, line in enumerate(lines) if i and line.section != lines[i - 1].section}
    breaks = {b.id for b in ws.col_breaks.brk}
    assert breaks and breaks <= starts


def test_deductions_one_row_per_line_below_full(book: openpyxl.Workbook, data: dict) -> None:
    ws = book["扣分明细"]
    assert _header(ws, 3) == ["企业名称", "编号", "评分内容", "分值", "得分", "扣分", "扣分说明"]
    expected = [
        (r.enterprise, line.code)
        for _, r in ranked(data["results"])
        for line in STANDARD.lines
        if r.sheet.by_code[line.code].score < line.value
    ]
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True) if row[0] is not None]
    assert [(row[0], row[1]) for row in rows] == expected
    row = next(row for row in rows if row[:2] == ("交旅集团", "4.1.2"))
    assert row[2:] == (
        f"{STANDARD.item('4.1').short}——支委会（3分）", 3, 2, 1, "4.1.2资料不全",
    )  # fmt: skip
    row = next(row for row in rows if row[:2] == ("+1", "7.5"))
    assert row[3:] == (2, 1, 1, "=1+2")


def test_triangle_rows_and_their_consequence(book: openpyxl.Workbook, data: dict) -> None:
    ws = book["▲未达标明细"]
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True) if row[0] is not None]
    assert len(rows) == sum(len(r.triangle_not_met) for r in data["results"])
    by_key = {(row[0], row[1]): row for row in rows}
    assert by_key[("交旅集团", "2.3")][3:] == (
        3, 2, "2.3得2分/满分3分", 98, "合格", "基本合格", "合格→基本合格（降级）",
    )  # fmt: skip
    assert by_key[("交旅集团", "4.1")][3:6] == (11, 10, "4.1.2支委会（3分）得2分/满分3分")
    failing = by_key[("水务公司", "4.1")]
    assert failing[4] == 0 and failing[9] == "无降级影响（按总分已为不合格）"
    assert failing[5].count("；") == 3  # all four parts of 三会一课 fell short
    assert {row[1] for row in rows if row[0] == "城投集团"} == set()


def test_statistics_sheet_and_charts(book: openpyxl.Workbook, data: dict) -> None:
    ws = book["统计"]
    results = data["results"]
    n = len(results)
    grades = {row[0]: row[1:5] for row in ws.iter_rows(min_row=4, max_row=6, values_only=True)}
    for g in Grade:
        final = sum(r.final_grade is g for r in results)
        raw = sum(r.raw_grade is g for r in results)
        assert grades[str(g)] == pytest.approx((final, final / n, raw, raw / n))
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "部分") + 1
    for i, section in enumerate(STANDARD.sections):
        title, cap, avg, rate, full = rows[start + i][:5]
        expected = sum(r.section_scores[i] for r in results) / n
        assert (title, cap) == (section.title, section.cap)
        assert avg == pytest.approx(expected) and rate == pytest.approx(expected / section.cap)
        assert full == sum(r.section_scores[i] == section.cap for r in results)
    weak = next(i for i, row in enumerate(rows) if row[0] == "评分内容") + 1
    weakest = [row for row in rows[weak : weak + 10]]
    rates = [row[3] for row in weakest]
    assert len(weakest) == 10 and rates == sorted(rates)
    worst = min(
        STANDARD.lines,
        key=lambda ln: sum(r.sheet.by_code[ln.code].score for r in results) / ln.value,
    )
    assert weakest[0][0].startswith(f"{worst.code} ")
    assert len(ws._charts) == 2


def test_trend_sheet_across_three_years(book: openpyxl.Workbook, data: dict) -> None:
    ws = book["年度趋势"]
    assert _header(ws, 3) == [
        "企业名称", "统一社会信用代码", "2024年\n总分", "2024年\n等次", "2025年\n总分", "2025年\n等次",
        "2026年\n总分", "2026年\n等次", "较上年变化", "连续不合格（年）",
    ]  # fmt: skip
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True)]
    by_name = {row[0]: row for row in rows[: len(data["results"]) + 1]}
    assert by_name["城投集团"][2:] == (88, "合格", 95, "合格", 100, "合格", 5, 0)
    # The latest name is shown; three 不合格 years in a row.
    assert by_name["水务公司"][2:] == (50, "不合格", 55, "不合格", 50, "不合格", -5, 3)
    assert by_name["交旅集团"][2:] == (70, "基本合格", None, None, 98, "基本合格", None, 0)
    assert by_name["已注销公司"][2:] == (None, None, 65, "基本合格", None, None, None, 0)
    assert rows[len(data["results"])][0] == "已注销公司"  # after this year's enterprises
    district = next(i for i, row in enumerate(rows) if row[0] == "年度")
    years = {row[0]: row[1:6] for row in rows[district + 1 : district + 4]}
    results = data["results"]
    assert years["2024年"] == pytest.approx((3, (88 + 50 + 70) / 3, 1, 1, 1))
    assert years["2025年"] == pytest.approx((3, (95 + 55 + 65) / 3, 1, 1, 1))
    final = [sum(r.final_grade is g for r in results) for g in Grade]
    assert years["2026年"] == pytest.approx(
        (len(results), sum(r.total for r in results) / len(results), *final)
    )
    assert len(ws._charts) == 2


def test_trend_with_a_single_year(data: dict, tmp_path: Path) -> None:
    results = data["results"][:3]
    path = _write(data, tmp_path, results=results, records=[_this_year(r) for r in results])
    ws = openpyxl.load_workbook(path)["年度趋势"]
    assert _header(ws, 3) == [
        "企业名称", "统一社会信用代码", "2026年\n总分", "2026年\n等次", "较上年变化", "连续不合格（年）",
    ]  # fmt: skip
    rows = [row for row in ws.iter_rows(min_row=4, max_row=6, values_only=True)]
    assert {row[0]: row[2:] for row in rows}["水务公司"] == (50, "不合格", None, 1)
    assert len(ws._charts) == 2


def test_issue_rows_for_every_file(book: openpyxl.Workbook) -> None:
    ws = book["校验问题"]
    # A Chinese category for each finding; the stable code in a narrow last column (a code
    # this version does not declare, as SCORE_RANGE here, is 其他).
    assert _header(ws, 3) == [
        "文件",
        "工作表",
        "单元格",
        "级别",
        "类别",
        "说明",
        "文件状态",
        "代码",
    ]
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True) if row[0] is not None]
    assert rows == [
        ("a.xlsx", "评分表", "F12", "警告", "得分填写", "得分以文本录入，已按数字读取", "已接收", "SCORE_TEXT"),
        ("a.xlsx", "评分表", "F70", "警告", "得分填写", "表内合计与程序计算不一致", "已接收", "TOTAL_MISMATCH"),
        ("b.xlsx", "评分表", "F20", "错误", "其他", "得分超出范围，请填写0至分值之间的数", "已退回", "SCORE_RANGE"),
        ("~$lock.xlsx", None, None, None, None, "（未记录具体问题）", "已跳过", None),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "sheet, col", [("汇总", 2), ("分项得分", 2), ("扣分明细", 1), ("年度趋势", 1)]
)
def test_hostile_names_stay_literal_text(book: openpyxl.Workbook, sheet: str, col: int) -> None:
    ws = book[sheet]
    cells = {c.value: c for c in ws.iter_cols(min_col=col, max_col=col, min_row=4).__next__()}
    for name in HOSTILE:
        assert cells[name].data_type == "s"
        assert cells[name].value == name
    assert not ws._hyperlinks


def test_same_inputs_give_identical_bytes(data: dict, tmp_path: Path) -> None:
    first = _write(data, tmp_path / "one")
    second = _write(data, tmp_path / "two")
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        assert any(name.startswith("xl/charts/chart") for name in a.namelist())
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
        assert b"2026-12-31T00:00:00Z" in a.read("docProps/core.xml")


def test_value_too_long_is_an_error_and_keeps_the_previous_file(data: dict, tmp_path: Path) -> None:
    path = _write(data, tmp_path)
    before = path.read_bytes()
    giant = "巨" * 40_000
    results = [*data["results"], make_result(enterprise=giant, serial=99)]
    with pytest.raises(OutputError, match=r"企业“巨{30}…”.*32767"):
        _write(data, tmp_path, results=results)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_no_enterprises_still_gives_a_workbook(data: dict, tmp_path: Path) -> None:
    path = _write(data, tmp_path, results=[], records=[])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEET_NAMES)
    assert book["汇总"]["B4"].value == "区平均（0家）"
    assert book["统计"]["B7"].value == 0
    assert len(book["校验问题"]["A"]) > 4


# Values the fast row path must escape or keep exactly: XML specials, control characters,
# Excel's own _xHHHH_ escapes, edge white space (ASCII and ideographic), text that looks like
# rich-text XML.
TRICKY = [
    "A&B<C>D\"E'",
    "响铃\x07字符",
    "_x0041_字面",
    " 前后空格 ",
    "\u3000全角空格",
    "<r><t>富文本</t></r>",
    "第一行\n第二行",
]


@pytest.fixture(scope="module")
def both_paths(data: dict, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same workbook written by the fast row path and by xlsxwriter's per-cell path."""
    tricky = [
        make_result({"6.1": 1.0}, enterprise=name, serial=30 + i, remarks={"6.1": name})
        for i, name in enumerate(TRICKY)
    ]
    results = [*data["results"], *tricky]
    records = [*data["records"], *(_this_year(r) for r in tricky)]
    paths = []
    for fast in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(tricks.ENV, "" if fast else "fastrows")
            out = tmp_path_factory.mktemp("fast" if fast else "per_cell")
            paths.append(_write(data, out, results=results, records=records))
    return paths[0], paths[1]


def _cells(ws: Worksheet) -> list[tuple[object, ...]]:
    return [
        (
            c.coordinate,
            c.value,
            c.data_type,
            c.number_format,
            c.fill.fgColor.rgb,
            c.font.b,
            c.font.color.rgb if c.font.color else None,
            c.alignment.wrap_text,
            c.alignment.horizontal,
            c.border.left.style,
        )
        for row in ws.iter_rows()
        for c in row
    ]


def test_fast_rows_hold_what_the_per_cell_path_holds(both_paths: tuple[Path, Path]) -> None:
    fast, per_cell = (openpyxl.load_workbook(p) for p in both_paths)
    assert fast.sheetnames == per_cell.sheetnames

    # openpyxl does not undo Excel's "_x005F" escape in inline strings, which xlsxwriter's
    # per-cell path writes in constant_memory mode (Excel and LibreOffice show the text as
    # typed: "a_x0041_b" converted to CSV by LibreOffice reads "a_x0041_b" from both files).
    def per_cell_shows(text: object) -> object:
        return text.replace("_x0041_", "_x005F_x0041_") if isinstance(text, str) else text

    for a, b in zip(fast.worksheets, per_cell.worksheets, strict=True):
        cells_a, cells_b = _cells(a), _cells(b)
        assert len(cells_a) == len(cells_b)
        for ca, cb in zip(cells_a, cells_b, strict=True):
            assert (ca[0], per_cell_shows(ca[1]), *ca[2:]) == cb, a.title
        heights = {n: d.height for n, d in a.row_dimensions.items() if d.height}
        assert heights == {n: d.height for n, d in b.row_dimensions.items() if d.height}
        assert any(h > 15 for h in heights.values())  # wrapped rows are sized
        assert (a.freeze_panes, a.auto_filter.ref, a.dimensions) == (
            b.freeze_panes,
            b.auto_filter.ref,
            b.dimensions,
        )
        assert a.merged_cells.ranges == b.merged_cells.ranges
    # Chart anchors add up the row heights above them: the drawings are identical.
    with zipfile.ZipFile(both_paths[0]) as za, zipfile.ZipFile(both_paths[1]) as zb:
        drawings = [n for n in za.namelist() if n.startswith("xl/drawings/drawing")]
        assert drawings
        for name in drawings:
            assert za.read(name) == zb.read(name), name


def test_tricky_text_stays_literal_in_the_fast_path(both_paths: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(both_paths[0])
    names = {c.value: c for c in book["汇总"]["B"]}
    remarks = {c.value: c for c in book["扣分明细"]["G"]}
    for text in TRICKY:
        shown = text.replace("\x07", "_x0007_")  # Excel shows the control character itself
        assert names[shown].data_type == "s" and remarks[shown].data_type == "s"
    with zipfile.ZipFile(both_paths[0]) as z:
        assert "xl/sharedStrings.xml" in z.namelist()  # repeated texts are stored once


def test_a_number_that_is_not_finite_names_the_enterprise(data: dict, tmp_path: Path) -> None:
    broken = dataclasses.replace(make_result(enterprise="坏数据公司", serial=98), total=math.nan)
    with pytest.raises(OutputError, match=r"坏数据公司.*nan"):
        _write(data, tmp_path, results=[*data["results"], broken])
    assert list(tmp_path.iterdir()) == []


def test_ranking_is_by_final_grade_then_total() -> None:
    # The ▲ rule lowers a high total to 基本合格: it never ranks above a 合格 enterprise.
    high_basic = make_result({"2.3": 2}, enterprise="高分基本合格", serial=1)  # 99, ▲ not met
    passed = make_result({"1.8": 0, "3.5": 0, "6.2": 0}, enterprise="合格企业", serial=2)
    tied = make_result({"1.8": 0, "3.5": 0, "6.2": 0}, enterprise="并列合格", serial=3)
    failed = make_result(
        {line.code: 0 for line in STANDARD.lines[:30]}, enterprise="不合格", serial=4
    )
    assert high_basic.total > passed.total and high_basic.final_grade is Grade.BASIC
    order = ranked([failed, high_basic, tied, passed])
    assert [(rank, r.enterprise) for rank, r in order] == [
        (1, "合格企业"),  # ties share a rank, in credit-code order
        (1, "并列合格"),
        (3, "高分基本合格"),
        (4, "不合格"),
    ]
