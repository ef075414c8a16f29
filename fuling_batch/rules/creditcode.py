"""统一社会信用代码 (GB 32100-2015): normalisation and the check character."""

from __future__ import annotations

from .text import compact_text

__all__ = ["check_character", "is_valid", "normalize", "problem"]

# GB 32100-2015 table 1: the 31 characters used (no I, O, S, V, Z) and their values.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize(code: str) -> str:
    """Full-width to half-width, spaces removed, upper case: how people mistype codes."""
    return compact_text(code).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be valid characters)."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code (Chinese), or None if it is valid."""
    code = normalize(code)
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用I、O、S、V、Z）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位为{code[17]}，按GB 32100-2015应为{expected}，请核对代码"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None
