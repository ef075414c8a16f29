"""Random cell values in score cells: every file ends accepted or rejected with located errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuling_batch.config import GradingConfig
from fuling_batch.intake.check import check_folder
from fuling_batch.rules.models import FileStatus
from tests.intake.files.builders import STANDARD, code_rows, fill_template

CODES = [line.code for line in STANDARD.lines]
CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=12),
    st.sampled_from(
        [
            "4.5",
            " 3 ",
            "４.５",
            "4分",
            "五",
            "nan",
            "inf",
            "1_000",
            "#REF!",
            "#DIV/0!",
            "=1/0",
            "１e3",
        ]
    ),
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(CODES), CELL_VALUES, min_size=1, max_size=6))
def test_random_score_cells_never_crash(values: dict[str, object]) -> None:
    # openpyxl refuses control characters in cells; an inspector cannot type them either.
    values = {
        k: "".join(ch for ch in v if ch.isprintable()) if isinstance(v, str) else v
        for k, v in values.items()
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = fill_template(
            Path(tmp) / "in" / "sheet.xlsx", values, remarks={c: "说明" for c in values}
        )
        rows = code_rows(openpyxl.load_workbook(path)["评分表"])
        (report,) = check_folder(Path(tmp) / "in", 2026, STANDARD, GradingConfig())
    assert report.status in (FileStatus.ACCEPTED, FileStatus.REJECTED)
    score_cells = {f"E{rows[code]}" for code in values}
    for issue in report.issues:
        assert issue.file == "sheet.xlsx" and issue.sheet == "评分表"
        assert issue.cell in score_cells, issue
    if report.status is FileStatus.REJECTED:
        assert any(i.is_error for i in report.issues)
    else:
        assert report.sheet is not None
        for code in values:
            score = report.sheet.by_code[code].score
            assert 0 <= score <= STANDARD.line(code).value
