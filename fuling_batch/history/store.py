"""The year-over-year history database (stdlib sqlite3).

One row per year and enterprise. The key is the 统一社会信用代码, or the exact enterprise name
when the code is missing, so history follows the code across renames. Each run replaces its
year's rows in one ``BEGIN IMMEDIATE`` transaction: re-running a year is idempotent, and a run
that fails or is killed mid-write leaves the previous state (SQLite's rollback journal restores
it on the next open). The schema carries its version in ``PRAGMA user_version`` and is upgraded
in place by :data:`MIGRATIONS`; a database written by a newer release is refused.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import OutputError, UsageError
from ..rules.creditcode import normalize
from ..rules.identity import MatchKind, YearIndex, lineages
from ..rules.issues import Issue
from ..rules.models import Grade, GradeResult, PreviousRecord, ScoreSheet, YearRecord
from ..rules.numbering import Entry
from .register import RegisterUpdate, apply_update, read_context, read_entries
from .rows import (
    ORIGIN_IMPORT,
    ORIGIN_RUN,
    ImportedRecord,
    YearRows,
    imported_row,
    year_records,
    year_rows,
)
from .schema import COLUMNS, INSERT, JSON_COLUMNS, MIGRATIONS, SCHEMA_VERSION, statements

__all__ = [
    "DEFAULT_HISTORY_NAME",
    "ORIGIN_IMPORT",
    "ORIGIN_RUN",
    "History",
    "ImportedRecord",
    "YearRows",
    "default_history_path",
    "year_records",
    "year_rows",
]

DEFAULT_HISTORY_NAME = "history.sqlite3"


def default_history_path(out_dir: Path) -> Path:
    """Where the history lives unless ``--history`` says otherwise."""
    return Path(out_dir) / DEFAULT_HISTORY_NAME


class History:
    """The history database at ``path``; use as a context manager so the connection closes."""

    def __init__(self, path: Path, timeout: float = 10) -> None:
        """``timeout``: seconds to wait for another program's lock before giving up."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: the module's implicit transactions are off, so every write
            # is inside our own explicit BEGIN IMMEDIATE … COMMIT.
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=timeout)
        except sqlite3.Error as exc:
            raise UsageError(f"无法打开历史数据库 {self.path}：{_why(exc)}") from exc
        try:
            self._check_file()
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """For reads by the other modules of this package; writes go through :meth:`transaction`."""
        return self._conn

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -- schema -------------------------------------------------------------------------

    def _check_file(self) -> None:
        """Refuse a file that is not a sound SQLite database before anything reads or writes
        it (a valid header over junk pages passes ``user_version``, then fails mid-run)."""
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return  # a new database
        try:
            problems = [row[0] for row in self._conn.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as exc:
            if _held(exc):  # another program holds it: that is not damage
                raise UsageError(f"无法打开历史数据库 {self.path}：{_why(exc)}") from exc
            problems = [str(exc)]
        if problems != ["ok"]:
            raise UsageError(
                f"{self.path} 不是有效的历史数据库，或已损坏（{_why_corrupt(problems)}）。"
                "该文件未改动；请用 --history 指定正确的数据库，或从备份恢复后重新运行"
            )

    def _migrate(self) -> None:
        try:
            version = self.schema_version
        except sqlite3.DatabaseError as exc:
            raise UsageError(
                f"{self.path} 不是有效的历史数据库（{_why_corrupt([str(exc)])}）。请用 --history 指定正确的文件，"
                "或移走该文件后重新运行"
            ) from exc
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"历史数据库 {self.path} 由更新版本的程序创建（数据结构版本 {version}，"
                f"本程序支持到 {SCHEMA_VERSION}）。请升级 fuling-batch 后再使用，数据库未改动"
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            # Re-read inside the lock: another process may have migrated meanwhile.
            version = self.schema_version
            for step in range(version, SCHEMA_VERSION):
                for statement in statements(MIGRATIONS[step]):
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE … COMMIT: every write to the database goes through here."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise OutputError(f"无法写入历史数据库 {self.path}：{_why(exc)}") from exc
        try:
            yield self._conn
            self._conn.execute("COMMIT")  # inside: a full disk may fail the commit itself
        except BaseException as exc:
            if self._conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise OutputError(
                    f"写入历史数据库 {self.path} 失败：{_why(exc)}。数据库已恢复到本次运行之前的状态"
                ) from exc
            raise

    # -- writing ------------------------------------------------------------------------

    def record_year(self, year: int, results: Sequence[GradeResult], run_time: datetime) -> None:
        """Replace the year's rows with ``results`` in one transaction (idempotent)."""
        self.write_year(year_rows(year, results, run_time))

    def write_year(self, rows: YearRows, register: RegisterUpdate | None = None) -> None:
        """Replace the year's rows with rows made by :func:`year_rows`, and apply the run's
        changes to the document register, in one transaction."""
        with self.transaction() as conn:
            # A run replaces every row an earlier run wrote for the year, and the imported rows
            # of the enterprises it graded; an imported row of an enterprise it did not grade
            # stays (the year's record from another source is not lost for want of a sheet).
            conn.execute(
                "DELETE FROM results WHERE year = ? AND origin != ?", (rows.year, ORIGIN_IMPORT)
            )
            imported = self._imported(rows.year)
            index = YearIndex(imported)
            replaced = {
                found.key
                for row in rows.rows
                if (found := index.match(row["credit_code"], row["enterprise"]).record) is not None
            } | {row["key"] for row in rows.rows}
            conn.executemany(
                "DELETE FROM results WHERE year = ? AND origin = ? AND key = ?",
                [(rows.year, ORIGIN_IMPORT, key) for key in sorted(replaced)],
            )
            conn.executemany(INSERT, rows.rows)
            if register is not None:
                apply_update(conn, register)
            conn.execute(
                "INSERT INTO runs (year, origin, run_time, rows) VALUES (?, ?, ?, ?)",
                (rows.year, ORIGIN_RUN, rows.stamp, len(rows.rows)),
            )

    def _imported(self, year: int) -> list[YearRecord]:
        cursor = self._conn.execute(
            "SELECT year, key, credit_code, enterprise, total, final_grade FROM results "
            "WHERE year = ? AND origin = ?",
            (year, ORIGIN_IMPORT),
        )
        return [YearRecord(y, k, c, e, t, Grade(g)) for y, k, c, e, t, g in cursor]

    def recorded(self, year: int) -> int:
        """How many enterprises have a stored result for ``year`` (from runs and imports)."""
        return int(
            self._conn.execute("SELECT COUNT(*) FROM results WHERE year = ?", (year,)).fetchone()[0]
        )

    def register(self, year: int) -> list[Entry]:
        """The year's document register (发文登记), in number order."""
        return read_entries(self._conn, year)

    def notice_context(self, entry_id: int) -> dict[str, Any]:
        """The template context a registered notice was rendered from."""
        return read_context(self._conn, entry_id)

    def replace_imported(
        self,
        year: int,
        records: Sequence[ImportedRecord],
        *,
        source_file: str,
        source_sha256: str,
        run_time: datetime,
    ) -> tuple[str, ...]:
        """Replace the year's imported rows with ``records`` in one transaction.

        Rows written by a run from score sheets win over imported ones: the keys skipped for
        that reason are returned so the caller can say so.
        """
        stamp = run_time.isoformat(timespec="seconds")
        with self.transaction() as conn:
            conn.execute("DELETE FROM results WHERE year = ? AND origin = ?", (year, ORIGIN_IMPORT))
            taken = {
                row[0] for row in conn.execute("SELECT key FROM results WHERE year = ?", (year,))
            }
            rows = [
                imported_row(year, r, source_file, source_sha256, stamp)
                for r in records
                if r.key not in taken
            ]
            conn.executemany(INSERT, rows)
            conn.execute(
                "INSERT INTO runs (year, origin, run_time, rows, source) VALUES (?, ?, ?, ?, ?)",
                (year, ORIGIN_IMPORT, stamp, len(rows), source_file),
            )
        return tuple(r.key for r in records if r.key in taken)

    # -- reading ------------------------------------------------------------------------

    def previous(
        self,
        sheets: Sequence[ScoreSheet],
        year: int,
        past: Sequence[YearRecord] | None = None,
    ) -> tuple[dict[str, PreviousRecord], list[Issue]]:
        """Last year's (``year - 1``) record for each sheet, keyed by ``ScoreSheet.key``.

        Matched by the identity rule (:class:`~fuling_batch.rules.identity.YearIndex`); a match
        by name comes with a warning. Each record carries the enterprise's earlier grades, so
        a fail streak of any length can be counted. ``past`` is :meth:`records` up to
        ``year - 1`` when the caller has read them already. No record → absent.
        """
        last = year - 1
        if past is None:
            past = self.records(up_to_year=last)
        lines = lineages(past)
        line_of = {
            (record.year, record.key): line
            for line, by_year in lines.items()
            for record in by_year.values()
        }
        index = YearIndex([r for r in past if r.year == last])
        found: dict[str, PreviousRecord] = {}
        issues: list[Issue] = []
        for sheet in sheets:
            header = sheet.header
            match = index.match(header.credit_code, header.enterprise)
            if match.record is not None:
                record = match.record
                earlier = lines[line_of[(record.year, record.key)]]
                found[sheet.key] = PreviousRecord(
                    record.year,
                    float(record.total),
                    record.grade,
                    record.enterprise,
                    tuple((y, r.grade) for y, r in sorted(earlier.items()) if y < record.year),
                    record.key,
                )
            if match.kind is MatchKind.NAME_OF_UNCODED:
                issues.append(_name_warning(sheet, last, matched_without_code=True))
            elif match.kind is MatchKind.NAME:
                issues.append(
                    _name_warning(sheet, last, matched_without_code=False, count=match.candidates)
                )
        return found, issues

    def years(self) -> list[int]:
        """The years that have stored rows, ascending."""
        return [
            row[0] for row in self._conn.execute("SELECT DISTINCT year FROM results ORDER BY year")
        ]

    def records(
        self,
        *,
        up_to_year: int | None = None,
        year: int | None = None,
        code: str | None = None,
    ) -> list[YearRecord]:
        """Stored outcomes (final grade), sorted by (year, key), optionally filtered."""
        where, params = _filters(year=year, code=code, up_to_year=up_to_year)
        # Only the outcome's columns: the trend sheet reads every stored year, and decoding
        # each row's JSON columns (58 item scores) cost more than the query.
        cursor = self._conn.execute(
            "SELECT year, key, credit_code, enterprise, total, final_grade "
            f"FROM results{where} ORDER BY year, key",
            params,
        )
        return [
            YearRecord(y, key, credit_code, enterprise, total, Grade(grade))
            for y, key, credit_code, enterprise, total, grade in cursor
        ]

    def rows(
        self,
        *,
        year: int | None = None,
        code: str | None = None,
        up_to_year: int | None = None,
    ) -> list[dict[str, Any]]:
        """Full stored rows for ``history show``, sorted by (year, key); JSON columns decoded."""
        where, params = _filters(year=year, code=code, up_to_year=up_to_year)
        cursor = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM results{where} ORDER BY year, key", params
        )
        out = []
        for values in cursor:
            row = dict(zip(COLUMNS, values, strict=True))
            for name in JSON_COLUMNS:
                row[name] = json.loads(row[name])
            row["consecutive_fail"] = bool(row["consecutive_fail"])
            out.append(row)
        return out


def _why_corrupt(problems: list[str]) -> str:
    text = "；".join(problems[:3])
    if "not a database" in text or "file is not a database" in text:
        return "文件不是 SQLite 数据库"
    if "malformed" in text or "corrupt" in text or problems[:1] != ["ok"]:
        return "数据库文件内容损坏"
    return text


def _held(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _why(exc: sqlite3.Error) -> str:
    """SQLite's reason, in Chinese where the operator can act on it."""
    text = str(exc)
    if "disk is full" in text or "database or disk is full" in text:
        return "磁盘空间不足，请清理磁盘空间后重新运行"
    if "readonly" in text or "read-only" in text:
        return "数据库文件或其所在文件夹为只读，请检查权限"
    if _held(exc):
        return "数据库正被另一个程序使用，请稍后重试"
    if "unable to open" in text:
        return "无法打开数据库文件，请检查其所在文件夹是否存在、是否有读写权限"
    return f"数据库错误：{text}"


def _filters(
    *, year: int | None, code: str | None, up_to_year: int | None
) -> tuple[str, list[object]]:
    """The WHERE clause (or "") and its parameters for the optional filters."""
    clauses: list[str] = []
    params: list[object] = []
    if year is not None:
        clauses.append("year = ?")
        params.append(year)
    if up_to_year is not None:
        clauses.append("year <= ?")
        params.append(up_to_year)
    if code is not None:
        clauses.append("credit_code = ?")
        params.append(normalize(code))
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _name_warning(
    sheet: ScoreSheet, last_year: int, *, matched_without_code: bool, count: int = 1
) -> Issue:
    name = sheet.header.enterprise
    cell = sheet.header.cells.get("统一社会信用代码", "")
    where = {"file": sheet.path, "sheet": sheet.sheet, "cell": cell}
    if matched_without_code:
        return Issue.warning(
            "HISTORY_NAME_MATCH",
            f"{last_year}年的历史记录中“{name}”没有统一社会信用代码，已按企业名称匹配上年度结果；"
            "请核对是否为同一企业",
            **where,
        )
    if count == 1:
        text = f"已按企业名称“{name}”匹配{last_year}年的结果"
    elif count == 0:
        text = f"按企业名称“{name}”未找到{last_year}年的结果，视为上年度无记录"
    else:
        text = f"按企业名称“{name}”找到{count}条{last_year}年的结果，无法确定，视为上年度无记录"
    return Issue.warning(
        "HISTORY_BY_NAME",
        f"评分表未填写统一社会信用代码，{text}。请填写统一社会信用代码，以便跨年度准确比对",
        **where,
    )
