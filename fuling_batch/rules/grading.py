"""Grading: totals, the grade by total and the ▲ rule (docs/规则说明.md, 评级规则).

The annex: "考评得分在80分以上为合格，60—80分为基本合格，60分以下为不合格。标▲的项目没有达标，
即为不合格或者基本合格。" What each grade leads to is ``consequences.py``'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..config import GradingConfig
from .consequences import (
    ADJUST_AFTER,
    action_sentence,
    consequences_for,
    fail_streak,
    streak_sentence,
)
from .models import Grade, GradeResult, PreviousRecord, ScoreSheet
from .standard import Item, Line, Standard, fmt_number

__all__ = ["grade", "grade_by_total", "line_met", "triangle_shortfalls"]


def grade_by_total(total: float, config: GradingConfig) -> Grade:
    if total >= config.pass_min:
        return Grade.PASS
    if total >= config.basic_min:
        return Grade.BASIC
    return Grade.FAIL


def line_met(line: Line, score: float, config: GradingConfig) -> bool:
    """Whether one scorable line of a ▲ item counts as 达标 under the configured rule."""
    if config.triangle_rule == "zero":
        return score > 0
    if config.triangle_rule == "share":
        return line.is_full(score, config.triangle_share)
    return line.is_full(score)


def triangle_shortfalls(
    scores: Mapping[str, float], standard: Standard, config: GradingConfig
) -> dict[str, tuple[Line, ...]]:
    """▲ items not met, each with the lines (the item, or parts of 4.1) that fell short."""
    short: dict[str, list[Line]] = {}
    for line in standard.key_lines:
        if not line_met(line, scores[line.code], config):
            short.setdefault(line.item.code, []).append(line)
    return {code: tuple(lines) for code, lines in short.items()}


def grade(
    sheet: ScoreSheet,
    standard: Standard,
    config: GradingConfig,
    year: int,
    previous: PreviousRecord | None = None,
) -> GradeResult:
    """Grade one accepted sheet. ``previous`` is last year's record, or None if there is none."""
    scores = {s.code: s.score for s in sheet.scores}
    missing = [line.code for line in standard.lines if line.code not in scores]
    if missing:
        raise ValueError(f"sheet {sheet.path} lacks scores for {missing}; validate before grading")

    section_scores = tuple(
        _sum([scores[code] for code in codes]) for codes in standard.section_line_codes
    )
    total = _sum(section_scores)
    raw = grade_by_total(total, config)
    shortfalls = triangle_shortfalls(scores, standard, config)
    final = raw
    if shortfalls and raw is Grade.PASS:
        final = Grade.BASIC

    past = previous.grades() if previous is not None else {}
    streak = fail_streak({**past, year: final}, year)
    explanations = _explain(
        total, raw, final, shortfalls, scores, standard, config, previous, streak, year
    )
    return GradeResult(
        sheet=sheet,
        year=year,
        section_scores=section_scores,
        total=total,
        raw_grade=raw,
        final_grade=final,
        triangle_not_met=tuple(shortfalls),
        triangle_lines=tuple(line.code for lines in shortfalls.values() for line in lines),
        consequences=consequences_for(final, streak),
        fail_streak=streak,
        previous=previous,
        explanations=explanations,
    )


def _sum(values: object) -> float:
    # fsum then round: scores are halves in practice, but a sheet may hold any decimal and
    # the same sheet must always give the same total.
    return round(math.fsum(values), 6)  # type: ignore[arg-type]


def _explain(
    total: float,
    raw: Grade,
    final: Grade,
    shortfalls: Mapping[str, tuple[Line, ...]],
    scores: Mapping[str, float],
    standard: Standard,
    config: GradingConfig,
    previous: PreviousRecord | None,
    streak: int,
    year: int,
) -> tuple[str, ...]:
    out = [f"总分{fmt_number(total)}分，按总分评定为{raw}（{_band(raw, config)}）。"]
    if shortfalls:
        detail = "；".join(
            _shortfall_text(standard.item(code), lines, scores)
            for code, lines in shortfalls.items()
        )
        if raw is Grade.PASS:
            out.append(f"▲项未达标（{detail}），最终等次由合格降为基本合格。")
        else:
            out.append(f"▲项未达标（{detail}），等次不能为合格，维持{raw}。")
    if previous is None:
        out.append("上年度无考核记录。")
    else:
        out.append(
            f"上年度（{previous.year}年）总分{fmt_number(previous.total)}分，等次{previous.grade}。"
        )
    if streak >= ADJUST_AFTER:
        out.append(f"{streak_sentence(streak, year)}，建议对书记或行政主要负责人进行调整。")
    if sentence := action_sentence(final):
        out.append(sentence)
    return tuple(out)


def _shortfall_text(item: Item, lines: tuple[Line, ...], scores: Mapping[str, float]) -> str:
    if item.parts:
        parts = "、".join(
            f"{line.code}{line.label}得{fmt_number(scores[line.code])}分" for line in lines
        )
        return f"{item.code}（{parts}）"
    line = lines[0]
    return f"{item.code}得{fmt_number(scores[line.code])}分/满分{fmt_number(line.value)}分"


def _band(grade_: Grade, config: GradingConfig) -> str:
    if grade_ is Grade.PASS:
        return f"≥{fmt_number(config.pass_min)}分"
    if grade_ is Grade.BASIC:
        return f"{fmt_number(config.basic_min)}分至{fmt_number(config.pass_min)}分"
    return f"<{fmt_number(config.basic_min)}分"
