"""What a notice says: the kind of notice for a result, its number, and the template context.

The context holds plain, cleaned strings, numbers, booleans and lists of dicts only, so it can
be sent to worker processes and is safe to hand to the sandboxed template. Its keys are
:data:`CONTEXT_KEYS`; a template may use no other variable.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import NoticeConfig
from ..rules.consequences import (
    CONSEQUENCE_ADJUST,
    CONSEQUENCE_ADMONISH,
    CONSEQUENCE_REMIND,
    opinion,
    streak_words,
)
from ..rules.models import GradeResult, ItemScore
from ..rules.numbering import doc_number
from ..rules.standard import Item, Line, Standard, fmt_number
from ..rules.text import clean_text
from .titles import BREAK_BAD, BREAK_WEAK, Phrase, name_phrases, title_lines

__all__ = [
    "CONTEXT_KEYS",
    "KIND_ADJUST",
    "KIND_ADMONISH",
    "KIND_REMIND",
    "MAX_DEDUCTIONS",
    "NOTICE_KINDS",
    "NoticePlan",
    "assessed_on_text",
    "build_context",
    "chinese_date",
    "clean_text",
    "complete_context",
    "criterion_title",
    "dated",
    "due_date",
    "notice_kind",
    "notice_title_lines",
    "notices_due",
    "plan_notices",
]

# The three notices, most severe first: that is also the order in which 文号 are given.
KIND_ADJUST = "组织诫勉及调整建议通知书"
KIND_ADMONISH = "组织诫勉通知书"
KIND_REMIND = "谈话提醒通知书"
_SEVERITY = {KIND_ADJUST: 0, KIND_ADMONISH: 1, KIND_REMIND: 2}
NOTICE_KINDS = frozenset(_SEVERITY)
# The notice that carries each consequence, most severe first.
_KIND_OF = (
    (CONSEQUENCE_ADJUST, KIND_ADJUST),
    (CONSEQUENCE_ADMONISH, KIND_ADMONISH),
    (CONSEQUENCE_REMIND, KIND_REMIND),
)

# ``deductions`` (kept for templates edited before the annex) holds at most this many, largest
# first, and ``more_deductions`` how many more there are; the annex (``annex_items``) has all.
MAX_DEDUCTIONS = 10

CONTEXT_KEYS = frozenset(
    {
        "addressee", "admin_head", "annex_items", "assessed_on", "authority", "authority_short",
        "cadre_authority", "copy_to", "credit_code", "deadline", "deducted_total",
        "deduction_count", "deductions", "downgraded", "enterprise", "fail_streak",
        "fail_streak_text", "final_grade", "is_adjust", "is_admonish", "is_remind", "issue_date",
        "kind", "more_deductions", "number", "opinion", "prev_grade", "prev_rectification",
        "prev_total", "prev_year", "print_authority", "quote_full", "raw_grade", "rectify_days",
        "secretary", "standard_title", "title_lines", "total", "triangle_items", "year",
    }
)  # fmt: skip


def chinese_date(day: dt.date) -> str:
    """``2026年11月24日``: Arabic numerals, no zero padding (GB/T 9704-2012, 7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_kind(result: GradeResult) -> str | None:
    """The notice that carries an enterprise's consequences, or None (合格: none)."""
    for consequence, kind in _KIND_OF:
        if consequence in result.consequences:
            return kind
    return None


@dataclass(frozen=True, slots=True)
class NoticePlan:
    """One notice to write: which result, which kind, and its 文号."""

    result: GradeResult
    kind: str
    number: str


def notices_due(results: Sequence[GradeResult]) -> list[tuple[str, GradeResult]]:
    """(kind, result) of every notice the results call for, in the order a first run numbers
    them: most severe kind first (调整, then 诫勉, then 谈话提醒), then by the enterprise's key
    (credit code, or name when the code is missing), whatever order the files were read in."""
    due = [(kind, r) for r in results if (kind := notice_kind(r)) is not None]
    due.sort(key=lambda kr: (_SEVERITY[kr[0]], kr[1].key, kr[1].enterprise))
    return due


def plan_notices(
    results: Sequence[GradeResult],
    year: int,
    config: NoticeConfig,
    numbers: Mapping[tuple[str, str], int] | None = None,
) -> list[NoticePlan]:
    """The notices to write, in :func:`notices_due` order, each with its 文号.

    ``numbers`` are the document register's numbers by (key, kind)
    (:func:`~fuling_batch.rules.numbering.plan_register`); without them the notices are
    numbered from ``config.first_number`` in order.
    """
    due = notices_due(results)
    return [
        NoticePlan(
            result,
            kind,
            doc_number(
                config.number_prefix,
                year,
                numbers[(result.key, kind)] if numbers is not None else config.first_number + i,
            ),
        )
        for i, (kind, result) in enumerate(due)
    ]


def due_date(context: Mapping[str, Any], day: dt.date) -> dt.date:
    """The 整改 deadline of a notice issued on ``day``: ``rectify_days`` later."""
    return day + dt.timedelta(days=int(context["rectify_days"]))


def dated(context: Mapping[str, Any], day: dt.date, due: dt.date | None = None) -> dict[str, Any]:
    """A notice's context with its 成文日期 set to ``day`` and its 整改 deadline to ``due``
    (by default :func:`due_date`); a context stored by an earlier version is completed first
    (:func:`complete_context`)."""
    return {
        **complete_context(context),
        "issue_date": chinese_date(day),
        "deadline": chinese_date(due or due_date(context, day)),
    }


def complete_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A stored context with every key of :data:`CONTEXT_KEYS`: the register keeps each
    notice's context, and one stored before a key existed must still render with today's
    template (the title's lines from the name and kind, the annex from the deductions it
    listed; any other key missing is empty)."""
    out = dict(context)
    if "title_lines" not in out:
        kind, name = out.get("kind", ""), str(out.get("enterprise", ""))
        out["title_lines"] = notice_title_lines(name, kind) if kind in NOTICE_KINDS else [name]
    if "annex_items" not in out:
        out["annex_items"] = [
            {"key": "", "value": "", "score": "", **row} for row in out.get("deductions", [])
        ]
    out.setdefault("quote_full", False)
    out.setdefault("cadre_authority", NoticeConfig().cadre_authority)
    for key in CONTEXT_KEYS - out.keys():
        out[key] = ""
    return out


def build_context(
    plan: NoticePlan,
    standard: Standard,
    config: NoticeConfig,
    issue_date: dt.date,
    prev_rectification: str = "",
) -> dict[str, Any]:
    """Everything the template may say about one notice (keys: :data:`CONTEXT_KEYS`).

    Every string goes through :func:`clean_text`: the sheet's own text each time, the texts of
    the standard and the configuration through a cache (they repeat on every notice).
    Numbers are formatted by ``fmt_number`` and need no cleaning.
    """
    result = plan.result
    header = result.sheet.header
    prev = result.previous
    deductions = _deductions(result, standard)
    shown = deductions[:MAX_DEDUCTIONS]
    authority_short = config.authority_short or config.authority
    full = config.quote == "full"
    enterprise = clean_text(header.enterprise)
    return {
        "addressee": clean_text(header.party_org or header.enterprise),
        "admin_head": clean_text(header.admin_head),
        "annex_items": _annex_items(result, standard, full),
        "assessed_on": clean_text(assessed_on_text(header.assessed_on)),
        "authority": _static(config.authority),
        "authority_short": _static(authority_short),
        "cadre_authority": _static(config.cadre_authority),
        "copy_to": _static(config.copy_to),
        "credit_code": clean_text(header.credit_code),
        "deadline": chinese_date(issue_date + dt.timedelta(days=config.rectify_days)),
        "deducted_total": fmt_number(round(sum(d[0] for d in deductions), 6)),
        "deduction_count": len(deductions),
        "deductions": [_deduction_row(line, got) for _, line, got in shown],
        "downgraded": result.raw_grade is not result.final_grade,
        "enterprise": enterprise,
        "fail_streak": result.fail_streak,
        "fail_streak_text": _static(_streak_text(result.fail_streak, result.year)),
        "final_grade": _static(str(result.final_grade)),
        "is_adjust": plan.kind == KIND_ADJUST,
        "is_admonish": plan.kind in (KIND_ADJUST, KIND_ADMONISH),
        "is_remind": plan.kind == KIND_REMIND,
        "issue_date": chinese_date(issue_date),
        "kind": _static(plan.kind),
        "more_deductions": len(deductions) - len(shown),
        "number": clean_text(plan.number),
        "opinion": _static(opinion(result.consequences)),
        "prev_grade": _static(str(prev.grade)) if prev else "",
        "prev_rectification": clean_text(prev_rectification),
        "prev_total": fmt_number(prev.total) if prev else "",
        "prev_year": prev.year if prev else "",
        "print_authority": _static(authority_short),
        "quote_full": full,
        "raw_grade": _static(str(result.raw_grade)),
        "rectify_days": config.rectify_days,
        "secretary": clean_text(header.secretary),
        "standard_title": _static(standard.title),
        "title_lines": notice_title_lines(enterprise, plan.kind),
        "total": fmt_number(result.total),
        "triangle_items": _triangle_items(result, standard, full),
        "year": result.year,
    }


def _streak_text(streak: int, year: int) -> str:
    """``连续两年``; a longer streak names the year it began: ``自2024年度起连续三年``."""
    if streak <= 2:
        return streak_words(max(streak, 2))
    return f"自{year - streak + 1}年度起{streak_words(streak)}"


# The standard's and the configuration's texts, cleaned once.
_static = functools.lru_cache(maxsize=4096)(clean_text)


def _deductions(result: GradeResult, standard: Standard) -> list[tuple[float, Line, ItemScore]]:
    """Lines below full, largest deduction first (ties in standard order)."""
    scores = result.sheet.by_code
    out = []
    for order, line in enumerate(standard.lines):
        got = scores.get(line.code)
        if got is None or line.is_full(got.score):
            continue
        out.append((round(line.value - got.score, 6), order, line, got))
    out.sort(key=lambda t: (-t[0], t[1]))
    return [(lost, line, got) for lost, _, line, got in out]


# The title's action per kind: 予以 may end a line (weakly); 的通知 should not start one.
_TITLE_ACTION = {
    KIND_ADJUST: (
        Phrase("予以", BREAK_WEAK),
        Phrase("组织诫勉"),
        Phrase("并提出调整建议", BREAK_BAD),
    ),
    KIND_ADMONISH: (Phrase("予以", BREAK_WEAK), Phrase("组织诫勉", BREAK_BAD)),
    KIND_REMIND: (Phrase("予以", BREAK_WEAK), Phrase("谈话提醒", BREAK_BAD)),
}


@functools.lru_cache(maxsize=1024)
def _title_lines(enterprise: str, kind: str) -> tuple[str, ...]:
    phrases = [
        Phrase("关于对"),
        *name_phrases(enterprise),
        Phrase("党组织", BREAK_WEAK),
        Phrase("书记、"),
        Phrase("行政主要负责人"),
        *_TITLE_ACTION[kind],
        Phrase("的通知"),
    ]
    return tuple(title_lines(phrases))


def notice_title_lines(enterprise: str, kind: str) -> list[str]:
    """The notice's title (关于对…予以谈话提醒的通知) in lines, broken by phrase
    (:func:`~fuling_batch.notices.titles.title_lines`)."""
    return list(_title_lines(enterprise, kind))


@functools.lru_cache(maxsize=256)
def criterion_title(item: Item, least: int = 10) -> str:
    """A criterion named by its opening clauses, whole: clauses up to the first that brings
    it to ``least`` characters (``坚持党管人才原则，实施人才强企战略``); never cut with "…"."""
    out = ""
    for clause in re.split(r"(?<=[，；。,;])", item.text):
        out += clause
        if len(out.rstrip("，；。,;")) >= least:
            break
    return out.rstrip("，；。,;")


def _annex_items(result: GradeResult, standard: Standard, full: bool) -> list[dict[str, str]]:
    """Every line below full, in the standard's order (the annex reads like the score sheet)."""
    scores = result.sheet.by_code
    rows = []
    for line in standard.lines:
        got = scores.get(line.code)
        if got is None or line.is_full(got.score):
            continue
        item = line.item
        name = item.text if full else criterion_title(item)
        part = next((p.name for p in item.parts if p.code == line.code), "")
        rows.append(
            {
                "code": _static(line.code),
                "item": _static(f"{name}：{part}" if part else name),
                "key": "▲" if item.key else "",
                "value": fmt_number(line.value),
                "score": fmt_number(got.score),
                "points": fmt_number(round(line.value - got.score, 6)),
                "remark": clean_text(got.remark) or "（考核组未写明）",
            }
        )
    return rows


def _deduction_row(line: Line, got: ItemScore) -> dict[str, str]:
    item = line.label or line.item.short  # a part (4.1.x) is named by its own label
    return {
        "code": _static(line.code),
        "item": _static(item),
        "points": fmt_number(round(line.value - got.score, 6)),
        "remark": clean_text(got.remark),
    }


def _triangle_items(result: GradeResult, standard: Standard, full: bool) -> list[dict[str, str]]:
    scores = result.sheet.by_code
    items = []
    for code in result.triangle_not_met:
        item = standard.item(code)
        lines = [standard.line(p.code) for p in item.parts] if item.parts else [standard.line(code)]
        got = {line.code: scores[line.code].score for line in lines if line.code in scores}
        parts = "、".join(
            f"{line.label}得{fmt_number(got[line.code])}分"
            for line in lines
            if item.parts and line.code in got and line.code in result.triangle_lines
        )
        items.append(
            {
                "code": _static(code),
                "text": _static(item.text if full else criterion_title(item)),
                "value": fmt_number(item.value),
                "score": fmt_number(round(sum(got.values()), 6)),
                "parts": clean_text(parts),
            }
        )
    return items


def assessed_on_text(typed: str) -> str:
    """An ISO-like date as ``2026年11月20日``; anything else as typed."""
    match = re.fullmatch(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?", typed)
    if match:
        try:
            return chinese_date(dt.date(*map(int, match.groups())))
        except ValueError:
            pass
    return typed
