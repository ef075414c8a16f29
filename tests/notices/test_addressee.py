"""A blank 党组织名称 is warned about: the notice would go to the company itself."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from fuling_batch.config import GradingConfig, NoticeConfig
from fuling_batch.intake.check import check_folder
from fuling_batch.notices.render import write_notices
from fuling_batch.rules.grading import grade
from fuling_batch.rules.models import FileStatus
from fuling_batch.rules.standard import Standard
from tests.conftest import FilledSheet


def test_a_blank_party_organisation_is_a_warning_naming_its_cell(
    filled_sheet: FilledSheet, standard: Standard, tmp_path: Path
) -> None:
    folder = tmp_path / "input"
    filled_sheet("无党组织名称有限公司", {"2.1": 1}, 党组织名称="", folder=folder)
    filled_sheet("有党组织名称有限公司", {"2.1": 1}, serial=2, folder=folder)
    reports = {Path(r.path).stem: r for r in check_folder(folder, 2026, standard, GradingConfig())}
    blank, named = reports["无党组织名称有限公司"], reports["有党组织名称有限公司"]
    [issue] = [i for i in blank.issues if i.code == "PARTY_ORG_MISSING"]
    assert blank.status is FileStatus.ACCEPTED  # a warning: still graded
    assert issue.severity.value == "warning" and "主送机关" in issue.message
    assert blank.sheet is not None
    assert issue.cell == blank.sheet.header.cells["党组织名称"]
    assert not [i for i in named.issues if i.code == "PARTY_ORG_MISSING"]

    # What the warning is about: the notice is addressed to the company.
    results = [grade(r.sheet, standard, GradingConfig(), 2026, None) for r in (blank, named)]
    records = write_notices(tmp_path / "out", 2026, results, standard, NoticeConfig())
    addressees = {
        r.enterprise: next(p.text for p in Document(str(r.path)).paragraphs
                           if p.style.name == "主送机关")
        for r in records
    }  # fmt: skip
    assert addressees == {
        "无党组织名称有限公司": "无党组织名称有限公司：",
        "有党组织名称有限公司": "中共有党组织名称有限公司委员会：",
    }
