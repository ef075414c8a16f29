"""`sample` writes the shipped sample input/ (the README's quick start reads it)."""

from __future__ import annotations

import functools
from pathlib import Path

import openpyxl

from fuling_batch.forms.samples import LAST_YEAR_FILE

from .conftest import ROOT, Invoke

SHIPPED = ROOT / "input"


def cell_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


shipped_values = functools.lru_cache(maxsize=None)(cell_values)


def workbooks(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.xlsx"))


def assert_is_the_shipped_sample(folder: Path) -> None:
    assert workbooks(folder) == workbooks(SHIPPED)
    assert len(workbooks(folder)) == 13
    for name in workbooks(folder):
        assert cell_values(folder / name) == shipped_values(SHIPPED / name), name


def test_sample_with_a_template_into_an_empty_folder(cli: Invoke, tmp_path: Path, template_file):
    done = cli("sample", "示例", "--template", template_file)
    assert done.exit_code == 0, done
    assert done.stdout == f"已生成示例评分表 12 份：示例；上年度结果：示例/{LAST_YEAR_FILE}\n"
    assert done.stderr == ""
    assert_is_the_shipped_sample(tmp_path / "示例")


def test_sample_by_default_reads_templates_and_writes_input(cli: Invoke, tmp_path: Path):
    assert cli("template").exit_code == 0  # templates/score_template.xlsx, where sample looks
    done = cli("sample")
    assert done.exit_code == 0, done
    assert done.stdout == f"已生成示例评分表 12 份：input；上年度结果：input/{LAST_YEAR_FILE}\n"
    assert_is_the_shipped_sample(tmp_path / "input")
    checked = cli("check", "--year", 2026)  # check reads input/ by default too
    assert checked.exit_code == 0, checked
    assert checked.stdout.splitlines()[-1] == "文件：已接收 12，已退回 0，已跳过 1"


def test_sample_refuses_a_folder_that_holds_sheets_unless_forced(
    cli: Invoke, tmp_path: Path, template_file
):
    real = tmp_path / "input" / "二级" / "真实企业评分表.xlsx"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"PK real sheet")
    (tmp_path / "input" / "~$锁定.xlsx").write_bytes(b"")
    done = cli("sample", "input", "--template", template_file)
    assert done.exit_code == 2, done
    assert "已有 1 个表格文件（如 二级/真实企业评分表.xlsx）" in done.stderr
    assert "--force" in done.stderr
    assert sorted(p.name for p in (tmp_path / "input").rglob("*.xlsx")) == [
        "~$锁定.xlsx",
        "真实企业评分表.xlsx",
    ], "nothing written"
    forced = cli("sample", "input", "--template", template_file, "--force")
    assert forced.exit_code == 0, forced
    assert real.read_bytes() == b"PK real sheet"  # beside it, not over it
    assert len(list((tmp_path / "input").glob("2026年度评分表_*.xlsx"))) == 12
