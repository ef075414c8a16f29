"""``rectify remind``: a 整改催办通知 for each enterprise whose report is overdue, and a list.

Each reminder is numbered in the document register of the year it is sent (the 发文字号 year),
recorded as issued on that day, and written under ``output/Y/整改催办/``. Sending reminders
twice on one day renews the same documents rather than numbering new ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..history import History
from ..history.register import add_issued, next_number, read_entries
from ..notices.prepare import check_template, render_notice
from ..notices.remind import REMIND_KEYS, REMIND_KIND, default_remind_template, remind_context
from ..rules.numbering import Statement, doc_number
from ..rules.rectification import RectifyState
from ..runtime.fileio import safe_filename, write_atomic
from .export import write_ledger
from .ledger import StatusRow, status

__all__ = ["REMINDERS_DIR", "Reminder", "send_reminders"]

REMINDERS_DIR = "整改催办"


@dataclass(frozen=True)
class Reminder:
    row: StatusRow
    number: str
    path: Path


def _write(path: Path, data: bytes) -> None:
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def send_reminders(
    history: History,
    year_dir: Path,
    year: int,
    today: dt.date,
    config: Config,
    *,
    template: Path | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[Reminder], Path | None]:
    """Write a reminder for every overdue entry of ``year``; the reminders and the list."""
    overdue = [r for r in status(history, year, today) if r.state is RectifyState.OVERDUE]
    if not overdue:
        return [], None
    prepared = check_template(template or default_remind_template(), REMIND_KEYS)
    stamp = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    folder = year_dir / REMINDERS_DIR
    sent = {
        e.key: e
        for e in read_entries(history.connection, today.year)
        if e.kind == REMIND_KIND and e.issued == today.isoformat()
    }
    reminders: list[Reminder] = []
    with history.transaction() as conn:
        for row in overdue:
            entry = row.entry
            earlier = sent.get(entry.key)
            number = (
                earlier.number
                if earlier
                else next_number(conn, today.year, config.notices.first_number)
            )
            text = doc_number(config.notices.number_prefix, today.year, number)
            addressee = history.notice_context(entry.notice_id).get("addressee", "")
            context = remind_context(
                number=text,
                enterprise=entry.enterprise,
                addressee=str(addressee),
                notice_number=entry.doc_number,
                notice_kind=entry.kind,
                notice_date=entry.issued,
                due=entry.due,
                today=today,
                year=year,
                config=config.notices,
            )
            data = render_notice(prepared, context)
            path = folder / f"{safe_filename(f'{text}_{entry.enterprise}_{REMIND_KIND}')}.docx"
            _write(path, data)
            if earlier is None:
                add_issued(
                    conn,
                    year=today.year,
                    key=entry.key,
                    credit_code=entry.credit_code,
                    enterprise=entry.enterprise,
                    kind=REMIND_KIND,
                    number=number,
                    doc_number=text,
                    day=today.isoformat(),
                    stamp=stamp,
                    file=path.relative_to(year_dir).as_posix(),
                    sha256=hashlib.sha256(data).hexdigest(),
                    statement=Statement(0.0, "", ()),
                    context=json.dumps(context, ensure_ascii=False),
                )
            reminders.append(Reminder(row, text, path))
    listing = write_ledger(
        folder / f"{today.isoformat()}整改催办清单.xlsx", year, overdue, {}, today, config.notices,
        title="整改催办清单",
    )  # fmt: skip
    return reminders, listing
