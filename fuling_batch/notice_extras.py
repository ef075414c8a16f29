"""Leadership extras beside the notices: the 呈批表, one combined file for printing, PDFs.

The combined file is built from the notices as they are rendered: each notice's body becomes
one section of a single document (a section break between notices, page numbers restarting at
"— 1 —"), so it prints exactly like the separate files with the same footers. Each rendering
process compresses its notices' bodies; here the compressed runs are only joined, so thousands
of notices never sit in memory as one XML tree.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from .errors import OutputError, UsageError
from .fileio import atomic_path, write_atomic
from .notice_body import set_column_widths
from .notice_context import OPINIONS, NoticePlan
from .notice_template import (
    FONT_H1,
    apply_section,
    apply_styles,
    drop_default_parts,
    set_fonts,
)

if TYPE_CHECKING:
    from .notices import Chunk, NoticeRecord, PreparedTemplate

__all__ = [
    "COMBINED_LEVEL",
    "combined_fragment",
    "combined_name",
    "convert_to_pdf",
    "crc32_combine",
    "require_soffice",
    "sign_off_document",
    "sign_off_name",
    "write_combined",
    "write_sign_off",
]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SIGN_OFF_COLUMNS = (
    ("序号", 10), ("企业名称", 38), ("等次", 16), ("处理意见", 38), ("文号", 36), ("签批", 18),
)  # fmt: skip
# Elements that follow w:pgNumType inside w:sectPr (schema order).
_AFTER_PGNUM = ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
                "rtlGutter", "docGrid", "printerSettings", "sectPrChange")  # fmt: skip
_SOFFICE_TIMEOUT_S = 600
_W_DECL = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_RESTART = '<w:pgNumType w:start="1"/>'
_PGNUM = re.compile(r"<w:pgNumType\b[^>]*/>")
_MARK = "@@SIGNOFF{}@@"
_ZEROS = bytes(1 << 16)
# The combined file is large and only printed: fast compression (level 1) is worth its size.
COMBINED_LEVEL = 1


def sign_off_name(year: int) -> str:
    return f"{year}年度考核通知书呈批表.docx"


def combined_name(year: int) -> str:
    return f"{year}年度考核通知书（合并打印）.docx"


def write_sign_off(
    folder: Path, year: int, records: Sequence[NoticeRecord], plans: Sequence[NoticePlan]
) -> Path:
    """The 呈批表: one row per notice (企业名称, 等次, 处理意见, 文号) and a 签批 column.

    python-docx builds the document with one sample row; the rows are then written as XML
    text from that row (python-docx would take seconds for thousands of rows).
    """
    rows = [
        (str(i), record.enterprise, str(plan.result.final_grade), OPINIONS[record.kind],
         record.number, "")
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


def write_combined(
    folder: Path, year: int, prepared: PreparedTemplate, chunks: Sequence[Chunk]
) -> Path:
    """All notices in one document for printing, one section per notice.

    The workers already compressed every notice's body (see :func:`combined_fragment`); here
    the runs are joined between the document's head and tail, never holding the whole XML.
    """
    from .notices import DOCUMENT, Deflated, deflate

    head = (_DECLARATION + chunks[0].head).encode()
    tail = chunks[0].tail.encode()
    comp = zlib.compressobj(COMBINED_LEVEL, zlib.DEFLATED, -15)
    stream = [comp.compress(head) + comp.flush(zlib.Z_SYNC_FLUSH)]
    crc, size = zlib.crc32(head), len(head)
    for chunk in chunks:
        stream.append(chunk.body)
        crc = crc32_combine(crc, chunk.crc, chunk.size)
        size += chunk.size
    comp = zlib.compressobj(COMBINED_LEVEL, zlib.DEFLATED, -15)
    stream.append(comp.compress(tail) + comp.flush())
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    # Tagged headers/footers (none in the shipped template): the first notice's rendering.
    parts = {name: deflate(data) for name, data in chunks[0].parts.items()}
    parts[DOCUMENT] = Deflated(b"".join(stream), crc, size)
    data = prepared.package(parts)
    return write_atomic(folder / combined_name(year), lambda tmp: tmp.write_bytes(data))


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``.

    CRC-32 is affine in the data, so ``crc32(b, crc1) == crc32(b) ^ crc32(z, crc1) ^ crc32(z)``
    with ``z`` = ``len(b)`` zero bytes; the zeros are fed in blocks, never allocated whole.
    """
    with_start, without = crc1, 0
    view = memoryview(_ZEROS)
    while len2 > 0:
        block = view[: min(len2, len(_ZEROS))]
        with_start, without = zlib.crc32(block, with_start), zlib.crc32(block, without)
        len2 -= len(block)
    return crc2 ^ with_start ^ without


def combined_fragment(xml: str, last: bool) -> tuple[str, str, str]:
    """One rendered notice's document.xml cut for the combined file: (head, body, tail).

    ``body`` is the notice's body with page numbers restarting at 1; unless ``last``, its
    section ends in its own last paragraph (a section break). Plain text edits handle the
    shape Word and this builder produce; anything else goes through lxml (same XML meaning).
    """
    cut = _fragment_by_text(xml, last)
    return cut if cut is not None else _fragment_by_lxml(xml, last)


def _fragment_by_lxml(xml: str, last: bool) -> tuple[str, str, str]:
    root = etree.fromstring(xml.encode())
    body = root.find(f"{_W}body")
    sect = body.find(f"{_W}sectPr") if body is not None else None
    if body is not None and sect is not None:
        _restart_numbering(sect)
        if not last:
            _close_section(body, sect)
    text = etree.tostring(root, encoding="unicode")
    found = re.search(r"<(?:[\w.-]+:)?body>", text)
    if body is None or found is None:
        raise OutputError("通知书的 word/document.xml 缺少正文（body），无法合并打印")
    end = text.rindex(f"</{found.group()[1:]}")
    return text[: found.end()], text[found.end() : end], text[end:]


def _fragment_by_text(xml: str, last: bool) -> tuple[str, str, str] | None:
    start, end = xml.find("<w:body>"), xml.rfind("</w:body>")
    if start < 0 or end < start or _W_DECL not in xml[:start]:
        return None
    start += len("<w:body>")
    sect_at = xml.rfind("<w:sectPr", start, end)
    if sect_at < 0 or not xml.endswith("</w:sectPr>", start, end):
        return None
    sect = xml[sect_at:end]
    if "sectPrChange" in sect or sect[9] not in " >":
        return None
    sect = _PGNUM.sub("", sect)
    if "<w:pgNumType" in sect:
        return None
    for tag in _AFTER_PGNUM:
        found = re.search(f"<w:{tag}[ />]", sect)
        if found:
            sect = sect[: found.start()] + _RESTART + sect[found.start() :]
            break
    else:
        sect = sect[: -len("</w:sectPr>")] + _RESTART + "</w:sectPr>"
    content = xml[start:sect_at]
    if last:
        return xml[:start], content + sect, xml[end:]
    # Its last paragraph takes the section properties; it must be a plain body paragraph.
    p_at = max(content.rfind("<w:p>"), content.rfind("<w:p "))
    if p_at < 0 or not content.endswith("</w:p>") or content.count("</w:p>", p_at) != 1:
        return None
    inner = content.index(">", p_at) + 1
    rest = content[inner:]
    if rest.startswith("<w:pPr>"):
        change, close = rest.find("<w:pPrChange"), rest.find("</w:pPr>")
        at = change if 0 <= change < close else close
        rest = rest[:at] + sect + rest[at:]
    elif rest.startswith("<w:pPr/>"):
        rest = "<w:pPr>" + sect + "</w:pPr>" + rest[len("<w:pPr/>") :]
    elif rest.startswith("<w:pPr"):
        return None
    else:
        rest = "<w:pPr>" + sect + "</w:pPr>" + rest
    return xml[:start], content[:inner] + rest, xml[end:]


def _restart_numbering(sect: etree._Element) -> None:
    for old in sect.findall(f"{_W}pgNumType"):
        sect.remove(old)
    num = etree.Element(f"{_W}pgNumType")
    num.set(f"{_W}start", "1")
    for tag in _AFTER_PGNUM:
        successor = sect.find(f"{_W}{tag}")
        if successor is not None:
            successor.addprevious(num)
            return
    sect.append(num)


def _close_section(body: etree._Element, sect: etree._Element) -> None:
    """Move a body-level sectPr into the last paragraph's pPr, making it a section break."""
    body.remove(sect)
    last = body[-1] if len(body) else None
    if last is None or last.tag != f"{_W}p":  # a table ends the body: a paragraph carries it
        last = etree.SubElement(body, f"{_W}p")
    ppr = last.find(f"{_W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{_W}pPr")
        last.insert(0, ppr)
    change = ppr.find(f"{_W}pPrChange")
    if change is not None:
        change.addprevious(sect)
    else:
        ppr.append(sect)


def require_soffice() -> str:
    """The LibreOffice executable, or a usage error saying how to get PDFs."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise UsageError(
            "未安装 LibreOffice，无法生成 PDF：请安装 LibreOffice（并确保 soffice 在 PATH 中），"
            "或去掉 --pdf 选项只生成 Word 通知书。"
        )
    return found


# w:rPr children that follow w:spacing (schema order).
_AFTER_SPACING = ("w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd",
                  "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout")  # fmt: skip


def _lo_copy(src: Path, dst: Path) -> Path:
    """A copy LibreOffice lays out like Word: 28 characters a line without its character grid.

    LibreOffice gives a 16 pt character two cells of Word's 15.8 pt character grid (half the
    characters per line). The copy keeps the 22-line grid and instead narrows every character
    by 0.25 pt, which is what Word's grid does; the .docx files themselves keep the grid.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(data)
                for grid in root.iter(f"{_W}docGrid"):
                    grid.set(f"{_W}type", "lines")
                    grid.attrib.pop(f"{_W}charSpace", None)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif info.filename == "word/styles.xml":
                root = etree.fromstring(data)
                rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
                if rpr is not None and rpr.find(f"{_W}spacing") is None:
                    spacing = etree.Element(f"{_W}spacing")
                    spacing.set(f"{_W}val", "-5")
                    after = [rpr.find(f"{_W}{t}") for t in _AFTER_SPACING]
                    nxt = next((el for el in after if el is not None), None)
                    if nxt is not None:
                        nxt.addprevious(spacing)
                    else:
                        rpr.append(spacing)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zout.writestr(info, data)
    return dst


def convert_to_pdf(paths: Sequence[Path]) -> list[Path]:
    """Convert .docx files to PDF beside them with LibreOffice; each PDF replaces atomically."""
    soffice = require_soffice()
    if not paths:
        return []
    with tempfile.TemporaryDirectory(prefix="fuling-pdf-") as tmp:
        # A private profile: a LibreOffice already open on the desktop would otherwise swallow
        # the conversion request.
        profile = Path(tmp, "profile").as_uri()
        copies = [_lo_copy(path, Path(tmp, "lo", path.name)) for path in paths]
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(Path(tmp, "lo")), *map(str, copies)]  # fmt: skip
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=_SOFFICE_TIMEOUT_S)
        except (subprocess.SubprocessError, OSError) as exc:
            raise OutputError(f"LibreOffice 转换 PDF 失败：{exc}") from exc
        out = []
        for path in paths:
            made = Path(tmp, "lo", path.with_suffix(".pdf").name)
            if not made.is_file():
                raise OutputError(f"LibreOffice 未能将 {path.name} 转换为 PDF")
            target = path.with_suffix(".pdf")
            with atomic_path(target) as dest:
                os.replace(made, dest)
            out.append(target)
    return out
