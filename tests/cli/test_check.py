"""`check`: every finding with its file, sheet and cell; the exit status says if any is rejected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import Invoke

SAMPLE_WARNINGS = [
    ("2026年度评分表_涪陵示例文化传媒有限公司.xlsx", "评分表", "F2", "未填写统一社会信用代码"),
    ("2026年度评分表_涪陵示例粮油有限公司.xlsx", "评分表", "E51", "5.2 得分“2分”是文本"),
    ("2026年度评分表_涪陵示例粮油有限公司.xlsx", "评分表", "E62", "6.5 得分“１.５”是文本"),
    ("往年结果/2025年度考核结果.xlsx", "", "", "这是考核结果表"),
]


def table_rows(stdout: str) -> list[list[str]]:
    """The cells of each row of a printed table (rows whose first column is filled)."""
    rows = []
    for line in stdout.splitlines():
        if line[:1] in ("│", "┃"):  # a body row, or the header row
            cells = [c.strip() for c in re.split("[│┃]", line.strip("│┃"))]
            if cells[0]:
                rows.append(cells)
    return rows


def test_check_reports_cells_and_exit_status(cli: Invoke, filled_sheet):
    good = filled_sheet("甲公司", serial=1)
    filled_sheet("乙公司", serial=2, scores={"3.2": 7})
    done = cli("check", good.parent, "--year", 2026)
    assert done.exit_code == 1, done
    assert "乙公司.xlsx" in done.stdout
    rows = table_rows(done.stdout)
    assert [r[:4] for r in rows[1:]] == [["乙公司.xlsx", "评分表", rows[1][2], "错误"]]
    assert "3.2" in rows[1][4]
    assert done.stdout.splitlines()[-1] == "文件：已接收 1，已退回 1，已跳过 0"
    ok = cli("check", good.parent, "--year", 2025)
    assert ok.exit_code == 1  # every sheet says 2026
    assert "考核年度为2026，本次处理的是2025年度" in ok.stdout


@pytest.mark.parametrize(
    ("year", "status"), [((), 0), (("--year", "2026"), 0), (("--year", "2027"), 1)]
)
def test_check_the_sample(cli: Invoke, sample_input: Path, year, status):
    done = cli("check", sample_input, *year)
    assert done.exit_code == status, done
    assert done.stderr == ""
    rows = table_rows(done.stdout)
    assert rows[0] == ["文件", "工作表", "单元格", "级别", "说明"]
    listed = [(r[0], r[1], r[2], r[4]) for r in rows[1:] if r[3] == "警告"]
    for file, sheet, cell, message in SAMPLE_WARNINGS:
        assert any(
            (f, s, c) == (file, sheet, cell) and m.startswith(message) for f, s, c, m in listed
        ), (file, cell)
    errors = [r for r in rows[1:] if r[3] == "错误"]
    if status:
        assert len(errors) == 12 and all("考核年度为2026" in r[4] for r in errors)
        assert done.stdout.splitlines()[-1] == "文件：已接收 0，已退回 12，已跳过 1"
    else:
        assert errors == []
        assert done.stdout.splitlines()[-1] == "文件：已接收 12，已退回 0，已跳过 1"


def test_check_prints_only_the_counts_when_all_is_well(cli: Invoke, filled_sheet):
    sheet = filled_sheet("甲公司")
    done = cli("check", sheet.parent)
    assert done.exit_code == 0, done
    assert done.stdout == "文件：已接收 1，已退回 0，已跳过 0\n"


def test_warnings_alone_do_not_reject(cli: Invoke, filled_sheet):
    sheet = filled_sheet("甲公司", {"1.4": 0.25})  # off the 0.5 step: a warning
    done = cli("check", sheet.parent, "--year", 2026)
    assert done.exit_code == 0, done
    (row,) = table_rows(done.stdout)[1:]
    assert row[0] == "甲公司.xlsx" and row[3] == "警告" and "0.5" in row[4]
    assert done.stdout.splitlines()[-1] == "文件：已接收 1，已退回 0，已跳过 0"


def test_the_config_file_in_the_working_folder_is_read(cli: Invoke, filled_sheet, tmp_path: Path):
    sheet = filled_sheet("甲公司", {"1.4": 0.25})
    (tmp_path / "fuling_batch.toml").write_text("[grading]\nscore_step = 0.25\n", encoding="utf-8")
    done = cli("check", sheet.parent)
    assert done.exit_code == 0, done
    assert done.stdout == "文件：已接收 1，已退回 0，已跳过 0\n"  # 0.25 is now a valid step


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs_give_the_same_findings(cli: Invoke, sample_input: Path, jobs: str):
    serial = cli("check", sample_input, "--year", 2026)
    done = cli("check", sample_input, "--year", 2026, "--jobs", jobs)
    assert done.exit_code == serial.exit_code == 0
    assert done.stdout == serial.stdout


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_bar_only_on_a_terminal(cli: Invoke, sample_input: Path, terminal: bool):
    plain = cli("check", sample_input, "--year", 2026)
    done = cli("check", sample_input, "--year", 2026, env={"TTY_COMPATIBLE": str(int(terminal))})
    assert done.exit_code == 0, done
    assert done.stdout == plain.stdout  # the results never go through the progress bar
    if terminal:
        # A live display hides the cursor while it runs and shows it again (transient bar).
        assert "\x1b[?25l" in done.raw_stderr and "\x1b[?25h" in done.raw_stderr
    else:
        assert done.raw_stderr == ""
