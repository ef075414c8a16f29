"""How tall a row must be to show its text wrapped in a column of a given width.

Excel and LibreOffice do not fit a row to wrapped text in merged cells, nor rows whose height
xlsxwriter or openpyxl wrote, so the forms (the template, the 退回说明 sheet) estimate it.
"""

from __future__ import annotations

import math
import unicodedata

__all__ = ["LINE_PT", "text_units", "wrapped_height"]

# Rendered line height of 11 pt CJK text in points; generous because the fallback CJK fonts
# (Noto CJK in LibreOffice) are taller than SimSun.
LINE_PT = 15.5


def text_units(text: str) -> float:
    """Width in Excel character units: CJK and full-width forms take about two."""
    return sum(2.15 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def wrapped_height(text: str, width: float, minimum: float = 20.0) -> float:
    """Row height (points) that shows ``text`` wrapped in a column ``width`` units wide;
    each line break in ``text`` starts a line."""
    usable = width - 1.5  # cell padding
    lines = sum(max(1, math.ceil(text_units(part) / usable)) for part in text.split("\n"))
    return max(minimum, round(lines * LINE_PT + 5, 1))
