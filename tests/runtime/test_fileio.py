"""Windows-safe, atomic output files."""

from __future__ import annotations

import pytest

from fuling_batch.errors import OutputError
from fuling_batch.runtime.fileio import atomic_path, safe_filename, unique_names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('A/B\\C:D*E?F"G<H>I|J', "A_B_C_D_E_F_G_H_I_J"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("  名称. ", "名称"),
        ("", "未命名"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_bounds_length_and_unique_names_avoid_collisions():
    assert len(safe_filename("长" * 500)) == 80
    assert unique_names(["甲", "乙", "甲", "Ab", "aB"]) == ["甲", "乙", "甲（2）", "Ab", "aB（2）"]


def test_atomic_path_keeps_previous_file_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_path(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"


def test_atomic_path_reports_a_locked_target(tmp_path):
    target = tmp_path / "locked.xlsx"
    target.mkdir()  # os.replace onto a directory fails like a file held open on Windows
    (target / "keep").write_text("x", encoding="utf-8")
    with pytest.raises((OutputError, OSError)), atomic_path(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert (target / "keep").exists()
