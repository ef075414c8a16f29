"""A bad configuration value stops the run with exit 2 naming the key, before any sheet is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fuling_batch.cli import main


def _check(tmp_path: Path, toml: str, sample_input: Path) -> tuple[int, str]:
    config = tmp_path / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sample_input), "--config", str(config)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[grading]\nscore_step = nan\n", "grading.score_step"),
        ("[grading]\nscore_step = inf\n", "grading.score_step"),
        ("[grading]\npass_min = nan\n", "grading.pass_min"),
        ("[grading]\ntriangle_share = -inf\n", "grading.triangle_share"),
        ("[grading]\nscore_step = 1e300\n", "grading.score_step"),
        ("[notices]\nfirst_number = 99999999999\n", "notices.first_number"),
    ],
)
def test_a_value_that_is_not_a_finite_number_in_range_is_refused(
    tmp_path: Path, sample_input: Path, toml: str, key: str
) -> None:
    code, output = _check(tmp_path, toml, sample_input)
    assert code == 2
    assert key in output and "Traceback" not in output


def test_a_toml_syntax_error_is_explained_in_chinese_with_line_and_column(
    tmp_path: Path, sample_input: Path
) -> None:
    code, output = _check(tmp_path, "[grading]\npass_min = = 80\n", sample_input)
    assert code == 2
    assert "第2行第12列" in output and "at line" not in output
