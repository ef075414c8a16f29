"""The real command, end to end, on the shipped sample and on broken input."""

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

from fuling_batch.forms.samples import LAST_YEAR_FILE

# What the shipped sample is built to show (see fuling_batch/samples.py), by enterprise.
EXPECTED = {
    "涪陵示例城市建设投资集团有限公司": ("合格", ()),
    "涪陵示例水务有限公司": ("合格", ()),
    "涪陵示例交通旅游集团有限公司": ("合格", ()),
    "涪陵示例农业发展集团有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例能源有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例医药有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例文化传媒有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例建材有限公司": ("不合格", ("组织诫勉", "重点整顿")),
    "涪陵示例机械制造有限公司": ("不合格", ("组织诫勉", "重点整顿", "调整")),
    "涪陵示例供应链集团有限公司": ("不合格", ("组织诫勉", "重点整顿", "调整")),
    "涪陵示例物业管理有限公司": ("不合格", ("组织诫勉", "重点整顿")),
    "涪陵示例粮油有限公司": ("合格", ()),
}


def cli(
    *args: object, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "fuling_batch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_sample(sample_input: Path, out: Path) -> subprocess.CompletedProcess[str]:
    imported = cli(
        "history",
        "import",
        sample_input / LAST_YEAR_FILE,
        "--year",
        2025,
        "--out",
        out,
        cwd=sample_input.parent,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    return cli("run", sample_input, "--year", 2026, "--out", out, cwd=sample_input.parent)


def test_sample_job_grades_every_outcome(sample_input: Path, tmp_path: Path):
    before = digest(sample_input)
    done = run_sample(sample_input, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "2026" / "report.json").read_text(encoding="utf-8"))
    got = {r["enterprise"]: (r["final_grade"], tuple(r["consequences"])) for r in report["results"]}
    assert got == EXPECTED
    by_name = {r["enterprise"]: r for r in report["results"]}
    assert by_name["涪陵示例交通旅游集团有限公司"]["total"] == 80
    assert by_name["涪陵示例文化传媒有限公司"]["total"] == 60
    assert by_name["涪陵示例物业管理有限公司"]["total"] == 59.5
    assert by_name["涪陵示例能源有限公司"]["raw_grade"] == "合格"
    assert by_name["涪陵示例能源有限公司"]["triangle_not_met"] == ["3.2"]
    assert by_name["涪陵示例医药有限公司"]["triangle_not_met"] == ["4.1"]
    assert by_name["涪陵示例供应链集团有限公司"]["consecutive_fail"] is True
    assert by_name["涪陵示例粮油有限公司"]["previous"] is None
    notices = [r["notice"] for r in report["results"] if r["notice"]]
    assert len(notices) == 8
    assert all((tmp_path / "out" / "2026" / n).is_file() for n in notices)
    assert {f["status"] for f in report["files"]} <= {"accepted", "skipped"}
    assert "涪陵示例机械制造有限公司" in done.stdout
    assert digest(sample_input) == before, "inputs must never be modified"


def test_rerun_gives_identical_results_and_one_set_of_rows(sample_input: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run_sample(sample_input, out).returncode == 0
    first = (out / "2026" / "report.json").read_bytes()
    assert run_sample(sample_input, out).returncode == 0
    assert (out / "2026" / "report.json").read_bytes() == first
    with sqlite3.connect(out / "history.sqlite3") as db:
        per_year = dict(db.execute("select year, count(*) from results group by year"))
    assert per_year == {2025: 11, 2026: len(EXPECTED)}


def test_a_rejected_sheet_does_not_stop_the_others(sample_input: Path, tmp_path: Path):
    broken = sorted(sample_input.glob("*.xlsx"))[0]
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    done = run_sample(sample_input, tmp_path / "out")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "2026" / "report.json").read_text(encoding="utf-8"))
    rejected = [f for f in report["files"] if f["status"] == "rejected"]
    assert [f["path"] for f in rejected] == [broken.name]
    assert rejected[0]["issues"] and rejected[0]["issues"][0]["severity"] == "error"
    assert len(report["results"]) == len(EXPECTED) - 1


def test_check_reports_cells_and_exit_status(filled_sheet, tmp_path: Path):
    good = filled_sheet("甲公司", serial=1)
    filled_sheet("乙公司", serial=2, scores={"3.2": 7})
    done = cli("check", good.parent, "--year", 2026, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "乙公司.xlsx" in done.stdout
    ok = cli("check", good.parent, "--year", 2025, cwd=tmp_path)
    assert ok.returncode == 1  # every sheet says 2026


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("run", "no-such-folder", "--year", 2026), "找不到评分表文件夹"),
        (("check", "no-such-folder"), "找不到评分表文件夹"),
        (("run", ".", "--year", "二〇二六"), ""),
        (("run", ".", "--year", 2026, "--config", "missing.toml"), "找不到配置文件"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args, fragment):
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert fragment in done.stderr


def test_unknown_config_key_is_a_usage_error_naming_it(sample_input: Path, tmp_path: Path):
    (tmp_path / "fuling_batch.toml").write_text("[grading]\npas_min = 70\n", encoding="utf-8")
    done = cli("run", sample_input, "--year", 2026, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "pas_min" in done.stderr


def test_run_summary_stays_short_for_large_batches(capsys):
    from fuling_batch.console import RUN_TABLE_ROWS, print_results

    from .factories import make_result

    results = [
        make_result({"2.5": 5 if n % 2 else 0}, serial=n, enterprise=f"企业{n:03d}")
        for n in range(80)
    ]
    print_results(results)
    printed = capsys.readouterr().out
    assert "仅列出需发通知书的前" in printed
    assert sum(f"企业{n:03d}" in printed for n in range(80)) == RUN_TABLE_ROWS
    assert "需发通知书 40 份" in printed


def test_a_parallel_run_leaves_no_worker_files_behind(sample_input: Path, tmp_path: Path):
    """The program skips the interpreter's teardown, not the exit handlers: multiprocessing
    still removes the forkserver's socket folder from the temp folder."""
    for sheet in sorted(sample_input.glob("*.xlsx")):  # 24 files: workers start
        shutil.copy(sheet, sample_input / f"副本_{sheet.name}")
    temp = tmp_path / "temp"
    temp.mkdir()
    done = cli(
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
    )
    assert done.returncode == 1, done.stderr  # the copies duplicate their originals
    assert "DUPLICATE" in (tmp_path / "out" / "2026" / "report.json").read_text(encoding="utf-8")
    leftovers = [p.name for p in temp.iterdir() if not p.name.startswith("fuling-batch-templates")]
    assert leftovers == []
