"""The README's two commands are what users and CI actually run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## 快速开始", 1)[1].split("## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick)


def test_readme_has_exactly_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2
    run, test = commands
    assert "pip install ." in run and "fuling-batch run input --year 2026" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_readme_sample_paths_exist():
    run = readme_commands()[0]
    imported = re.search(r"history import (\S+)", run)
    assert imported and (ROOT / imported.group(1)).is_file()
