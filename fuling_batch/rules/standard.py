"""The scoring standard (评分标准) as typed, immutable data.

The annex of 涪区委组〔2017〕86号 lives in ``data/standard.toml``; this module loads and
checks it. Every other module asks the :class:`Standard` for values, caps and ▲ flags
instead of restating them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import StandardError

__all__ = [
    "TOLERANCE",
    "Item",
    "Line",
    "Part",
    "Section",
    "Standard",
    "at_least",
    "load_standard",
    "same_score",
]


@dataclass(frozen=True, slots=True)
class Part:
    """A separately scored part of an item (only 4.1, 三会一课, has parts)."""

    code: str
    name: str
    value: float


@dataclass(frozen=True, slots=True)
class Item:
    """One criterion of the annex, in annex order."""

    code: str
    section: int
    text: str
    value: float
    key: bool
    parts: tuple[Part, ...] = ()

    @property
    def short(self) -> str:
        """The first clause of the criterion, for tables where the full text does not fit."""
        return short_text(self.text)


# Scores are decimals typed by people and summed in binary floating point: a score within this
# of a bound counts as on it. The one tolerance every comparison of scores uses.
TOLERANCE = 1e-9


def at_least(score: float, bound: float) -> bool:
    """``score >= bound``, allowing for floating-point error."""
    return score >= bound - TOLERANCE


def same_score(a: float, b: float) -> bool:
    """Whether two totals are equal, allowing for floating-point error (ties in a ranking)."""
    return abs(a - b) < TOLERANCE


@dataclass(frozen=True, slots=True)
class Line:
    """A scorable line of the score sheet: an item, or one part of an item that has parts."""

    code: str
    item: Item
    value: float
    label: str

    def is_full(self, score: float, share: float = 1.0) -> bool:
        """Whether ``score`` reaches the line's full value (or ``share`` of it)."""
        return at_least(score, share * self.value)

    def exceeds(self, score: float) -> bool:
        """Whether ``score`` is above the line's value (out of range)."""
        return not at_least(self.value, score)

    @property
    def key(self) -> bool:
        return self.item.key

    @property
    def section(self) -> int:
        return self.item.section


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    name: str
    cap: float
    items: tuple[Item, ...]

    @property
    def numeral(self) -> str:
        return "一二三四五六七八九十"[self.number - 1]

    @property
    def title(self) -> str:
        """The heading as the annex prints it, e.g. ``一、规范组织设置（8分）``."""
        return f"{self.numeral}、{self.name}（{fmt_number(self.cap)}分）"


@dataclass(frozen=True)
class Standard:
    version: str
    title: str
    total: float
    sections: tuple[Section, ...]

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        """All scorable lines in sheet order (58: the 55 items with 4.1 split into its parts)."""
        out: list[Line] = []
        for item in self.items:
            if item.parts:
                out.extend(
                    Line(part.code, item, part.value, f"{part.name}（{fmt_number(part.value)}分）")
                    for part in item.parts
                )
            else:
                out.append(Line(item.code, item, item.value, ""))
        return tuple(out)

    @cached_property
    def section_line_codes(self) -> tuple[tuple[str, ...], ...]:
        """For each section in order, the codes of its scorable lines."""
        return tuple(
            tuple(line.code for line in self.lines if line.section == section.number)
            for section in self.sections
        )

    @cached_property
    def key_lines(self) -> tuple[Line, ...]:
        """The scorable lines of ▲ items, in sheet order."""
        return tuple(line for line in self.lines if line.key)

    @cached_property
    def key_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.key)

    @cached_property
    def _items_by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    @cached_property
    def _lines_by_code(self) -> dict[str, Line]:
        return {line.code: line for line in self.lines}

    def item(self, code: str) -> Item:
        return self._items_by_code[code]

    def line(self, code: str) -> Line:
        return self._lines_by_code[code]


# Cached: the same few scores and criteria are formatted on every row and notice of a run.
@lru_cache(maxsize=4096)
def fmt_number(value: float) -> str:
    """``8.0`` → ``8``, ``4.5`` → ``4.5``: how people write scores."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@lru_cache(maxsize=1024)
def short_text(text: str, limit: int = 24) -> str:
    """First clause of a criterion (up to the first ，；。), bounded to ``limit`` characters."""
    for i, ch in enumerate(text):
        if ch in "，；。,;" and i >= 6:
            text = text[:i]
            break
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _build(raw: dict[str, Any]) -> Standard:
    try:
        sections = tuple(
            Section(
                number=int(sec["number"]),
                name=str(sec["name"]),
                cap=float(sec["cap"]),
                items=tuple(
                    Item(
                        code=str(it["code"]),
                        section=int(sec["number"]),
                        text=str(it["text"]),
                        value=float(it["value"]),
                        key=bool(it["key"]),
                        parts=tuple(
                            Part(str(p["code"]), str(p["name"]), float(p["value"]))
                            for p in it.get("parts", ())
                        ),
                    )
                    for it in sec["items"]
                ),
            )
            for sec in raw["sections"]
        )
        standard = Standard(
            version=str(raw["version"]),
            title=str(raw["title"]),
            total=float(raw["total"]),
            sections=sections,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StandardError(f"评分标准数据格式错误：{exc!r}") from exc
    _check(standard)
    return standard


def _check(standard: Standard) -> None:
    """Refuse a standard that does not add up: the program would grade wrongly otherwise."""
    codes = [item.code for item in standard.items] + [
        part.code for item in standard.items for part in item.parts
    ]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise StandardError(f"评分标准中编号重复：{'、'.join(repeated)}")
    for number, section in enumerate(standard.sections, 1):
        if section.number != number:
            raise StandardError(f"评分标准第{number}部分的序号为{section.number}，应为{number}")
        for pos, item in enumerate(section.items, 1):
            if item.code != f"{number}.{pos}":
                raise StandardError(f"评分标准编号{item.code}应为{number}.{pos}（按附件顺序）")
            if item.value <= 0:
                raise StandardError(f"评分标准{item.code}的分值必须大于0")
            if item.parts:
                if not math.isclose(sum(p.value for p in item.parts), item.value):
                    raise StandardError(f"评分标准{item.code}各分项之和不等于{item.value:g}分")
                for k, part in enumerate(item.parts, 1):
                    if part.code != f"{item.code}.{k}":
                        raise StandardError(f"评分标准分项编号{part.code}应为{item.code}.{k}")
        subtotal = sum(item.value for item in section.items)
        if not math.isclose(subtotal, section.cap):
            raise StandardError(
                f"评分标准“{section.name}”各项分值之和为{subtotal:g}，与该部分满分{section.cap:g}不符"
            )
    caps = sum(section.cap for section in standard.sections)
    if not math.isclose(caps, standard.total):
        raise StandardError(f"评分标准各部分满分之和为{caps:g}，应为{standard.total:g}")


def load_standard(path: str | Path | None = None) -> Standard:
    """Load and check the standard; the packaged one when ``path`` is None."""
    if path is None:
        return _packaged()
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StandardError(f"无法读取评分标准文件 {path}：{exc}") from exc
    return _build(raw)


@cache
def _packaged() -> Standard:
    text = resources.files(__package__).joinpath("data/standard.toml").read_text("utf-8")
    return _build(tomllib.loads(text))
