"""Who is who across years: the one identity rule (docs/规则说明.md, 跨年度衔接).

An enterprise is its 统一社会信用代码; names change (重组、改制), codes do not. A sheet without a
code is known by its name, with a warning. Names are compared by :func:`name_key` (white
space, full/half width and invisible characters do not count); 有限公司 and 有限责任公司 are
told apart, and equal only for a warning (:func:`loose_name_key`). Matching a sheet to last year's record:

1. a record with the same code;
2. else, for a sheet with a code, a record of the same name that has no code (imported from a
   results table without codes), with a warning;
3. else, for a sheet without a code, the one record of that name, with a warning (none or
   several: no record).

Validation (duplicates), the history lookup, the trend sheet and the notices all go through
:func:`identity_key`, :class:`YearIndex` and :func:`link_years`, so they cannot disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from .creditcode import normalize
from .text import clean_text, compact_text

__all__ = [
    "Match",
    "MatchKind",
    "YearIndex",
    "identity_key",
    "lineages",
    "link_years",
    "loose_name_key",
    "name_key",
]

# The long and short forms of a company's legal form: the same words to a reader, but a
# different registered name, so equal only with a warning (never silently).
_LONG_FORMS = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"))


@functools.lru_cache(maxsize=8192)
def name_key(enterprise: str) -> str:
    """How two enterprise names are compared: without white space anywhere (``涪陵 试验`` is
    ``涪陵试验``), full-width as half-width, without invisible characters, case-folded."""
    return compact_text(clean_text(enterprise)).casefold()


def loose_name_key(enterprise: str) -> str:
    """:func:`name_key` with 有限责任公司 read as 有限公司: a match here but not there is only
    worth a warning (two registered names that may be one enterprise)."""
    key = name_key(enterprise)
    for long, short in _LONG_FORMS:
        key = key.replace(long, short)
    return key


def identity_key(credit_code: str, enterprise: str) -> str:
    """The key an enterprise is stored and compared under: its code, else its exact name."""
    return (normalize(credit_code) if credit_code else "") or enterprise


class Identified(Protocol):
    @property
    def credit_code(self) -> str: ...
    @property
    def enterprise(self) -> str: ...


class Recorded(Identified, Protocol):
    """A stored outcome (``models.YearRecord``): one enterprise's record of one year."""

    @property
    def year(self) -> int: ...
    @property
    def key(self) -> str: ...


R = TypeVar("R", bound=Identified)
Y = TypeVar("Y", bound=Recorded)


class MatchKind(StrEnum):
    CODE = "code"  # same credit code: no warning
    NAME_OF_UNCODED = "name_of_uncoded"  # a coded sheet, matched to a record without a code
    NAME = "name"  # a sheet without a code, matched (or not) by name
    NONE = "none"  # a coded sheet with no record of its code or name


@dataclass(frozen=True, slots=True)
class Match(Generic[R]):
    """What :meth:`YearIndex.match` found; ``candidates`` counts records of the name (rule 3)."""

    record: R | None
    kind: MatchKind
    candidates: int = 0


class YearIndex(Generic[R]):
    """One year's records, indexed for the identity rule."""

    def __init__(self, records: Iterable[R]) -> None:
        self._by_code: dict[str, list[R]] = {}
        self._uncoded_by_name: dict[str, list[R]] = {}
        self._by_name: dict[str, list[R]] = {}
        for record in records:
            code = normalize(record.credit_code) if record.credit_code else ""
            name = name_key(record.enterprise)
            self._by_name.setdefault(name, []).append(record)
            if code:
                self._by_code.setdefault(code, []).append(record)
            else:
                self._uncoded_by_name.setdefault(name, []).append(record)

    def match(self, credit_code: str, enterprise: str) -> Match[R]:
        code = normalize(credit_code) if credit_code else ""
        if code:
            found = _only(self._by_code.get(code, ()))
            if found is not None:
                return Match(found, MatchKind.CODE)
            name = name_key(enterprise) if enterprise else ""
            found = _only(self._uncoded_by_name.get(name, ())) if name else None
            if found is not None:
                return Match(found, MatchKind.NAME_OF_UNCODED)
            return Match(None, MatchKind.NONE)
        if not enterprise:
            return Match(None, MatchKind.NONE)
        named = self._by_name.get(name_key(enterprise), [])
        return Match(_only(named), MatchKind.NAME, len(named))


def _only(records: Sequence[R]) -> R | None:
    return records[0] if len(records) == 1 else None


def link_years(records: Iterable[Recorded]) -> dict[tuple[int, str], str]:
    """Which records are the same enterprise: ``(year, key)`` → the key of its first record.

    A record is linked to last year's by :meth:`YearIndex.match` (a coded record follows a
    name-only one, as grading does); failing that, to an earlier record of the same key (a year
    without a record does not split an enterprise).
    """
    by_year: dict[int, list[Recorded]] = {}
    for record in records:
        by_year.setdefault(record.year, []).append(record)
    lineage: dict[tuple[int, str], str] = {}
    by_key: dict[str, str] = {}  # a key's lineage, as last seen
    for year in sorted(by_year):
        last = YearIndex(by_year.get(year - 1, ()))
        for record in by_year[year]:
            found = last.match(record.credit_code, record.enterprise).record
            if found is not None:
                line = lineage[(found.year, found.key)]
            else:
                line = by_key.get(record.key, record.key)
            lineage[(year, record.key)] = line
            by_key[record.key] = line
    return lineage


def lineages(records: Sequence[Y]) -> dict[str, dict[int, Y]]:
    """The records grouped by enterprise (:func:`link_years`): lineage → year → record."""
    line = link_years(records)
    out: dict[str, dict[int, Y]] = {}
    for record in records:
        out.setdefault(line[(record.year, record.key)], {})[record.year] = record
    return out
