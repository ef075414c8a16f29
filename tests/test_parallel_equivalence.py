"""The parallel path gives exactly what the single-process path gives (issue 7)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from docx import Document

from fuling_batch.config import Config, NoticeConfig
from fuling_batch.pipeline import run

# Outcomes to cover: 合格, ▲ downgrade, 基本合格 by total, 不合格, and a rejected sheet.
BATCH = {
    "甲公司": {},
    "乙公司": {"3.2": 1},
    "丙公司": {
        "3.5": 2,
        "3.10": 2,
        "6.2": 2,
        "6.5": 2,
        "6.7": 2,
        "6.8": 2,
        "8.1": 3,
        "7.5": 2,
        "4.3": 2,
        "1.4": 1,
        "1.8": 1,
    },
    "丁公司": {
        "2.5": 5,
        "3.1": 3,
        "3.3": 3,
        "3.4": 3,
        "4.1.1": 4,
        "4.1.2": 3,
        "5.6": 3,
        "6.1": 2,
        "6.9": 2,
        "8.1": 3,
        "3.10": 2,
        "6.5": 2,
        "2.3": 3,
        "5.3": 2,
        "7.5": 2,
    },
    "戊公司": {"4.1.3": 0.5, "8.4": 1},
    "己公司": {"1.1": 1},
}


def outputs(year_dir: Path) -> tuple[dict, dict[str, list], dict[str, list[str]]]:
    report = json.loads((year_dir / "report.json").read_text(encoding="utf-8"))
    (summary,) = year_dir.glob("*.xlsx")
    wb = openpyxl.load_workbook(summary)
    cells = {
        ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets
    }
    notices = {
        p.name: [para.text for para in Document(p).paragraphs]
        for p in sorted((year_dir / "notices").glob("*.docx"))
    }
    return report, cells, notices


def test_one_and_two_processes_give_the_same_outputs(filled_sheet, tmp_path: Path):
    folder = tmp_path / "input"
    for serial, (name, deductions) in enumerate(BATCH.items(), 1):
        filled_sheet(name, deductions, serial=serial, folder=folder)
    filled_sheet("庚公司", serial=99, folder=folder, scores={"2.1": "五"})  # rejected
    config = Config(notices=NoticeConfig(issue_date=dt.date(2026, 12, 1)))
    now = dt.datetime(2026, 12, 1, 9, 0)
    single = run(folder, 2026, tmp_path / "one", config=config, processes=1, now=now)
    double = run(folder, 2026, tmp_path / "two", config=config, processes=2, now=now)
    assert single.exit_code == double.exit_code == 1
    one, two = outputs(single.year_dir), outputs(double.year_dir)
    assert one[0] == two[0]  # report.json: statuses, findings, grades, notice paths
    assert one[1] == two[1]  # every cell of every summary sheet
    assert one[2] == two[2]  # every paragraph of every notice
    grades = {r["enterprise"]: r["final_grade"] for r in one[0]["results"]}
    assert set(grades.values()) == {"合格", "基本合格", "不合格"}
    assert len(one[2]) >= 3 + 2  # notices plus 呈批表 and the combined document
