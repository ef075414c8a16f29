"""Configuration: defaults, TOML overrides, and usage errors that name the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fuling_batch.config import DEFAULT_CONFIG_NAME, Config, GradingConfig, load_config
from fuling_batch.errors import ConfigError, UsageError
from fuling_batch.rules.models import Grade
from tests.factories import make_result


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_spec_rules(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config == Config()
    grading = config.grading
    assert (grading.pass_min, grading.basic_min) == (80, 60)
    assert grading.triangle_rule == "below_full"
    assert grading.score_step == 0.5
    assert config.notices.rectify_days == 30


def test_a_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        '[grading]\npass_min = 85\ntriangle_rule = "share"\ntriangle_share = 0.5\n'
        '[notices]\nnumber_prefix = "涪国资党委发"\nissue_date = 2026-12-01\nrectify_days = 45\n',
    )
    config = load_config(path)
    assert config.grading.pass_min == 85.0 and isinstance(config.grading.pass_min, float)
    assert config.grading.basic_min == 60
    assert config.grading.triangle_rule == "share"
    assert config.notices.number_prefix == "涪国资党委发"
    assert config.notices.issue_date == dt.date(2026, 12, 1)
    assert config.notices.rectify_days == 45
    assert config.notices.authority == Config().notices.authority
    # The loaded configuration really drives grading: 83.5 is 基本合格 under pass_min 85, and
    # ▲3.1 at half marks is met under the share rule 0.5.
    non_key = {"8.1": 0, "6.2": 0, "6.5": 0, "6.7": 0, "6.8": 0, "7.5": 0, "3.10": 0, "4.3": 0}
    assert make_result(non_key, config=config.grading).total == 83
    assert make_result(non_key, config=config.grading).raw_grade is Grade.BASIC
    assert make_result(non_key).raw_grade is Grade.PASS
    assert make_result({"3.1": 1.5}, config=config.grading).final_grade is Grade.PASS
    assert make_result({"3.1": 1.5}).final_grade is Grade.BASIC


def test_the_working_folder_file_is_picked_up(tmp_path: Path) -> None:
    write(tmp_path / DEFAULT_CONFIG_NAME, "[grading]\nbasic_min = 55\n")
    assert load_config(cwd=tmp_path).grading.basic_min == 55


def test_an_explicit_config_replaces_the_working_folder_file(tmp_path: Path) -> None:
    write(tmp_path / DEFAULT_CONFIG_NAME, "[grading]\nbasic_min = 55\npass_min = 75\n")
    explicit = write(tmp_path / "other.toml", "[grading]\npass_min = 90\n")
    config = load_config(explicit, cwd=tmp_path)
    assert config.grading.pass_min == 90
    assert config.grading.basic_min == 60  # not merged with the working-folder file


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[grading]\npass_mni = 85\n", "pass_mni"),
        ("[gradin]\npass_min = 85\n", "gradin"),
        ("[notices]\nauthor = 'x'\n", "author"),
        ("[grading]\npass_min = '八十'\n", "pass_min"),
        ("[grading]\npass_min = true\n", "pass_min"),
        ("[grading]\ntriangle_rule = 'half'\n", "triangle_rule"),
        ("[grading]\nbasic_min = 90\n", "basic_min"),
        ("[grading]\ntriangle_share = 1.5\n", "triangle_share"),
        ("[grading]\nscore_step = 0\n", "score_step"),
        ("[notices]\nrectify_days = 0\n", "rectify_days"),
        ("[notices]\nrectify_days = 2.5\n", "rectify_days"),
        ("[notices]\nfirst_number = true\n", "first_number"),
        ("[notices]\nissue_date = '明天'\n", "issue_date"),
        ("[notices]\nissue_date = 2026-12-01T10:00:00\n", "issue_date"),
        ("grading = 3\n", "grading"),
    ],
)
def test_unknown_keys_and_bad_values_are_usage_errors_naming_the_key(
    tmp_path: Path, text: str, named: str
) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert named in str(caught.value)
    assert isinstance(caught.value, UsageError) and caught.value.exit_code == 2


def test_unreadable_configs_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(tmp_path / "missing.toml")
    broken = write(tmp_path / "broken.toml", "[grading\npass_min = 80\n")
    with pytest.raises(ConfigError, match="格式有误：第1行第9列"):
        load_config(broken)


def test_grading_config_checks_its_own_values() -> None:
    with pytest.raises(ConfigError):
        GradingConfig(pass_min=101)
    with pytest.raises(ConfigError):
        GradingConfig(triangle_share=0)
