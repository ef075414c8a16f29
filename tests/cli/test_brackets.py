"""What users wrote (paths, file names, configuration names) is printed as is.

Rich would read ``[word]`` in such text as a style tag (it would vanish) and ``[/word]`` as a
closing tag (MarkupError: a traceback, or exit 4 for a command that had finished). The
console prints text, not markup: these go through every kind of output the CLI has.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import Invoke


def test_an_unknown_config_section_is_named(cli: Invoke, tmp_path: Path):
    (tmp_path / "fuling_batch.toml").write_text("[report]\n", encoding="utf-8")
    done = cli("check", tmp_path)
    assert done.exit_code == 2
    assert "未知的配置节 [report]（可用：grading、notices）" in done.stderr


def test_a_missing_folder_with_brackets_is_a_usage_error(cli: Invoke):
    done = cli("check", "评分表[/2025]")
    assert done.exit_code == 2
    assert "找不到评分表文件夹：评分表[/2025]" in done.stderr


def test_the_written_template_s_path_is_printed_as_is(cli: Invoke, tmp_path: Path):
    done = cli("template", "--out", "模板[draft].xlsx")
    assert done.exit_code == 0
    assert (tmp_path / "模板[draft].xlsx").is_file()
    assert done.stdout == "已生成评分表模板：模板[draft].xlsx\n"


def test_a_file_name_with_brackets_is_listed_as_is(cli: Invoke, filled_sheet, tmp_path: Path):
    sheet = filled_sheet("甲公司", scores={"3.2": 7})
    named = sheet.rename(sheet.with_name("甲公司[draft].xlsx"))
    done = cli("check", named.parent)
    assert done.exit_code == 1
    assert "甲公司[draft].xlsx" in done.stdout


def test_a_finished_command_is_not_reported_as_an_internal_error(cli: Invoke, tmp_path: Path):
    done = cli("template", "--out", "草稿[/1]/模板.xlsx")
    assert (tmp_path / "草稿[" / "1]" / "模板.xlsx").is_file()  # the template was written
    assert done.exit_code == 0, done
    assert done.stdout == "已生成评分表模板：草稿[/1]/模板.xlsx\n"
