"""Time ``write_summary`` for many synthetic enterprises and report peak memory.

Usage: ``python bench/bench_summary.py [N ...] [--no-constant-memory]`` (default N: 1000 10000).
Each N runs in a fresh process so that the peak RSS belongs to that run alone. The CPU seconds
of the process are printed next to the wall time: on a busy machine they are the steadier figure.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fuling_batch.config import Config, GradingConfig
from fuling_batch.rules.creditcode import check_character
from fuling_batch.rules.grading import grade
from fuling_batch.rules.issues import Issue
from fuling_batch.rules.models import (
    FileReport,
    FileStatus,
    Grade,
    Header,
    ItemScore,
    PreviousRecord,
    ScoreSheet,
    YearRecord,
)
from fuling_batch.rules.standard import load_standard
from fuling_batch.summary import workbook as summary

YEAR = 2026


def build(n: int) -> tuple[list, list, list]:
    """N graded enterprises with varied scores, three years of history, one issue per tenth file."""
    rng = random.Random(n)
    standard = load_standard()
    config = GradingConfig()
    results, reports, records = [], [], []
    for i in range(n):
        first17 = f"91500102{i:09d}"
        code = first17 + check_character(first17)
        name = f"涪陵区第{i}号国有企业集团有限公司"
        weak = rng.random()
        items = []
        for row, line in enumerate(standard.lines, start=10):
            lost = rng.random() < weak * 0.4
            score = rng.randrange(0, int(line.value * 2)) / 2 if lost else line.value
            remark = f"{line.code}资料不全，会议记录缺{rng.randint(1, 5)}次" if lost else ""
            items.append(ItemScore(line.code, score, remark, f"F{row}", f"G{row}"))
        header = Header(name, code, YEAR, f"中共{name}委员会", "张三", "李四", "2026-11-20", "王五")
        sheet = ScoreSheet(f"{name}.xlsx", "0" * 64, "评分表", header, tuple(items))
        prev = None
        if i % 5:
            past = [(YEAR - 2, rng.uniform(50, 100)), (YEAR - 1, rng.uniform(50, 100))]
            for year, total in past:
                g = grade_for(total, config)
                records.append(YearRecord(year, code, code, name, round(total, 1), g))
            prev = PreviousRecord(YEAR - 1, records[-1].total, records[-1].grade, name)
        result = grade(sheet, standard, config, YEAR, prev)
        results.append(result)
        records.append(YearRecord(YEAR, code, code, name, result.total, result.final_grade))
        issues = (Issue.warning("SCORE_TEXT", "得分以文本录入", sheet="评分表", cell="F12"),)
        reports.append(FileReport(sheet.path, FileStatus.ACCEPTED, issues if i % 10 == 0 else ()))
    return results, reports, records


def grade_for(total: float, config: GradingConfig) -> Grade:
    from fuling_batch.rules.grading import grade_by_total

    return grade_by_total(total, config)


def run_one(n: int) -> None:
    results, reports, records = build(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as out:
        start, cpu = time.perf_counter(), time.process_time()
        path = summary.write_summary(
            Path(out), YEAR, results, reports, records, load_standard(), Config()
        )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mode = "constant_memory" if summary.CONSTANT_MEMORY else "in-memory"
    print(
        f"N={n:>6}  {mode:<15}  write_summary {seconds:6.2f} s (CPU {cpu:5.2f} s)  "
        f"file {size / 1e6:5.1f} MB  "
        f"peak RSS {peak / 1024:6.0f} MiB (inputs built: {before / 1024:.0f} MiB)"
    )


def main(argv: list[str]) -> None:
    flags = [a for a in argv if a.startswith("--")]
    sizes = [int(a) for a in argv if not a.startswith("--")]
    if "--one" in flags:
        summary.CONSTANT_MEMORY = "--no-constant-memory" not in flags
        run_one(sizes[0])
        return
    for n in sizes or [1000, 10000]:
        cmd = [sys.executable, __file__, str(n), "--one", *flags]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
