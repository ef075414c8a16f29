"""The checks of a read score sheet, and the one check across sheets (duplicate enterprise).

Every finding is an :class:`Issue` with a stable code, located to the cell, with a Chinese
message saying what was found and what is allowed. Values, caps and ▲ flags come from the
:class:`Standard`; the score step from :class:`GradingConfig`.

The codes emitted here are those of the 表头信息, 评分项与模板, 得分填写 and 重复评分表
categories of ``rules/codes.py``, which declares every code with its severity and meaning.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from ..config import GradingConfig
from ..rules import creditcode
from ..rules.issues import Issue
from ..rules.models import HEADER_LABELS, Header, ItemScore, ScoreSheet
from ..rules.standard import Item, Line, Standard, fmt_number
from ..rules.text import clean_text
from .reader import CODE, RawRow, RawSheet
from .texts import fit_text as _fit
from .texts import text_issues as _text_issues
from .values import CodeKind, ValueKind, describe, normalize_text, parse_number, parse_year

__all__ = ["REQUIRED_HEADER", "validate_sheet"]

REQUIRED_HEADER = ("企业名称", "考核年度", "党组织书记", "行政主要负责人")
KEY_MARK = "▲"
_FIELDS = {
    "企业名称": "enterprise",
    "统一社会信用代码": "credit_code",
    "党组织名称": "party_org",
    "党组织书记": "secretary",
    "行政主要负责人": "admin_head",
    "考核日期": "assessed_on",
    "考核组成员": "inspectors",
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return _normalized(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(str(value))


@lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    # Cached: remarks, ▲ marks and names recur across the sheets of a batch. Cleaned here, at
    # the one door every sheet text comes in by, with the one cleaning function that every
    # output also applies (rules/text.py): no output then holds what another cannot.
    return clean_text(normalize_text(text), keep_breaks=True)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, abs_tol=1e-6)


def _check_score(
    row: RawRow,
    line: Line,
    config: GradingConfig,
    errors: dict[str, str],
    formulas: frozenset[str] = frozenset(),
) -> tuple[float | None, list[Issue]]:
    cell = row.score.address
    code = row.code.code
    raw = row.score.value
    full = line.value
    issues: list[Issue] = []
    in_range = True
    if cell in formulas:
        # A score is what the inspector decided, not a formula: its cached value is what
        # Excel computed when the file was last saved (none if a program wrote the formula).
        if raw is None and cell not in errors:
            return None, [
                Issue.error(
                    "FORMULA_NO_VALUE",
                    f"{code} 得分单元格是公式，但文件中没有保存计算结果（可能由其他程序生成），无法评分；"
                    f"请直接填写0至{fmt_number(full)}分的数字",
                    cell=cell,
                )
            ]
        issues.append(
            Issue.warning(
                "FORMULA_IN_SCORE",
                f"{code} 得分单元格是公式，已按文件中保存的计算结果{describe(raw)}评分；请改为直接填写分数",
                cell=cell,
            )
        )
    if type(raw) is float and raw >= 0.0 and not line.exceeds(raw) and not errors:
        value = raw  # a number cell in range: nearly every score (no Parsed built)
    else:
        if cell in errors:
            return None, [
                Issue.error(
                    "SCORE_ERROR_VALUE",
                    f"{code} 得分单元格为错误值 {errors[cell]}（公式或引用失效），请填写0至{fmt_number(full)}分的数字",
                    cell=cell,
                )
            ]
        parsed = parse_number(raw)
        if parsed.kind is ValueKind.BLANK:
            return None, [
                Issue.error(
                    "SCORE_BLANK",
                    f"{code} 未评分：得分为空，请填写0至{fmt_number(full)}分（不得分请填0）",
                    cell=cell,
                )
            ]
        if parsed.value is None:
            return None, [
                Issue.error(
                    "SCORE_NOT_NUMBER",
                    f"{code} 得分{describe(raw)}不是数字，请填写0至{fmt_number(full)}分的数字",
                    cell=cell,
                )
            ]
        value = parsed.value
        if parsed.kind is ValueKind.TEXT_NUMBER:
            issues.append(
                Issue.warning(
                    "SCORE_TEXT",
                    f"{code} 得分{describe(raw)}是文本，已按{fmt_number(value)}分读取；请改为数字格式",
                    cell=cell,
                )
            )
        if value < 0 or line.exceeds(value):
            in_range = False
            issues.append(
                Issue.error(
                    "SCORE_OUT_OF_RANGE",
                    f"{code} 得分{fmt_number(value)}超出范围，应在0至{fmt_number(full)}分之间",
                    cell=cell,
                )
            )
    if in_range:
        steps = value / config.score_step
        if not _close(steps, round(steps)):
            issues.append(
                Issue.warning(
                    "SCORE_STEP",
                    f"{code} 得分{fmt_number(value)}不是{fmt_number(config.score_step)}分的整数倍，请核对",
                    cell=cell,
                )
            )
    if not line.is_full(value) and not _text(row.remark.value):
        issues.append(
            Issue.warning(
                "REMARK_MISSING",
                f"{code} 扣{fmt_number(full - value)}分但未写扣分说明，请在此填写扣分原因",
                cell=row.remark.address,
            )
        )
    return value, issues


def _check_definition(row: RawRow, value: float, key: bool) -> list[Issue]:
    """The 分值 and ▲ printed on the row must be the standard's: else the sheet was edited."""
    issues = []
    code = row.code.code
    printed_raw = None if row.value is None else row.value.value
    if row.value is not None and not (type(printed_raw) is float and printed_raw == value):
        printed = parse_number(row.value.value)
        if printed.value is None or not _close(printed.value, value):
            issues.append(
                Issue.error(
                    "VALUE_CHANGED",
                    f"{code} 的分值为{describe(row.value.value)}，评分标准为{fmt_number(value)}分；评分表被改动，请使用标准模板重新填写",
                    cell=row.value.address,
                )
            )
    if row.key is not None:
        mark = row.key.value
        marked = mark == KEY_MARK or (mark is not None and KEY_MARK in _text(mark))
        if marked != key:
            expected = "是▲重点项" if key else "不是▲重点项"
            issues.append(
                Issue.error(
                    "KEY_CHANGED",
                    f"{code} 的重点项标记被改动：评分标准中该项{expected}，请使用标准模板重新填写",
                    cell=row.key.address,
                )
            )
    return issues


_LAST_LOOKUPS: tuple[Standard, dict[str, Line], dict[str, Item]] | None = None


def _lookups(standard: Standard) -> tuple[dict[str, Line], dict[str, Item]]:
    """Lines by code, and the items scored in parts by code; kept for the last standard."""
    global _LAST_LOOKUPS
    if _LAST_LOOKUPS is None or _LAST_LOOKUPS[0] is not standard:
        lines = {line.code: line for line in standard.lines}
        parents = {item.code: item for item in standard.items if item.parts}
        _LAST_LOOKUPS = (standard, lines, parents)
    return _LAST_LOOKUPS[1], _LAST_LOOKUPS[2]


def _check_rows(
    raw: RawSheet, standard: Standard, config: GradingConfig
) -> tuple[dict[str, ItemScore], list[Issue]]:
    lines, parents = _lookups(standard)
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    scores: dict[str, ItemScore] = {}
    parsed_ok = True
    for row in raw.rows:
        code, where = row.code.code, row.code_cell.address
        if row.code.kind is CodeKind.AMBIGUOUS:
            issues.append(
                Issue.error(
                    "CODE_AMBIGUOUS",
                    f"编号以数字{code}录入，无法区分{code}与{code}0，请将编号单元格设为文本并按模板填写",
                    cell=where,
                )
            )
            continue
        if code in parents:
            issues.extend(_check_definition(row, parents[code].value, parents[code].key))
            continue
        if code not in lines:
            issues.append(
                Issue.error(
                    "CODE_UNKNOWN",
                    f"编号“{code}”不在评分标准中，请使用标准模板，不要增删评分项",
                    cell=where,
                )
            )
            continue
        if code in seen:
            issues.append(
                Issue.error(
                    "CODE_REPEATED",
                    f"编号{code}重复出现（另见{seen[code]}），每项只能评分一次，请删除多余的行",
                    cell=where,
                )
            )
            continue
        seen[code] = where
        if row.code.kind is CodeKind.NUMERIC:
            issues.append(
                Issue.warning(
                    "CODE_NUMERIC",
                    f"编号{code}以数字录入，已按{code}识别；请将编号设为文本",
                    cell=where,
                )
            )
        line = lines[code]
        issues.extend(_check_definition(row, line.value, line.key))
        value, found = _check_score(row, line, config, raw.error_cells, raw.formula_cells)
        issues.extend(found)
        if value is None:
            parsed_ok = False
            continue
        remark = _fit(_text(row.remark.value))
        if row.remark.value is not None and type(row.remark.value) is str:
            issues.extend(
                _text_issues(f"{code} 扣分说明", row.remark.value, remark, row.remark.address)
            )
        scores[code] = ItemScore(code, value, remark, row.score.address, row.remark.address)
    missing = [code for code in lines if code not in seen]
    for code in missing:
        issues.append(
            Issue.error(
                "CODE_MISSING",
                f"缺少评分项{code}（“{CODE}”列中找不到该编号），请使用标准模板，补齐该项并评分",
                cell=raw.table_cells[CODE],
            )
        )
    if not parsed_ok or missing:
        scores = {}
    issues.extend(_check_totals(raw, standard, scores))
    return scores, issues


def _check_totals(raw: RawSheet, standard: Standard, scores: dict[str, ItemScore]) -> list[Issue]:
    """Totals cached in the sheet are only cross-checked, never trusted (docs/规则说明.md, 计分)."""
    if not scores:
        return []
    issues = []
    parents = _lookups(standard)[1]
    sums = {0: sum(s.score for s in scores.values())}
    for section, codes in zip(standard.sections, standard.section_line_codes, strict=True):
        sums[section.number] = sum(scores[code].score for code in codes)
    checks = [(t.label, t.score, sums.get(t.section, 0.0)) for t in raw.totals]
    for row in raw.rows:
        if row.code.code in parents:
            parts = sum(scores[p.code].score for p in parents[row.code.code].parts)
            checks.append((f"{row.code.code}合计", row.score, parts))
    for label, cell, expected in checks:
        cached = parse_number(cell.value)
        if cached.value is not None and not _close(cached.value, expected):
            issues.append(
                Issue.warning(
                    "TOTAL_MISMATCH",
                    f"{label}在表中为{fmt_number(cached.value)}，按各项得分重新计算为{fmt_number(round(expected, 4))}；以重新计算为准，请核对",
                    cell=cell.address,
                )
            )
    return issues


def _check_header(raw: RawSheet, year: int | None) -> tuple[Header, list[Issue]]:
    issues: list[Issue] = []
    values: dict[str, str] = {}
    for label in HEADER_LABELS:
        cell = raw.header.get(label)
        if cell is None:
            if label in REQUIRED_HEADER:
                issues.append(
                    Issue.error(
                        "HEADER_LABEL_MISSING",
                        f"表头缺少“{label}”标签单元格，请使用标准模板并填写{label}",
                    )
                )
            continue
        values[label] = _fit(_text(cell.value))
        if type(cell.value) is str:
            issues.extend(_text_issues(label, cell.value, values[label], cell.address))
        if label in REQUIRED_HEADER and not values[label]:
            issues.append(
                Issue.error("HEADER_MISSING", f"未填写{label}，请在此单元格填写", cell=cell.address)
            )
    sheet_year = None
    year_cell = raw.header.get("考核年度")
    if year_cell is not None and values.get("考核年度"):
        sheet_year = parse_year(year_cell.value)
        if sheet_year is None:
            issues.append(
                Issue.error(
                    "YEAR_INVALID",
                    f"考核年度{describe(year_cell.value)}无法识别，请填写四位年份，如2026",
                    cell=year_cell.address,
                )
            )
        elif year is not None and sheet_year != year:
            issues.append(
                Issue.error(
                    "YEAR_MISMATCH",
                    f"考核年度为{sheet_year}，本次处理的是{year}年度，请核对年度或换用本年度评分表",
                    cell=year_cell.address,
                )
            )
    code = creditcode.normalize(values.get("统一社会信用代码", ""))
    code_cell = raw.header.get("统一社会信用代码")
    if not code:
        issues.append(
            Issue.warning(
                "CREDIT_CODE_MISSING",
                "未填写统一社会信用代码，将以企业名称识别该企业（企业更名后无法跨年对应），请补填",
                cell=code_cell.address if code_cell else "",
            )
        )
    else:
        problem = creditcode.problem(code)
        if problem:
            issues.append(
                Issue.error(
                    "CREDIT_CODE_INVALID",
                    f"{problem}（填写的是“{code}”）",
                    cell=code_cell.address if code_cell else "",
                )
            )
    if not values.get("党组织名称"):  # the notice would be addressed to the company itself
        org_cell = raw.header.get("党组织名称")
        issues.append(
            Issue.warning(
                "PARTY_ORG_MISSING",
                "未填写党组织名称，通知书将以企业名称作为主送机关，请补填（如“中共××有限公司委员会”）",
                cell=org_cell.address if org_cell else "",
            )
        )
    kwargs = {field: values.get(label, "") for label, field in _FIELDS.items()}
    kwargs["credit_code"] = code
    cells = {label: cell.address for label, cell in raw.header.items()}
    return Header(year=sheet_year, cells=cells, **kwargs), issues


def validate_sheet(
    raw: RawSheet,
    standard: Standard,
    config: GradingConfig,
    year: int | None,
    path: str,
    sha256: str,
) -> tuple[ScoreSheet | None, Header, list[Issue]]:
    """Check one read sheet. The ScoreSheet is built only when every line has a numeric score."""
    header, issues = _check_header(raw, year)
    if raw.hidden:
        issues.append(
            Issue.warning(
                "SHEET_HIDDEN",
                f"评分表所在的工作表“{raw.name}”是隐藏的，已按该表评分；请确认这是要提交的评分表，并取消隐藏",
            )
        )
    scores, row_issues = _check_rows(raw, standard, config)
    issues.extend(row_issues)
    sheet = None
    if scores:
        ordered = tuple(scores[line.code] for line in standard.lines)
        sheet = ScoreSheet(path, sha256, raw.name, header, ordered)
    return sheet, header, issues
