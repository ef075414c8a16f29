"""`history import` and `history show`, on the shipped last-year file and the shared sample run.

(The import's own findings are tested in tests/history/test_importer.py, which also invokes
the two commands once.)
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fuling_batch.forms.samples import LAST_YEAR_FILE
from tests.factories import credit_code

from .conftest import ROOT, Invoke, SampleRun
from .test_check import table_rows

LAST_YEAR = ROOT / "input" / LAST_YEAR_FILE


def last_year_rows() -> dict[str, tuple]:
    """Enterprise → (code, total, grade), read from the shipped file itself."""
    ws = openpyxl.load_workbook(LAST_YEAR, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    return {name: (code or "—", total, grade) for name, code, total, grade in rows if name}


def shown(stdout: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(年度, 企业名称) → (统一社会信用代码, 总分, 等次) of a printed `history show` table."""
    rows = table_rows(stdout)
    assert rows[0] == ["年度", "统一社会信用代码", "企业名称", "总分", "等次"]
    return {(r[0], r[2]): (r[1], r[3], r[4]) for r in rows[1:]}


def test_import_into_the_default_database_then_show_the_year(cli: Invoke, tmp_path: Path):
    done = cli("history", "import", LAST_YEAR, "--year", 2025)
    assert done.exit_code == 0, done
    assert done.stdout == "已导入 2025 年度考核结果 11 条，问题 0 条。\n" and done.stderr == ""
    assert (tmp_path / "output" / "history.sqlite3").is_file()
    listed = cli("history", "show", "--year", 2025)
    assert listed.exit_code == 0, listed
    assert listed.stdout.splitlines()[0].strip() == "历年考核记录"
    expected = {
        ("2025", name): (code, f"{total:g}", grade)
        for name, (code, total, grade) in last_year_rows().items()
    }
    assert shown(listed.stdout) == expected
    assert len(expected) == 11


def test_import_with_out_puts_the_database_there(cli: Invoke, tmp_path: Path):
    done = cli("history", "import", LAST_YEAR, "--year", 2025, "--out", "别处")
    assert done.exit_code == 0, done
    assert (tmp_path / "别处" / "history.sqlite3").is_file()
    assert not (tmp_path / "output").exists()
    assert cli("history", "show", "--out", "别处").exit_code == 0


def test_import_problems_are_listed_and_exit_1(cli: Invoke, tmp_path: Path):
    source = tmp_path / "2025.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码", "总分", "等次"])
    ws.append(["甲公司", credit_code(1), 85, "合格"])
    ws.append(["乙公司", credit_code(2), "八十", "合格"])
    wb.save(source)
    done = cli("history", "import", source, "--year", 2025, "--history", "h.sqlite3")
    assert done.exit_code == 1, done
    assert done.stdout.endswith("问题 1 条。\n")
    (line,) = done.stderr.splitlines()
    assert line.startswith("错误 2025.xlsx") and "C3" in line and "总分" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--year", 2025), {("2025", n) for n in last_year_rows()}),
        (
            ("--code", credit_code(8)),
            {("2025", "涪陵示例机械制造有限公司"), ("2026", "涪陵示例机械制造有限公司")},
        ),
        (("--year", 2026, "--code", credit_code(8)), {("2026", "涪陵示例机械制造有限公司")}),
        ((), None),  # everything: both years
    ],
)
def test_show_filters_by_year_and_code(sample_run: SampleRun, cli: Invoke, args, expected):
    done = cli("history", "show", "--history", sample_run.history, *args)
    assert done.exit_code == 0, done
    got = shown(done.stdout)
    if expected is None:
        assert {year for year, _ in got} == {"2025", "2026"} and len(got) == 11 + 12
    else:
        assert set(got) == expected


def test_show_prints_the_run_s_totals_and_grades(sample_run: SampleRun, cli: Invoke):
    done = cli("history", "show", "--history", sample_run.history, "--year", 2026)
    got = shown(done.stdout)
    report = sample_run.report()["results"]
    assert got == {
        ("2026", r["enterprise"]): (r["credit_code"] or "—", f"{r['total']:g}", r["final_grade"])
        for r in report
    }
    assert got[("2026", "涪陵示例文化传媒有限公司")][0] == "—"  # the sheet has no code


@pytest.mark.parametrize("args", [("--year", 2030), ("--code", credit_code(99))])
def test_show_says_when_nothing_matches(sample_run: SampleRun, cli: Invoke, args):
    done = cli("history", "show", "--history", sample_run.history, *args)
    assert done.exit_code == 0, done
    assert done.stdout == "没有符合条件的记录。\n"
