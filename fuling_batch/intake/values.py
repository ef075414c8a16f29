"""Strict parsing of what inspectors type into score, value and code cells.

A score is read only when it is unmistakably a number. Numbers typed as text (``"4.5"``,
``" 3 "``, full-width ``"４.５"``, ``"4分"``) are read but flagged, so the operator can see that
Excel did not treat the cell as a number. Everything else — ``"五"``, ``"nan"``, ``"inf"``,
``"1_000"``, ``"1e1"``, booleans, dates, error cells — is refused: a wrong score must never be
graded, and a blank score is never a silent 0.

Item codes are text by contract (``1.10`` is not ``1.1``). A code typed as a number is accepted
only when the number cannot stand for two codes of the standard: ``1.2`` (float) is
item 1.2 with a warning, but ``3.1`` (float) could be 3.1 or 3.10 and is refused.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from ..rules.text import normalize_text

__all__ = [
    "CodeKind",
    "Parsed",
    "ParsedCode",
    "ValueKind",
    "describe",
    "normalize_text",
    "parse_code",
    "parse_number",
    "parse_year",
]

# Plain decimal only: no exponent, no underscores, no thousands separators, no "nan"/"inf".
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CODE = re.compile(r"\d{1,2}(?:\.\d{1,2}){1,2}")
# Units people append to a score; stripped before the number is read.
_UNITS = ("分",)


class ValueKind(StrEnum):
    NUMBER = "number"  # a real number cell
    TEXT_NUMBER = "text_number"  # a number typed as text: read, with a warning
    BLANK = "blank"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: ValueKind
    value: float | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def parse_number(raw: object) -> Parsed:
    """Read a cell value as a score/value: strict, see the module docstring."""
    if type(raw) is float:  # by far the most common: a number cell
        return Parsed(ValueKind.NUMBER, raw) if math.isfinite(raw) else Parsed(ValueKind.INVALID)
    if raw is None:
        return Parsed(ValueKind.BLANK)
    # bool is an int subclass: TRUE in a score cell is not a score of 1.
    if isinstance(raw, bool):
        return Parsed(ValueKind.INVALID)
    if isinstance(raw, int | float):
        value = float(raw)
        if not math.isfinite(value):
            return Parsed(ValueKind.INVALID)
        return Parsed(ValueKind.NUMBER, value)
    if isinstance(raw, str):
        text = normalize_text(raw)
        if not text:
            return Parsed(ValueKind.BLANK)
        for unit in _UNITS:
            if text.endswith(unit):
                text = text[: -len(unit)].rstrip()
        if _DECIMAL.fullmatch(text):
            value = float(text)
            if math.isfinite(value):
                return Parsed(ValueKind.TEXT_NUMBER, value)
        return Parsed(ValueKind.INVALID)
    return Parsed(ValueKind.INVALID)  # dates, times, durations, anything else


class CodeKind(StrEnum):
    TEXT = "text"
    NUMERIC = "numeric"  # typed as a number, unambiguous: accepted with a warning
    AMBIGUOUS = "ambiguous"  # typed as a number that could be two codes (3.1 / 3.10)
    NONE = "none"  # not an item code (a title, a note, a blank)


@dataclass(frozen=True, slots=True)
class ParsedCode:
    kind: CodeKind
    code: str = ""


def parse_code(raw: object, known: Collection[str]) -> ParsedCode:
    """Read an 编号 cell: ``S.N`` or ``S.N.P`` as text; numbers only where unambiguous.

    ``known`` are all codes the standard has (lines and items); a float ``x`` is ambiguous when
    both ``str(x)`` and ``str(x) + "0"`` are known codes.
    """
    if isinstance(raw, str):
        text = normalize_text(raw)
        return (
            ParsedCode(CodeKind.TEXT, text) if _CODE.fullmatch(text) else ParsedCode(CodeKind.NONE)
        )
    if isinstance(raw, float) and not isinstance(raw, bool) and math.isfinite(raw):
        text = repr(raw)
        if not _CODE.fullmatch(text):
            return ParsedCode(CodeKind.NONE)
        if text in known and f"{text}0" in known:
            return ParsedCode(CodeKind.AMBIGUOUS, text)
        if text in known:
            return ParsedCode(CodeKind.NUMERIC, text)
    return ParsedCode(CodeKind.NONE)


def parse_year(raw: object) -> int | None:
    """考核年度 as typed: ``2026``, ``2026.0``, ``"2026"``, ``"2026年"``, ``"２０２６年度"``."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, dt.date | dt.datetime):
        return raw.year
    if isinstance(raw, int | float):
        return int(raw) if math.isfinite(raw) and float(raw).is_integer() else None
    if isinstance(raw, str):
        text = normalize_text(raw).removesuffix("度").removesuffix("年").strip()
        if re.fullmatch(r"\d{4}", text):
            return int(text)
    return None


def describe(raw: object) -> str:
    """A cell value as the operator would recognise it in a message."""
    if raw is None or raw == "":
        return "空白"
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date | dt.time | dt.timedelta):
        return f"日期/时间值 {raw}"
    text = str(raw)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"
