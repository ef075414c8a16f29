"""Faults of the program's own: a failure injected in each stage, a run killed mid-way, two runs
at once. The operator never sees a traceback; history is untouched; leftovers go next time."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from fuling_batch.cli import main
from fuling_batch.runtime.runlock import LOCK_NAME

ROOT = Path(__file__).resolve().parents[2]

# One of our own functions per stage, as the pipeline calls it: (module, attribute).
STAGES = {
    "read": ("fuling_batch.intake.check", "discover"),
    "grade": ("fuling_batch.pipeline", "grade"),
    "summary": ("fuling_batch.summary.workbook", "write_summary"),
    "notices": ("fuling_batch.notices.render", "write_sign_off"),
    "history": ("fuling_batch.history.store", "apply_update"),
    "report": ("fuling_batch.outputs", "write_report"),
}


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    imported = CliRunner().invoke(
        main, ["history", "import", "input/往年结果/2025年度考核结果.xlsx", "--year", "2025"]
    )
    assert imported.exit_code == 0, imported.output
    return tmp_path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_failure_in_any_stage_is_exit_4_with_a_log_and_history_untouched(
    office: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    module, name = STAGES[stage]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"injected failure in {stage}")

    monkeypatch.setattr(f"{module}.{name}", broken)
    db = office / "output" / "history.sqlite3"
    before = _digest(db)
    result = CliRunner().invoke(main, ["run", "input", "--year", "2026", "--jobs", "1"])
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert any(line.startswith("程序内部错误") for line in lines)
    (log,) = (office / "output").glob("fuling-batch-错误日志-*.txt")
    assert f"RuntimeError: injected failure in {stage}" in log.read_text(encoding="utf-8")
    assert str(log.relative_to(office)) in result.output or log.name in result.output
    assert _digest(db) == before


def test_a_failure_on_one_file_is_that_files_problem_not_the_runs(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug met while checking a file rejects that file (FILE_CRASHED) and the batch goes on."""
    import fuling_batch.intake.check as check

    real = check.validate_sheet

    def validate_sheet(raw, standard, config, year, rel, sha256):  # type: ignore[no-untyped-def]
        if "医药" in rel:
            raise RuntimeError("injected failure on one file")
        return real(raw, standard, config, year, rel, sha256)

    monkeypatch.setattr(check, "validate_sheet", validate_sheet)
    result = CliRunner().invoke(main, ["run", "input", "--year", "2026", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "程序内部错误" in result.output
    assert "已接收 11" in result.output


def test_leftovers_of_a_killed_run_are_removed_by_the_next(office: Path) -> None:
    year_dir = office / "output" / "2026"
    staging = year_dir / ".notices-killed"
    staging.mkdir(parents=True)
    (staging / "半张通知书.docx").write_bytes(b"PK")
    (year_dir / ".~tmp-summary.xlsx").write_bytes(b"PK")
    (year_dir / "notices").mkdir()
    (year_dir / "notices" / ".~tmp-x.docx").write_bytes(b"PK")
    mine = year_dir / "我的说明.txt"  # the operator's own file: never touched
    mine.write_text("保留", encoding="utf-8")
    assert CliRunner().invoke(main, ["run", "input", "--year", "2026"]).exit_code == 0
    left = [p for p in year_dir.rglob("*") if p.name.startswith((".~tmp-", ".notices-"))]
    assert left == []
    assert mine.read_text(encoding="utf-8") == "保留"


def test_a_run_killed_with_sigkill_leaves_nothing_after_the_next_run(office: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "fuling_batch", "run", "input", "--year", "2026"]
    year_dir = office / "output" / "2026"
    process = subprocess.Popen(command, cwd=office, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if year_dir.is_dir() and any(p.name.startswith(".notices-") for p in year_dir.iterdir()):
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    again = subprocess.run(
        command, cwd=office, env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    left = [p for p in year_dir.rglob("*") if p.name.startswith((".~tmp-", ".notices-"))]
    assert left == []
    assert len(list((year_dir / "notices").glob("*通知书.docx"))) == 8


def test_a_second_run_of_the_same_year_waits_its_turn(office: Path) -> None:
    year_dir = office / "output" / "2026"
    year_dir.mkdir(parents=True)
    with open(year_dir / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
        result = CliRunner().invoke(main, ["run", "input", "--year", "2026"])
    assert result.exit_code == 2
    assert "另一个 fuling-batch 正在处理" in result.output
    assert not (year_dir / "notices").exists()
