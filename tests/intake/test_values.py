"""Strict value parsing: what counts as a score, a text number, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from fuling_batch.intake.values import CodeKind, ValueKind, parse_code, parse_number, parse_year
from tests.intake.files.builders import STANDARD

KNOWN = frozenset(line.code for line in STANDARD.lines) | frozenset(i.code for i in STANDARD.items)


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        (4.5, ValueKind.NUMBER, 4.5),
        (3, ValueKind.NUMBER, 3.0),
        ("4.5", ValueKind.TEXT_NUMBER, 4.5),
        (" 3 ", ValueKind.TEXT_NUMBER, 3.0),
        ("４.５", ValueKind.TEXT_NUMBER, 4.5),
        ("４．５", ValueKind.TEXT_NUMBER, 4.5),
        ("4分", ValueKind.TEXT_NUMBER, 4.0),
        ("\u30002\u3000", ValueKind.TEXT_NUMBER, 2.0),
        ("-1", ValueKind.TEXT_NUMBER, -1.0),
        (None, ValueKind.BLANK, None),
        ("", ValueKind.BLANK, None),
        ("   ", ValueKind.BLANK, None),
        ("五", ValueKind.INVALID, None),
        ("nan", ValueKind.INVALID, None),
        ("inf", ValueKind.INVALID, None),
        ("1_000", ValueKind.INVALID, None),
        ("1e1", ValueKind.INVALID, None),
        ("4,5", ValueKind.INVALID, None),
        ("#REF!", ValueKind.INVALID, None),
        (True, ValueKind.INVALID, None),
        (float("nan"), ValueKind.INVALID, None),
        (float("inf"), ValueKind.INVALID, None),
        (dt.date(2026, 1, 1), ValueKind.INVALID, None),
    ],
)
def test_parse_number(raw: object, kind: ValueKind, value: float | None) -> None:
    parsed = parse_number(raw)
    assert parsed.kind is kind
    assert parsed.value == value


@pytest.mark.parametrize(
    ("raw", "kind", "code"),
    [
        ("1.10", CodeKind.TEXT, "1.10"),
        (" 4.1.2 ", CodeKind.TEXT, "4.1.2"),
        ("３.２", CodeKind.TEXT, "3.2"),
        (1.2, CodeKind.NUMERIC, "1.2"),  # 1.20 does not exist: unambiguous
        (3.1, CodeKind.AMBIGUOUS, "3.1"),  # 3.1 or 3.10
        (3.0, CodeKind.NONE, ""),
        ("一、规范组织设置（8分）", CodeKind.NONE, ""),
        ("小计", CodeKind.NONE, ""),
        (None, CodeKind.NONE, ""),
    ],
)
def test_parse_code(raw: object, kind: CodeKind, code: str) -> None:
    parsed = parse_code(raw, KNOWN)
    assert (parsed.kind, parsed.code) == (kind, code)


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        (2026, 2026),
        (2026.0, 2026),
        ("2026", 2026),
        ("2026年", 2026),
        ("２０２６年度", 2026),
        ("明年", None),
        (True, None),
    ],
)
def test_parse_year(raw: object, year: int | None) -> None:
    assert parse_year(raw) == year
