"""The 呈批表: rows to sign, the columns leadership needs, readable on A4 across."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.layout import LANDSCAPE_TEXT_W
from fuling_batch.notices.render import write_notices
from fuling_batch.notices.signoff import SIGN_OFF_COLUMNS, cell_chars, sign_off_name
from fuling_batch.notices.titles import text_width
from fuling_batch.rules.models import Grade, GradeResult, PreviousRecord
from tests.factories import STANDARD, make_result

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_MM = 1440 / 25.4


def _zero(*sections: int) -> dict[str, float]:
    return {line.code: 0 for line in STANDARD.lines if line.section in sections}


def _results() -> list[GradeResult]:
    return [
        make_result(
            _zero(2, 3, 4),
            enterprise="涪陵示例供应链集团有限公司",
            serial=1,
            previous=PreviousRecord(2025, 55.5, Grade.FAIL),
        ),
        make_result(
            _zero(3, 4) | {"3.10": 0},
            enterprise="重庆市涪陵区国有资本运营管理集团有限责任公司",
            serial=2,
            previous=PreviousRecord(2025, 85, Grade.PASS),
        ),
        make_result({"4.1.1": 2}, enterprise="涪陵示例能源有限公司", serial=3),
    ]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("signoff")
    records = write_notices(
        out, 2026, _results(), STANDARD, NoticeConfig(), issue_date=dt.date(2026, 11, 24)
    )
    return out / "notices" / sign_off_name(2026), records


def _rows(table: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_a4_across_with_the_title_on_one_line(sheet: tuple) -> None:
    doc = Document(str(sheet[0]))
    size = doc.sections[0]._sectPr.find(f"{W}pgSz")
    assert (size.get(f"{W}w"), size.get(f"{W}h"), size.get(f"{W}orient")) == (
        "16838",
        "11906",
        "landscape",
    )
    title = doc.paragraphs[0]
    assert title.text == "2026年度国有企业党组织规范化建设考核通知书呈批表"
    assert title.style.name == "公文标题" and doc.styles["公文标题"].font.size.pt == 22
    assert text_width(title.text) * 22 * 20 <= LANDSCAPE_TEXT_W  # one line of 247 mm


def test_rows_to_sign_each_with_its_date(sheet: tuple) -> None:
    doc = Document(str(sheet[0]))
    block = _rows(doc.tables[0])
    assert [row[0] for row in block] == ["事由", "签发", "会签", "核稿", "拟稿"]
    assert "考核通知书3份" in block[0][1] and "另附调整建议函1件" in block[0][1]
    for row in block[1:]:
        assert row[1] == "" and row[2] == "日期" and row[3].replace("\u3000", "") == "年月日"
    heights = [row._tr.trPr.find(f"{W}trHeight") for row in doc.tables[0].rows[1:]]
    assert [round(int(h.get(f"{W}val")) / TWIPS_PER_MM) for h in heights] == [30, 20, 14, 14]


def test_the_list_has_the_columns_leadership_needs(sheet: tuple) -> None:
    path, records = sheet
    rows = _rows(Document(str(path)).tables[-1])
    assert rows[0] == ["文号", "企业", "总分", "等次", "上年等次", "▲未达标", "处理"]
    by_name = {r.enterprise: r for r in _results()}
    for row, record in zip(rows[1:], records, strict=True):
        result = by_name[record.enterprise]
        assert row[0] == record.number
        assert row[1].replace("\n", "") == record.enterprise
        assert row[2] == f"{result.total:g}" and row[3] == str(result.final_grade)
        assert row[4] == (str(result.previous.grade) if result.previous else "无记录")
        codes = row[5].replace("\n", "").split("、")
        assert codes == (list(result.triangle_not_met) or ["无"])
    assert rows[1][6].split("\n") == [
        "组织诫勉；",
        "纳入后进党组织重点整顿；",
        "建议调整书记或行政主要负责人",
    ]
    assert rows[-1][6] == "谈话提醒"


def test_no_cell_wraps_inside_a_word(sheet: tuple) -> None:
    doc = Document(str(sheet[0]))
    table = doc.tables[-1]
    grid = [int(c.get(f"{W}w")) for c in table._tbl.tblGrid.findall(f"{W}gridCol")]
    assert grid == [round(mm * TWIPS_PER_MM) for _, mm in SIGN_OFF_COLUMNS]
    assert abs(sum(grid) - LANDSCAPE_TEXT_W) <= len(grid)  # the width of the page's block
    assert doc.styles["表格五号"].font.size.pt == 10.5
    for row in _rows(table):
        for text, (_, mm) in zip(row, SIGN_OFF_COLUMNS, strict=True):
            # Every line was broken here, by phrase, to fit: Word has nothing left to wrap.
            for line in text.split("\n"):
                assert text_width(line) <= cell_chars(mm), (line, mm)
    names = [row[1] for row in _rows(table)]
    assert "重庆市涪陵区\n国有资本运营管理\n集团有限责任公司" in names  # cut by name parts
    assert "涪陵示例供应链集团有限公司" in names  # a name that fits stays whole
    codes = _rows(table)[1][5].split("\n")  # 16 ▲ codes, on lines of whole codes
    assert len(codes) >= 4 and all(
        code.count(".") == 1 for line in codes for code in line.split("、") if code
    )
