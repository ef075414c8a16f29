"""`template` (blank or pre-filled from a roster) and `notice-template`: the files they write."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from docx import Document

from fuling_batch.notices.render import check_template
from fuling_batch.notices.template import template_bytes
from tests.factories import credit_code
from tests.forms.test_roster import make_roster
from tests.forms.test_template import header_cells, table_layout

from .conftest import Invoke

HEADER = ["企业名称", "统一社会信用代码", "考核年度", "党组织名称"]
HEADER += ["党组织书记", "行政主要负责人", "考核日期", "考核组成员"]
TABLE = ["编号", "评分标准", "重点项", "分值", "得分", "扣分说明"]


def values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.mark.parametrize(
    ("args", "target"),
    [((), "templates/score_template.xlsx"), (("--out", "模板/评分表.xlsx"), "模板/评分表.xlsx")],
)
def test_template_writes_the_score_sheet(
    cli: Invoke, tmp_path: Path, template_file: Path, args, target
):
    done = cli("template", *args)
    assert done.exit_code == 0, done
    assert done.stdout == f"已生成评分表模板：{target}\n" and done.stderr == ""
    written = tmp_path / target
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["评分表", "填表说明", "_meta"]
    ws = wb["评分表"]
    assert ws["A1"].value == "涪陵区国有企业党组织规范化建设考核评分表"
    cells = header_cells(ws)
    assert list(cells) == HEADER
    assert all(ws[cell].value is None for cell in cells.values())  # nothing pre-filled
    row, columns = table_layout(ws)
    assert list(columns) == TABLE and row == 7
    codes = [ws.cell(r, columns["编号"]).value for r in range(row + 1, ws.max_row + 1)]
    assert (
        "1.1" in codes
        and "4.1.4" in codes
        and [c for c in codes if c][-3:] == ["合计", "考核组成员签字：", "日期："]
    )
    total_row = range(row + 1, ws.max_row + 1)[codes.index("合计")]
    assert ws.cell(total_row, columns["分值"]).value == 100
    # The same workbook the library writes (the fixture), cell for cell.
    assert values(written) == values(template_file)


def test_template_with_a_year_prefills_it(cli: Invoke, tmp_path: Path):
    done = cli("template", "--out", "t.xlsx", "--year", 2026)
    assert done.exit_code == 0, done
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["评分表"]
    cells = header_cells(ws)
    assert ws[cells["考核年度"]].value == 2026
    assert ws[cells["企业名称"]].value is None


def test_template_from_a_roster_prefills_one_sheet_per_enterprise(cli: Invoke, tmp_path: Path):
    roster = make_roster(
        tmp_path / "名册.xlsx",
        [
            [
                1,
                "甲建设集团有限公司",
                credit_code(1),
                "中共甲建设集团有限公司委员会",
                "张三",
                "李四",
            ],
            [2, "乙水务有限公司", credit_code(2), "中共乙水务有限公司委员会", "王五", "赵六"],
        ],
    )
    done = cli("template", "--roster", roster, "--year", 2026, "--out", "预填")
    assert done.exit_code == 0, done
    assert done.stdout == "已生成预填评分表 2 份，名册问题 0 条。\n"
    assert done.stderr == ""
    written = sorted(p.name for p in (tmp_path / "预填").iterdir())
    assert written == [
        "2026年度评分表_乙水务有限公司.xlsx",
        "2026年度评分表_甲建设集团有限公司.xlsx",
    ]
    ws = openpyxl.load_workbook(tmp_path / "预填" / written[1])["评分表"]
    cells = header_cells(ws)
    got = {label: ws[cells[label]].value for label in HEADER}
    assert got == {
        "企业名称": "甲建设集团有限公司",
        "统一社会信用代码": credit_code(1),
        "考核年度": 2026,
        "党组织名称": "中共甲建设集团有限公司委员会",
        "党组织书记": "张三",
        "行政主要负责人": "李四",
        "考核日期": None,
        "考核组成员": None,
    }


def test_template_from_a_roster_defaults_to_output_folder(cli: Invoke, tmp_path: Path):
    roster = make_roster(tmp_path / "名册.xlsx", [[1, "甲公司", credit_code(1)]], title=False)
    done = cli("template", "--roster", roster)
    assert done.exit_code == 0, done
    written = [p.name for p in (tmp_path / "output" / "预填评分表").iterdir()]
    assert written == ["评分表_甲公司.xlsx"]


@pytest.mark.parametrize(
    ("row", "status", "written", "severity", "fragment"),
    [
        (
            [2, "乙公司", credit_code(2)[:-1] + "#"],
            1,
            1,
            "错误",
            "名册第5行（乙公司）的统一社会信用代码",
        ),
        ([2, "", credit_code(2)], 1, 1, "错误", "名册第5行缺少企业名称"),
        ([2, "丙公司", None], 0, 2, "警告", "名册第5行（丙公司）缺少统一社会信用代码"),
    ],
)
def test_roster_problems_are_listed_and_set_the_exit_status(
    cli: Invoke, tmp_path: Path, row, status, written, severity, fragment
):
    roster = make_roster(tmp_path / "名册.xlsx", [[1, "甲公司", credit_code(1)], row])
    done = cli("template", "--roster", roster, "--out", "预填")
    assert done.exit_code == status, done
    assert done.stdout == f"已生成预填评分表 {written} 份，名册问题 1 条。\n"
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"{severity} {roster}") and fragment in line
    assert len(list((tmp_path / "预填").iterdir())) == written


@pytest.mark.parametrize(
    ("args", "target"),
    [((), "templates/notice.docx.j2"), (("--out", "通知书/模板.docx"), "通知书/模板.docx")],
)
def test_notice_template_writes_the_word_template(cli: Invoke, tmp_path: Path, args, target):
    done = cli("notice-template", *args)
    assert done.exit_code == 0, done
    assert done.stdout == f"已生成通知书模板：{target}\n" and done.stderr == ""
    written = tmp_path / target
    assert written.read_bytes() == template_bytes()
    text = [p.text for p in Document(str(written)).paragraphs]
    assert "{{ number }}" in text and "{{ addressee }}：" in text
    assert {"一、考核结果", "二、处理决定", "三、整改要求"} <= set(text)
    assert check_template(written).path == written  # the tool accepts what it wrote
