"""Names the console or the file system cannot encode: replaced or decoded, never fatal."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import FilledSheet


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "fuling_batch", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        encoding="gbk",
        errors="replace",
        timeout=300,
    )


def test_an_emoji_name_on_a_gbk_console_is_replaced_not_fatal(
    tmp_path: Path, filled_sheet: FilledSheet
) -> None:
    filled_sheet("涪陵😀试验有限公司", {"1.1": 1})
    done = _run(
        ["run", "input", "--year", "2026", "--first-year"], tmp_path, PYTHONIOENCODING="gbk"
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "UnicodeEncodeError" not in done.stderr
    assert "涪陵?试验有限公司" in done.stdout


def test_gbk_file_names_and_the_c_locale(tmp_path: Path, filled_sheet: FilledSheet) -> None:
    sheet = filled_sheet("涪陵试验有限公司", {"1.1": 1})
    # A zip unpacked from Windows: the name's bytes are GBK ("测试.xlsx"), not UTF-8.
    gbk = os.path.join(os.fsencode(sheet.parent), "测试".encode("gbk") + b".xlsx")
    with open(gbk, "wb") as handle:
        handle.write(sheet.read_bytes())
    sheet.unlink()
    done = _run(
        ["run", "input", "--year", "2026", "--first-year"],
        tmp_path,
        LC_ALL="C",
        PYTHONUTF8="0",
        PYTHONCOERCECLOCALE="0",
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads((tmp_path / "output" / "2026" / "report.json").read_text("utf-8"))
    assert [f["path"] for f in report["files"]] == ["测试.xlsx"]
    with sqlite3.connect(tmp_path / "output" / "history.sqlite3") as conn:
        assert conn.execute("SELECT enterprise FROM results").fetchall() == [("涪陵试验有限公司",)]
