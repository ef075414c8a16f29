"""Filled score sheets for demonstrations, tests and benchmarks.

``fill_score_sheet`` fills the real template the way an inspector would (in Excel: values in
the input cells, nothing else touched). ``write_sample_input`` writes the shipped sample: a
dozen clearly fictional enterprises covering every outcome, plus last year's results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from ..intake.discover import SPREADSHEET_SUFFIXES
from ..rules.creditcode import check_character
from ..rules.standard import Standard, load_standard
from ..runtime.fileio import atomic_path

__all__ = [
    "LAST_YEAR_FILE",
    "SAMPLE_YEAR",
    "SampleEnterprise",
    "fictional_code",
    "fill_score_sheet",
    "sheets_in",
    "write_sample_input",
]

SAMPLE_YEAR = 2026
LAST_YEAR_FILE = f"往年结果/{SAMPLE_YEAR - 1}年度考核结果.xlsx"
REASONS = (
    "未提供相关会议记录",
    "制度未及时修订完善",
    "台账记录不完整",
    "未按要求定期开展",
    "资料归档不规范",
    "落实情况未形成书面报告",
)


def fictional_code(serial: int) -> str:
    """A valid but plainly fictional 统一社会信用代码: 涪陵区 division code, zero-padded serial."""
    first17 = f"91500102{serial:09d}"
    return first17 + check_character(first17)


def locate(ws: Worksheet) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Header value cells by label, and (score, remark) cells by line code, found by content."""
    labels: dict[str, str] = {}
    lines: dict[str, tuple[str, str]] = {}
    merged = {r.min_row * 100_000 + r.min_col: r for r in ws.merged_cells.ranges}
    columns: dict[str, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if not isinstance(value, str):
                continue
            text = value.strip()
            rng = merged.get(cell.row * 100_000 + cell.column)
            right = (rng.max_col if rng else cell.column) + 1
            labels.setdefault(text, ws.cell(cell.row, right).coordinate)
            if text == "编号":
                columns = {str(c.value).strip(): c.column for c in row if c.value is not None}
            elif columns and cell.column == columns.get("编号"):
                score = ws.cell(cell.row, columns["得分"]).coordinate
                remark = ws.cell(cell.row, columns["扣分说明"]).coordinate
                lines[text] = (score, remark)
    return labels, lines


def fill_score_sheet(
    template: Path,
    target: Path,
    header: Mapping[str, object],
    scores: Mapping[str, object],
    remarks: Mapping[str, str] | None = None,
) -> Path:
    """Copy ``template`` to ``target`` with header values, scores and remarks filled in."""
    wb = openpyxl.load_workbook(template)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and w.title != "填表说明")
    labels, lines = locate(ws)
    for label, value in header.items():
        ws[labels[label]] = value
    for code, value in scores.items():
        ws[lines[code][0]] = value
    for code, text in (remarks or {}).items():
        ws[lines[code][1]] = text
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


@dataclass(frozen=True)
class SampleEnterprise:
    """One fictional enterprise of the shipped sample and the outcome it is meant to show."""

    serial: int
    name: str
    deductions: Mapping[str, float]
    last_year: tuple[float, str] | None = None
    last_name: str | None = None
    has_code: bool = True
    text_scores: Mapping[str, str] = field(default_factory=dict)
    shows: str = ""


# 28 points off items without ▲ only: 基本合格 by total, not by the ▲ rule.
_BY_TOTAL: Mapping[str, float] = {
    **{code: 1 for code in ("1.8", "3.6", "3.8", "5.5", "6.4", "7.3", "7.7", "8.2", "8.3")},
    **{code: 2 for code in ("3.5", "3.10", "4.3", "6.2", "6.5", "6.7", "6.8", "7.5")},
    "8.1": 3,
}

# Deductions per line code (points taken off). Lines not named are at full value.
SAMPLES: tuple[SampleEnterprise, ...] = (
    SampleEnterprise(
        1,
        "涪陵示例城市建设投资集团有限公司",
        {"8.2": 1, "6.5": 1.5, "3.10": 1},
        (92.0, "合格"),
        shows="合格",
    ),
    SampleEnterprise(
        2,
        "涪陵示例水务有限公司",
        {"1.4": 1, "3.5": 2, "6.2": 2, "6.7": 2, "8.1": 2},
        (78.0, "基本合格"),
        shows="合格，较上年提升",
    ),
    SampleEnterprise(
        3,
        "涪陵示例交通旅游集团有限公司",
        {
            "1.4": 1,
            "1.8": 1,
            "3.5": 2,
            "3.6": 1,
            "3.8": 1,
            "3.10": 2,
            "4.3": 2,
            "5.5": 1,
            "6.2": 2,
            "6.4": 1,
            "6.5": 2,
            "6.7": 2,
            "7.3": 1,
            "7.5": 1,
        },
        (81.0, "合格"),
        shows="合格（总分恰为80分）",
    ),
    SampleEnterprise(
        4,
        "涪陵示例农业发展集团有限公司",
        _BY_TOTAL,
        (83.5, "合格"),
        shows="基本合格（按总分）",
    ),
    SampleEnterprise(
        5,
        "涪陵示例能源有限公司",
        {"3.2": 1, "8.4": 1, "6.8": 1},
        (90.0, "合格"),
        shows="基本合格（▲3.2未达标降级）",
    ),
    SampleEnterprise(
        6,
        "涪陵示例医药有限公司",
        {"4.1.3": 0.5, "7.7": 1},
        (88.5, "合格"),
        shows="基本合格（▲4.1党小组会未达标降级）",
    ),
    SampleEnterprise(
        7,
        "涪陵示例建材有限公司",
        {
            "2.3": 2,
            "2.5": 4,
            "3.1": 2,
            "3.3": 2,
            "3.4": 2,
            "4.1.1": 3,
            "4.1.2": 2,
            "4.3": 2,
            "5.3": 2,
            "5.6": 3,
            "6.1": 2,
            "6.2": 2,
            "6.5": 2,
            "6.9": 2,
            "7.5": 2,
            "8.1": 3,
            "8.2": 1,
            "8.4": 1,
            "3.10": 2,
            "6.7": 2,
            "6.8": 2,
        },
        (72.0, "基本合格"),
        shows="不合格（上年基本合格，不建议调整）",
    ),
    SampleEnterprise(
        8,
        "涪陵示例机械制造有限公司",
        {
            "2.3": 3,
            "2.5": 5,
            "3.1": 3,
            "3.3": 3,
            "3.4": 2,
            "4.1.1": 4,
            "4.1.2": 3,
            "4.3": 2,
            "5.3": 2,
            "5.6": 3,
            "6.1": 2,
            "6.2": 2,
            "6.5": 2,
            "6.9": 2,
            "7.5": 2,
            "8.1": 3,
            "8.2": 1,
            "3.10": 2,
            "6.7": 2,
        },
        (58.0, "不合格"),
        shows="连续两年不合格，建议调整",
    ),
    SampleEnterprise(
        9,
        "涪陵示例供应链集团有限公司",
        {
            "2.2": 2,
            "2.5": 5,
            "3.1": 3,
            "3.3": 3,
            "3.4": 3,
            "4.1.1": 4,
            "4.1.4": 2,
            "4.3": 2,
            "5.2": 2,
            "5.6": 3,
            "6.1": 2,
            "6.5": 2,
            "6.9": 2,
            "7.5": 2,
            "8.1": 3,
            "8.2": 1,
            "3.10": 2,
            "6.7": 1,
        },
        (55.5, "不合格"),
        last_name="涪陵示例物流有限公司",
        shows="更名企业（按信用代码衔接）连续两年不合格",
    ),
    SampleEnterprise(
        10,
        "涪陵示例文化传媒有限公司",
        {
            **_BY_TOTAL,  # the 72-point sheet above, and 12 more points off: exactly 60
            "8.4": 1,
            "2.5": 5,
            "3.1": 3,
            "1.4": 1,
            "3.2": 2,
        },
        (61.0, "基本合格"),
        has_code=False,
        shows="基本合格（总分恰为60分；未填信用代码，按名称衔接）",
    ),
    SampleEnterprise(
        11,
        "涪陵示例粮油有限公司",
        {"6.5": 0.5, "8.1": 1},
        None,
        text_scores={"5.2": "2分", "6.5": "１.５"},
        shows="合格（新纳入考核，得分以文字填写给出警告）",
    ),
    SampleEnterprise(
        12,
        "涪陵示例物业管理有限公司",
        {
            "2.4": 2,
            "2.5": 5,
            "3.1": 3,
            "3.2": 2,
            "3.3": 3,
            "3.4": 3,
            "4.1.1": 4,
            "4.1.4": 2,
            "4.3": 2,
            "5.4": 2,
            "5.6": 3,
            "6.5": 2,
            "7.5": 2,
            "8.1": 3,
            "8.2": 1,
            "3.10": 1.5,
        },
        (85.0, "合格"),
        shows="不合格（59.5分，上年合格）",
    ),
)


def _sample_sheet(
    ent: SampleEnterprise, standard: Standard
) -> tuple[dict[str, object], dict[str, str]]:
    scores: dict[str, object] = {}
    remarks: dict[str, str] = {}
    deductions = {code.strip(): d for code, d in ent.deductions.items() if d}
    for n, line in enumerate(standard.lines):
        off = deductions.get(line.code, 0)
        scores[line.code] = line.value - off
        if off:
            remarks[line.code] = f"{REASONS[(n + ent.serial) % len(REASONS)]}，扣{off:g}分"
    scores.update(ent.text_scores)
    return scores, remarks


def sheets_in(folder: Path) -> list[Path]:
    """The spreadsheets already under ``folder`` (Office lock files aside): the sample's
    fictional sheets must not be mixed with real ones, nor overwrite one of the same name."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in SPREADSHEET_SUFFIXES
        and not path.name.startswith("~$")
        and path.is_file()
    )


def write_sample_input(
    folder: Path, template: Path, standard: Standard | None = None
) -> list[Path]:
    """Write the sample score sheets into ``folder`` and last year's results beside them."""
    standard = standard or load_standard()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ent in SAMPLES:
        scores, remarks = _sample_sheet(ent, standard)
        header = {
            "企业名称": ent.name,
            "统一社会信用代码": fictional_code(ent.serial) if ent.has_code else "",
            "考核年度": SAMPLE_YEAR,
            "党组织名称": f"中共{ent.name}委员会",
            "党组织书记": f"示例书记{ent.serial:02d}",
            "行政主要负责人": f"示例经理{ent.serial:02d}",
            "考核日期": f"{SAMPLE_YEAR}-11-{10 + ent.serial:02d}",
            "考核组成员": "示例考核员甲、示例考核员乙",
        }
        target = folder / f"{SAMPLE_YEAR}年度评分表_{ent.name}.xlsx"
        written.append(fill_score_sheet(template, target, header, scores, remarks))
    return written


def write_last_year(target: Path) -> Path:
    """Last year's results as an office would keep them: one row per enterprise."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{SAMPLE_YEAR - 1}年度考核结果"
    ws.append([f"{SAMPLE_YEAR - 1}年度国有企业党组织规范化建设考核结果（示例）"])
    ws.append(["企业名称", "统一社会信用代码", "总分", "等次"])
    for ent in SAMPLES:
        if ent.last_year is None:
            continue
        total, grade_ = ent.last_year
        code = fictional_code(ent.serial) if ent.has_code else ""
        ws.append([ent.last_name or ent.name, code, total, grade_])
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
