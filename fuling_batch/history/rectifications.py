"""The rectification register (整改台账) in the history database, with its files and change log.

Every change is one transaction of :meth:`History.transaction` that also appends to the log
who made it (the operating-system user) and when; a change that fails records nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ..rules.rectification import Rectification
from .store import History

__all__ = [
    "add_file",
    "create",
    "current_user",
    "entries",
    "files_of",
    "log_of",
    "update",
]

_COLUMNS = (
    "id, year, key, credit_code, enterprise, notice_id, doc_number, kind, issued, due, "
    "received, closed, reviewer, note"
)


def current_user() -> str:
    """Who is making a change, as the operating system knows them."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "未知用户"


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _entry(row: Sequence[Any]) -> Rectification:
    (id_, year, key, code, name, notice_id, number, kind, issued, due, received, closed,
     reviewer, note) = row  # fmt: skip
    return Rectification(
        id_, year, key, code, name, notice_id, number, kind,
        dt.date.fromisoformat(issued), dt.date.fromisoformat(due),
        _date(received), _date(closed), reviewer, note,
    )  # fmt: skip


def entries(history: History, year: int) -> list[Rectification]:
    """The year's rectifications, in 文号 order (voided notices' entries left out)."""
    cursor = history.connection.execute(
        f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))} "
        "FROM rectifications r JOIN notices n ON n.id = r.notice_id "
        "WHERE r.year = ? AND n.state = 'issued' ORDER BY n.number",
        (year,),
    )
    return [_entry(row) for row in cursor]


def _log(
    conn: sqlite3.Connection, entry_id: int, action: str, detail: dict[str, Any], at: str
) -> None:
    conn.execute(
        "INSERT INTO rectification_log (rectification_id, at, user, action, detail)"
        " VALUES (?, ?, ?, ?, ?)",
        (entry_id, at, current_user(), action, json.dumps(detail, ensure_ascii=False)),
    )


def create(
    conn: sqlite3.Connection,
    *,
    year: int,
    key: str,
    credit_code: str,
    enterprise: str,
    notice_id: int,
    doc_number: str,
    kind: str,
    issued: dt.date,
    due: dt.date,
    at: str,
) -> None:
    """A new entry for an issued notice (inside the caller's transaction)."""
    cursor = conn.execute(
        "INSERT INTO rectifications (year, key, credit_code, enterprise, notice_id, doc_number,"
        " kind, issued, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            year,
            key,
            credit_code,
            enterprise,
            notice_id,
            doc_number,
            kind,
            issued.isoformat(),
            due.isoformat(),
        ),
    )
    assert cursor.lastrowid is not None
    _log(conn, cursor.lastrowid, "创建", {"文号": doc_number, "期限": due.isoformat()}, at)


def update(
    conn: sqlite3.Connection, entry: Rectification, action: str, at: str, **changes: Any
) -> None:
    """Change an entry's received/closed/reviewer/note and log it (caller's transaction)."""
    values = {
        name: (
            value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value)
        )
        for name, value in changes.items()
    }
    assert set(values) <= {"received", "closed", "reviewer", "note"}
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    conn.execute(
        f"UPDATE rectifications SET {assignments} WHERE id = :id", {**values, "id": entry.id}
    )
    _log(conn, entry.id, action, values, at)


def add_file(
    conn: sqlite3.Connection, entry: Rectification, path: str, original: str, sha256: str, at: str
) -> None:
    conn.execute(
        "INSERT INTO rectification_files (rectification_id, path, original, sha256, added)"
        " VALUES (?, ?, ?, ?, ?)",
        (entry.id, path, original, sha256, at),
    )
    _log(conn, entry.id, "附件", {"文件": path, "原文件": original, "sha256": sha256}, at)


def files_of(history: History, entry_id: int) -> list[tuple[str, str, str]]:
    """(stored path, original name, SHA-256) of an entry's attachments."""
    return list(
        history.connection.execute(
            "SELECT path, original, sha256 FROM rectification_files WHERE rectification_id = ?"
            " ORDER BY id",
            (entry_id,),
        )
    )


def log_of(history: History, entry_id: int) -> list[tuple[str, str, str, str]]:
    """(time, user, action, detail JSON) of every change to an entry, oldest first."""
    return list(
        history.connection.execute(
            "SELECT at, user, action, detail FROM rectification_log WHERE rectification_id = ?"
            " ORDER BY id",
            (entry_id,),
        )
    )
