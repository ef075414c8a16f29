"""What a grade leads to (三、3 强化监督考核), and the fail streak: the one home of both.

"对考核评分为基本合格的党组织要对其书记、行政主要负责人予以谈话提醒，对不合格的要对其书记、
行政主要负责人予以组织诫勉并纳入后进党组织进行重点整顿，对连续两年不合格的对其书记或行政主要
负责人进行调整。" Every text that states a consequence — the grading explanation, the notices'
处理意见, the 呈批表, the template's 填表说明 — is made here (docs/规则说明.md, 评级后的处理).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .grade import Grade

__all__ = [
    "ADJUST_AFTER",
    "CONSEQUENCE_ADJUST",
    "CONSEQUENCE_ADMONISH",
    "CONSEQUENCE_RECTIFY",
    "CONSEQUENCE_REMIND",
    "action_sentence",
    "consequences_for",
    "fail_streak",
    "opinion",
    "rule_sentence",
    "streak_sentence",
    "streak_words",
    "streak_years",
]

# The words of 三、3, as used in report.json and the summary.
CONSEQUENCE_REMIND = "谈话提醒"
CONSEQUENCE_ADMONISH = "组织诫勉"
CONSEQUENCE_RECTIFY = "重点整顿"
CONSEQUENCE_ADJUST = "调整"

# 连续两年不合格: the fail streak at which the adjustment is recommended.
ADJUST_AFTER = 2

# How each consequence reads in a 处理意见 (notices, 呈批表), in this order.
_OPINION_PHRASES = {
    CONSEQUENCE_REMIND: "谈话提醒",
    CONSEQUENCE_ADMONISH: "组织诫勉",
    CONSEQUENCE_RECTIFY: "纳入后进党组织重点整顿",
    CONSEQUENCE_ADJUST: "建议调整书记或行政主要负责人",
}


def fail_streak(grades: Mapping[int, Grade], year: int) -> int:
    """Consecutive 不合格 years ending at ``year`` (a year without a record ends the run)."""
    count = 0
    while grades.get(year - count) is Grade.FAIL:
        count += 1
    return count


_NUMERALS = "零一两三四五六七八九十"


def streak_words(streak: int) -> str:
    """``连续两年``, ``连续三年`` …: how a fail streak is said."""
    count = _NUMERALS[streak] if 0 <= streak < len(_NUMERALS) else str(streak)
    return f"连续{count}年"


def streak_years(streak: int, year: int) -> list[int]:
    """The years of a fail streak that ends at ``year``, oldest first."""
    return list(range(year - streak + 1, year + 1))


def streak_sentence(streak: int, year: int) -> str:
    """``2024年、2025年、2026年连续三年不合格``: the streak with its years."""
    years = "、".join(f"{y}年" for y in streak_years(streak, year))
    return f"{years}{streak_words(streak)}不合格"


def consequences_for(final: Grade, streak: int) -> tuple[str, ...]:
    """The consequences of a final grade, given the fail streak that ends this year."""
    if final is Grade.BASIC:
        return (CONSEQUENCE_REMIND,)
    if final is Grade.FAIL:
        base = (CONSEQUENCE_ADMONISH, CONSEQUENCE_RECTIFY)
        return (*base, CONSEQUENCE_ADJUST) if streak >= ADJUST_AFTER else base
    return ()


def opinion(consequences: Sequence[str]) -> str:
    """The 处理意见 of a notice: ``组织诫勉，纳入后进党组织重点整顿`` and the like."""
    return "，".join(_OPINION_PHRASES[c] for c in consequences)


def action_sentence(final: Grade) -> str:
    """The sentence of a grading explanation that says what follows from the grade ('' for 合格)."""
    if final is Grade.BASIC:
        return "对书记、行政主要负责人予以谈话提醒。"
    if final is Grade.FAIL:
        return "对书记、行政主要负责人予以组织诫勉，并纳入后进党组织进行重点整顿。"
    return ""


def rule_sentence() -> str:
    """三、3 restated for the inspectors' 填表说明."""
    return (
        "评为基本合格的，对党组织书记、行政主要负责人进行谈话提醒；评为不合格的，予以组织诫勉并"
        "纳入后进党组织重点整顿；连续两年不合格的，对书记或行政主要负责人进行调整。"
    )
