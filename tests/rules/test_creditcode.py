"""统一社会信用代码 checks and Windows-safe, atomic output files."""

from __future__ import annotations

import pytest

from fuling_batch.rules.creditcode import check_character, normalize, problem
from tests.factories import credit_code

# Codes of real, publicly registered companies (their check characters are known good).
VALID = ["91350100M000100Y43", "9144030071526726XG", "91330100799655058B", credit_code(7)]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert problem(code) is None


def test_normalisation_accepts_full_width_and_spaces():
    assert problem(" ９１３５０１００ｍ０００１００ｙ４３ ") is None
    assert normalize("ａｂ c") == "ABC"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "应为18位"),
        ("91350100M000100Y4I", "不允许的字符"),
        ("91350100M000100Y44", "校验位错误"),
    ],
)
def test_invalid_codes_say_why(code, fragment):
    reason = problem(code)
    assert reason is not None and fragment in reason


def test_check_character_round_trip():
    for serial in range(50):
        code = credit_code(serial)
        assert check_character(code[:17]) == code[17]
