"""Builders for in-memory sheets and results, shared by the tests.

Workbook files are made by the real template writer (see conftest); these builders are for
tests of later stages that start from already-read data.
"""

from __future__ import annotations

from collections.abc import Mapping

from fuling_batch.config import GradingConfig
from fuling_batch.forms.samples import fictional_code
from fuling_batch.rules.grading import grade
from fuling_batch.rules.models import GradeResult, Header, ItemScore, PreviousRecord, ScoreSheet
from fuling_batch.rules.standard import Standard, load_standard

STANDARD = load_standard()


# A fictional but valid 统一社会信用代码, as the shipped sample makes them.
credit_code = fictional_code


def make_sheet(
    scores: Mapping[str, float] | None = None,
    *,
    enterprise: str = "示例建设集团有限公司",
    code: str | None = None,
    serial: int = 1,
    year: int = 2026,
    remarks: Mapping[str, str] | None = None,
    standard: Standard = STANDARD,
    path: str | None = None,
) -> ScoreSheet:
    """A sheet at full marks except for ``scores``; a deduction gets a remark unless given."""
    scores = dict(scores or {})
    remarks = dict(remarks or {})
    items = []
    for row, line in enumerate(standard.lines, start=10):
        score = scores.get(line.code, line.value)
        remark = remarks.get(line.code, "" if score >= line.value else f"{line.code}资料不全")
        items.append(ItemScore(line.code, score, remark, f"F{row}", f"G{row}"))
    header = Header(
        enterprise=enterprise,
        credit_code=credit_code(serial) if code is None else code,
        year=year,
        party_org=f"中共{enterprise}委员会",
        secretary="张三",
        admin_head="李四",
        assessed_on=f"{year}-11-20",
        inspectors="王五、赵六",
    )
    return ScoreSheet(path or f"{enterprise}.xlsx", "0" * 64, "评分表", header, tuple(items))


def make_result(
    scores: Mapping[str, float] | None = None,
    *,
    previous: PreviousRecord | None = None,
    config: GradingConfig | None = None,
    year: int = 2026,
    **sheet_args: object,
) -> GradeResult:
    sheet = make_sheet(scores, year=year, **sheet_args)  # type: ignore[arg-type]
    return grade(sheet, STANDARD, config or GradingConfig(), year, previous)
