"""The three grades of the annex: 合格, 基本合格, 不合格."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Grade"]


class Grade(StrEnum):
    PASS = "合格"
    BASIC = "基本合格"
    FAIL = "不合格"

    @property
    def rank(self) -> int:
        """Higher is better; used to cap a grade (the ▲ rule) and to compare years."""
        return {Grade.PASS: 2, Grade.BASIC: 1, Grade.FAIL: 0}[self]
