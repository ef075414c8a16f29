"""签发/印发: the year's draft notices become issued documents (``fuling-batch issue``).

Each draft the last run wrote is rendered again from its stored context with the 签发 date as
its 成文日期 (and the 整改 deadline counted from it), copied into ``output/Y/已印发/`` — a
folder never overwritten — and recorded as issued in the register with the file's SHA-256.
A draft the operator edited by hand since the run is issued exactly as edited (with a
warning), and one whose file is gone (its sheet was sent back) is left a draft.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .errors import OutputError, UsageError
from .history import History, default_history_path, rectifications
from .history.register import mark_issued
from .notices.context import dated, due_date
from .notices.prepare import check_template, render_notice
from .notices.template import default_notice_template
from .rules.numbering import Entry, NoticeState
from .runtime.fileio import safe_filename, write_atomic
from .runtime.runlock import year_lock

__all__ = ["ISSUED_DIR", "IssueOutcome", "issue_year"]

ISSUED_DIR = "已印发"


@dataclass(frozen=True)
class IssueOutcome:
    """What ``issue`` did: the notices issued (with their archived copies) and what it left."""

    year: int
    day: dt.date
    issued: list[tuple[Entry, Path]] = field(default_factory=list)
    edited: list[Entry] = field(default_factory=list)  # issued as the operator edited them
    left: list[tuple[Entry, str]] = field(default_factory=list)  # drafts not issued, and why


def _archived_name(entry: Entry) -> str:
    stem = safe_filename(f"{entry.doc_number}_{entry.enterprise}_{entry.kind}")
    return f"{stem}.docx"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_new(target: Path, data: bytes) -> None:
    """Write ``target`` unless it exists: an issued copy is never overwritten."""
    if target.exists():
        if target.read_bytes() == data:
            return  # an earlier issue of the same notice stopped before it was recorded
        raise OutputError(
            f"“{ISSUED_DIR}”中已有 {target.name} 且内容不同；已印发的文件不会被覆盖，"
            "请核对该文件后再签发"
        )
    write_atomic(target, lambda tmp: tmp.write_bytes(data))


def _replace(path: Path, data: bytes) -> None:
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def issue_year(
    year: int,
    out_dir: Path = Path("output"),
    *,
    day: dt.date | None = None,
    history_path: Path | None = None,
    config: Config | None = None,
    notice_template: Path | None = None,
    now: dt.datetime | None = None,
    due: dt.date | None = None,
) -> IssueOutcome:
    """Issue the year's drafts on ``day`` (default today), each with a 整改 entry due on
    ``due`` (default: ``rectify_days`` after ``day``). Raises :class:`UsageError` when the year
    is unknown or has nothing to issue; nothing is recorded then."""
    config = config or Config()
    day = day or dt.date.today()
    year_dir = Path(out_dir) / str(year)
    stamp = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    database = history_path or default_history_path(out_dir)
    if not Path(database).is_file():
        raise UsageError(
            f"没有{year}年度的考核结果（找不到历年数据库 {database}），请先运行 fuling-batch run … --year {year}"
        )
    with History(database) as history, ExitStack() as held:
        entries = history.register(year)
        if not entries and year not in history.years():
            raise UsageError(f"没有{year}年度的考核结果，请先运行 fuling-batch run … --year {year}")
        drafts = [e for e in entries if e.state is NoticeState.DRAFT]
        if not drafts:
            raise UsageError(f"{year}年度没有待印发的通知书（发文登记中无草稿）")
        if due is not None and due < day:
            raise UsageError(f"整改期限 {due.isoformat()} 早于签发日期 {day.isoformat()}，请核对")
        prepared = check_template(notice_template or default_notice_template())
        held.enter_context(year_lock(year_dir))  # no run writes the year meanwhile
        outcome = IssueOutcome(year, day)
        marks = []
        replaced: list[tuple[Path, bytes]] = []
        for entry in drafts:
            draft = year_dir / entry.file
            if not entry.file or not draft.is_file():
                outcome.left.append(
                    (entry, "通知书文件不在 notices 文件夹中（评分表被退回或未评分）")
                )
                continue
            current = draft.read_bytes()
            context = history.notice_context(entry.id)
            deadline = due or (due_date(context, day) if context else day)
            if _sha256(current) == entry.sha256 and context:
                context = dated(context, day, deadline)
                data = render_notice(prepared, context)
                replaced.append((draft, data))
            else:  # edited by hand since the run: issue what the operator made
                data = current
                outcome.edited.append(entry)
            archived = year_dir / ISSUED_DIR / _archived_name(entry)
            _write_new(archived, data)
            outcome.issued.append((entry, archived))
            marks.append(
                (
                    entry,
                    archived.relative_to(year_dir).as_posix(),
                    _sha256(data),
                    json.dumps(context, ensure_ascii=False),
                    deadline,
                )
            )
        if not marks:
            raise UsageError(
                f"{year}年度没有可印发的通知书："
                + "；".join(f"{e.doc_number}{why}" for e, why in outcome.left)
            )
        with history.transaction() as conn:
            for entry, file, sha256, context_json, deadline in marks:
                mark_issued(conn, entry.id, day.isoformat(), stamp, file, sha256, context_json)
                rectifications.create(
                    conn,
                    year=year,
                    key=entry.key,
                    credit_code=entry.credit_code,
                    enterprise=entry.enterprise,
                    notice_id=entry.id,
                    doc_number=entry.doc_number,
                    kind=entry.kind,
                    issued=day,
                    due=deadline,
                    at=stamp,
                )
        # The drafts in notices/ now say what was issued (the archived copies are the record).
        for path, data in replaced:
            _replace(path, data)
    return outcome
