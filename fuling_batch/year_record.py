"""The year as an official record: a run's results against the document register.

The pipeline asks this module which numbers its notices carry (``rules.numbering`` decides),
whether the run may go ahead (an issued notice is history: a change needs ``--amend``), and
what to write into the register once every output is in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import UsageError
from .history.register import DraftRecord, RegisterUpdate
from .notices.context import NOTICE_KINDS, notices_due
from .notices.records import PlannedNotice
from .rules.issues import Issue
from .rules.models import Grade, GradeResult, YearRecord
from .rules.numbering import (
    Entry,
    NoticeState,
    Plan,
    RegisterView,
    Statement,
    Wanted,
    doc_number,
    plan_register,
)
from .rules.rectification import Rectification, carry_over_text
from .rules.standard import fmt_number

__all__ = [
    "YearLocked",
    "carry_over",
    "plan_year",
    "previous_year_findings",
    "register_update",
    "register_view",
    "restore_issued",
    "statement_of",
]


def statement_of(result: GradeResult) -> Statement:
    """What a notice about ``result`` states: total, final grade and consequences."""
    return Statement(result.total, str(result.final_grade), tuple(result.consequences))


def _describe(statement: Statement | None) -> str:
    if statement is None:
        return "本次没有该企业的评分结果"
    what = "、".join(statement.consequences) or "无需处理"
    return f"总分{fmt_number(statement.total)}分，{statement.final_grade}，{what}"


class YearLocked(UsageError):
    """A re-run would change what an issued notice states."""

    def __init__(self, year: int, plan: Plan) -> None:
        lines = [
            f"  · {c.entry.enterprise}：已印发 {c.entry.doc_number}（{_describe(c.entry.statement)}）"
            f"；本次：{_describe(c.now)}"
            for c in plan.changes
        ]
        super().__init__(
            f"{year}年度已有通知书印发，本次运行将改变以下已印发通知书的内容，已停止，未写入任何文件：\n"
            + "\n".join(lines)
            + "\n如确需更正，请加 --amend 重新运行：原通知书作废（保留在“已印发”文件夹和发文登记中），"
            "另发新文号的更正通知书。"
        )
        self.changes = plan.changes


def plan_year(
    results: Sequence[GradeResult],
    existing: Sequence[Entry],
    first_number: int,
    year: int,
    *,
    amend: bool = False,
) -> Plan:
    """The register's plan for this run's results; raises :class:`YearLocked` if it may not go on."""
    wanted = [
        Wanted(r.key, r.enterprise, kind, statement_of(r), r.credit_code)
        for kind, r in notices_due(results)
    ]
    statements = {r.key: statement_of(r) for r in results}
    plan = plan_register(
        existing, wanted, statements, first_number, amend=amend, series=NOTICE_KINDS
    )
    if plan.changes and not amend:
        raise YearLocked(year, plan)
    return plan


def register_update(
    year: int,
    year_dir: Path,
    plan: Plan,
    files: Sequence[PlannedNotice],
    contexts: Sequence[dict[str, Any]],
    stamp: str,
    hashes: Mapping[str, str],
) -> RegisterUpdate:
    """The register's rows for the notices this run drafted (issued ones are left as they are)."""
    issued = {(e.key, e.kind) for e in plan.kept_issued}
    kept = {(e.key, e.kind): e.id for e in plan.kept}
    replaces = {(w.key, w.kind): old for w, _, old in plan.new}
    drafts = []
    for (notice, record), context in zip(files, contexts, strict=True):
        key = (record.key, record.kind)
        if key in issued:
            continue
        drafts.append(
            DraftRecord(
                key=record.key,
                enterprise=record.enterprise,
                credit_code=notice.result.credit_code,
                kind=record.kind,
                number=plan.numbers[key],
                doc_number=record.number,
                statement=statement_of(notice.result),
                file=(file := record.path.relative_to(year_dir).as_posix()),
                sha256=hashes.get(file) or _sha256(record.path),
                context=json.dumps(context, ensure_ascii=False),
                entry_id=kept.get(key),
                replaces=replaces.get(key),
            )
        )
    return RegisterUpdate(year, stamp, drafts, [e.id for e in plan.void])


def register_view(existing: Sequence[Entry], plan: Plan, prefix: str, year: int) -> RegisterView:
    """The whole register as it will be after this run (the 发文登记 sheet)."""
    voided = {e.id for e in plan.void}
    rows = [replace(e, state=NoticeState.VOID) if e.id in voided else e for e in existing]
    rows += [
        Entry(
            0,
            year,
            w.key,
            w.enterprise,
            w.kind,
            number,
            NoticeState.DRAFT,
            w.statement,
            w.credit_code,
            doc_number(prefix, year, number),
            replaces=old,
        )
        for w, number, old in plan.new
    ]
    return RegisterView(
        tuple(sorted(rows, key=lambda e: e.number)), frozenset(e.id for e in plan.pending)
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def previous_year_findings(
    year: int, past: Sequence[YearRecord], results: Sequence[GradeResult]
) -> list[Issue]:
    """PREVIOUS_YEAR_MISSING when history cannot tell whether a 不合格 is the second in a row.

    Without last year's results the 调整 rule (连续两年不合格) cannot be applied: say so
    rather than drop the consequence silently. None when every 不合格 enterprise has a record
    of last year.
    """
    last = year - 1
    failing = [r for r in results if r.final_grade is Grade.FAIL]
    how = (
        f"请用 fuling-batch history import {last}年度考核结果.xlsx --year {last} 导入上年度结果后"
        f"重新运行；如{year}年度是首次考核，请加 --first-year"
    )
    if not any(record.year == last for record in past):
        return [
            Issue.warning(
                "PREVIOUS_YEAR_MISSING",
                f"历史数据库中没有{last}年度的考核结果，无法判断是否连续两年不合格（调整）"
                f"{f'，本年度不合格的{len(failing)}家企业可能漏掉调整建议' if failing else ''}。{how}",
            )
        ]
    unknown = [r.enterprise for r in failing if r.previous is None]
    if not unknown:
        return []
    names = "、".join(unknown[:10]) + (f"等{len(unknown)}家" if len(unknown) > 10 else "")
    return [
        Issue.warning(
            "PREVIOUS_YEAR_MISSING",
            f"{last}年度的历史记录中没有本年度不合格企业{names}的结果，无法判断是否连续两年不合格"
            f"（调整）。如这些企业{last}年度参加了考核，请用 fuling-batch history import 导入其"
            f"{last}年度结果（--year {last}）后重新运行；如确为首次参加考核，请加 --first-year",
        )
    ]


def restore_issued(
    staging: Path, year_dir: Path, plan: Plan, files: Sequence[PlannedNotice]
) -> None:
    """Put each issued notice's archived copy in place of its staged rendering.

    An issued notice is history: ``notices/`` shows exactly what was issued, also when the
    operator edited it by hand before 签发.
    """
    issued = {(e.key, e.kind): e for e in plan.kept_issued}
    for _, record in files:
        entry = issued.get((record.key, record.kind))
        if entry is not None and entry.file and (year_dir / entry.file).is_file():
            (staging / record.path.name).write_bytes((year_dir / entry.file).read_bytes())


def carry_over(
    results: Sequence[GradeResult], last_year: Sequence[Rectification], today: dt.date
) -> dict[str, str]:
    """Last year's 整改 state of each enterprise graded this year, by its key this year
    (matched through last year's record, so a renamed enterprise keeps its history)."""
    by_key = {r.key: r for r in last_year}
    out = {}
    for result in results:
        previous = result.previous
        entry = by_key.get(previous.key) if previous is not None and previous.key else None
        if entry is not None:
            out[result.key] = carry_over_text(entry, today)
    return out
