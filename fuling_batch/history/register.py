"""The document register (发文登记) in the history database: rows of ``rules.numbering.Entry``.

``rules/numbering.py`` decides the numbers; this module reads the register and writes those
decisions, always inside a transaction of :class:`~fuling_batch.history.store.History`, so that
a year's results and its register change together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..rules.numbering import Entry, NoticeState, Statement

__all__ = [
    "DraftRecord",
    "RegisterUpdate",
    "add_issued",
    "apply_update",
    "mark_issued",
    "next_number",
    "read_context",
    "read_entries",
]

_COLUMNS = (
    "id, year, key, enterprise, kind, number, state, total, final_grade, consequences, "
    "credit_code, doc_number, drafted, issued, voided, file, sha256, replaces"
)


def _entry(row: Sequence[Any]) -> Entry:
    (id_, year, key, enterprise, kind, number, state, total, grade, consequences, *rest) = row
    statement = Statement(float(total), grade, tuple(json.loads(consequences)))
    return Entry(id_, year, key, enterprise, kind, number, NoticeState(state), statement, *rest)


def read_entries(conn: sqlite3.Connection, year: int) -> list[Entry]:
    """The year's register, in number order."""
    cursor = conn.execute(f"SELECT {_COLUMNS} FROM notices WHERE year = ? ORDER BY number", (year,))
    return [_entry(row) for row in cursor]


def read_context(conn: sqlite3.Connection, entry_id: int) -> dict[str, Any]:
    """The template context a notice was (or will be) rendered from."""
    row = conn.execute("SELECT context FROM notices WHERE id = ?", (entry_id,)).fetchone()
    return dict(json.loads(row[0])) if row else {}


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """A draft notice as this run wrote it. ``entry_id`` is its register row, if it had one."""

    key: str
    enterprise: str
    credit_code: str
    kind: str
    number: int
    doc_number: str
    statement: Statement
    file: str
    sha256: str
    context: str  # JSON
    entry_id: int | None = None
    replaces: int | None = None


@dataclass(frozen=True)
class RegisterUpdate:
    """What a run changes in the year's register: drafts written, entries voided."""

    year: int
    stamp: str
    drafts: list[DraftRecord] = field(default_factory=list)
    void: list[int] = field(default_factory=list)


def apply_update(conn: sqlite3.Connection, update: RegisterUpdate) -> None:
    """Write ``update`` (the caller holds the transaction)."""
    for d in update.drafts:
        values = {
            "year": update.year,
            "key": d.key,
            "credit_code": d.credit_code,
            "enterprise": d.enterprise,
            "kind": d.kind,
            "number": d.number,
            "doc_number": d.doc_number,
            "stamp": update.stamp,
            "file": d.file,
            "sha256": d.sha256,
            "replaces": d.replaces,
            "total": d.statement.total,
            "final_grade": d.statement.final_grade,
            "consequences": json.dumps(list(d.statement.consequences), ensure_ascii=False),
            "context": d.context,
            "id": d.entry_id,
        }
        if d.entry_id is None:
            conn.execute(
                "INSERT INTO notices (year, key, credit_code, enterprise, kind, number, doc_number,"
                " state, drafted, updated, file, sha256, replaces, total, final_grade,"
                " consequences, context) VALUES (:year, :key, :credit_code, :enterprise, :kind,"
                " :number, :doc_number, 'draft', :stamp, :stamp, :file, :sha256, :replaces,"
                " :total, :final_grade, :consequences, :context)",
                values,
            )
        else:
            conn.execute(
                "UPDATE notices SET credit_code = :credit_code, enterprise = :enterprise,"
                " updated = :stamp, file = :file, sha256 = :sha256, total = :total,"
                " final_grade = :final_grade, consequences = :consequences, context = :context"
                " WHERE id = :id AND state = 'draft'",
                values,
            )
    conn.executemany(
        "UPDATE notices SET state = 'void', voided = ?, updated = ? WHERE id = ?",
        [(update.stamp, update.stamp, entry_id) for entry_id in update.void],
    )


def mark_issued(
    conn: sqlite3.Connection,
    entry_id: int,
    day: str,
    stamp: str,
    file: str,
    sha256: str,
    context: str,
) -> None:
    """Record a draft as issued on ``day`` with the file that was issued."""
    conn.execute(
        "UPDATE notices SET state = 'issued', issued = ?, updated = ?, file = ?, sha256 = ?,"
        " context = ? WHERE id = ? AND state = 'draft'",
        (day, stamp, file, sha256, context, entry_id),
    )


def next_number(conn: sqlite3.Connection, year: int, first_number: int) -> int:
    """The next free number of ``year``: after the highest ever used, whatever its kind."""
    (highest,) = conn.execute("SELECT MAX(number) FROM notices WHERE year = ?", (year,)).fetchone()
    return max(first_number, (highest or 0) + 1)


def add_issued(
    conn: sqlite3.Connection,
    *,
    year: int,
    key: str,
    credit_code: str,
    enterprise: str,
    kind: str,
    number: int,
    doc_number: str,
    day: str,
    stamp: str,
    file: str,
    sha256: str,
    statement: Statement,
    context: str,
) -> int:
    """Register a document issued as it is made (a 催办通知), inside the caller's transaction."""
    cursor = conn.execute(
        "INSERT INTO notices (year, key, credit_code, enterprise, kind, number, doc_number, state,"
        " drafted, updated, issued, file, sha256, total, final_grade, consequences, context)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            year, key, credit_code, enterprise, kind, number, doc_number, stamp, stamp, day, file,
            sha256, statement.total, statement.final_grade,
            json.dumps(list(statement.consequences), ensure_ascii=False), context,
        ),
    )  # fmt: skip
    assert cursor.lastrowid is not None
    return cursor.lastrowid
