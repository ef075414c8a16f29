"""Shared fixtures: real workbooks written by the real template and filled like an inspector would."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from fuling_batch.forms.samples import fictional_code, fill_score_sheet
from fuling_batch.rules.standard import Standard, load_standard

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="session")
def standard() -> Standard:
    return load_standard()


@pytest.fixture(scope="session")
def template_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template written by the current code (not the committed file, which has its own test)."""
    from fuling_batch.forms.template import write_template

    return write_template(
        tmp_path_factory.mktemp("template") / "score_template.xlsx", load_standard()
    )


FilledSheet = Callable[..., Path]


@pytest.fixture
def filled_sheet(template_file: Path, standard: Standard, tmp_path: Path) -> FilledSheet:
    """``filled_sheet(name, deductions={code: points}, **header overrides)`` → a real .xlsx."""

    def make(
        name: str = "示例建设集团有限公司",
        deductions: Mapping[str, float] | None = None,
        *,
        serial: int = 1,
        year: int = 2026,
        folder: Path | None = None,
        scores: Mapping[str, object] | None = None,
        **header: object,
    ) -> Path:
        deductions = deductions or {}
        values: dict[str, object] = {
            line.code: line.value - deductions.get(line.code, 0) for line in standard.lines
        }
        values.update(scores or {})
        remarks = {code: f"{code}资料不全" for code, d in deductions.items() if d}
        fields: dict[str, object] = {
            "企业名称": name,
            "统一社会信用代码": fictional_code(serial),
            "考核年度": year,
            "党组织名称": f"中共{name}委员会",
            "党组织书记": "张三",
            "行政主要负责人": "李四",
            "考核日期": f"{year}-11-20",
            "考核组成员": "王五、赵六",
        }
        fields.update(header)
        target = (folder or tmp_path / "input") / f"{name}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        return fill_score_sheet(template_file, target, fields, values, remarks)

    return make


@pytest.fixture
def sample_input(tmp_path: Path) -> Path:
    """A copy of the shipped sample input/, so tests never touch the repository's files."""
    target = tmp_path / "input"
    shutil.copytree(ROOT / "input", target)
    return target
