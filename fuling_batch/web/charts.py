"""Bar charts as geometry for inline SVG (``templates/_chart.html`` draws them).

No chart library: the pages need a few bars, and an inline SVG drawn from numbers works
offline, prints, and reads the same in every browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bar", "Chart", "bar_chart", "stacked_chart"]

GRADE_COLOURS = {"合格": "#2e7d32", "基本合格": "#e0a100", "不合格": "#c62828"}
_DEFAULT_COLOUR = "#4a6fa5"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # under the bar
    value: str  # above the bar
    title: str  # the tooltip


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    baseline: float
    legend: list[tuple[str, str]]


_W, _H, _TOP, _BOTTOM, _SIDE = 420, 170, 22, 28, 12


def bar_chart(
    title: str,
    items: Sequence[tuple[str, float, str]],
    *,
    colours: Sequence[str] | None = None,
    maximum: float | None = None,
    unit: str = "",
) -> Chart:
    """One bar per ``(label, value, shown value)``, scaled to ``maximum`` (default: the largest)."""
    top = maximum or max((value for _, value, _ in items), default=0) or 1
    slot = (_W - 2 * _SIDE) / max(len(items), 1)
    width = min(56.0, slot * 0.7)
    plot = _H - _TOP - _BOTTOM
    bars = []
    for i, (label, value, shown) in enumerate(items):
        height = plot * (value / top) if value > 0 else 0
        colour = (colours[i] if colours else None) or GRADE_COLOURS.get(label, _DEFAULT_COLOUR)
        bars.append(
            Bar(
                x=_SIDE + slot * i + (slot - width) / 2,
                y=_TOP + plot - height,
                width=width,
                height=height,
                colour=colour,
                label=label,
                value=shown,
                title=f"{label}：{shown}{unit}",
            )
        )
    return Chart(title, _W, _H, bars, _TOP + plot, [])


def stacked_chart(title: str, columns: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> Chart:
    """One column per ``(label, [(part, count), …])``, parts stacked in the given order."""
    top: float = max((sum(n for _, n in parts) for _, parts in columns), default=0) or 1
    slot = (_W - 2 * _SIDE) / max(len(columns), 1)
    width = min(48.0, slot * 0.6)
    plot = _H - _TOP - _BOTTOM
    bars = []
    legend: dict[str, str] = {}
    for i, (label, parts) in enumerate(columns):
        y: float = _TOP + plot
        total = sum(n for _, n in parts)
        for j, (part, count) in enumerate(parts):
            colour = GRADE_COLOURS.get(part, _DEFAULT_COLOUR)
            legend[part] = colour
            height = plot * count / top
            y -= height
            last = j == len(parts) - 1
            bars.append(
                Bar(
                    x=_SIDE + slot * i + (slot - width) / 2,
                    y=y,
                    width=width,
                    height=height,
                    colour=colour,
                    label=label if j == 0 else "",
                    value=str(total) if last else "",
                    title=f"{label}年 {part}：{count} 家",
                )
            )
    return Chart(title, _W, _H, bars, _TOP + plot, list(legend.items()))
