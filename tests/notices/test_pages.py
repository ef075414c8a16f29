"""The 版记 on the last page, an even one: the measure of a rendered notice and the section
it gets (the printed result is checked through LibreOffice in test_pdf_pages.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.layout import LINE_PITCH, TEXT_H
from fuling_batch.notices.pages import estimate_pages, place_record, sheets
from fuling_batch.notices.render import write_notices
from tests.factories import STANDARD, make_result

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_SECT = (
    '<w:sectPr><w:footerReference w:type="default" r:id="rId1" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
    '<w:type w:val="oddPage"/><w:pgNumType w:start="1"/><w:docGrid w:linePitch="579"/></w:sectPr>'
)


def _document(lines: int) -> str:
    """``lines`` body lines (one paragraph of 26 characters each, indent 2), then the 版记."""
    body = "".join(f"<w:p><w:r><w:t>{'字' * 26}</w:t></w:r></w:p>" for _ in range(lines))
    anchor = '<w:p><w:pPr><w:pStyle w:val="GwRecordAnchor"/></w:pPr></w:p>'
    frame = (
        '<w:p><w:pPr><w:pStyle w:val="GwRecord"/><w:framePr w:y="1"/><w:pBdr>'
        '<w:top w:val="single" w:sz="6"/></w:pBdr></w:pPr><w:r><w:t>区国资委党委</w:t></w:r></w:p>'
    )
    return f"<w:document {_NS}><w:body>{body}{anchor}{frame}<w:p/>{_SECT}</w:body></w:document>"


def _sections(xml: str) -> list[etree._Element]:
    return list(etree.fromstring(xml.encode()).iter(f"{W}sectPr"))


@pytest.mark.parametrize(
    ("lines", "pages", "shared"),
    [
        (30, 2, True),  # ends on page 2 with room: the 版记 shares it
        (10, 2, False),  # ends on page 1: the 版记 on page 2, alone
        (40, 4, False),  # ends on page 2 with 4 lines left: a blank page 3, the 版记 on page 4
        (50, 4, False),  # ends on page 3
    ],
)
def test_the_record_goes_on_an_even_page(lines: int, pages: int, shared: bool) -> None:
    placed = place_record(_document(lines))
    assert placed.pages == pages
    sections = _sections(placed.xml)
    if shared:
        assert len(sections) == 1
        return
    text, record = sections
    # The text keeps its page numbers and odd start; the 版记 starts on an even page, unnumbered.
    assert text.find(f"{W}type").get(f"{W}val") == "oddPage"
    assert text.find(f"{W}footerReference") is not None
    assert text.getparent().getparent().find(f"{W}pPr/{W}pStyle").get(f"{W}val") == (
        "GwRecordAnchor"
    )
    assert record.find(f"{W}type").get(f"{W}val") == "evenPage"
    assert record.find(f"{W}footerReference") is None
    assert record.find(f"{W}titlePg") is not None


def test_a_lone_record_line_opens_with_the_thick_rule() -> None:
    placed = place_record(_document(30))
    top = etree.fromstring(placed.xml.encode()).find(f".//{W}pBdr/{W}top")
    assert top.get(f"{W}sz") == "8"


def test_a_document_without_the_anchor_is_left_as_it_is() -> None:
    xml = _document(30).replace("GwRecordAnchor", "Other")
    placed = place_record(xml)
    assert placed.xml == xml and placed.pages == estimate_pages(xml) == 2


def test_sheets_of_paper_printed_on_both_sides() -> None:
    assert [sheets(p) for p in (1, 2, 3, 4)] == [1, 1, 2, 2]


def test_every_rendered_notice_ends_on_an_even_page_with_the_record_at_the_foot(
    tmp_path: Path,
) -> None:
    keys = [line.code for line in STANDARD.lines if not line.label]
    results = [
        make_result({code: 0 for code in keys[:n]}, enterprise=f"页数企业{n:02d}", serial=600 + n)
        for n in (1, 8, 20, 35)
    ]
    records = write_notices(tmp_path, 2026, results, STANDARD, NoticeConfig())
    for record in records:
        with zipfile.ZipFile(record.path) as zf:
            xml = zf.read("word/document.xml").decode()
        root = etree.fromstring(xml.encode())
        frames = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}framePr") is not None]
        assert len(frames) == 2  # 抄送, then 印发机关 and 印发日期
        bottoms = [
            int(f.find(f"{W}pPr/{W}framePr").get(f"{W}y"))
            + int(f.find(f"{W}pPr/{W}framePr").get(f"{W}h"))
            for f in frames
        ]
        assert bottoms == [TEXT_H - LINE_PITCH, TEXT_H]  # the last rule on the block's edge
        # Measured again as written, the text before the 版记 ends where place_record said.
        sections = _sections(xml)
        assert len(sections) in (1, 2)
        assert sections[-1].find(f"{W}type").get(f"{W}val") == (
            "oddPage" if len(sections) == 1 else "evenPage"
        )
