"""The history database: schema and migration, idempotent years, atomic writes, lookups."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from fuling_batch.errors import OutputError, UsageError
from fuling_batch.history.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    default_history_path,
    year_records,
)
from fuling_batch.rules.models import Grade, GradeResult, PreviousRecord
from tests.factories import STANDARD, credit_code, make_result, make_sheet

RUN = datetime(2026, 12, 1, 9, 30)
# Sections 2, 3 and 4 at zero: total 49, 不合格.
FAIL = {line.code: 0.0 for line in STANDARD.lines if line.section in (2, 3, 4)}


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def results_2026() -> list[GradeResult]:
    return [
        make_result(enterprise="甲建设集团有限公司", serial=1),
        make_result({"3.2": 1.5}, enterprise="乙城投有限公司", serial=2),
        make_result(FAIL, enterprise="丙水务有限公司", serial=3),
    ]


def test_default_path_is_under_the_output_folder(tmp_path: Path) -> None:
    assert default_history_path(tmp_path / "output") == tmp_path / "output" / "history.sqlite3"


def test_schema_is_created_with_its_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "h.sqlite3"
    with History(path) as history:
        assert history.schema_version == SCHEMA_VERSION
        assert history.years() == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"results", "runs"} <= tables
    conn.close()


def test_a_v1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(
        "INSERT INTO results (year, key, credit_code, enterprise, total, final_grade, run_time,"
        " origin) VALUES (2025, ?, ?, '丁旅游开发有限公司', 55, '不合格', '2025-12-01', 'run')",
        (credit_code(4), credit_code(4)),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with History(path) as history:
        assert history.schema_version == SCHEMA_VERSION == 4
        found, _ = history.previous([make_sheet(serial=4, enterprise="丁文旅集团有限公司")], 2026)
        history.record_year(2026, results_2026(), RUN)
        assert history.years() == [2025, 2026]
    assert found == {
        credit_code(4): PreviousRecord(
            2025, 55, Grade.FAIL, "丁旅游开发有限公司", key=credit_code(4)
        )
    }
    indexes = {
        r[0]
        for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert {"results_by_code", "results_by_name", "notices_by_key"} <= indexes


def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UsageError, match="更新版本"):
        History(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("这不是数据库" * 200, encoding="utf-8")
    with pytest.raises(UsageError, match="不是有效的历史数据库"):
        History(path)


def test_a_database_held_by_another_program_is_said_so_not_called_damaged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_year(2026, results_2026(), RUN)
    before = path.read_bytes()
    with History(path) as writer:
        writer._conn.execute("PRAGMA busy_timeout = 50")  # not the real 10 s wait
        holder = sqlite3.connect(path, isolation_level=None, timeout=0.05)
        holder.execute("BEGIN EXCLUSIVE")  # as another run, or a database viewer, holds it
        try:
            with pytest.raises(OutputError) as writing:
                writer.record_year(2026, results_2026(), RUN)
            with pytest.raises(UsageError) as opening:
                History(path, timeout=0.05)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    for raised in (writing, opening):
        message = str(raised.value)
        assert "数据库正被另一个程序使用，请稍后重试" in message, message
        assert "损坏" not in message and "locked" not in message, message
    assert path.read_bytes() == before


def test_a_year_stores_everything_the_issue_lists(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        history.record_year(2026, results_2026(), RUN)
        rows = history.rows(year=2026)
    assert [r["enterprise"] for r in rows] == [
        "甲建设集团有限公司",
        "乙城投有限公司",
        "丙水务有限公司",
    ]
    second = rows[1]
    assert second["key"] == second["credit_code"] == credit_code(2)
    assert second["party_org"] == "中共乙城投有限公司委员会"
    assert (second["secretary"], second["admin_head"]) == ("张三", "李四")
    assert second["section_scores"] == {
        "1": 8,
        "2": 13,
        "3": 19.5,
        "4": 18,
        "5": 12,
        "6": 15,
        "7": 8,
        "8": 6,
    }
    assert len(second["item_scores"]) == 58 and second["item_scores"]["3.2"] == 1.5
    assert second["total"] == 99.5
    assert (second["raw_grade"], second["final_grade"]) == ("合格", "基本合格")
    assert second["triangle_not_met"] == ["3.2"]
    assert second["consequences"] == ["谈话提醒"]
    assert second["consecutive_fail"] is False
    assert second["source_file"] == "乙城投有限公司.xlsx"
    assert second["source_sha256"] == "0" * 64
    assert second["run_time"] == "2026-12-01T09:30:00"
    assert second["origin"] == "run"
    assert rows[2]["consequences"] == ["组织诫勉", "重点整顿"]


def test_recording_a_year_twice_gives_identical_rows_and_one_set(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_year(2025, [make_result(serial=9, year=2025)], RUN.replace(year=2025))
        history.record_year(2026, results_2026(), RUN)
        first = history.rows()
        history.record_year(2026, results_2026(), RUN)
        assert history.rows() == first
        assert len(history.rows(year=2026)) == 3
        # A later run with fewer sheets replaces the year: nothing of the old set lingers.
        history.record_year(2026, results_2026()[:1], RUN)
        assert [r["credit_code"] for r in history.rows(year=2026)] == [credit_code(1)]
        assert len(history.rows(year=2025)) == 1


def test_an_injected_failure_mid_write_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_year(2026, results_2026(), RUN)
    conn = sqlite3.connect(path)
    # A real SQLite failure on the third insert of the next run (after the DELETE and two rows).
    conn.execute(
        "CREATE TRIGGER fail_on_third BEFORE INSERT ON results "
        f"WHEN NEW.key = '{credit_code(13)}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    conn.commit()
    conn.close()
    before = dump(path)
    rerun = [make_result(enterprise=f"戊{i}有限公司", serial=i) for i in (11, 12, 13, 14)]
    with History(path) as history:
        with pytest.raises(OutputError, match="已恢复到本次运行之前的状态"):
            history.record_year(2026, rerun, RUN.replace(hour=10))
        assert [r["credit_code"] for r in history.rows(year=2026)] == [
            credit_code(i) for i in (1, 2, 3)
        ]
        # The connection stays usable after the rollback.
        history.record_year(2027, rerun[:1], RUN)
    after = [line for line in dump(path) if "2027" not in line]
    assert after == before


CRASH_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime
    from pathlib import Path
    from fuling_batch.history.store import History
    from tests.factories import make_result

    history = History(Path(sys.argv[1]))
    # A tiny page cache makes SQLite spill the uncommitted pages into the database file, so
    # the crash leaves a half-written file that only the rollback journal can repair.
    history._conn.execute("PRAGMA cache_size = 1")
    calls = []
    def crash_mid_write():
        calls.append(1)
        if len(calls) == 250:
            os._exit(9)  # the process dies mid-transaction: no rollback, no cleanup
        return 0
    history._conn.create_function("crash_mid_write", 0, crash_mid_write)
    history._conn.execute(
        "CREATE TEMP TRIGGER crash AFTER INSERT ON main.results BEGIN SELECT crash_mid_write(); END"
    )
    results = [make_result(enterprise=f"己{i}有限公司", serial=i) for i in range(20, 320)]
    history.record_year(2026, results, datetime(2026, 12, 2))
    """
)


def test_a_process_killed_mid_write_leaves_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as history:
        history.record_year(2026, results_2026(), RUN)
    before = dump(path)
    before_bytes = path.read_bytes()
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(path)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 9, done.stderr
    # It died mid-write: pages of the unfinished run reached the file, beside a hot journal.
    assert path.with_name(path.name + "-journal").exists()
    assert path.read_bytes() != before_bytes
    assert dump(path) == before  # opening rolls the hot journal back
    with History(path) as history:
        assert [r["enterprise"] for r in history.rows()] == [
            "甲建设集团有限公司",
            "乙城投有限公司",
            "丙水务有限公司",
        ]
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_previous_matches_by_code_across_a_rename(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        history.record_year(
            2025, [make_result(FAIL, enterprise="老名字有限公司", serial=5, year=2025)], RUN
        )
        history.record_year(
            2024, [make_result(enterprise="更早有限公司", serial=6, year=2024)], RUN
        )
        sheets = [
            make_sheet(enterprise="新名字集团有限公司", serial=5),
            make_sheet(enterprise="更早有限公司", serial=6),  # record two years ago only
            make_sheet(enterprise="老名字有限公司", serial=7),  # old name, different code
        ]
        found, issues = history.previous(sheets, 2026)
    assert issues == []
    assert list(found) == [credit_code(5)]
    record = found[credit_code(5)]
    assert (record.year, record.grade, record.enterprise) == (2025, Grade.FAIL, "老名字有限公司")
    assert record.total < 60


def test_previous_falls_back_to_the_name_with_a_warning(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        history.record_year(
            2025,
            [
                make_result(enterprise="庚公司", serial=30, year=2025),
                make_result(FAIL, enterprise="辛公司", code="", year=2025),
                make_result(enterprise="同名公司", serial=31, year=2025),
                make_result(enterprise="同名公司", serial=32, year=2025),
            ],
            RUN,
        )
        no_code = make_sheet(enterprise="庚公司", code="", path="in/庚.xlsx")
        coded_now = make_sheet(enterprise="辛公司", serial=33)
        ambiguous = make_sheet(enterprise="同名公司", code="")
        unknown = make_sheet(enterprise="壬公司", code="")
        found, issues = history.previous([no_code, coded_now, ambiguous, unknown], 2026)
    assert found["庚公司"].grade is Grade.PASS
    assert found[credit_code(33)].grade is Grade.FAIL  # last year's record had no code
    assert "同名公司" not in found and "壬公司" not in found
    assert [(i.code, i.file, i.is_error) for i in issues] == [
        ("HISTORY_BY_NAME", "in/庚.xlsx", False),
        ("HISTORY_NAME_MATCH", "辛公司.xlsx", False),
        ("HISTORY_BY_NAME", "同名公司.xlsx", False),
        ("HISTORY_BY_NAME", "壬公司.xlsx", False),
    ]
    assert "统一社会信用代码" in issues[0].message and "庚公司" in issues[0].message
    assert "2条" in issues[2].message
    assert "无记录" in issues[3].message


def test_records_rows_and_years_filter(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        for year in (2024, 2025, 2026):
            history.record_year(
                year,
                [
                    make_result(enterprise="甲公司", serial=1, year=year),
                    make_result(FAIL, enterprise="乙公司", serial=2, year=year),
                ],
                RUN.replace(year=year),
            )
        assert history.years() == [2024, 2025, 2026]
        everything = history.records()
        assert [(r.year, r.key) for r in everything] == [
            (y, credit_code(n)) for y in (2024, 2025, 2026) for n in sorted((1, 2), key=credit_code)
        ]
        assert {r.year for r in history.records(up_to_year=2025)} == {2024, 2025}
        only = history.records(year=2025, code=credit_code(2))
        assert len(only) == 1 and only[0].grade is Grade.FAIL and only[0].enterprise == "乙公司"
        assert [r["year"] for r in history.rows(code=credit_code(1).lower())] == [2024, 2025, 2026]
        assert history.rows(year=2023) == []
        assert history.records(code=credit_code(99)) == []


def test_year_records_are_what_history_returns_once_recorded(tmp_path: Path) -> None:
    """The summary's trend rows for the year are computed before history is written."""
    results = [
        *results_2026(),
        make_result(enterprise="无代码企业", code=""),
        make_result(enterprise="Ａ字头企业", code=""),  # full-width: ordered as SQLite does
        make_result({"1.1": 0.0}, enterprise="戊公司", code=f" {credit_code(7).lower()} "),
    ]
    with History(tmp_path / "h.sqlite3") as history:
        history.record_year(2026, results, RUN)
        assert year_records(2026, results) == history.records(year=2026)
