"""The history database's schema: its migrations, and the columns of the results table."""

from __future__ import annotations

__all__ = ["COLUMNS", "INSERT", "JSON_COLUMNS", "MIGRATIONS", "SCHEMA_VERSION", "statements"]


# MIGRATIONS[n] takes a database from user_version n to n + 1. Append, never edit: a shipped
# database may be at any earlier version.
MIGRATIONS: tuple[str, ...] = (
    # v1: the results table.
    """
    CREATE TABLE results (
        year INTEGER NOT NULL, key TEXT NOT NULL, credit_code TEXT NOT NULL DEFAULT '',
        enterprise TEXT NOT NULL, party_org TEXT NOT NULL DEFAULT '',
        secretary TEXT NOT NULL DEFAULT '', admin_head TEXT NOT NULL DEFAULT '',
        section_scores TEXT NOT NULL DEFAULT '{}', item_scores TEXT NOT NULL DEFAULT '{}',
        total REAL NOT NULL, raw_grade TEXT, final_grade TEXT NOT NULL,
        triangle_not_met TEXT NOT NULL DEFAULT '[]', consequences TEXT NOT NULL DEFAULT '[]',
        consecutive_fail INTEGER NOT NULL DEFAULT 0, source_file TEXT NOT NULL DEFAULT '',
        source_sha256 TEXT NOT NULL DEFAULT '', run_time TEXT NOT NULL, origin TEXT NOT NULL,
        PRIMARY KEY (year, key)
    );
    """,
    # v2: last-year lookups go by code or by name; and a log of what wrote each year.
    """
    CREATE INDEX results_by_code ON results (credit_code, year);
    CREATE INDEX results_by_name ON results (enterprise, year);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, year INTEGER NOT NULL, origin TEXT NOT NULL,
        run_time TEXT NOT NULL, rows INTEGER NOT NULL, source TEXT NOT NULL DEFAULT ''
    );
    """,
    # v3: the document register (发文登记), and each result's fail streak.
    """
    CREATE TABLE notices (
        id INTEGER PRIMARY KEY, year INTEGER NOT NULL, key TEXT NOT NULL,
        credit_code TEXT NOT NULL DEFAULT '', enterprise TEXT NOT NULL, kind TEXT NOT NULL,
        number INTEGER NOT NULL, doc_number TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('draft', 'issued', 'void')),
        drafted TEXT NOT NULL, updated TEXT NOT NULL, issued TEXT NOT NULL DEFAULT '',
        voided TEXT NOT NULL DEFAULT '', file TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL DEFAULT '', replaces INTEGER REFERENCES notices (id),
        total REAL NOT NULL, final_grade TEXT NOT NULL, consequences TEXT NOT NULL,
        context TEXT NOT NULL DEFAULT '{}',
        UNIQUE (year, number)
    );
    CREATE INDEX notices_by_key ON notices (year, key);
    ALTER TABLE results ADD COLUMN fail_streak INTEGER NOT NULL DEFAULT 0
    """,
    # v4: the rectification register (整改台账): one entry per issued notice, its files and log.
    """
    CREATE TABLE rectifications (
        id INTEGER PRIMARY KEY, year INTEGER NOT NULL, key TEXT NOT NULL,
        credit_code TEXT NOT NULL DEFAULT '', enterprise TEXT NOT NULL,
        notice_id INTEGER NOT NULL UNIQUE REFERENCES notices (id),
        doc_number TEXT NOT NULL, kind TEXT NOT NULL, issued TEXT NOT NULL, due TEXT NOT NULL,
        received TEXT NOT NULL DEFAULT '', closed TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX rectifications_by_year ON rectifications (year, key);
    CREATE TABLE rectification_files (
        id INTEGER PRIMARY KEY,
        rectification_id INTEGER NOT NULL REFERENCES rectifications (id),
        path TEXT NOT NULL, original TEXT NOT NULL, sha256 TEXT NOT NULL, added TEXT NOT NULL
    );
    CREATE TABLE rectification_log (
        id INTEGER PRIMARY KEY,
        rectification_id INTEGER NOT NULL REFERENCES rectifications (id),
        at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )
    """,
)


SCHEMA_VERSION = len(MIGRATIONS)


# Column order of the results table, as stored and as returned by History.rows().
COLUMNS = (
    "year", "key", "credit_code", "enterprise", "party_org", "secretary", "admin_head",
    "section_scores", "item_scores", "total", "raw_grade", "final_grade", "triangle_not_met",
    "consequences", "consecutive_fail", "source_file", "source_sha256", "run_time", "origin",
    "fail_streak",
)  # fmt: skip


JSON_COLUMNS = ("section_scores", "item_scores", "triangle_not_met", "consequences")


INSERT = (
    f"INSERT INTO results ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
)


def statements(script: str) -> list[str]:
    # executescript() would COMMIT our transaction first; split instead (no ';' in the DDL text).
    return [s.strip() for s in script.split(";") if s.strip()]
