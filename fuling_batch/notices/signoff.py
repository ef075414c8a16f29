"""The 呈批表: the sheet leadership signs to approve the year's notices."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from ..rules.consequences import opinion
from ..rules.text import clean_text
from ..runtime.fileio import write_atomic
from .body import set_column_widths
from .context import NoticePlan
from .layout import (
    FONT_H1,
    apply_section,
    apply_styles,
    drop_default_parts,
    set_fonts,
)
from .records import NoticeRecord

__all__ = ["sign_off_document", "sign_off_name", "write_sign_off"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MARK = "@@SIGNOFF{}@@"

_SIGN_OFF_COLUMNS = (
    ("序号", 10), ("企业名称", 38), ("等次", 16), ("处理意见", 38), ("文号", 36), ("签批", 18),
)  # fmt: skip


def sign_off_name(year: int) -> str:
    return f"{year}年度考核通知书呈批表.docx"


def write_sign_off(
    folder: Path, year: int, records: Sequence[NoticeRecord], plans: Sequence[NoticePlan]
) -> Path:
    """The 呈批表: one row per notice (企业名称, 等次, 处理意见, 文号) and a 签批 column.

    python-docx builds the document with one sample row; the rows are then written as XML
    text from that row (python-docx would take seconds for thousands of rows).
    """
    # Through the one cleaning function, as every output text: a sheet's name may hold a
    # control character that the XML of a .docx cannot.
    rows = [
        tuple(clean_text(v) for v in (
            str(i), record.enterprise, str(plan.result.final_grade),
            opinion(plan.result.consequences), record.number, "",
        ))
        for i, (record, plan) in enumerate(zip(records, plans, strict=True), 1)
    ]  # fmt: skip
    sample = tuple(_MARK.format(c) for c in range(len(_SIGN_OFF_COLUMNS)))
    doc = sign_off_document(year, [sample])
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    xml = dict((info.filename, data) for info, data in members)["word/document.xml"].decode()
    end = xml.rindex("</w:tr>") + len("</w:tr>")
    start = max(xml.rfind("<w:tr>", 0, end), xml.rfind("<w:tr ", 0, end))
    pieces = re.split(r"<w:r><w:t>@@SIGNOFF\d@@</w:t></w:r>", xml[start:end])
    assert len(pieces) == len(sample) + 1, "the sample row is not as python-docx writes it"
    out = [xml[:start]]
    for row in rows:
        for piece, value in zip(pieces, row, strict=False):
            out += (piece, _run_xml(value))
        out.append(pieces[-1])
    out.append(xml[end:])
    document = "".join(out).encode()

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info, data in members:
                dst.writestr(info, document if info.filename == "word/document.xml" else data)

    return write_atomic(folder / sign_off_name(year), write)


def sign_off_document(year: int, rows: Sequence[Sequence[str]]) -> DocumentObject:
    """The 呈批表 built with python-docx, a row per entry of ``rows`` below the header."""
    doc = Document()
    drop_default_parts(doc)
    apply_styles(doc)
    apply_section(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    doc.add_paragraph(f"{year}年度国有企业党组织规范化建设考核通知书呈批表", style="公文标题")
    doc.add_paragraph(style="公文标题")
    table = doc.add_table(rows=1 + len(rows), cols=len(_SIGN_OFF_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_column_widths(table, [round(mm * 1440 / 25.4) for _, mm in _SIGN_OFF_COLUMNS])
    cell_style = doc.styles["表格文字"]
    header = tuple(name for name, _ in _SIGN_OFF_COLUMNS)
    for r, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        for cell, value in zip(row.cells, values, strict=True):
            p = cell.paragraphs[0]
            p._p.style = cell_style.style_id  # by id: the style setter scans every style
            run = p.add_run(value)
            if r == 0:
                set_fonts(run._r.get_or_add_rPr(), FONT_H1)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    doc.add_paragraph()
    for label in ("拟办意见：", "领导签批："):
        p = doc.add_paragraph(label, style="主送机关")
        p.paragraph_format.space_after = Pt(48)
    return doc


def _run_xml(text: str) -> str:
    """A table cell's run as python-docx writes ``add_run(text)``."""
    if not text:
        return "<w:r/>"
    if text.isprintable() and text == text.strip():
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<w:r><w:t>{escaped}</w:t></w:r>"
    # Tabs, breaks, edge spaces: python-docx's own run (tabs and breaks become elements).
    run = OxmlElement("w:r")
    run.text = text
    return etree.tostring(run, encoding="unicode").replace(f' xmlns:w="{_W[1:-1]}"', "", 1)
