"""The run's stages together: notices render beside the summary and appear only on success."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fuling_batch.errors import OutputError
from fuling_batch.history.store import History
from fuling_batch.notices.render import StagedNotices
from fuling_batch.pipeline import run
from fuling_batch.report import dumps
from fuling_batch.runtime.manifest import MANIFEST_NAME
from fuling_batch.runtime.runlock import LOCK_NAME
from fuling_batch.summary.workbook import summary_filename


def test_a_failed_summary_publishes_no_notices(sample_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # A folder where the summary workbook should go: replacing it fails.
    (out / "2026" / summary_filename(2026)).mkdir(parents=True)
    with pytest.raises(OSError):
        run(sample_input, 2026, out, history_path=tmp_path / "h.db", processes=2)
    left = sorted(p.name for p in (out / "2026").iterdir() if p.name != LOCK_NAME)
    assert left == [summary_filename(2026)]  # no notices/, no hidden staging folder
    with History(tmp_path / "h.db") as history:
        assert history.records(year=2026) == []  # history records a year only with its outputs


def test_notices_that_cannot_be_put_in_place_leave_history_untouched(
    sample_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(self: StagedNotices) -> list:
        self.discard()
        raise OutputError("通知书文件夹正在使用")  # as when Word holds a notice open on Windows

    monkeypatch.setattr(StagedNotices, "publish", locked)
    out = tmp_path / "out"
    with pytest.raises(OutputError):
        run(sample_input, 2026, out, history_path=tmp_path / "h.db")
    with History(tmp_path / "h.db") as history:
        assert history.records(year=2026) == []
    assert not (out / "2026" / "report.json").exists()
    assert [p.name for p in (out / "2026").iterdir() if p.name != LOCK_NAME] == [
        summary_filename(2026)
    ]


def test_run_times_every_stage(sample_input: Path, tmp_path: Path) -> None:
    outcome = run(sample_input, 2026, tmp_path / "out", history_path=tmp_path / "h.db")
    assert {"read+validate", "grade", "history", "summary", "notices", "report"} <= set(
        outcome.timings
    )
    assert len(outcome.notices) == 8
    assert all(p.parent == outcome.year_dir / "notices" for p in outcome.notices)
    # No staging leftovers: the only hidden files are the manifest of what the run wrote and
    # the year folder's run lock.
    hidden = sorted(p.name for p in outcome.year_dir.iterdir() if p.name.startswith("."))
    assert hidden == sorted([MANIFEST_NAME, LOCK_NAME])


def test_report_puts_each_entry_on_its_own_line() -> None:
    data = {
        "year": 2026,
        "files": [{"path": "a.xlsx", "issues": []}, {"path": "乙\n.xlsx", "issues": [{"x": 1}]}],
        "results": [],
        "extra": {"nested": [1, 2]},
    }
    text = dumps(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert lines[3] == '    {"path": "a.xlsx", "issues": []},'
    assert lines[4] == '    {"path": "乙\\n.xlsx", "issues": [{"x": 1}]}'
    assert '  "results": [],' in lines


def test_runs_where_workers_cannot_start(sample_input: Path, tmp_path: Path) -> None:
    """A script piped to Python has a ``__main__`` no worker can re-import: the run falls back
    to reading and rendering in its own process, with the same results."""
    script = (
        "from pathlib import Path\n"
        "from fuling_batch.pipeline import run\n"
        f"o = run(Path({str(sample_input)!r}), 2026, Path({str(tmp_path / 'out')!r}),"
        f" history_path=Path({str(tmp_path / 'h.db')!r}), processes=2)\n"
        "print(len(o.results), len(o.notices))\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["12", "8"]


def test_spawned_workers_where_there_is_no_forkserver(
    sample_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no forkserver: workers are spawned there, with the same results."""
    import multiprocessing

    one = run(sample_input, 2026, tmp_path / "one", history_path=tmp_path / "1.db", processes=1)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    two = run(sample_input, 2026, tmp_path / "two", history_path=tmp_path / "2.db", processes=2)
    assert [(r.key, r.total, r.final_grade) for r in one.results] == [
        (r.key, r.total, r.final_grade) for r in two.results
    ]
    assert [p.name for p in one.notices] == [p.name for p in two.notices]


def test_run_leaves_the_cycle_collector_as_it_found_it(sample_input: Path, tmp_path: Path) -> None:
    import gc

    during: list[bool] = []
    assert gc.isenabled() and gc.get_freeze_count() == 0
    run(
        sample_input,
        2026,
        tmp_path / "out",
        history_path=tmp_path / "h.db",
        progress=lambda done, total: during.append(gc.isenabled()),
    )
    assert during and not any(during)  # paused while the run works
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        run(sample_input, 2026, tmp_path / "again", history_path=tmp_path / "h2.db")
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
