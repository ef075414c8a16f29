"""The notices as leadership signs and prints them: XML facts of the rendered documents.

Every notice here is rendered by the real template and read back with python-docx.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.text.paragraph import Paragraph

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.context import (
    KIND_ADJUST,
    KIND_ADMONISH,
    KIND_REMIND,
    build_context,
    criterion_title,
    dated,
    notice_title_lines,
    plan_notices,
)
from fuling_batch.notices.layout import TEXT_W_PT
from fuling_batch.notices.prepare import check_template, render_notice
from fuling_batch.notices.render import write_notices
from fuling_batch.notices.template import default_notice_template
from fuling_batch.rules.models import Grade, GradeResult, PreviousRecord
from tests.factories import STANDARD, make_result

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ISSUED = dt.date(2026, 11, 24)
NAMES = {
    KIND_ADJUST: "涪陵示例供应链集团有限公司",
    KIND_ADMONISH: "重庆市涪陵区国有资本运营管理集团有限责任公司",
    KIND_REMIND: "涪陵示例能源有限公司",
}


def _zero(*sections: int) -> dict[str, float]:
    return {line.code: 0 for line in STANDARD.lines if line.section in sections}


def _results() -> list[GradeResult]:
    remarks = {"2.2": "未提供“双向进入、交叉任职”的任职文件，班子成员分工文件未报备，扣2分"}
    return [
        make_result(
            _zero(2, 3, 4),
            enterprise=NAMES[KIND_ADJUST],
            serial=1,
            previous=PreviousRecord(2025, 55.5, Grade.FAIL),
            remarks=remarks,
        ),
        make_result(_zero(2, 3, 4) | {"8.1": 1}, enterprise=NAMES[KIND_ADMONISH], serial=2),
        make_result({"1.1": 0, "4.1.2": 1, "8.2": 0.5}, enterprise=NAMES[KIND_REMIND], serial=3),
    ]


@pytest.fixture(scope="module")
def notices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, GradeResult]]:
    out = tmp_path_factory.mktemp("documents")
    results = _results()
    records = write_notices(out, 2026, results, STANDARD, NoticeConfig(), issue_date=ISSUED)
    by_name = {r.enterprise: r for r in results}
    return {record.kind: (record.path, by_name[record.enterprise]) for record in records}


def _style_chain(p: Paragraph) -> list:
    chain, style = [], p.style
    while style is not None:
        chain.append(style)
        style = style.base_style
    return chain


def _keeps(p: Paragraph, what: str = "keep_with_next") -> bool:
    direct = getattr(p.paragraph_format, what)
    if direct is not None:
        return bool(direct)
    return any(getattr(s.paragraph_format, what) for s in _style_chain(p))


def _paragraphs(doc: DocumentObject, style: str) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p.style.name == style]


@pytest.mark.parametrize("kind", [KIND_ADJUST, KIND_ADMONISH, KIND_REMIND])
def test_the_signature_is_kept_with_the_last_lines_of_the_body(notices: dict, kind: str) -> None:
    doc = Document(str(notices[kind][0]))
    paragraphs = doc.paragraphs
    signature = next(i for i, p in enumerate(paragraphs) if p.style.name == "发文机关署名")
    date = paragraphs[signature + 1]
    assert date.style.name == "成文日期" and date.text == "2026年11月24日"
    last_body = max(i for i, p in enumerate(paragraphs[:signature]) if "书面报送" in p.text)
    # The body's last paragraph, the 附件说明, the blank lines for the seal and the 署名 all
    # keep with the next paragraph: the 成文日期 cannot be left alone on a page.
    for p in paragraphs[last_body : signature + 1]:
        assert _keeps(p), repr(p.text)
    assert _keeps(date, "keep_together")
    note = [p for p in paragraphs[last_body:signature] if p.text]
    assert [p.text for p in note[1:]] == ["附件：考核扣分明细"]
    assert note[1].style.name == "附件说明"


@pytest.mark.parametrize("kind", [KIND_ADJUST, KIND_ADMONISH, KIND_REMIND])
def test_the_title_is_one_paragraph_per_line_broken_by_phrase(notices: dict, kind: str) -> None:
    path, result = notices[kind]
    doc = Document(str(path))
    addressee = next(i for i, p in enumerate(doc.paragraphs) if p.style.name == "主送机关")
    title = [p for p in doc.paragraphs[:addressee] if p.style.name == "公文标题" and p.text]
    expected = notice_title_lines(result.enterprise, kind)
    assert [p.text for p in title] == expected
    assert len(expected) >= 2 and result.enterprise in "".join(expected)
    for p in title:
        assert _keeps(p)  # the title's lines stay together with what follows
        assert p.runs[0].font.size is None  # the style's 2号 (22 pt)
    assert doc.styles["公文标题"].font.size.pt == 22
    if kind == KIND_ADMONISH:  # a name wider than a line: cut once, between its parts
        assert expected[0].endswith("集团") and expected[1].startswith("有限责任公司")


def _mark(doc: DocumentObject) -> Paragraph:
    [mark] = _paragraphs(doc, "发文机关标志")  # one branch of the template remains
    return mark


@pytest.mark.parametrize(
    "authority", ["中共重庆市涪陵区国有资产监督管理委员会委员会", "区国资委党委", "中共涪陵区委"]
)
def test_the_mark_is_red_xiaobiaosong_filling_the_width(tmp_path: Path, authority: str) -> None:
    config = NoticeConfig(authority=authority)
    [record] = write_notices(tmp_path, 2026, [_results()[2]], STANDARD, config, issue_date=ISSUED)
    doc = Document(str(record.path))
    mark = _mark(doc)
    style = doc.styles["发文机关标志"]
    assert mark.text == authority
    assert str(style.font.color.rgb) == "FF0000"
    assert style.element.rPr.rFonts.get(f"{W}eastAsia") == "方正小标宋简体"
    ppr = style.element.pPr
    assert ppr.find(f"{W}jc").get(f"{W}val") == "distribute"  # spread to the full line
    assert int(ppr.find(f"{W}spacing").get(f"{W}before")) == round(35 * 1440 / 25.4)
    run = mark.runs[0]
    size = run.font.size.pt
    scale_el = run._r.rPr.find(f"{W}w")
    scale = int(scale_el.get(f"{W}val")) if scale_el is not None else 100
    assert size >= 36  # 小初 or larger: 醒目, not the old 18 pt
    natural = len(authority) * size * scale / 100
    assert natural <= TEXT_W_PT  # one line
    if len(authority) >= 10:
        assert natural >= 0.9 * TEXT_W_PT  # fills the 156 mm line
    # 发文字号 two lines below, centred; the red rule 4 mm (11 pt) below it.
    paragraphs = doc.paragraphs
    at = paragraphs.index(next(p for p in paragraphs if p.text == mark.text))
    number = paragraphs[at + 3]
    assert [p.text for p in paragraphs[at + 1 : at + 3]] == ["", ""]
    assert number.text == "涪国资党委〔2026〕1号" and number.style.name == "发文字号"
    bottom = number._p.pPr.find(f"{W}pBdr").find(f"{W}bottom")
    assert bottom.get(f"{W}color") == "FF0000" and bottom.get(f"{W}space") == "11"


def _annex_rows(doc: DocumentObject) -> list[list[str]]:
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "编号")
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.mark.parametrize("kind", [KIND_ADJUST, KIND_ADMONISH, KIND_REMIND])
def test_the_annex_lists_every_deduction_whole(notices: dict, kind: str) -> None:
    path, result = notices[kind]
    doc = Document(str(path))
    rows = _annex_rows(doc)
    assert rows[0] == ["编号", "评分内容", "分值", "扣分", "考核组扣分说明"]
    scores = result.sheet.by_code
    below = [line for line in STANDARD.lines if not line.is_full(scores[line.code].score)]
    assert [r[0] for r in rows[1:]] == [line.code for line in below]  # every one, in order
    for row, line in zip(rows[1:], below, strict=True):
        got = scores[line.code]
        assert row[1].startswith(criterion_title(line.item)) and "…" not in row[1]
        assert row[1].endswith("▲") == line.key
        assert row[3] == f"{line.value - got.score:g}"
        assert row[4] == got.remark  # the inspectors' reason, exactly as written
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "考核评分表" not in text and "…" not in text
    assert f"本次考核共{len(below)}项扣分" in text and "见附件" in text
    # GB/T 9704, 7.3.7: after the 成文日期, on a new page headed 附件 (3号黑体, top left).
    paragraphs = doc.paragraphs
    date = next(i for i, p in enumerate(paragraphs) if p.style.name == "成文日期")
    head = next(i for i, p in enumerate(paragraphs) if p.text == "附件")
    assert head > date and paragraphs[head].style.name == "附件标识"
    style = doc.styles["附件标识"]
    assert style.paragraph_format.page_break_before
    assert style.element.rPr.rFonts.get(f"{W}eastAsia") == "黑体" and style.font.size.pt == 16
    assert paragraphs[head].paragraph_format.first_line_indent in (None, 0)
    assert [p.text for p in paragraphs[head + 1 : head + 3]] == ["", "考核扣分明细"]


def test_a_long_remark_is_in_the_annex_untruncated(notices: dict) -> None:
    rows = _annex_rows(Document(str(notices[KIND_ADJUST][0])))
    remark = "未提供“双向进入、交叉任职”的任职文件，班子成员分工文件未报备，扣2分"
    assert [r[4] for r in rows if r[0] == "2.2"] == [remark]


def test_triangle_items_are_quoted_by_title_unless_configured_in_full(tmp_path: Path) -> None:
    result = _results()[2]
    [short] = write_notices(tmp_path / "a", 2026, [result], STANDARD, NoticeConfig())
    config = NoticeConfig(quote="full")
    [full] = write_notices(tmp_path / "b", 2026, [result], STANDARD, config)
    item = STANDARD.item("1.1")
    body = lambda path: "\n".join(p.text for p in Document(str(path)).paragraphs)  # noqa: E731
    assert f"第1.1项“{criterion_title(item)}”（1分，得0分）" in body(short.path)
    assert item.text not in body(short.path)
    assert item.text in body(full.path)
    # The annex quotes as the body does.
    assert any(r[1] == item.text + "▲" for r in _annex_rows(Document(str(full.path))))


def test_the_adjustment_is_proposed_to_the_cadre_authority(notices: dict, tmp_path: Path) -> None:
    text = "\n".join(p.text for p in Document(str(notices[KIND_ADJUST][0])).paragraphs)
    assert "2025年度考核得分为55.5分、等次为“不合格”" in text and "连续两年考核不合格" in text
    assert (
        "按照干部管理权限，区国资委党委将向区委组织部提出对你单位党组织书记张三同志"
        "或行政主要负责人李四同志进行调整的建议。" in text
    )
    assert "建议你单位" not in text and "建议对你单位" not in text
    config = NoticeConfig(cadre_authority="区国资委党委组织人事科")
    [record] = write_notices(tmp_path, 2026, [_results()[0]], STANDARD, config)
    assert "将向区国资委党委组织人事科提出" in "".join(
        p.text for p in Document(str(record.path)).paragraphs
    )
    for kind in (KIND_ADMONISH, KIND_REMIND):
        other = "".join(p.text for p in Document(str(notices[kind][0])).paragraphs)
        assert "干部管理权限" not in other and "调整" not in other


def test_a_context_stored_before_these_keys_still_renders(tmp_path: Path) -> None:
    # The register keeps each notice's context; issuing a draft made by an earlier version
    # renders it with today's template.
    result = _results()[0]
    plan = plan_notices([result], 2026, NoticeConfig())[0]
    context = build_context(plan, STANDARD, NoticeConfig(), ISSUED)
    new = {"title_lines", "annex_items", "quote_full", "cadre_authority", "prev_rectification"}
    old = {k: v for k, v in context.items() if k not in new}
    prepared = check_template(default_notice_template())
    path = tmp_path / "old.docx"
    path.write_bytes(render_notice(prepared, dated(old, ISSUED)))
    doc = Document(str(path))
    title = [p.text for p in doc.paragraphs if p.style.name == "公文标题" and p.text]
    assert title == [*notice_title_lines(result.enterprise, KIND_ADJUST), "考核扣分明细"]
    assert [r[0] for r in _annex_rows(doc)[1:]] == [d["code"] for d in old["deductions"]]
    assert "将向区委组织部提出" in "".join(p.text for p in doc.paragraphs)
