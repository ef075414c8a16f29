"""The 呈批表: the form leadership signs to approve the year's notices.

A4 across: the title on one line; a block for 事由, 签发, 会签, 核稿 and 拟稿, each with its
日期; then the list of notices (文号, 企业, 总分, 等次, 上年等次, ▲未达标, 处理). No cell wraps
inside a word: every cell's lines are broken here, by phrase, to fit its column (the column
widths are fixed and the texts measured as the titles are, ``titles.py``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from lxml import etree

from ..rules.consequences import opinion
from ..rules.standard import fmt_number
from ..rules.text import clean_text
from ..runtime.fileio import write_atomic
from .body import set_column_widths
from .context import KIND_ADJUST, NoticePlan
from .layout import (
    FONT_H1,
    LANDSCAPE_TEXT_W,
    TABLE_SMALL_PT,
    apply_section,
    apply_styles,
    drop_default_parts,
    ppr_child,
    set_fonts,
)
from .records import NoticeRecord
from .titles import name_phrases, text_width, title_lines

__all__ = [
    "SIGN_OFF_COLUMNS",
    "SIGN_ROWS",
    "cell_chars",
    "sign_off_document",
    "sign_off_name",
    "sign_off_rows",
    "sign_off_subject",
    "write_sign_off",
]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MARK = "@@SIGNOFF{}@@"
_MM = 1440 / 25.4

# The list of notices: (header, width in mm); 247 mm in all (A4 across, 25 mm margins).
SIGN_OFF_COLUMNS = (
    ("文号", 47), ("企业", 52), ("总分", 13), ("等次", 19), ("上年等次", 19), ("▲未达标", 39),
    ("处理", 58),
)  # fmt: skip
_CENTRED = {2, 3, 4}
# The approval block: (label, row height in mm), 签发 first, as a 发文稿纸 has it.
SIGN_ROWS = (("签发", 30), ("会签", 20), ("核稿", 14), ("拟稿", 14))
_BLOCK_MM = (22, 158, 17, 50)
_DATE = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"
# Word's default cell margins (Table Grid): 0.19 cm on each side.
_CELL_MARGIN_MM = 2 * 108 / _MM


def sign_off_name(year: int) -> str:
    return f"{year}年度考核通知书呈批表.docx"


def cell_chars(width_mm: float, size_pt: float = TABLE_SMALL_PT) -> float:
    """How many characters of ``size_pt`` fit a line of a cell ``width_mm`` wide."""
    return (width_mm - _CELL_MARGIN_MM) / (size_pt * 25.4 / 72)


def _fill(pieces: Sequence[str], chars: float) -> str:
    """Pieces on as few lines as fit ``chars``, a line break between lines."""
    lines: list[str] = []
    for piece in pieces:
        if lines and text_width(lines[-1] + piece) <= chars:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(lines)


def sign_off_rows(
    records: Sequence[NoticeRecord], plans: Sequence[NoticePlan]
) -> list[tuple[str, ...]]:
    """One row per notice, each cell's lines already broken to fit its column."""
    chars = [cell_chars(mm) for _, mm in SIGN_OFF_COLUMNS]
    rows: list[tuple[str, ...]] = []
    for record, plan in zip(records, plans, strict=True):
        result = plan.result
        codes = [f"{c}、" for c in result.triangle_not_met]
        if codes:
            codes[-1] = codes[-1][:-1]
        # Through the one cleaning function, as every output text (a name may hold a control
        # character, a tab or a line break); the lines are broken after.
        name = clean_text(record.enterprise)
        name = "\n".join(title_lines(name_phrases(name, chars[1]), chars[1]))
        rows.append(
            (
                clean_text(record.number),
                name,
                fmt_number(result.total),
                str(result.final_grade),
                str(result.previous.grade) if result.previous else "无记录",
                _fill(codes, chars[5]) if codes else "无",
                _fill(
                    [f"{p}；" for p in opinion(result.consequences).split("，")], chars[6]
                ).rstrip("；"),
            )
        )
    return rows


def sign_off_subject(year: int, plans: Sequence[NoticePlan]) -> str:
    """The 事由: how many notices of each kind, and the 函 beside them."""
    kinds = Counter(plan.kind for plan in plans)
    parts = "、".join(f"{kind}{count}份" for kind, count in kinds.items())
    letters = kinds.get(KIND_ADJUST, 0)
    extra = f"；另附调整建议函{letters}件" if letters else ""
    return f"印发{year}年度国有企业党组织规范化建设考核通知书{len(plans)}份（{parts}）{extra}。"


def write_sign_off(
    folder: Path, year: int, records: Sequence[NoticeRecord], plans: Sequence[NoticePlan]
) -> Path:
    """The 呈批表: the approval block, then one row per notice.

    python-docx builds the document with one sample row; the rows are then written as XML
    text from that row (python-docx would take seconds for thousands of rows).
    """
    rows = sign_off_rows(records, plans)
    sample = tuple(_MARK.format(c) for c in range(len(SIGN_OFF_COLUMNS)))
    doc = sign_off_document(year, [sample], sign_off_subject(year, plans))
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


def sign_off_document(
    year: int, rows: Sequence[Sequence[str]], subject: str = ""
) -> DocumentObject:
    """The 呈批表 built with python-docx, a row per entry of ``rows`` below the header."""
    doc = Document()
    drop_default_parts(doc)
    apply_styles(doc)
    apply_section(doc, landscape=True)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    doc.add_paragraph(f"{year}年度国有企业党组织规范化建设考核通知书呈批表", style="公文标题")
    doc.add_paragraph(style="表格五号")
    _approval_block(doc, subject)
    heading = doc.add_paragraph("通知书清单", style="表格文字")
    ppr_child(heading._p.get_or_add_pPr(), "spacing", before="240", after="120")
    ppr_child(heading._p.get_or_add_pPr(), "keepNext")
    set_fonts(heading.runs[0]._r.get_or_add_rPr(), FONT_H1)
    table = doc.add_table(rows=1 + len(rows), cols=len(SIGN_OFF_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_column_widths(table, [round(mm * _MM) for _, mm in SIGN_OFF_COLUMNS])
    cell_style = doc.styles["表格五号"]
    header = tuple(name for name, _ in SIGN_OFF_COLUMNS)
    for r, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            p = cell.paragraphs[0]
            p._p.style = cell_style.style_id  # by id: the style setter scans every style
            if r == 0 or c in _CENTRED:
                ppr_child(p._p.get_or_add_pPr(), "jc", val="center")
            run = p.add_run(value)
            if r == 0:
                set_fonts(run._r.get_or_add_rPr(), FONT_H1)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return doc


def _approval_block(doc: DocumentObject, subject: str) -> None:
    """事由, then 签发, 会签, 核稿 and 拟稿, each with room to sign and its 日期."""
    table = doc.add_table(rows=1 + len(SIGN_ROWS), cols=len(_BLOCK_MM))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_column_widths(table, [round(mm * _MM) for mm in _BLOCK_MM])
    assert abs(sum(_BLOCK_MM) * _MM - LANDSCAPE_TEXT_W) < _MM, "the block fills the width"
    first = table.rows[0].cells
    merged = first[1].merge(first[3])
    _cell(table, 0, 0, "事由", label=True)
    merged.paragraphs[0].style = doc.styles["表格文字"]
    merged.paragraphs[0].add_run(subject)
    for r, (label, height) in enumerate(SIGN_ROWS, 1):
        _cell(table, r, 0, label, label=True)
        _cell(table, r, 2, "日期", label=True)
        _cell(table, r, 3, _DATE)
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(
            OxmlElement(
                "w:trHeight",
                attrs={qn("w:val"): str(round(height * _MM)), qn("w:hRule"): "atLeast"},
            )
        )
    for row in table.rows:
        for cell in row.cells:
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


def _cell(table: Table, row: int, col: int, text: str, label: bool = False) -> None:
    p = table.cell(row, col).paragraphs[0]
    p.style = "表格文字"
    if label:
        ppr_child(p._p.get_or_add_pPr(), "jc", val="center")
    run = p.add_run(text)
    if label:
        set_fonts(run._r.get_or_add_rPr(), FONT_H1)
        run.font.size = Pt(12)


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
