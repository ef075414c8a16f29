"""Word notices: written with the real template and code, read back with python-docx."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document

from fuling_batch.config import NoticeConfig
from fuling_batch.errors import TemplateError, UsageError
from fuling_batch.models import Grade, GradeResult, PreviousRecord
from fuling_batch.notice_context import (
    CONTEXT_KEYS,
    KIND_ADJUST,
    KIND_ADMONISH,
    KIND_REMIND,
    build_context,
    clean_text,
    plan_notices,
)
from fuling_batch.notice_extras import combined_name, sign_off_name
from fuling_batch.notice_template import default_notice_template
from fuling_batch.notices import check_template, write_notices
from tests.factories import STANDARD, make_result

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TRICKY = 'A&B<建设>"集团"'
ISSUED = dt.date(2026, 11, 24)


def _zero(*sections: int) -> dict[str, float]:
    return {line.code: 0 for line in STANDARD.lines if line.section in sections}


def _results() -> dict[str, GradeResult]:
    return {
        "pass": make_result({}, enterprise="合格有限公司", serial=1),
        "basic_total": make_result(_zero(2, 3), enterprise="总分基本合格有限公司", serial=2),
        "basic_triangle": make_result({"1.1": 0}, enterprise="重点项降级有限公司", serial=3),
        "fail": make_result(_zero(2, 3, 4), enterprise=TRICKY, serial=4),
        "fail_twice": make_result(
            _zero(2, 3, 4),
            enterprise="连续不合格有限公司",
            serial=5,
            previous=PreviousRecord(2025, 55.5, Grade.FAIL),
        ),
    }


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, GradeResult], list]:
    out = tmp_path_factory.mktemp("out")
    results = _results()
    records = write_notices(
        out, 2026, list(results.values()), STANDARD, NoticeConfig(), processes=1, issue_date=ISSUED
    )
    return out, results, records


def test_which_enterprises_get_which_notice(written: tuple) -> None:
    out, _, records = written
    by_name = {r.enterprise: r for r in records}
    assert "合格有限公司" not in by_name
    assert by_name["总分基本合格有限公司"].kind == KIND_REMIND
    assert by_name["重点项降级有限公司"].kind == KIND_REMIND
    assert by_name[TRICKY].kind == KIND_ADMONISH
    assert by_name["连续不合格有限公司"].kind == KIND_ADJUST
    # 文号 in stable order: most severe first, then by credit code.
    assert [r.number for r in records] == [f"涪国资党委〔2026〕{n}号" for n in range(1, 5)]
    assert [r.enterprise for r in records] == [
        "连续不合格有限公司",
        TRICKY,
        "总分基本合格有限公司",
        "重点项降级有限公司",
    ]
    for record in records:
        assert record.path.parent == out / "notices"
        assert record.path.is_file()
        assert record.kind in record.path.name
        assert not set('<>:"/\\|?*') & set(record.path.name)
    assert "连续不合格有限公司" in by_name["连续不合格有限公司"].path.name


def test_notice_text_names_totals_triangles_and_number(written: tuple) -> None:
    _, results, records = written
    by_name = {r.enterprise: r for r in records}

    adjust = _text(by_name["连续不合格有限公司"].path)
    assert "涪国资党委〔2026〕1号" in adjust
    assert "中共连续不合格有限公司委员会：" in adjust
    assert "考核得分为49分" in adjust
    assert "2025年度考核得分为55.5分" in adjust and "连续两年考核不合格" in adjust
    assert "建议对你单位党组织书记张三同志或行政主要负责人李四同志进行调整" in adjust
    assert "纳入后进党组织进行重点整顿" in adjust
    for code in results["fail_twice"].triangle_not_met:
        assert STANDARD.item(code).text in adjust
    assert "党员大会（4分）得0分" in adjust  # 4.1's parts below full are named
    assert re.search(r"其余\d+项详见考核评分表", adjust)  # more than 10 deductions
    assert "于2026年12月24日前" in adjust  # issue date + 30 days
    assert "2026年11月24日印发" in adjust and "抄送：区委组织部。" in adjust

    downgraded = _text(by_name["重点项降级有限公司"].path)
    assert "按总分应评定为“合格”" in downgraded and "考核等次确定为“基本合格”" in downgraded
    assert STANDARD.item("1.1").text in downgraded
    assert "予以谈话提醒" in downgraded and "组织诫勉" not in downgraded
    assert "1.1资料不全" in downgraded  # the inspectors' reason

    by_total = _text(by_name["总分基本合格有限公司"].path)
    assert "考核得分为67分" in by_total and "按总分应评定为" not in by_total


def test_name_with_markup_characters_appears_exactly(written: tuple) -> None:
    _, _, records = written
    record = next(r for r in records if r.enterprise == TRICKY)
    text = _text(record.path)
    assert f"关于对{TRICKY}党组织书记" in text
    assert f"中共{TRICKY}委员会：" in text
    assert "&amp;" not in text and "&lt;" not in text


def test_page_layout_and_east_asian_fonts(written: tuple) -> None:
    _, _, records = written
    with zipfile.ZipFile(records[0].path) as zf:
        document = zf.read("word/document.xml").decode()
        styles = zf.read("word/styles.xml").decode()
        settings = zf.read("word/settings.xml").decode()
        footers = [n for n in zf.namelist() if n.startswith("word/footer")]
    assert len(footers) == 2  # odd (default) and even page footers
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in document  # A4
    mar = re.search(r"<w:pgMar [^>]*/>", document)
    assert mar is not None
    attrs = dict(re.findall(r'w:(\w+)="(\d+)"', mar.group(0)))
    assert int(attrs["top"]) == round(37 * 1440 / 25.4)
    assert int(attrs["left"]) == round(28 * 1440 / 25.4)
    assert abs(11906 - int(attrs["left"]) - int(attrs["right"]) - round(156 * 1440 / 25.4)) <= 1
    assert abs(16838 - int(attrs["top"]) - int(attrs["bottom"]) - round(225 * 1440 / 25.4)) <= 1
    assert re.search(
        r'<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-\d+"/>', document
    )

    doc = Document(str(records[0].path))
    expected = {
        "Normal": "仿宋_GB2312",
        "公文标题": "方正小标宋简体",
        "一级标题": "黑体",
        "二级标题": "楷体_GB2312",
    }
    for name, font in expected.items():
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(f"{W}eastAsia") == font
    assert doc.styles["公文标题"].font.size.pt == 22 and doc.styles["Normal"].font.size.pt == 16
    assert 'w:firstLineChars="200"' in styles
    assert "eastAsiaTheme" not in styles and "asciiTheme" not in styles
    assert "<w:evenAndOddHeaders/>" in settings


def test_page_number_footers_odd_right_even_left(written: tuple) -> None:
    _, _, records = written
    doc = Document(str(records[0].path))
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for p, side in ((odd, "right"), (even, "left")):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        xml = p._p.xml
        assert "PAGE" in xml and f'<w:jc w:val="{side}"/>' in xml
        assert 'w:eastAsia="宋体"' in xml and '<w:sz w:val="28"/>' in xml


def test_sign_off_sheet_lists_every_notice(written: tuple) -> None:
    out, _, records = written
    doc = Document(str(out / "notices" / sign_off_name(2026)))
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["序号", "企业名称", "等次", "处理意见", "文号", "签批"]
    assert [row[1] for row in rows[1:]] == [r.enterprise for r in records]
    assert [row[4] for row in rows[1:]] == [r.number for r in records]
    assert rows[1][2] == "不合格" and "建议调整" in rows[1][3]
    assert rows[3][2] == "基本合格" and rows[3][3] == "谈话提醒"


def test_combined_document_has_every_notice_in_its_own_section(written: tuple) -> None:
    out, _, records = written
    path = out / "notices" / combined_name(2026)
    text = _text(path)
    for record in records:
        assert record.number in text
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode()
    assert xml.count("<w:sectPr") == len(records)
    assert xml.count('<w:pgNumType w:start="1"/>') == len(records)


def test_unknown_variable_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    doc = Document(str(default_notice_template()))
    doc.add_paragraph("{{ leader_phone }}")
    bad = tmp_path / "bad.docx"
    doc.save(str(bad))
    with pytest.raises(TemplateError, match="leader_phone"):
        write_notices(
            tmp_path / "out",
            2026,
            list(_results().values()),
            STANDARD,
            NoticeConfig(),
            template=bad,
        )
    assert not (tmp_path / "out" / "notices").exists() or not any(
        (tmp_path / "out" / "notices").iterdir()
    )


def test_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    doc = Document(str(default_notice_template()))
    doc.add_paragraph("{{ enterprise.__class__.__mro__ }}")
    bad = tmp_path / "escape.docx"
    doc.save(str(bad))
    with pytest.raises(TemplateError):
        write_notices(
            tmp_path / "out", 2026, [_results()["fail"]], STANDARD, NoticeConfig(), template=bad
        )


def test_template_variables_are_all_provided() -> None:
    prepared = check_template(default_notice_template())
    assert prepared.variables <= CONTEXT_KEYS
    assert {"enterprise", "number", "total", "triangle_items", "deductions"} <= prepared.variables
    plan = plan_notices([_results()["fail"]], 2026, NoticeConfig())[0]
    assert set(build_context(plan, STANDARD, NoticeConfig(), ISSUED)) == CONTEXT_KEYS


def test_same_output_with_one_and_two_processes(tmp_path: Path) -> None:
    results = [
        make_result(_zero(2, 3) | {"8.1": i % 3}, enterprise=f"企业{i:02d}", serial=100 + i)
        for i in range(24)
    ]
    config = NoticeConfig(first_number=7)
    one = write_notices(
        tmp_path / "a", 2026, results, STANDARD, config, processes=1, issue_date=ISSUED
    )
    two = write_notices(
        tmp_path / "b", 2026, results, STANDARD, config, processes=2, issue_date=ISSUED
    )
    assert [r.number for r in one] == [r.number for r in two]
    assert one[0].number == "涪国资党委〔2026〕7号"
    for a, b in zip(one, two, strict=True):
        assert a.path.name == b.path.name
        assert _text(a.path) == _text(b.path)
        assert a.path.read_bytes() == b.path.read_bytes()


def test_no_notice_when_everyone_passes(tmp_path: Path) -> None:
    assert write_notices(tmp_path, 2026, [make_result({})], STANDARD, NoticeConfig()) == []
    assert not any((tmp_path / "notices").iterdir())


def test_clean_text_drops_characters_xml_cannot_hold() -> None:
    assert clean_text("资料\x00不全\x07\n第二行\t") == "资料不全 第二行"
    assert clean_text(TRICKY) == TRICKY


def test_control_characters_in_remarks_do_not_break_the_document(tmp_path: Path) -> None:
    result = make_result({"1.1": 0}, remarks={"1.1": "缺\x01少\x0b会议记录\r\n见附件"}, serial=9)
    [record] = write_notices(tmp_path, 2026, [result], STANDARD, NoticeConfig(), issue_date=ISSUED)
    assert "缺少会议记录 见附件" in _text(record.path)


def test_pdf_without_libreoffice_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(UsageError, match="LibreOffice"):
        write_notices(
            tmp_path / "out", 2026, [_results()["fail"]], STANDARD, NoticeConfig(), pdf=True
        )
    assert not (tmp_path / "out" / "notices").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_pdf_beside_each_notice(tmp_path: Path) -> None:
    records = write_notices(
        tmp_path,
        2026,
        [_results()["basic_triangle"]],
        STANDARD,
        NoticeConfig(),
        pdf=True,
        issue_date=ISSUED,
    )
    pdf = records[0].path.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
