"""Word notices: written with the real template and code, read back with python-docx."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from lxml import etree

from fuling_batch.config import GradingConfig, NoticeConfig
from fuling_batch.errors import TemplateError, UsageError
from fuling_batch.notices import combined as notice_combined
from fuling_batch.notices.combined import combined_name
from fuling_batch.notices.context import (
    CONTEXT_KEYS,
    KIND_ADJUST,
    KIND_ADMONISH,
    KIND_REMIND,
    build_context,
    clean_text,
    criterion_title,
    plan_notices,
)
from fuling_batch.notices.prepare import (
    check_template,
    make_environment,
    render_parts,
)
from fuling_batch.notices.render import Cancelled, notice_files, stage_notices, write_notices
from fuling_batch.notices.signoff import (
    sign_off_document,
    sign_off_name,
    sign_off_rows,
    sign_off_subject,
)
from fuling_batch.notices.template import default_notice_template
from fuling_batch.rules.models import Grade, GradeResult, PreviousRecord
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


def test_where_each_notice_will_be_is_known_before_rendering(written: tuple) -> None:
    out, results, records = written
    planned = notice_files(out, 2026, list(results.values()), NoticeConfig())
    assert [record for _, record in planned] == records
    assert all(record.path.is_file() for record in records)
    assert [plan.number for plan, _ in planned] == [record.number for record in records]


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
    assert (
        "按照干部管理权限，区国资委党委将向区委组织部提出对你单位党组织书记张三同志"
        "或行政主要负责人李四同志进行调整的建议" in adjust
    )
    assert "建议对你单位" not in adjust and "建议你单位" not in adjust
    assert "纳入后进党组织进行重点整顿" in adjust
    for code in results["fail_twice"].triangle_not_met:  # quoted by title, not in full
        assert f"第{code}项“{criterion_title(STANDARD.item(code))}”" in adjust
    assert STANDARD.item("2.2").text not in adjust
    assert "党员大会（4分）得0分" in adjust  # 4.1's parts below full are named
    assert "见附件" in adjust and "考核评分表" not in adjust  # every deduction in the annex
    assert "于2026年12月24日前" in adjust  # issue date + 30 days
    assert "2026年11月24日印发" in adjust and "抄送：区委组织部。" in adjust

    downgraded = _text(by_name["重点项降级有限公司"].path)
    assert "按总分应评定为“合格”" in downgraded and "考核等次确定为“基本合格”" in downgraded
    assert criterion_title(STANDARD.item("1.1")) in downgraded
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
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert rows[0] == ["文号", "企业", "总分", "等次", "上年等次", "▲未达标", "处理"]
    assert [row[1].replace("\n", "") for row in rows[1:]] == [r.enterprise for r in records]
    assert [row[0] for row in rows[1:]] == [r.number for r in records]
    assert rows[1][3] == "不合格" and "建议调整" in rows[1][6]
    assert rows[3][3] == "基本合格" and rows[3][6] == "谈话提醒"
    # No part of python-docx's sample document (its thumbnail would show in file browsers).
    with zipfile.ZipFile(out / "notices" / sign_off_name(2026)) as zf:
        names = zf.namelist()
    assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]


def test_combined_document_has_every_notice_in_its_own_section(written: tuple) -> None:
    out, _, records = written
    path = out / "notices" / combined_name(2026)
    text = _text(path)
    for record in records:
        assert record.number in text
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every member's CRC matches its data
        root = etree.fromstring(zf.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    kinds = []
    for sect in root.iter(f"{w}sectPr"):
        kind = sect.find(f"{w}type")
        kinds.append(kind.get(f"{w}val") if kind is not None else "nextPage")
        if kinds[-1] == "oddPage":  # a notice begins: on an odd page, numbered from 1
            assert sect.find(f"{w}pgNumType").get(f"{w}start") == "1"
            assert len(sect.findall(f"{w}footerReference")) == 2
        else:  # its 版记 page: on an even page, with no page number
            assert kinds[-1] == "evenPage"
            assert not sect.findall(f"{w}footerReference")
            assert sect.find(f"{w}titlePg") is not None
    # Every notice opens with an odd-page section; a 版记 section only ever follows one.
    assert kinds.count("oddPage") == len(records)
    assert kinds[0] == "oddPage"
    assert "evenPage,evenPage" not in ",".join(kinds)


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
    assert {"enterprise", "number", "total", "triangle_items", "annex_items"} <= prepared.variables
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


# --- the fast paths give what docxtpl and python-docx give -------------------------------


def _c14n(xml: bytes | str) -> bytes:
    data = xml.encode() if isinstance(xml, str) else xml
    return etree.tostring(etree.fromstring(data), method="c14n")


def _member(data: bytes, name: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


@pytest.mark.parametrize("case", ["basic_total", "basic_triangle", "fail", "fail_twice"])
def test_compiled_render_equals_docxtpl_render(case: str) -> None:
    prepared = check_template(default_notice_template())
    plan = plan_notices([_results()[case]], 2026, NoticeConfig())[0]
    context = build_context(plan, STANDARD, NoticeConfig(), ISSUED)
    ours = render_parts(prepared, context)["word/document.xml"].encode()

    # Stock docxtpl, untouched: it also renders the core properties, so this proves the
    # template stays renderable by docxtpl itself.
    reference = DocxTemplate(str(default_notice_template()))
    reference.render(context, jinja_env=make_environment())
    buf = io.BytesIO()
    reference.save(buf)
    assert _c14n(ours) == _c14n(_member(buf.getvalue()))


def test_notice_package_copies_every_other_member_of_the_template(written: tuple) -> None:
    _, _, records = written
    with zipfile.ZipFile(default_notice_template()) as zf:
        template = {name: zf.read(name) for name in zf.namelist()}
    for record in records:
        with zipfile.ZipFile(record.path) as zf:
            assert zf.testzip() is None
            assert zf.namelist() == list(template)
            for name, data in template.items():
                if name != "word/document.xml":
                    assert zf.read(name) == data, name


def _last_paragraph_variants(xml: str) -> dict[str, str]:
    last = '<w:p><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/></w:pPr></w:p><w:sectPr>'
    assert last in xml
    cols = "<w:cols "
    return {
        "as rendered": xml,
        "no pPr": xml.replace(last, "<w:p><w:r><w:t>x</w:t></w:r></w:p><w:sectPr>"),
        "empty pPr": xml.replace(last, "<w:p><w:pPr/></w:p><w:sectPr>"),
        "pPrChange": xml.replace(
            last,
            '<w:p><w:pPr><w:jc w:val="left"/><w:pPrChange w:id="1" w:author="a"><w:pPr/>'
            "</w:pPrChange></w:pPr></w:p><w:sectPr>",
        ),
        "own page numbers": xml.replace(cols, '<w:pgNumType w:start="5"/>' + cols),
        "table last": xml.replace(last, "<w:sectPr>"),
        "self-closed paragraph": xml.replace(last, "<w:p/><w:sectPr>"),
    }


@pytest.mark.parametrize("last", [False, True])
def test_combined_fragment_text_edits_equal_the_lxml_edits(last: bool) -> None:
    prepared = check_template(default_notice_template())
    plan = plan_notices([_results()["fail"]], 2026, NoticeConfig())[0]
    xml = render_parts(prepared, build_context(plan, STANDARD, NoticeConfig(), ISSUED))[
        "word/document.xml"
    ]
    for name, variant in _last_paragraph_variants(xml).items():
        fast = notice_combined._fragment_by_text(variant, last)
        if name in ("as rendered", "no pPr", "empty pPr", "pPrChange", "own page numbers"):
            assert fast is not None, name
        reference = notice_combined._fragment_by_lxml(variant, last)
        got = "".join(notice_combined.combined_fragment(variant, last))
        assert _c14n(got) == _c14n("".join(reference)), name
        assert got.count('<w:pgNumType w:start="1"/>') == 1, name


def test_sign_off_rows_are_what_python_docx_writes(tmp_path: Path) -> None:
    names = [TRICKY, " 前后有空格 ", "名称\t有制表符", "名称\n换行", "普通有限公司"]
    results = [
        make_result(_zero(2, 3, 4), enterprise=name, serial=200 + i) for i, name in enumerate(names)
    ]
    records = write_notices(
        tmp_path, 2026, results, STANDARD, NoticeConfig(), processes=1, issue_date=ISSUED
    )
    plans = [plan for plan, _ in notice_files(tmp_path, 2026, results, NoticeConfig())]
    rows = sign_off_rows(records, plans)
    # Every text is cleaned for output (rules/text.clean_text), as the notices' own are.
    assert [row[1] for row in rows] == [clean_text(r.enterprise) for r in records]
    buf = io.BytesIO()
    sign_off_document(2026, rows, sign_off_subject(2026, plans)).save(buf)
    written = (tmp_path / "notices" / sign_off_name(2026)).read_bytes()
    assert _c14n(_member(written)) == _c14n(_member(buf.getvalue()))


def _cleaned(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def test_every_string_of_the_context_is_clean() -> None:
    dirty = "\t脏\x01数据\n "
    result = make_result(
        _zero(2, 3, 4) | {"1.1": 0},
        remarks={"1.1": dirty, "2.1": dirty},
        enterprise=f"企业{dirty}",
        serial=300,
        previous=PreviousRecord(2025, 50, Grade.FAIL),
    )
    header = replace(
        result.sheet.header, secretary=dirty, admin_head=dirty, party_org=dirty, assessed_on=dirty
    )
    result = replace(result, sheet=replace(result.sheet, header=header))
    config = NoticeConfig(authority=f"机关{dirty}", authority_short=dirty, copy_to=dirty)
    plan = plan_notices([result], 2026, config)[0]
    context = build_context(plan, STANDARD, config, ISSUED)
    assert context == _cleaned(context)
    assert context["deductions"] and context["triangle_items"]
    assert "脏数据" in context["enterprise"] and "\x01" not in str(context)


def test_tags_in_an_edited_footer_are_rendered_per_notice(tmp_path: Path) -> None:
    doc = Document(str(default_notice_template()))
    doc.sections[0].footer.paragraphs[0].add_run("{{ enterprise }}")
    edited = tmp_path / "footer.docx"
    doc.save(str(edited))
    results = [_results()["fail"], _results()["basic_total"]]
    records = write_notices(
        tmp_path / "out", 2026, results, STANDARD, NoticeConfig(), template=edited, processes=1
    )
    for record in records:
        footer = Document(str(record.path)).sections[0].footer.paragraphs[0].text
        assert footer.endswith(record.enterprise)
    combined = Document(str(tmp_path / "out" / "notices" / combined_name(2026)))
    assert combined.sections[0].footer.paragraphs[0].text.endswith(records[0].enterprise)


def test_combined_document_is_the_same_whatever_the_runs(tmp_path: Path) -> None:
    results = [
        make_result(_zero(2) | {"8.1": i % 3}, enterprise=f"合并企业{i:02d}", serial=400 + i)
        for i in range(23)
    ]
    for processes in (1, 2):
        write_notices(
            tmp_path / str(processes), 2026, results, STANDARD, NoticeConfig(),
            processes=processes, issue_date=ISSUED,
        )  # fmt: skip
    one, two = (
        _member((tmp_path / str(p) / "notices" / combined_name(2026)).read_bytes()) for p in (1, 2)
    )
    assert one == two
    assert one.startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<w:document")
    assert one.count(b'<w:type w:val="oddPage"/>') == 23 and one.endswith(b"</w:body></w:document>")


def test_notice_lists_the_parts_grading_counted_short_under_a_configured_rule():
    # share rule at 0.5: 4.1.1 at 1/4 falls short, 4.1.2 at 2.5/3 counts as met.
    config = GradingConfig(triangle_rule="share", triangle_share=0.5)
    result = make_result({"4.1.1": 1, "4.1.2": 2.5}, config=config)
    assert result.triangle_not_met == ("4.1",) and result.triangle_lines == ("4.1.1",)
    plan = plan_notices([result], 2026, NoticeConfig())[0]
    (item,) = build_context(plan, STANDARD, NoticeConfig(), ISSUED)["triangle_items"]
    assert "党员大会" in item["parts"] and "支委会" not in item["parts"]


def _last_run(out: Path, name: str) -> Path:
    """A file left in ``notices/`` by an earlier run."""
    path = out / "notices" / name
    path.parent.mkdir()
    path.write_bytes(b"last run")
    return path


def test_a_rerun_replaces_the_folder_and_leaves_no_staging(tmp_path: Path) -> None:
    stale = _last_run(tmp_path, "旧企业_谈话提醒通知书.docx")
    records = write_notices(
        tmp_path, 2026, [_results()["fail"]], STANDARD, NoticeConfig(), issue_date=ISSUED
    )
    assert not stale.exists()
    assert records[0].path.parent == tmp_path / "notices"
    assert records[0].path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["notices"]


def test_staged_notices_stay_out_of_sight_until_published(tmp_path: Path) -> None:
    previous = _last_run(tmp_path, "上次.docx")
    staged = stage_notices(
        tmp_path, 2026, [_results()["fail"]], STANDARD, NoticeConfig(), issue_date=ISSUED
    )
    assert staged.staging.parent == tmp_path and staged.staging.name.startswith(".")
    assert (staged.staging / staged.records[0].path.name).is_file()
    assert [p.name for p in (tmp_path / "notices").iterdir()] == ["上次.docx"]
    staged.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notices"]
    assert previous.read_bytes() == b"last run"


def test_cancelled_rendering_leaves_nothing_behind(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    results = [make_result(_zero(2, 3), enterprise=f"企业{i:02d}", serial=i) for i in range(30)]
    with pytest.raises(Cancelled):
        stage_notices(tmp_path, 2026, results, STANDARD, NoticeConfig(), cancel=cancel)
    assert list(tmp_path.iterdir()) == []
