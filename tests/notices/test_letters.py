"""The 调整建议函 to the cadre authority: one per 调整 enterprise, beside the notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.context import KIND_ADJUST, notice_title_lines, plan_notices
from fuling_batch.notices.letters import (
    LETTER_KEYS,
    default_letter_template,
    letter_context,
    letter_title_lines,
    write_letters,
)
from fuling_batch.notices.prepare import check_template
from fuling_batch.rules.models import Grade, GradeResult, PreviousRecord
from tests.factories import STANDARD, make_result

DAY = dt.date(2026, 12, 2)


def _zero(*sections: int) -> dict[str, float]:
    return {line.code: 0 for line in STANDARD.lines if line.section in sections}


def _results() -> list[GradeResult]:
    fail = _zero(2, 3, 4)
    return [
        make_result(
            fail,
            enterprise="涪陵示例供应链集团有限公司",
            serial=1,
            previous=PreviousRecord(2025, 55.5, Grade.FAIL),
        ),
        make_result(
            fail,
            enterprise="涪陵示例机械制造有限公司",
            serial=2,
            previous=PreviousRecord(2025, 50, Grade.FAIL, earlier=((2024, Grade.FAIL),)),
        ),
        make_result(fail, enterprise="只是不合格有限公司", serial=3),
        make_result(_zero(2, 3), enterprise="基本合格有限公司", serial=4),
    ]


def _text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list]:
    folder = tmp_path_factory.mktemp("letters")
    plans = plan_notices(_results(), 2026, NoticeConfig())
    return write_letters(folder, plans, NoticeConfig(), DAY), plans


def test_one_letter_per_adjustment_beside_the_notices(letters: tuple) -> None:
    paths, plans = letters
    adjust = [p for p in plans if p.kind == KIND_ADJUST]
    assert len(adjust) == 2 and len(plans) == 4
    assert [p.name for p in paths] == [
        f"{plan.result.enterprise}_调整建议函.docx" for plan in adjust
    ]
    assert all(p.is_file() for p in paths)


def test_the_letter_names_both_years_and_proposes_the_adjustment(letters: tuple) -> None:
    paths, plans = letters
    doc = Document(str(paths[0]))
    text = _text(paths[0])
    addressee = next(p for p in doc.paragraphs if p.style.name == "主送机关")
    assert addressee.text == "区委组织部："
    title = [p.text for p in doc.paragraphs if p.style.name == "公文标题" and p.text]
    assert title == letter_title_lines("涪陵示例供应链集团有限公司")
    assert (
        "".join(title)
        == "关于建议对涪陵示例供应链集团有限公司党组织书记或行政主要负责人进行调整的函"
    )
    assert "2025年度考核得分为55.5分、等次为“不合格”" in text
    assert "2026年度考核得分为49分、等次为“不合格”，2025年、2026年连续两年不合格" in text
    notice = "".join(notice_title_lines("涪陵示例供应链集团有限公司", KIND_ADJUST))
    assert f"已印发《{notice}》（{plans[0].number}）" in text
    assert (
        "按照干部管理权限，建议对涪陵示例供应链集团有限公司党组织书记张三同志"
        "或行政主要负责人李四同志进行调整。" in text
    )
    assert "涪国资党委函〔2026〕" in text  # number written in by the office
    # Addressed to the cadre authority, it is not also copied to it.
    assert "抄送" not in text and "区国资委党委\t2026年12月2日印发" in text


def test_a_longer_streak_names_its_years(letters: tuple) -> None:
    paths, _ = letters
    assert "2024年、2025年、2026年连续三年不合格" in _text(paths[1])


def test_the_letter_keeps_its_signature_with_the_body(letters: tuple) -> None:
    doc = Document(str(letters[0][0]))
    paragraphs = doc.paragraphs
    signature = next(i for i, p in enumerate(paragraphs) if p.style.name == "发文机关署名")
    last = max(i for i, p in enumerate(paragraphs[:signature]) if p.text)
    assert paragraphs[last].text == "以上建议，请予研究。"
    for p in paragraphs[last:signature]:
        assert p.paragraph_format.keep_with_next
    assert doc.styles["发文机关署名"].paragraph_format.keep_with_next


def test_the_cadre_authority_and_copies_follow_the_configuration(tmp_path: Path) -> None:
    config = NoticeConfig(cadre_authority="区国资委党委组织人事科", copy_to="区纪委监委")
    plans = plan_notices(_results()[:1], 2026, config)
    [path] = write_letters(tmp_path, plans, config, DAY)
    text = _text(path)
    assert "区国资委党委组织人事科：" in text and "抄送：区纪委监委。" in text


def test_no_letter_without_an_adjustment(tmp_path: Path) -> None:
    plans = plan_notices(_results()[2:], 2026, NoticeConfig())
    assert write_letters(tmp_path, plans, NoticeConfig(), DAY) == []
    assert list(tmp_path.iterdir()) == []


def test_the_letter_template_uses_only_what_the_context_provides() -> None:
    prepared = check_template(default_letter_template(), LETTER_KEYS)
    assert prepared.variables <= LETTER_KEYS
    plan = plan_notices(_results()[:1], 2026, NoticeConfig())[0]
    assert set(letter_context(plan, NoticeConfig(), DAY)) == LETTER_KEYS
