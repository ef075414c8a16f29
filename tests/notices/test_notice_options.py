"""The notices' own options: notices.quote and notices.cadre_authority."""

from __future__ import annotations

from pathlib import Path

import pytest

from fuling_batch.config import NoticeConfig, load_config
from fuling_batch.errors import ConfigError


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fuling_batch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_quote_by_title_and_propose_to_the_organisation_department() -> None:
    config = NoticeConfig()
    assert config.quote == "title" and config.cadre_authority == "区委组织部"


def test_both_options_are_read_from_the_file(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[notices]\nquote = "full"\ncadre_authority = "区国资委党委"\n')
    config = load_config(path).notices
    assert config.quote == "full" and config.cadre_authority == "区国资委党委"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('quote = "all"', r"notices\.quote"),
        ("quote = 1", r"notices\.quote"),
        ('cadre_authority = "  "', "cadre_authority"),
        ("cadre_authority = 3", "cadre_authority"),
    ],
)
def test_bad_values_are_refused_with_the_option_named(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_toml(tmp_path, f"[notices]\n{text}\n"))


def test_a_bad_quote_is_refused_when_built_in_code_too() -> None:
    with pytest.raises(ConfigError, match=r"notices\.quote"):
        NoticeConfig(quote="all")  # type: ignore[arg-type]
