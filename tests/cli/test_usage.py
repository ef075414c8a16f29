"""Usage errors: exit status 2, a message on stderr saying what is wrong, nothing on stdout."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Invoke


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("run", "no-such-folder", "--year", 2026), "找不到评分表文件夹：no-such-folder"),
        (("check", "no-such-folder"), "找不到评分表文件夹"),
        (("check",), "找不到评分表文件夹：input"),  # the default folder
        (("run", ".", "--year", "二〇二六"), "--year 的值无效：“二〇二六”不是有效的考核年度"),
        (("run", ".", "--year", 2026, "--config", "missing.toml"), "找不到配置文件"),
        (("check", ".", "--config", "missing.toml"), "找不到配置文件 missing.toml"),
        (("run", "."), "错误：缺少选项 --year"),
        (("run", ".", "--year", 2026, "--jobs", 0), "--jobs 的值无效：0 超出允许范围"),
        (("check", ".", "--jobs", "many"), "--jobs 的值无效：“many”不是整数"),
        (("run", ".", "--year", 2026, "--colour"), "没有 --colour 这个选项"),
        (("history", "import", "missing.xlsx", "--year", 2025), "找不到要导入的文件：missing.xlsx"),
        (("history", "import", "missing.xlsx"), "缺少选项 --year"),
        (("history", "import", "--year", 2025), "缺少参数 FILE"),
        (("history", "show"), "找不到历年考核数据库：output/history.sqlite3"),
        (("history", "show", "--history", "none.sqlite3"), "找不到历年考核数据库：none.sqlite3"),
        (("history", "show", "--year", "去年"), "--year 的值无效"),
        (("template", "--roster", "名册.xlsx"), "找不到企业名册：名册.xlsx"),
        (("sample", "demo"), "找不到评分表模板：templates/score_template.xlsx"),
        (("sample", "demo", "--template", "t.xlsx"), "找不到评分表模板：t.xlsx"),
        (("issue",), "缺少选项 --year"),
        (
            ("issue", "--year", 2026, "--date", "2026-13-01"),
            "--date 的值无效：“2026-13-01”不是日期",
        ),
        (("issue", "--year", 2026), "没有2026年度的考核结果"),
        (("grade",), "没有“grade”这个命令。可用的命令：check、history"),
        (("history", "delete"), "没有“delete”这个命令。可用的命令：import、show"),
    ],
)
def test_usage_errors_exit_2(cli: Invoke, tmp_path: Path, args, fragment):
    done = cli(*args)
    assert done.exit_code == 2, done
    assert fragment in done.stderr
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == [], "a usage error writes nothing"


def test_the_program_s_own_errors_are_one_chinese_line(cli: Invoke):
    done = cli("run", "no-such-folder", "--year", 2026)
    assert done.stderr == (
        "错误：找不到评分表文件夹：no-such-folder"
        "（请确认路径，或先用 fuling-batch template 生成评分表）\n"
    )


def test_click_s_errors_name_the_program_and_the_command(cli: Invoke):
    done = cli("run", ".")
    assert done.stderr.splitlines() == [
        "用法：fuling-batch run [选项] [INPUT_DIR]",
        "运行 fuling-batch run --help 查看帮助。",
        "",
        "错误：缺少选项 --year",
    ]


_ENGLISH = ("Usage", "Options", "Commands", "Show this", "Error", "default:", "required",
            "Missing", "No such", "Invalid", "Try ", "Aborted", "PATH", "INTEGER", "TEXT")  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("run", "--help"),
        ("check", "-h"),
        ("history", "--help"),
        ("history", "import", "--help"),
        ("rectify", "--help"),
        ("template", "--help"),
        ("sample", "--help"),
        ("issue", "--help"),
        ("--version",),
    ],
)
def test_help_is_chinese(cli: Invoke, args: tuple[str, ...]) -> None:
    done = cli(*args)
    assert done.exit_code == 0, done
    assert not [word for word in _ENGLISH if word in done.stdout], done.stdout
    if args != ("--version",):
        assert done.stdout.startswith("用法：fuling-batch")
        assert "显示本帮助并退出。" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("run",),
        ("nope",),
        ("run", ".", "--year"),
        ("run", "a", "b", "--year", 2026),
        ("history", "import"),
        ("run", ".", "--year", 2026, "--jobs", "x"),
    ],
)
def test_click_s_errors_are_chinese(cli: Invoke, args: tuple) -> None:
    done = cli(*args)
    assert done.exit_code == 2, done
    assert "错误：" in done.stderr
    assert not [word for word in _ENGLISH if word in done.stderr], done.stderr


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[grading]\npas_min = 70\n", "pas_min：未知的配置项"),
        ("[grading\npass_min = 70\n", "格式有误：第1行第9列附近不符合 TOML 格式"),
        ('[grading]\npass_min = "八十"\n', "应为数字"),
        ("[grading]\nbasic_min = 90\n", "basic_min <= pass_min"),
        ('[grading]\ntriangle_rule = "half"\n', "取值 'half' 无效"),
        ("[notices]\nrectify_days = 0\n", "notices.rectify_days 须为 1 至 3650 的整数"),
        ("[report]\n", "未知的配置节"),  # its name: see test_brackets.py
        (b"\xff\xfe[grading]\n", "不是 UTF-8 编码的文本"),
    ],
)
@pytest.mark.parametrize("where", ["--config", "fuling_batch.toml"])
def test_a_bad_config_file_is_a_usage_error_naming_it(
    cli: Invoke, sample_input: Path, tmp_path: Path, toml: str | bytes, fragment: str, where: str
):
    path = tmp_path / ("settings.toml" if where == "--config" else "fuling_batch.toml")
    path.write_bytes(toml if isinstance(toml, bytes) else toml.encode("utf-8"))
    option = ("--config", path.name) if where == "--config" else ()
    for command in (("check", sample_input), ("run", sample_input, "--year", 2026)):
        done = cli(*command, *option)
        assert done.exit_code == 2, done
        assert done.stderr.startswith("错误：") and fragment in done.stderr, done
        assert path.name in done.stderr
        assert done.stdout == ""
    assert not (tmp_path / "output").exists()


def test_a_folder_given_as_config_file_is_a_usage_error(cli: Invoke, sample_input: Path):
    done = cli("check", sample_input, "--config", sample_input)
    assert done.exit_code == 2, done
    assert "无法读取配置文件" in done.stderr
