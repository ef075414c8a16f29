"""The inspector's score sheet (评分表), written from the standard with xlsxwriter.

The layout follows the score-sheet contract (docs/architecture.md): a header block of label
cells, each with its value cell to the right, and an item table whose header row names 编号,
评分标准, 重点项, 分值, 得分 and 扣分说明. Every scorable line of :attr:`Standard.lines` is one row; codes are
text so ``1.10`` stays ``1.10``. Everything shown (codes, texts, values, ▲) is asked of the
:class:`Standard`; the grading rule on the 填表说明 sheet comes from the default
:class:`GradingConfig`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..config import GradingConfig
from ..rules.consequences import rule_sentence
from ..rules.models import HEADER_LABELS
from ..rules.standard import Item, Line, Standard, fmt_number, load_standard
from ..runtime.fileio import write_atomic
from .fit import wrapped_height

__all__ = [
    "GUIDE_SHEET", "HEADER_LABELS", "KEY_MARK", "META_SHEET", "SHEET_NAME", "TABLE_HEADERS",
    "TEMPLATE_VERSION", "main_template_path", "write_template",
]  # fmt: skip

SHEET_NAME = "评分表"
GUIDE_SHEET = "填表说明"
META_SHEET = "_meta"
TEMPLATE_VERSION = "1"
TABLE_HEADERS: tuple[str, ...] = ("编号", "评分标准", "重点项", "分值", "得分", "扣分说明")
KEY_MARK = "▲"

# Fixed document properties make the output byte-for-byte reproducible (the committed
# template is compared with what the code writes today).
_FIXED_TIME = dt.datetime(2017, 1, 1)
_FONT = "宋体"
# Column widths in Excel character units, in TABLE_HEADERS order.
_WIDTHS = (9, 72, 7, 7, 8, 34)
_CODE, _TEXT, _KEY, _VALUE, _SCORE, _REMARK = range(6)
_LAST_COL = len(TABLE_HEADERS) - 1
_HEADER_ROW0 = 1  # first row of the header block (row 0 is the title)
_TABLE_ROW = _HEADER_ROW0 + math.ceil(len(HEADER_LABELS) / 2) + 1  # one spacer row


def main_template_path() -> Path:
    """The repository's committed template (``templates/score_template.xlsx``)."""
    return Path(__file__).resolve().parents[2] / "templates" / "score_template.xlsx"


def write_template(
    path: Path,
    standard: Standard | None = None,
    header: Mapping[str, str | int] | None = None,
) -> Path:
    """Write the score sheet to ``path`` atomically and return ``path``.

    ``header`` pre-fills value cells, keyed by :data:`HEADER_LABELS` (unknown keys are a
    programming error). The same inputs always give the same bytes.
    """
    standard = standard or load_standard()
    values = dict(header or {})
    unknown = sorted(set(values) - set(HEADER_LABELS))
    if unknown:
        raise ValueError(f"unknown header labels: {unknown}")
    path = Path(path)
    return write_atomic(path, lambda tmp: _write(tmp, standard, values))


def _write(tmp: Path, standard: Standard, header: Mapping[str, str | int]) -> None:
    wb = xlsxwriter.Workbook(str(tmp))
    wb.set_properties(
        {
            "title": _sheet_title(standard),
            "subject": standard.title,
            "author": "fuling_batch",
            "company": "",
            "created": _FIXED_TIME,
            "comments": f"template {TEMPLATE_VERSION}, standard {standard.version}",
        }
    )
    styles = _Styles(wb)
    ws = wb.add_worksheet(SHEET_NAME)
    _write_score_sheet(ws, styles, standard, header)
    _write_guide(wb.add_worksheet(GUIDE_SHEET), styles, standard)
    _write_meta(wb.add_worksheet(META_SHEET), standard)
    ws.activate()
    wb.close()


class _Styles:
    """The cell formats of the workbook, built once."""

    def __init__(self, wb: Workbook) -> None:
        base: dict[str, Any] = {"font_name": _FONT, "font_size": 11, "valign": "vcenter"}
        box = {**base, "border": 1, "text_wrap": True}

        def fmt(**extra: Any) -> Any:
            return wb.add_format({**box, **extra})

        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.label = fmt(bold=True, align="center", bg_color="#F2F2F2")
        self.value = fmt(locked=False, num_format="@")
        self.value_year = fmt(locked=False, num_format="0", align="left")
        self.th = fmt(bold=True, align="center", bg_color="#D9E1F2")
        self.section = fmt(bold=True, bg_color="#EDEDED")
        self.code = fmt(align="center")
        self.text = fmt()
        self.part = fmt(indent=2)
        self.center = fmt(align="center")
        self.key = fmt(align="center", font_color="#C00000", bold=True)
        self.score = fmt(locked=False, align="center", bg_color="#FFFFF0")
        self.remark = fmt(locked=False)
        self.formula = fmt(align="center", bold=True)
        self.locked_cell = fmt(bg_color="#F2F2F2")
        self.total_label = fmt(bold=True, align="center")
        self.guide = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.guide_title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.amber = wb.add_format({"bg_color": "#FFD966"})
        self.red = wb.add_format({"font_color": "#C00000", "bold": True, "bg_color": "#FCE4E4"})
        self.sign_label = wb.add_format({**base, "bold": True, "align": "right"})
        self.sign_line = wb.add_format({**base, "bottom": 1, "align": "center"})


def _sheet_title(standard: Standard) -> str:
    base = standard.title.removesuffix("评分标准")
    return f"{base}考核评分表" if base != standard.title else f"{standard.title}（考核评分表）"


def _write_score_sheet(
    ws: Worksheet, st: _Styles, standard: Standard, header: Mapping[str, str | int]
) -> None:
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, _LAST_COL, _sheet_title(standard), st.title)
    _write_header_block(ws, st, header)
    ws.set_row(_TABLE_ROW - 1, 8)
    ws.set_row(_TABLE_ROW, 22)
    for col, name in enumerate(TABLE_HEADERS):
        ws.write_string(_TABLE_ROW, col, name, st.th)

    row = _TABLE_ROW + 1
    score_rows: list[int] = []  # rows of every scorable line, for conditional formats
    parents: list[tuple[int, int, int]] = []  # (row, first part row, last part row)
    subtotals: list[int] = []
    step = fmt_number(GradingConfig().score_step)
    for section in standard.sections:
        ws.set_row(row, 20)
        ws.merge_range(row, 0, row, _LAST_COL, section.title, st.section)
        row += 1
        section_lines: list[int] = []
        for item in section.items:
            if item.parts:
                parts = [ln for ln in standard.lines if ln.item.code == item.code]
                _write_parent_row(ws, st, row, item, row + 1, row + len(parts))
                parents.append((row, row + 1, row + len(parts)))
                row += 1
                lines = parts
            else:
                lines = [standard.line(item.code)]
            for line in lines:
                _write_line_row(ws, st, row, line, step)
                score_rows.append(row)
                section_lines.append(row)
                row += 1
        _write_sum_row(ws, st, row, "小计", section.cap, _runs(section_lines))
        subtotals.append(row)
        row += 1
    cells = ",".join(xl_rowcol_to_cell(r, _SCORE) for r in subtotals)
    _write_sum_row(ws, st, row, "合计", standard.total, cells)

    row = _write_signatures(ws, st, row + 2)

    _conditional_formats(ws, st, score_rows, parents)
    _page_setup(ws, standard, last_row=row)
    ws.ignore_errors({"number_stored_as_text": f"A{_TABLE_ROW + 2}:A{row + 1}"})
    ws.protect("", {"format_rows": True, "format_columns": True, "select_locked_cells": True})
    ws.freeze_panes(_TABLE_ROW + 1, 0)
    ws.set_selection(score_rows[0], _SCORE, score_rows[0], _SCORE)


SIGNATURE_LABEL = "考核组成员签字："
DATE_LABEL = "日期："


def _write_signatures(ws: Worksheet, st: _Styles, row: int) -> int:
    """The lines the 考核组 sign and date on paper, below the 合计; returns the last row.
    (Not a header label: ``考核组成员签字`` is not ``考核组成员``, so the reader passes it by.)"""
    for i, (label, line) in enumerate(((SIGNATURE_LABEL, ""), (DATE_LABEL, "年　　月　　日"))):
        ws.set_row(row + i, 36)
        ws.merge_range(row + i, _CODE, row + i, _TEXT, label, st.sign_label)
        ws.merge_range(row + i, _KEY, row + i, _REMARK, line, st.sign_line)
    return row + 1


def _write_sum_row(
    ws: Worksheet, st: _Styles, row: int, label: str, full: float, refs: str
) -> None:
    ws.set_row(row, 22)
    ws.merge_range(row, 0, row, _KEY, label, st.total_label)
    ws.write_number(row, _VALUE, full, st.formula)
    ws.write_formula(row, _SCORE, f"=SUM({refs})", st.formula)
    ws.write_blank(row, _REMARK, None, st.locked_cell)


def _write_header_block(ws: Worksheet, st: _Styles, header: Mapping[str, str | int]) -> None:
    """Labels two per row, in HEADER_LABELS order: label A → value B; label C:E (merged) → F."""
    heights: dict[int, float] = {}
    for i, label in enumerate(HEADER_LABELS):
        row = _HEADER_ROW0 + i // 2
        # A long pre-filled value (党组织名称, 考核组成员 from a roster) wraps in a taller row.
        text = str(header.get(label) or "")
        width = _WIDTHS[1] if i % 2 == 0 else _WIDTHS[_REMARK]
        heights[row] = max(heights.get(row, 22.0), wrapped_height(text, width) if text else 22.0)
        ws.set_row(row, heights[row])
        if i % 2 == 0:
            ws.write_string(row, 0, label, st.label)
            value_col = 1
        else:
            ws.merge_range(row, _KEY, row, _SCORE, label, st.label)
            value_col = _REMARK
        value = header.get(label)
        if isinstance(value, int) and not isinstance(value, bool):
            ws.write_number(row, value_col, value, st.value_year)
        elif value is not None and str(value) != "":
            ws.write_string(row, value_col, str(value), st.value)
        else:
            ws.write_blank(row, value_col, None, st.value)
        if label == "统一社会信用代码":
            ws.data_validation(
                xl_rowcol_to_cell(row, value_col),
                {
                    "validate": "length",
                    "criteria": "==",
                    "value": 18,
                    "input_title": "统一社会信用代码",
                    "input_message": "填写18位统一社会信用代码（见营业执照），不含空格。",
                    "error_title": "代码位数不对",
                    "error_message": "统一社会信用代码应为18位，请对照营业执照核对。",
                },
            )


def _write_parent_row(
    ws: Worksheet, st: _Styles, row: int, item: Item, first: int, last: int
) -> None:
    """An item scored in parts (4.1): its own row shows the sum of its parts, locked."""
    ws.set_row(row, wrapped_height(item.text, _WIDTHS[_TEXT]))
    ws.write_string(row, _CODE, item.code, st.code)
    ws.write_string(row, _TEXT, item.text, st.text)
    _write_key(ws, st, row, item.key)
    ws.write_number(row, _VALUE, item.value, st.center)
    first_cell = xl_rowcol_to_cell(first, _SCORE)
    last_cell = xl_rowcol_to_cell(last, _SCORE)
    ws.write_formula(row, _SCORE, f"=SUM({first_cell}:{last_cell})", st.formula)
    ws.write_string(row, _REMARK, "（按下列分项分别打分）", st.locked_cell)


def _write_line_row(ws: Worksheet, st: _Styles, row: int, line: Line, step: str) -> None:
    text = line.label or line.item.text
    ws.set_row(row, wrapped_height(text, _WIDTHS[_TEXT]))
    ws.write_string(row, _CODE, line.code, st.code)
    ws.write_string(row, _TEXT, text, st.part if line.label else st.text)
    _write_key(ws, st, row, line.key)
    ws.write_number(row, _VALUE, line.value, st.center)
    ws.write_blank(row, _SCORE, None, st.score)
    ws.write_blank(row, _REMARK, None, st.remark)
    full = fmt_number(line.value)
    ws.data_validation(
        xl_rowcol_to_cell(row, _SCORE),
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": int(line.value) if float(line.value).is_integer() else line.value,
            "input_title": f"{line.code} 得分（满分{full}分）",
            "input_message": f"填写0至{full}分，按{step}分步长；低于满分须在“扣分说明”写明原因。",
            "error_title": "得分超出范围",
            "error_message": f"得分应在0至{full}分之间，按{step}分步长填写（只填数字，不带“分”字）。",
        },
    )


def _write_key(ws: Worksheet, st: _Styles, row: int, key: bool) -> None:
    if key:
        ws.write_string(row, _KEY, KEY_MARK, st.key)
    else:
        ws.write_blank(row, _KEY, None, st.key)


def _conditional_formats(
    ws: Worksheet, st: _Styles, score_rows: list[int], parents: list[tuple[int, int, int]]
) -> None:
    """Amber: a deduction without a reason. Red: a ▲ line below its full value."""
    code, key, value, score, remark = (
        xl_col_to_name(c) for c in (_CODE, _KEY, _VALUE, _SCORE, _REMARK)
    )

    def rule(cols: tuple[str, str], rows: list[int], criteria: str, fmt: Any) -> None:
        # The formula is relative to the first cell of the first range; $ pins the columns.
        ranges = [f"{cols[0]}{r + 1}:{cols[1]}{r + 1}" for r in rows]
        options = {"type": "formula", "criteria": criteria, "format": fmt}
        ws.conditional_format(ranges[0], {**options, "multi_range": " ".join(ranges)})

    r = score_rows[0] + 1
    e, d = f"${score}{r}", f"${value}{r}"
    unexplained = f"=AND(ISNUMBER({e}),{e}<{d},LEN(TRIM(${remark}{r}))=0)"
    rule((score, remark), score_rows, unexplained, st.amber)
    below = f'=AND(${key}{r}="{KEY_MARK}",ISNUMBER({e}),{e}<{d})'
    rule((code, value), score_rows, below, st.red)
    # An item scored in parts: its SUM is a number even while the parts are blank, so it
    # turns red only once some part is filled in.
    for row, first, last in parents:
        r = row + 1
        parts = f"${score}{first + 1}:${score}{last + 1}"
        criteria = f'=AND(${key}{r}="{KEY_MARK}",COUNT({parts})>0,${score}{r}<${value}{r})'
        rule((code, value), [row], criteria, st.red)


def _page_setup(ws: Worksheet, standard: Standard, last_row: int) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    ws.set_header(f'&C&"{_FONT},常规"&9{_sheet_title(standard)}', margin=0.3)
    ws.set_footer(f'&C&"{_FONT},常规"&9第 &P 页，共 &N 页', margin=0.3)
    ws.repeat_rows(_TABLE_ROW)
    ws.print_area(0, 0, last_row, _LAST_COL)


def _write_guide(ws: Worksheet, st: _Styles, standard: Standard) -> None:
    ws.set_column(0, 0, 110)
    ws.set_row(0, 26)
    ws.write_string(0, 0, f"{_sheet_title(standard)}填表说明", st.guide_title)
    for i, paragraph in enumerate(_guide_text(standard), start=1):
        ws.set_row(i, wrapped_height(paragraph, 110) + 4)
        ws.write_string(i, 0, paragraph, st.guide)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.protect("", {"format_rows": True, "format_columns": True})


def _guide_text(standard: Standard) -> list[str]:
    """The instructions, derived from the standard and the default grading rules."""
    g = GradingConfig()
    step = fmt_number(g.score_step)
    keys = standard.key_items
    split = [item for item in standard.items if item.parts]
    split_text = "；".join(
        f"{item.code}按"
        + "、".join(f"{p.name}{fmt_number(p.value)}分" for p in item.parts)
        + f"分别打分，{item.code}行自动合计"
        for item in split
    )
    return [
        f"一、本表依据《{standard.title}》（版本{standard.version}）制作，共{len(standard.sections)}"
        f"部分{len(standard.items)}项，满分{fmt_number(standard.total)}分。每个企业填写一份，"
        "考核组填好后交区国资委党委汇总。",
        "二、表头：填写企业名称（全称）、统一社会信用代码（18位，见营业执照）、考核年度（四位数字，"
        "如2026）、党组织名称、党组织书记、行政主要负责人、考核日期、考核组成员。"
        "请只在标签右侧的空白格填写，不要修改、移动或删除“企业名称”等标签文字。",
        f"三、打分：在“得分”列为每一行打分（共{len(standard.lines)}行，满分也要填写，不得留空）。"
        f"“分值”为该行满分，得分应在0至分值之间，按{step}分步长填写，只填数字。"
        + (f"{split_text}。" if split_text else ""),
        "四、扣分说明：凡得分低于分值，必须在同一行“扣分说明”列写明扣分原因（例如缺少哪项资料、"
        "哪次会议未召开）。未写原因的行以黄色标出。",
        f"五、重点项：“重点项”列标{KEY_MARK}的为重点项（共{len(keys)}项）。{KEY_MARK}项得分低于分值"
        f"即为未达标（分项打分的，任一分项低于分值即为未达标），以红色标出。按评分标准，"
        f"“标{KEY_MARK}的项目没有达标，即为不合格或者基本合格”：即使总分达到合格分数，也只能评为"
        "基本合格；总分不足基本合格分数的，为不合格。",
        f"六、评定等次：总分{fmt_number(g.pass_min)}分及以上为合格；{fmt_number(g.basic_min)}分及以上、"
        f"不满{fmt_number(g.pass_min)}分为基本合格；{fmt_number(g.basic_min)}分以下为不合格。"
        "总分由汇总程序按各行得分重新计算，表内小计、合计仅供参考。" + rule_sentence(),
        "七、程序按“编号”列的编号和表头标签文字查找内容：不要修改“编号”“分值”“重点项”列和"
        "表头标签文字，不要删除评分行，一个文件只放一个企业的评分表。在此前提下，插入行或列（如加注）、"
        "调整行高列宽、重命名工作表都不影响汇总。评分表已设保护（无密码，可在“审阅”中撤销），"
        "只有需要填写的单元格可以编辑。",
        "八、签字：打分完成后打印评分表，考核组成员在表末“考核组成员签字”处签字并填写日期，"
        "纸质件留存备查。",
        "九、保存：用 Excel 或 WPS 填写后保存为 .xlsx 格式（不要另存为 .xls、.et 或 PDF），"
        "文件名建议为“年度评分表_企业名称.xlsx”。",
    ]


def _write_meta(ws: Worksheet, standard: Standard) -> None:
    rows = (
        ("template_version", TEMPLATE_VERSION),
        ("standard_version", standard.version),
        ("standard_title", standard.title),
        ("generator", "fuling_batch"),
    )
    for i, (key, value) in enumerate(rows):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.very_hidden()


def _runs(rows: list[int]) -> str:
    """``E12:E15,E17`` for the given 0-based rows of the score column (contiguous runs joined)."""
    out: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        a, b = xl_rowcol_to_cell(start, _SCORE), xl_rowcol_to_cell(prev, _SCORE)
        out.append(a if a == b else f"{a}:{b}")
        if r is not None:
            start = prev = r
    return ",".join(out)
