"""Failures are reported, never swallowed: a returned copy that cannot be made, a folder that
cannot be listed, and a program error on one file each become a finding the operator sees."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from fuling_batch.cli import main
from fuling_batch.config import GradingConfig
from fuling_batch.forms.returned import write_returned_copies
from fuling_batch.intake import check as intake_check
from fuling_batch.intake import check_folder
from fuling_batch.intake import discover as discover_module
from fuling_batch.pipeline import run
from fuling_batch.rules.models import FileStatus
from tests.conftest import FilledSheet
from tests.factories import STANDARD


def _one_rejected(filled_sheet: FilledSheet) -> Path:
    filled_sheet("甲公司", serial=1)
    return filled_sheet("乙公司", serial=2, scores={"1.1": "很好"}).parent


def test_a_returned_copy_of_a_vanished_file_is_a_finding(
    filled_sheet: FilledSheet, tmp_path: Path
) -> None:
    folder = _one_rejected(filled_sheet)
    reports = check_folder(folder, 2026, STANDARD, GradingConfig())
    (folder / "乙公司.xlsx").unlink()
    written, failed = write_returned_copies(folder, reports, tmp_path / "退回修改")
    assert written == []
    (issue,) = failed
    assert issue.code == "RETURNED_COPY_FAILED" and issue.file == "乙公司.xlsx"
    assert "未能生成" in issue.message and issue.detail


def test_run_names_the_returned_copies_it_could_not_write(
    filled_sheet: FilledSheet, tmp_path: Path
) -> None:
    folder = _one_rejected(filled_sheet)
    out = tmp_path / "output"
    (out / "2026").mkdir(parents=True)
    (out / "2026" / "退回修改").write_text("a file where the folder should be", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(folder), "--year", "2026", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "1 份被退回的评分表未能生成退回修改副本：乙公司.xlsx" in result.output
    report = json.loads((out / "2026" / "report.json").read_text(encoding="utf-8"))
    entry = next(f for f in report["files"] if f["path"] == "乙公司.xlsx")
    assert "RETURNED_COPY_FAILED" in {i["code"] for i in entry["issues"]}


def test_a_folder_that_cannot_be_listed_is_reported_as_skipped(
    filled_sheet: FilledSheet, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = filled_sheet("甲公司", serial=1).parent
    locked = folder / "锁定的文件夹"
    locked.mkdir()
    filled_sheet("乙公司", serial=2, folder=locked)
    if os.geteuid() == 0:  # root lists any folder: make this one refuse, as for an operator
        real = os.scandir

        def scandir(path):  # type: ignore[no-untyped-def]
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(discover_module.os, "scandir", scandir)
    else:
        locked.chmod(0)
    try:
        reports = check_folder(folder, 2026, STANDARD, GradingConfig())
    finally:
        locked.chmod(0o755)
    by_path = {r.path: r for r in reports}
    assert by_path["甲公司.xlsx"].status is FileStatus.ACCEPTED
    skipped = by_path["锁定的文件夹/"]
    assert skipped.status is FileStatus.SKIPPED
    (issue,) = skipped.issues
    assert "无法打开该文件夹（没有读取权限）" in issue.message


def test_a_program_error_on_one_file_is_file_crashed_not_the_inspectors_fault(
    filled_sheet: FilledSheet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _one_rejected(filled_sheet)
    real = intake_check.validate_sheet

    def validate_sheet(raw, standard, config, year, rel, sha256):  # type: ignore[no-untyped-def]
        if rel == "甲公司.xlsx":
            raise ZeroDivisionError("injected bug")
        return real(raw, standard, config, year, rel, sha256)

    monkeypatch.setattr(intake_check, "validate_sheet", validate_sheet)
    outcome = run(folder, 2026, tmp_path / "output", processes=1)
    crashed = next(r for r in outcome.reports if r.path == "甲公司.xlsx")
    (issue,) = crashed.issues
    assert crashed.status is FileStatus.REJECTED and issue.code == "FILE_CRASHED"
    assert "程序内部错误" in issue.message and "report.json" in issue.message
    assert "另存为" not in issue.message  # never tells the inspector to re-save a good file
    report = json.loads((outcome.year_dir / "report.json").read_text(encoding="utf-8"))
    entry = next(f for f in report["files"] if f["path"] == "甲公司.xlsx")
    (recorded,) = entry["issues"]
    assert "ZeroDivisionError: injected bug" in recorded["detail"]
    assert "Traceback" in recorded["detail"]
    # A crashed file gets no returned copy: there is nothing for the inspector to fix.
    assert not (outcome.year_dir / "退回修改" / "甲公司.xlsx").exists()
