"""The command line run inside the test process (click's CliRunner), so coverage sees it.

``invoke`` calls the click group ``fuling_batch.cli.main`` (not ``entry()``, which ends the
process with ``os._exit``); tests of the process itself are in ``test_process.py``. One run of
the shipped sample is shared by the tests that only read its outputs (``sample_run``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fuling_batch.cli import main
from fuling_batch.forms.samples import LAST_YEAR_FILE

ROOT = Path(__file__).parents[2]

# Wide enough that no table cell of the sample folds, and never a terminal (no progress bar,
# no cursor codes) unless a test asks for one.
ENV = {"COLUMNS": "300", "TTY_COMPATIBLE": "0"}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# The fixed 成文日期 the shared sample run's fuling_batch.toml sets.
ISSUE_DATE = "2026-12-01"


@dataclass(frozen=True)
class Ran:
    """One command's exit status and what it printed (terminal control codes removed)."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    raw_stderr: str

    def __str__(self) -> str:  # what an assertion failure shows
        return (
            f"fuling-batch {' '.join(self.args)} -> {self.exit_code}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


Invoke = Callable[..., Ran]


def _runner(env: Mapping[str, str]) -> CliRunner:
    try:
        return CliRunner(env=dict(env), mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        return CliRunner(env=dict(env))  # click >= 8.2 keeps stdout and stderr apart


def invoke(*args: object, env: Mapping[str, str] | None = None) -> Ran:
    """``fuling-batch ARGS`` in this process, in the current folder.

    An exception the command does not turn into an exit status propagates (with its traceback)
    rather than becoming exit status 1.
    """
    argv = tuple(str(a) for a in args)
    result = _runner({**ENV, **(env or {})}).invoke(
        main, list(argv), prog_name="fuling-batch", catch_exceptions=False
    )
    return Ran(
        argv,
        result.exit_code,
        _ANSI.sub("", result.stdout),
        _ANSI.sub("", result.stderr),
        result.stderr,
    )


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """``invoke`` with the test's ``tmp_path`` as the working folder."""
    monkeypatch.chdir(tmp_path)
    return invoke


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def read_report(year_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((year_dir / "report.json").read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class SampleRun:
    """The README's quick start, in a folder of its own, with the outputs read by many tests.

    The folder holds a copy of the shipped ``input/``, a ``fuling_batch.toml`` fixing the
    成文日期, ``out/`` and the history database ``历年考核.sqlite3`` (given as ``--history``).
    Tests must not change anything in it.
    """

    base: Path
    imported: Ran
    ran: Ran
    input_before: dict[str, str]
    input_after: dict[str, str]

    @property
    def input(self) -> Path:
        return self.base / "input"

    @property
    def out(self) -> Path:
        return self.base / "out"

    @property
    def year_dir(self) -> Path:
        return self.out / "2026"

    @property
    def history(self) -> Path:
        return self.base / "历年考核.sqlite3"

    def report(self) -> dict[str, Any]:
        return read_report(self.year_dir)


def run_sample(base: Path, *extra: object) -> tuple[Ran, Ran]:
    """In ``base`` (holding ``input/``): import last year's results, then run 2026."""
    database = base / "历年考核.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        imported = invoke(
            "history",
            "import",
            Path("input") / LAST_YEAR_FILE,
            "--year",
            2025,
            "--history",
            database,
        )
        ran = invoke("run", "input", "--year", 2026, "--out", "out", "--history", database, *extra)
    return imported, ran


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    base = tmp_path_factory.mktemp("sample-run")
    shutil.copytree(ROOT / "input", base / "input")
    (base / "fuling_batch.toml").write_text(
        f"[notices]\nissue_date = {ISSUE_DATE}\n", encoding="utf-8"
    )
    before = digest(base / "input")
    imported, ran = run_sample(base)
    return SampleRun(base, imported, ran, before, digest(base / "input"))
