"""Titles broken into lines by phrase (GB/T 9704-2012, 7.3.1), a pure function.

"标题回行时，要做到词意完整，排列对称，长短适宜，间距恰当，标题排列应当使用梯形或菱形。"
A title is given as phrases, each with the cost of ending a line after it; a line never ends
inside a phrase. An enterprise's name is one phrase unless it is wider than a line itself: it
is then cut where names are cut (after 重庆市, 涪陵区; before 集团, 有限公司), and only as a last
resort into short runs. Among the ways to break, the best is the one that

1. cuts the name the fewest times (never, when it fits a line),
2. is shaped as a trapezoid or a diamond (line lengths rise, then fall; never an hourglass),
3. has the fewest lines,
4. ends lines at the strongest phrase boundaries, with lines of the most even length.

Widths are in characters of the title's size: a CJK character (or full-width sign) is 1, an
ASCII character 0.5. 2号 小标宋 (22 pt) gives 20 characters in the 156 mm block.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

__all__ = [
    "BREAK_BAD",
    "BREAK_NAME",
    "BREAK_OK",
    "BREAK_WEAK",
    "TITLE_WIDTH",
    "Phrase",
    "is_trapezoid_or_diamond",
    "name_phrases",
    "text_width",
    "title_lines",
]

# 2号 (22 pt) characters in the 156 mm (442 pt) text block.
TITLE_WIDTH = 20.0

# The cost of ending a line after a phrase.
BREAK_OK = 0  # between phrases of the title: 关于对 | 企业 | 书记、| 行政主要负责人
BREAK_WEAK = 1  # inside a phrase that reads as one: 党组织 | 书记, 予以 | 谈话提醒
BREAK_BAD = 3  # leaves a function word to start or end a line: 调整建议 | 的通知
BREAK_NAME = 10  # inside an enterprise's name, where names are cut: 涪陵区 | 城市建设
_BREAK_CHOP = 40  # inside a name part that is itself wider than a line

# Beyond these the search for the best breaks is cut short: lines are filled in order.
_SEARCH_ATOMS, _SEARCH_LINES = 18, 5


class Phrase(NamedTuple):
    """A run of the title never broken, and the cost of ending a line after it."""

    text: str
    cost: int = BREAK_OK
    name: bool = False  # a part of an enterprise's name: a break after it cuts the name


def text_width(text: str) -> float:
    """A text's width in characters: CJK (and every full-width sign) 1, ASCII 0.5."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)


# Where a name is cut when it must be: after the administrative prefix, before the form.
_PREFIX = re.compile(r"^(?:中共)?(?:[^市区县州]{2,4}[省市])?(?:[^市区县州]{2,4}[区县州])?")
_SUFFIX = re.compile(r"(?:（集团）|\(集团\))?(?:股份有限公司|有限责任公司|有限公司|公司)$")
_GROUP = re.compile(r"集团$")


def name_phrases(name: str, width: float = TITLE_WIDTH, cost: int = BREAK_OK) -> list[Phrase]:
    """An enterprise's name as phrases: one phrase when it fits a line, else its parts.

    ``cost`` is that of ending a line after the whole name.
    """
    if text_width(name) <= width:
        return [Phrase(name, cost)]
    parts: list[str] = []
    prefix = _PREFIX.match(name)
    rest = name
    if prefix and prefix.end() < len(name):
        parts.append(prefix.group())
        rest = name[prefix.end() :]
    suffix = _SUFFIX.search(rest)
    tail = ""
    if suffix and suffix.start() > 0:
        rest, tail = rest[: suffix.start()], suffix.group()
    group = _GROUP.search(rest)
    if group and group.start() > 0:
        parts += [rest[: group.start()], group.group()]
    else:
        parts.append(rest)
    if tail:
        parts.append(tail)
    phrases: list[Phrase] = []
    for part in (p for p in parts if p):
        chunks = list(_chop(part, width))
        phrases += [Phrase(chunk, _BREAK_CHOP, True) for chunk in chunks[:-1]]
        phrases.append(Phrase(chunks[-1], BREAK_NAME, True))
    return [*phrases[:-1], Phrase(phrases[-1].text, cost)]


def _chop(part: str, width: float) -> Iterator[str]:
    """A name part wider than a line, in runs of four characters (a last resort)."""
    if text_width(part) <= width:
        yield part
        return
    for i in range(0, len(part), 4):
        yield part[i : i + 4]


def is_trapezoid_or_diamond(widths: Sequence[float]) -> bool:
    """Line widths that rise (or stay) and then fall (or stay): a trapezoid either way up, or
    a diamond; never an hourglass (a line shorter than lines on both sides of it)."""
    falling = False
    for before, after in itertools.pairwise(widths):
        if after < before:
            falling = True
        elif after > before and falling:
            return False
    return True


def title_lines(phrases: Sequence[Phrase | str], width: float = TITLE_WIDTH) -> list[str]:
    """The title's lines: see the module's docstring for which breaks win."""
    atoms = [p if isinstance(p, Phrase) else Phrase(p) for p in phrases]
    atoms = [p for p in atoms if p.text]
    if not atoms:
        return []
    chopped: list[Phrase] = []
    for atom in atoms:  # a phrase wider than a line (not a name's): cut as a last resort
        if text_width(atom.text) <= width or atom.name:
            chopped.append(atom)
            continue
        pieces = list(_chop(atom.text, width))
        chopped += [Phrase(t, _BREAK_CHOP) for t in pieces[:-1]]
        chopped.append(Phrase(pieces[-1], atom.cost))
    widths = [text_width(a.text) for a in chopped]
    total = sum(widths)
    fewest = max(1, -(-int(total * 2) // int(width * 2)))
    if len(chopped) > _SEARCH_ATOMS or fewest > _SEARCH_LINES:
        return _filled(chopped, widths, width)  # no title is this long: bound the work
    least_cuts = _least_name_cuts(chopped, widths, width)
    best: tuple[tuple[float, ...], list[int]] | None = None
    for lines in range(fewest, min(fewest + 3, len(chopped)) + 1):
        for cuts in _cuttings(widths, lines, width):
            key = _rank(cuts, chopped, widths, lines)
            if best is None or key < best[0]:
                best = (key, cuts)
        if best is not None and best[0][0] <= least_cuts and best[0][1] == 0:
            break  # the fewest cuts inside names and a proper shape: more lines cannot do better
    if best is None:  # cannot happen: every atom fits a line, so one per line always works
        return ["".join(a.text for a in chopped)]
    bounds = [0, *best[1], len(chopped)]
    return ["".join(a.text for a in chopped[i:j]) for i, j in itertools.pairwise(bounds)]


def _least_name_cuts(atoms: Sequence[Phrase], widths: Sequence[float], width: float) -> int:
    """How many times the names must be cut at least: a name twice a line's width, once."""
    cuts, run = 0, 0.0
    for atom, w in zip(atoms, widths, strict=True):
        run += w
        if not atom.name:  # a name's last part (or any other phrase) ends the run
            cuts += max(0, -(-int(run * 2) // int(width * 2)) - 1)
            run = 0.0
    return cuts


def _filled(atoms: Sequence[Phrase], widths: Sequence[float], width: float) -> list[str]:
    """Lines filled in order, a new one whenever the next phrase does not fit."""
    lines: list[str] = []
    used = width + 1
    for atom, w in zip(atoms, widths, strict=True):
        if used + w > width:
            lines.append("")
            used = 0.0
        lines[-1] += atom.text
        used += w
    return lines


def _cuttings(widths: Sequence[float], lines: int, width: float) -> Iterator[list[int]]:
    """Every way to cut the atoms into ``lines`` lines no wider than ``width`` (cut = the
    index of a line's first atom)."""
    n = len(widths)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)

    def walk(start: int, left: int) -> Iterator[list[int]]:
        if left == 1:
            if prefix[n] - prefix[start] <= width:
                yield []
            return
        for end in range(start + 1, n - left + 2):
            if prefix[end] - prefix[start] > width:
                break
            if prefix[n] - prefix[end] > (left - 1) * width:
                continue
            for rest in walk(end, left - 1):
                yield [end, *rest]

    yield from walk(0, lines)


def _rank(
    cuts: list[int], atoms: Sequence[Phrase], widths: Sequence[float], lines: int
) -> tuple[float, ...]:
    bounds = [0, *cuts, len(atoms)]
    line_widths = [sum(widths[i:j]) for i, j in itertools.pairwise(bounds)]
    name_cuts = sum(1 for c in cuts if atoms[c - 1].name)
    cost = sum(atoms[c - 1].cost for c in cuts)
    shape = 0 if is_trapezoid_or_diamond(line_widths) else 1
    evenness = max(line_widths) - min(line_widths)
    return (name_cuts, shape, lines, 10 * cost + evenness)
