"""The program as a process: the installed ``fuling-batch`` script and ``python -m fuling_batch``.

These are the tests where the process itself matters (exit status through ``entry()``'s
``os._exit``, what reaches stdout and stderr, exit handlers); everything else runs in-process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fuling_batch import __version__
from fuling_batch.cli import main

SUMMARY_LINES = [
    "文件：已接收 12，已退回 0，已跳过 1",
    "输出文件夹：out/2026",
    "  汇总表：2026年度国有企业党组织规范化建设考核汇总表.xlsx",
    "  通知书：8 份；退回修改：0 份；report.json",
    "  合并打印版：约 42 页，双面打印约需 21 张 A4 纸（每份通知书从单页起印、在双页结束）",
]


def script() -> str:
    """The console script pip installed beside this interpreter."""
    found = shutil.which("fuling-batch", path=str(Path(sys.executable).parent))
    assert found, "the fuling-batch entry point is not installed (pip install -e .)"
    return found


def program(
    *args: object, cwd: Path, env: dict[str, str] | None = None, module: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", **(env or {})}
    command = [sys.executable, "-m", "fuling_batch"] if module else [script()]
    return subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )


def test_python_m_fuling_batch_help_lists_every_command(tmp_path: Path):
    done = program("--help", cwd=tmp_path, module=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == "用法：python -m fuling_batch [选项] 命令 [参数]..."
    assert "涪陵区国有企业党组织规范化建设考核" in done.stdout
    listed = [line.split()[0] for line in lines[lines.index("命令：") + 1 :] if line.strip()]
    assert listed == sorted(main.commands)  # every command of the group, as click lists them
    assert {"check", "history", "notice-template", "run", "sample", "template"} <= set(listed)


@pytest.mark.parametrize(
    ("args", "status", "stdout_end", "stderr_start"),
    [
        (("--version",), 0, [f"fuling-batch 版本 {__version__}"], ""),
        (("check", "input", "--year", 2026), 0, ["文件：已接收 12，已退回 0，已跳过 1"], ""),
        (("check", "input", "--year", 2025), 1, ["文件：已接收 0，已退回 12，已跳过 1"], ""),
        (("run", "input", "--year", 2026, "--out", "out", "--first-year"), 0, SUMMARY_LINES, ""),
        (
            ("run", "input", "--year", 2026, "--out", "out"),
            0,
            SUMMARY_LINES,
            "历史数据库中没有2025年度",
        ),
        (("run", "missing", "--year", 2026), 2, [], "错误：找不到评分表文件夹：missing"),
        (("run", "input"), 2, [], "用法：fuling-batch run [选项] [INPUT_DIR]"),
    ],
)
def test_the_entry_point_s_exit_status_and_output(
    sample_input: Path, args, status: int, stdout_end: list[str], stderr_start: str
):
    done = program(*args, cwd=sample_input.parent)
    assert done.returncode == status, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[len(lines) - len(stdout_end) :] == stdout_end
    if not stdout_end:
        assert done.stdout == ""  # errors go to stderr only
    assert done.stderr.startswith(stderr_start)
    if not stderr_start:
        assert done.stderr == ""  # no progress bar, no warnings when not on a terminal
    assert "\x1b[" not in done.stdout + done.stderr  # no terminal codes into a pipe


def test_a_parallel_run_leaves_no_worker_files_behind(sample_input: Path, tmp_path: Path):
    """The program skips the interpreter's teardown, not the exit handlers: multiprocessing
    still removes the forkserver's socket folder from the temp folder."""
    for sheet in sorted(sample_input.glob("*.xlsx")):  # 24 files: workers start
        shutil.copy(sheet, sample_input / f"副本_{sheet.name}")
    temp = tmp_path / "temp"
    temp.mkdir()
    done = program(
        "run",
        sample_input,
        "--year",
        "2026",
        "--out",
        tmp_path / "out",
        "--jobs",
        "2",
        cwd=tmp_path,
        env={"TMPDIR": str(temp)},
        module=True,
    )
    assert done.returncode == 1, done.stderr  # the copies duplicate their originals
    assert "DUPLICATE" in (tmp_path / "out" / "2026" / "report.json").read_text(encoding="utf-8")
    leftovers = [p.name for p in temp.iterdir() if not p.name.startswith("fuling-batch-templates")]
    assert leftovers == []
