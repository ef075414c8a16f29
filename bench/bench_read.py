"""Intake throughput: generate N filled score sheets from the real template, time check_folder.

    python bench/bench_read.py [N] [--keep DIR] [--repeat R]

Prints files/second for 1 and 2 processes (the median of R runs each). Sheets vary in
scores (some deductions with remarks, some text numbers, ~5% with a blank score) so that
every check runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import openpyxl

from fuling_batch.config import GradingConfig
from fuling_batch.forms.template import write_template
from fuling_batch.intake.check import check_folder
from fuling_batch.rules.creditcode import check_character
from fuling_batch.rules.standard import load_standard


def generate(folder: Path, n: int, seed: int = 2026) -> None:
    standard = load_standard()
    template = write_template(folder.parent / f".{folder.name}-template.xlsx", standard)
    wb = openpyxl.load_workbook(template)
    template.unlink()
    ws = wb["评分表"]
    labels = {
        c.value: c for row in ws.iter_rows(max_row=10) for c in row if isinstance(c.value, str)
    }
    merged = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges}
    code_col = labels["编号"].column
    rows = {
        ws.cell(r, code_col).value: r
        for r in range(labels["编号"].row + 1, ws.max_row + 1)
        if isinstance(ws.cell(r, code_col).value, str)
    }
    score_col, remark_col = labels["得分"].column, labels["扣分说明"].column
    rng = random.Random(seed)

    def put(label: str, value: object) -> None:
        cell = labels[label]
        ws.cell(cell.row, merged.get((cell.row, cell.column), cell.column) + 1).value = value

    for i in range(n):
        first17 = f"91500102{i:09d}"
        put("企业名称", f"涪陵测试企业{i}有限公司")
        put("统一社会信用代码", first17 + check_character(first17))
        put("考核年度", 2026)
        put("党组织书记", "张三")
        put("行政主要负责人", "李四")
        for line in standard.lines:
            row = rows[line.code]
            score: object = line.value
            remark = None
            if rng.random() < 0.2:
                score = rng.randrange(0, int(line.value * 2)) / 2
                remark = "资料不全"
            if rng.random() < 0.03:
                score = str(score)
            if rng.random() < 0.001:
                score = None
            ws.cell(row, score_col).value = score
            ws.cell(row, remark_col).value = remark
        wb.save(folder / f"{i:05d}.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs per process count (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if len(list(folder.glob("*.xlsx"))) != args.n:
            start = time.perf_counter()
            generate(folder, args.n)
            print(f"generated {args.n} sheets in {time.perf_counter() - start:.1f} s")
        standard, config = load_standard(), GradingConfig()
        results = {}
        for processes in (1, 2):
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                reports = check_folder(folder, 2026, standard, config, processes=processes)
                times.append(time.perf_counter() - start)
            elapsed = statistics.median(times)
            results[processes] = reports
            accepted = sum(r.status == "accepted" for r in reports)
            runs = f", median of {args.repeat}" if args.repeat > 1 else ""
            print(
                f"processes={processes}: {len(reports)} files in {elapsed:.2f} s = "
                f"{len(reports) / elapsed:.0f} files/s ({accepted} accepted{runs})"
            )
        assert results[1] == results[2], "results differ between 1 and 2 processes"


if __name__ == "__main__":
    main()
