"""The consequences of a grade and the fail streak: one rule, every text made from it."""

from __future__ import annotations

import pytest

from fuling_batch.rules.consequences import (
    CONSEQUENCE_ADJUST,
    CONSEQUENCE_ADMONISH,
    CONSEQUENCE_RECTIFY,
    CONSEQUENCE_REMIND,
    consequences_for,
    fail_streak,
    opinion,
)
from fuling_batch.rules.models import Grade
from fuling_batch.rules.standard import load_standard

F, B, P = Grade.FAIL, Grade.BASIC, Grade.PASS


@pytest.mark.parametrize(
    ("grades", "year", "streak"),
    [
        ({2026: F}, 2026, 1),
        ({2025: F, 2026: F}, 2026, 2),
        ({2024: F, 2025: F, 2026: F}, 2026, 3),
        ({2024: F, 2026: F}, 2026, 1),  # a year without a record ends the run
        ({2024: F, 2025: B, 2026: F}, 2026, 1),
        ({2025: F, 2026: P}, 2026, 0),
        ({}, 2026, 0),
    ],
)
def test_fail_streak_counts_back_from_the_year(grades, year, streak):
    assert fail_streak(grades, year) == streak


@pytest.mark.parametrize(
    ("final", "streak", "expected", "text"),
    [
        (P, 0, (), ""),
        (B, 0, (CONSEQUENCE_REMIND,), "谈话提醒"),
        (F, 1, (CONSEQUENCE_ADMONISH, CONSEQUENCE_RECTIFY), "组织诫勉，纳入后进党组织重点整顿"),
        (
            F,
            3,
            (CONSEQUENCE_ADMONISH, CONSEQUENCE_RECTIFY, CONSEQUENCE_ADJUST),
            "组织诫勉，纳入后进党组织重点整顿，建议调整书记或行政主要负责人",
        ),
    ],
)
def test_consequences_and_their_opinion_text(final, streak, expected, text):
    assert consequences_for(final, streak) == expected
    assert opinion(expected) == text


def test_full_value_allows_for_floating_point_sums():
    line = next(line for line in load_standard().lines if line.value == 3)
    assert line.is_full(0.1 + 0.2 + 2.7)  # 3.0000000000000004 or 2.9999999999999996
    assert not line.is_full(2.5)
    assert line.is_full(1.8, share=0.6) and not line.is_full(1.7, share=0.6)
    assert line.exceeds(3.5) and not line.exceeds(3.0)
