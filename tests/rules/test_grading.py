"""Grading: boundaries, the ▲ rule and its alternatives, consequences, the consecutive rule."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fuling_batch.config import GradingConfig
from fuling_batch.history.store import History
from fuling_batch.rules.consequences import (
    CONSEQUENCE_ADJUST,
    CONSEQUENCE_ADMONISH,
    CONSEQUENCE_RECTIFY,
    CONSEQUENCE_REMIND,
)
from fuling_batch.rules.grading import grade, grade_by_total
from fuling_batch.rules.models import Grade, PreviousRecord
from tests.factories import STANDARD, credit_code, make_result, make_sheet

LINES = STANDARD.lines
NON_KEY = [line for line in LINES if not line.key]
KEY = [line for line in LINES if line.key]


def deductions(points: float, *, key_allowed: bool = False) -> dict[str, float]:
    """Scores that take exactly ``points`` off full marks: non-▲ lines first, then ▲ lines."""
    pool = NON_KEY + (KEY if key_allowed else [])
    scores: dict[str, float] = {}
    for line in pool:
        if points <= 0:
            break
        take = min(line.value, points)
        scores[line.code] = line.value - take
        points -= take
    assert points == 0, "not enough lines to deduct from"
    return scores


def test_the_standard_leaves_room_for_the_boundary_cases() -> None:
    # The boundary tests at 80/79.5 need 20.5 points of non-▲ lines; check the premise.
    assert sum(line.value for line in NON_KEY) >= 20.5


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (100, Grade.PASS),
        (80, Grade.PASS),
        (79.5, Grade.BASIC),
        (60, Grade.BASIC),
        (59.5, Grade.FAIL),
    ],
)
def test_grade_by_total_boundaries(total: float, expected: Grade) -> None:
    key_allowed = total < 70  # below 70 the non-▲ lines alone cannot absorb the deduction
    result = make_result(deductions(100 - total, key_allowed=key_allowed))
    assert result.total == total
    assert result.raw_grade is expected
    if not key_allowed:
        assert result.triangle_not_met == ()
        assert result.final_grade is expected
    else:
        assert result.final_grade is expected  # BASIC and FAIL are not capped further


@pytest.mark.parametrize(
    ("total", "expected"),
    [(85, Grade.PASS), (84.5, Grade.BASIC), (72, Grade.BASIC), (71.5, Grade.FAIL)],
)
def test_configured_thresholds(total: float, expected: Grade) -> None:
    config = GradingConfig(pass_min=85, basic_min=72)
    result = make_result(deductions(100 - total, key_allowed=True), config=config)
    assert result.total == total
    assert result.raw_grade is expected


def test_totals_and_sections_are_recomputed_from_items() -> None:
    result = make_result({"1.1": 0.5, "3.2": 1, "4.1.3": 1.5, "8.1": 0})
    assert result.section_scores == (7.5, 13, 19, 17.5, 12, 15, 8, 3)
    assert result.total == 95
    assert math.isclose(sum(result.section_scores), result.total)


def test_a_triangle_item_below_full_caps_a_pass_at_basic() -> None:
    result = make_result({"3.2": 1.5})
    assert result.total == 99.5
    assert result.raw_grade is Grade.PASS
    assert result.final_grade is Grade.BASIC
    assert result.triangle_not_met == ("3.2",)
    assert result.consequences == (CONSEQUENCE_REMIND,)
    text = "".join(result.explanations)
    assert "3.2" in text and "降为基本合格" in text


def test_a_part_of_4_1_below_full_is_the_triangle_item_4_1_not_met() -> None:
    result = make_result({"4.1.3": 1.5})
    assert result.final_grade is Grade.BASIC
    assert result.triangle_not_met == ("4.1",)
    text = "".join(result.explanations)
    assert "4.1.3" in text and "党小组会" in text


def test_a_non_triangle_deduction_does_not_cap() -> None:
    result = make_result({"1.4": 0, "8.1": 0})
    assert result.triangle_not_met == ()
    assert result.final_grade is Grade.PASS
    assert result.consequences == ()
    assert not result.needs_notice


def test_triangle_shortfall_below_60_stays_fail_never_pass() -> None:
    result = make_result(deductions(45, key_allowed=True))
    assert result.triangle_not_met
    assert result.final_grade is Grade.FAIL
    assert result.consequences == (CONSEQUENCE_ADMONISH, CONSEQUENCE_RECTIFY)
    assert "维持不合格" in "".join(result.explanations)


@pytest.mark.parametrize(
    ("rule", "score", "met"),
    [
        ("below_full", 2.5, False),
        ("below_full", 3.0, True),
        ("zero", 0.5, True),
        ("zero", 0.0, False),
        ("share", 2.0, True),  # 2/3 of 3.1's 3 points ≥ 0.6
        ("share", 1.5, False),  # 0.5 < 0.6
    ],
)
def test_triangle_rule_alternatives(rule: str, score: float, met: bool) -> None:
    config = GradingConfig(triangle_rule=rule, triangle_share=0.6)  # type: ignore[arg-type]
    result = make_result({"3.1": score}, config=config)
    assert result.raw_grade is Grade.PASS
    assert (result.triangle_not_met == ()) is met
    assert result.final_grade is (Grade.PASS if met else Grade.BASIC)


def test_share_rule_exactly_at_the_share_is_met() -> None:
    config = GradingConfig(triangle_rule="share", triangle_share=0.6)
    assert make_result({"2.5": 3.0}, config=config).final_grade is Grade.PASS  # 3/5 = 0.6
    assert make_result({"2.5": 2.5}, config=config).final_grade is Grade.BASIC


def test_zero_rule_applies_to_each_part_of_4_1() -> None:
    config = GradingConfig(triangle_rule="zero")
    assert make_result({"4.1.1": 0.5}, config=config).triangle_not_met == ()
    assert make_result({"4.1.4": 0}, config=config).triangle_not_met == ("4.1",)


FAIL_SCORES = deductions(45, key_allowed=True)
BASIC_SCORES = deductions(30)


@pytest.mark.parametrize(
    ("this_year", "last", "consecutive"),
    [
        (FAIL_SCORES, PreviousRecord(2025, 50, Grade.FAIL), True),
        (BASIC_SCORES, PreviousRecord(2025, 50, Grade.FAIL), False),
        (FAIL_SCORES, PreviousRecord(2025, 70, Grade.BASIC), False),
        (FAIL_SCORES, PreviousRecord(2024, 50, Grade.FAIL), False),  # not year - 1
        (FAIL_SCORES, None, False),
    ],
)
def test_consecutive_fail_rule(
    this_year: dict[str, float], last: PreviousRecord | None, consecutive: bool
) -> None:
    result = make_result(this_year, previous=last, year=2026)
    assert result.consecutive_fail is consecutive
    assert (CONSEQUENCE_ADJUST in result.consequences) is consecutive
    text = "".join(result.explanations)
    assert ("连续两年不合格" in text) is consecutive
    if last is None:
        assert "上年度无考核记录" in text
    else:
        assert f"上年度（{last.year}年）" in text


def test_consecutive_fail_follows_the_credit_code_across_a_rename(tmp_path: Path) -> None:
    old = make_result(FAIL_SCORES, enterprise="旧名称建设有限公司", serial=7, year=2025)
    with History(tmp_path / "h.sqlite3") as history:
        history.record_year(2025, [old], datetime(2025, 12, 1, 9, 0))
        renamed = make_sheet(FAIL_SCORES, enterprise="新名称城投集团有限公司", serial=7, year=2026)
        other = make_sheet(FAIL_SCORES, enterprise="旧名称建设有限公司", serial=8, year=2026)
        found, issues = history.previous([renamed, other], 2026)
    assert issues == []
    assert set(found) == {credit_code(7)}  # same name, other code: no record
    assert found[credit_code(7)].enterprise == "旧名称建设有限公司"
    result = grade(renamed, STANDARD, GradingConfig(), 2026, found[credit_code(7)])
    assert result.consecutive_fail
    assert result.consequences == (CONSEQUENCE_ADMONISH, CONSEQUENCE_RECTIFY, CONSEQUENCE_ADJUST)
    fresh = grade(other, STANDARD, GradingConfig(), 2026, found.get(other.key))
    assert not fresh.consecutive_fail and fresh.previous is None


def test_grading_lacking_a_line_is_refused() -> None:
    sheet = make_sheet()
    partial = type(sheet)(sheet.path, sheet.sha256, sheet.sheet, sheet.header, sheet.scores[1:])
    with pytest.raises(ValueError, match=r"\[.1\.1.\]"):
        grade(partial, STANDARD, GradingConfig(), 2026)


# -- property test ---------------------------------------------------------------------------


def _line_score(value: float) -> st.SearchStrategy[float]:
    return st.integers(0, int(value * 2)).map(lambda halves: halves / 2)


# Dense: every line random (almost always some ▲ short). Sparse: full marks but a few lines,
# so that passes are well represented too.
DENSE = st.fixed_dictionaries({line.code: _line_score(line.value) for line in LINES})
SPARSE = st.lists(st.sampled_from(LINES), max_size=12, unique=True).flatmap(
    lambda chosen: st.fixed_dictionaries({line.code: _line_score(line.value) for line in chosen})
)
# Only non-▲ lines random: 基本合格 by total alone, with every ▲ met.
NON_KEY_ONLY = st.fixed_dictionaries({line.code: _line_score(line.value) for line in NON_KEY})
CONFIGS = st.builds(
    GradingConfig,
    pass_min=st.sampled_from([80.0, 85.0, 90.0]),
    basic_min=st.sampled_from([50.0, 60.0, 70.0]),
    triangle_rule=st.sampled_from(["below_full", "zero", "share"]),
    triangle_share=st.sampled_from([0.5, 0.6, 1.0]),
)
PREVIOUS = st.one_of(
    st.none(),
    st.builds(
        PreviousRecord,
        year=st.sampled_from([2024, 2025]),
        total=st.just(50.0),
        grade=st.sampled_from(list(Grade)),
    ),
)
EXPECTED_CONSEQUENCES = {
    Grade.PASS: set(),
    Grade.BASIC: {CONSEQUENCE_REMIND},
    Grade.FAIL: {CONSEQUENCE_ADMONISH, CONSEQUENCE_RECTIFY},
}


@settings(max_examples=300, deadline=None)
@given(
    scores=st.one_of(DENSE, SPARSE, NON_KEY_ONLY), config=CONFIGS, previous=PREVIOUS, data=st.data()
)
def test_grading_properties(
    scores: dict[str, float],
    config: GradingConfig,
    previous: PreviousRecord | None,
    data: st.DataObject,
) -> None:
    result = make_result(scores, config=config, previous=previous, year=2026)
    event(f"{result.final_grade}, ▲ short: {bool(result.triangle_not_met)}")
    all_scores = {s.code: s.score for s in result.sheet.scores}

    assert math.isclose(result.total, math.fsum(all_scores.values()), abs_tol=1e-9)
    assert math.isclose(result.total, math.fsum(result.section_scores), abs_tol=1e-9)
    for section, score in zip(STANDARD.sections, result.section_scores, strict=True):
        assert 0 <= score <= section.cap

    assert result.raw_grade is grade_by_total(result.total, config)
    if result.triangle_not_met:
        assert result.final_grade is not Grade.PASS
        assert result.final_grade.rank == min(result.raw_grade.rank, Grade.BASIC.rank)
    else:
        assert result.final_grade is result.raw_grade

    expected = set(EXPECTED_CONSEQUENCES[result.final_grade])
    consecutive = (
        result.final_grade is Grade.FAIL
        and previous is not None
        and previous.year == 2025
        and previous.grade is Grade.FAIL
    )
    if consecutive:
        expected.add(CONSEQUENCE_ADJUST)
    assert result.consecutive_fail is consecutive
    assert set(result.consequences) == expected
    assert result.needs_notice is (result.final_grade is not Grade.PASS)

    # Monotonic in total for a fixed ▲ outcome: changing one non-▲ line moves the total but
    # not the ▲ outcome, and the grade must move with the total (never against it).
    line = data.draw(st.sampled_from(NON_KEY))
    new_score = data.draw(_line_score(line.value))
    other = make_result({**all_scores, line.code: new_score}, config=config, year=2026)
    assert other.triangle_not_met == result.triangle_not_met
    if other.total >= result.total:
        assert other.final_grade.rank >= result.final_grade.rank
    else:
        assert other.final_grade.rank <= result.final_grade.rank
