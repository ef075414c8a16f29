"""发文登记: how notices get their numbers, and when a number is voided (docs/规则说明.md, 发文字号).

A number, once given, never moves and is never reused:

- a notice is numbered when it is first drafted, and keeps that number on every re-run;
- a new notice takes the next number after the highest ever used that year (voids included),
  starting at ``first_number``; the first run numbers in the order it is given (调整, 诫勉,
  谈话提醒, then by credit code), later notices are appended;
- a draft no longer needed (the enterprise now passes, or its kind of notice changed) becomes
  void; the draft of an enterprise this run did not grade (its sheet was sent back, or is
  missing) is kept as it is, so that it gets its number back once the sheet is corrected;
- an issued notice (签发) is history: a re-run that would change what it states stops, unless
  the operator amends, which voids it and numbers a corrected notice (更正).

This module only decides; ``history/register.py`` stores the decisions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "EMPTY_REGISTER",
    "Change",
    "Entry",
    "NoticeState",
    "Plan",
    "RegisterView",
    "Statement",
    "Wanted",
    "doc_number",
    "plan_register",
]


class NoticeState(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    VOID = "void"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "issued": "已印发", "void": "作废"}[self.value]


@dataclass(frozen=True, slots=True)
class Statement:
    """What a notice states about its enterprise: what must not change once it is issued."""

    total: float
    final_grade: str
    consequences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the register, as stored."""

    id: int
    year: int
    key: str
    enterprise: str
    kind: str
    number: int
    state: NoticeState
    statement: Statement
    credit_code: str = ""
    doc_number: str = ""
    drafted: str = ""
    issued: str = ""
    voided: str = ""
    file: str = ""
    sha256: str = ""
    replaces: int | None = None


@dataclass(frozen=True, slots=True)
class Wanted:
    """A notice this run's results call for, in the order a first run numbers them."""

    key: str
    enterprise: str
    kind: str
    statement: Statement
    credit_code: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """An issued notice whose enterprise this run grades differently (or not at all)."""

    entry: Entry
    now: Statement | None  # None: the enterprise has no result this run


@dataclass(frozen=True)
class Plan:
    """The register after this run: each wanted notice's number, what becomes void, what is new.

    ``numbers`` maps (key, kind) of every wanted notice to its number; ``new`` are the wanted
    notices that had none (with the id of the issued notice they correct, if any); ``void`` the
    entries that become void; ``kept`` the drafts this run writes again, ``pending`` the drafts
    of enterprises it did not grade; ``kept_issued`` the issued entries left as they are;
    ``changes`` the issued entries this run would change (with changes and no amend, the run
    must stop).
    """

    numbers: dict[tuple[str, str], int]
    new: list[tuple[Wanted, int, int | None]]
    void: list[Entry]
    kept: list[Entry]
    kept_issued: list[Entry]
    changes: list[Change]
    pending: list[Entry]


@dataclass(frozen=True)
class RegisterView:
    """The year's whole register as it stands after a run, in number order; ``pending`` are the
    ids of drafts the run kept without writing them (their enterprises were not graded)."""

    entries: tuple[Entry, ...] = ()
    pending: frozenset[int] = frozenset()


EMPTY_REGISTER = RegisterView()


def doc_number(prefix: str, year: int, number: int) -> str:
    """The 发文字号 as printed: ``涪国资党委〔2026〕3号``."""
    return f"{prefix}〔{year}〕{number}号"


def plan_register(
    existing: Sequence[Entry],
    wanted: Sequence[Wanted],
    statements: Mapping[str, Statement],
    first_number: int,
    *,
    amend: bool = False,
    series: Collection[str] | None = None,
) -> Plan:
    """Decide every number of the year (see the module docstring).

    ``statements`` holds what this run grades every enterprise (by key), with or without a
    notice: an issued enterprise now graded 合格 is a change too. ``series`` are the kinds
    of notice the run writes; entries of other kinds (a 催办通知) only take up their numbers.
    """
    live = [
        e
        for e in existing
        if e.state is not NoticeState.VOID and (series is None or e.kind in series)
    ]
    issued = {e.key: e for e in live if e.state is NoticeState.ISSUED}
    drafts = {(e.key, e.kind): e for e in live if e.state is NoticeState.DRAFT}
    changes = [
        Change(e, statements.get(e.key))
        for e in issued.values()
        if statements.get(e.key) != e.statement
    ]
    changed = {c.entry.key for c in changes}
    highest = max((e.number for e in existing), default=first_number - 1)
    next_number = max(highest + 1, first_number)

    numbers: dict[tuple[str, str], int] = {}
    new: list[tuple[Wanted, int, int | None]] = []
    kept: list[Entry] = []
    kept_issued: list[Entry] = []
    for w in wanted:
        done = issued.get(w.key)
        if done is not None and w.key not in changed:
            numbers[(w.key, w.kind)] = done.number
            kept_issued.append(done)
            continue
        draft = drafts.get((w.key, w.kind))
        if draft is not None:
            numbers[(w.key, w.kind)] = draft.number
            kept.append(draft)
            continue
        replaces = done.id if done is not None and amend else None
        numbers[(w.key, w.kind)] = next_number
        new.append((w, next_number, replaces))
        next_number += 1
    used = {(e.key, e.kind) for e in kept}
    unused = [e for e in drafts.values() if (e.key, e.kind) not in used]
    pending = [e for e in unused if e.key not in statements]
    void = [e for e in unused if e.key in statements]
    if amend:
        void += [c.entry for c in changes]
    return Plan(numbers, new, void, kept, kept_issued, changes, pending)
