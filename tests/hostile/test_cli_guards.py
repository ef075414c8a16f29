"""Usage errors that used to end in tracebacks or lost data: exit 2, a Chinese message, and
nothing written, history as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fuling_batch.cli import main

ROOT = Path(__file__).resolve().parents[2]
LAST_YEAR = "input/往年结果/2025年度考核结果.xlsx"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    assert cli("history", "import", LAST_YEAR, "--year", "2025").exit_code == 0
    return tmp_path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def stored(office: Path, year: int) -> list[tuple[str, str]]:
    with sqlite3.connect(office / "output" / "history.sqlite3") as conn:
        return list(conn.execute("SELECT key, origin FROM results WHERE year = ?", (year,)))


def test_a_run_that_accepts_nothing_does_not_wipe_the_year(office: Path) -> None:
    before = stored(office, 2025)
    assert len(before) == 11
    result = cli("run", "input", "--year", "2025")  # 2026 sheets: every one YEAR_MISMATCH
    assert result.exit_code == 2, result.output
    assert "已记录2025年度11家企业" in result.output and "--replace" in result.output
    assert stored(office, 2025) == before
    assert not (office / "output" / "2025").exists()


def test_replace_confirms_and_imported_rows_of_enterprises_not_graded_stay(office: Path) -> None:
    before = stored(office, 2025)
    result = cli("run", "input", "--year", "2025", "--replace", "--first-year")
    assert result.exit_code == 1, result.output  # every sheet rejected, the run went on
    assert (office / "output" / "2025" / "report.json").is_file()
    assert stored(office, 2025) == before  # nothing graded: no imported row replaced


def test_a_run_of_the_same_enterprises_replaces_their_imported_rows(office: Path) -> None:
    shutil.copytree(office / "input", office / "again")
    assert cli("run", "input", "--year", "2026").exit_code in (0, 1)
    rows = stored(office, 2026)
    assert rows and all(origin == "run" for _, origin in rows)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_corrupt_history_database_is_a_usage_error_and_left_as_it_is(office: Path) -> None:
    database = office / "output" / "history.sqlite3"
    data = bytearray(database.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # a valid header over junk pages
    database.write_bytes(bytes(data))
    digest = _digest(database)
    for args in (("history", "show"), ("run", "input", "--year", "2026")):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "不是有效的历史数据库" in result.output and "Traceback" not in result.output
        assert _digest(database) == digest


@pytest.mark.parametrize(
    "args",
    [
        ("run", "input", "--year", "2026", "--out", "afile"),
        ("run", "input", "--year", "2026", "--history", "afile/history.sqlite3"),
        ("history", "show", "--history", "afile/x.sqlite3"),
        ("history", "show", "--out", "afile"),
        ("issue", "--year", "2026", "--out", "afile"),
    ],
)
def test_paths_through_a_file_are_usage_errors(office: Path, args: tuple[str, ...]) -> None:
    (office / "afile").write_text("不是文件夹", encoding="utf-8")
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "afile" in result.output and "是一个文件" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "year", ["99999999999999999999", "1999", "2100", "26", "２０２６", "-2026"]
)
@pytest.mark.parametrize(
    "command",
    [("run", "input"), ("check", "input"), ("issue",), ("history", "show"),
     ("history", "import", LAST_YEAR), ("template",)],
)  # fmt: skip
def test_every_year_option_takes_a_four_digit_year(
    office: Path, command: tuple[str, ...], year: str
) -> None:
    result = cli(*command, "--year", year)
    assert result.exit_code == 2, result.output
    assert "四位年份" in result.output and "Traceback" not in result.output


def _huge_results_file(path: Path) -> Path:
    """A results workbook with one value at XFD1048576: a dense grid of 17 billion cells."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "总分", "等次"])
    ws.append(["涪陵示例有限公司", 90, "合格"])
    ws["XFD1048576"] = 1
    wb.save(path)
    return path


def _process(office: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The program as its own process: a reader that tried to build the grid would abort it
    (exit 134, "memory allocation failed"), not just fail an assertion in this one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "fuling_batch", *args],
        cwd=office,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("history", "import", "huge.xlsx", "--year", "2024"),
        ("template", "--roster", "huge.xlsx", "--year", "2026", "--out", "pre"),
        ("rectify", "import", "huge.xlsx", "--year", "2025"),
    ],
    ids=["history-import", "roster", "rectify-import"],
)
def test_every_reader_goes_through_the_bounds(office: Path, args: tuple[str, ...]) -> None:
    _huge_results_file(office / "huge.xlsx")
    done = _process(office, *args)
    text = done.stdout + done.stderr
    assert done.returncode in (1, 2), text  # an error row (1) or a file refused (2)
    assert "数据区域过大" in text and "Traceback" not in text, text


def _files(report: Path) -> dict[str, tuple[str, list[str]]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {f["path"]: (f["status"], [i["code"] for i in f["issues"]]) for f in data["files"]}


def test_outputs_inside_the_input_folder_are_never_read_back(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 14: ``run .`` from the sheets' own folder puts output/ inside the input. The next
    run reads neither its returned copies nor its summary; nor an output folder made by an
    earlier run with another --out (it holds the program's manifest)."""
    from tests.intake.files.builders import fill_template

    sheet = office / "input" / "涪陵示例测试有限公司.xlsx"
    fill_template(sheet, {"2.1": 99}, serial=40)  # rejected: a returned copy is written
    monkeypatch.chdir(office / "input")
    first = cli("run", ".", "--year", "2026", "--first-year", "--history", "../h.sqlite3")
    assert first.exit_code == 1, first.output
    assert (office / "input" / "output" / "2026" / "退回修改" / sheet.name).is_file()
    other = cli(
        "run", ".", "--year", "2026", "--first-year", "--out", "另存", "--history", "../h.sqlite3"
    )
    assert other.exit_code == 1, other.output
    fill_template(sheet, serial=40)  # fixed
    again = cli("run", ".", "--year", "2026", "--first-year", "--history", "../h.sqlite3")
    assert again.exit_code == 0, again.output
    files = _files(office / "input" / "output" / "2026" / "report.json")
    # An output folder is at most listed as one skipped entry, never entered.
    ours = {p: status for p, (status, _) in files.items() if p.startswith(("output", "另存"))}
    assert ours == {"output": "skipped", "另存/2026": "skipped"}, ours
    assert files[sheet.name] == ("accepted", [])
    assert not any("DUPLICATE_ENTERPRISE" in codes for _, codes in files.values())


@pytest.mark.parametrize("char", ["😀", "𠀀"])
def test_a_roster_name_of_4_byte_characters_makes_a_file_within_255_bytes(
    office: Path, char: str
) -> None:
    """Item 5, the roster: 80 characters of 4 bytes each are 320 bytes, past the limit."""
    import openpyxl

    from fuling_batch.forms.samples import fictional_code

    wb = openpyxl.Workbook()
    wb.active.append(["企业名称", "统一社会信用代码"])
    wb.active.append([char * 80 + "有限公司", fictional_code(7)])
    wb.save(office / "roster.xlsx")
    result = cli("template", "--roster", "roster.xlsx", "--year", "2026", "--out", "pre")
    assert result.exit_code == 0, result.output
    (made,) = (office / "pre").rglob("*.xlsx")
    assert len(os.fsencode(made.name)) <= 255 and char in made.name
