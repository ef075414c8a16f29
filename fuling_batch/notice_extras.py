"""Leadership extras beside the notices: the 呈批表, one combined file for printing, PDFs.

The combined file is built from the notices already written: each notice's body becomes one
section of a single document (a section break between notices, page numbers restarting at
"— 1 —"), so it prints exactly like the separate files with the same footers.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from .errors import OutputError, UsageError
from .fileio import atomic_path, write_atomic
from .notice_body import set_column_widths
from .notice_context import OPINIONS, NoticePlan
from .notice_template import FONT_H1, apply_section, apply_styles, set_fonts

if TYPE_CHECKING:
    from .notices import NoticeRecord, PreparedTemplate

__all__ = [
    "combined_name",
    "convert_to_pdf",
    "require_soffice",
    "sign_off_name",
    "write_combined",
    "write_sign_off",
]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SIGN_OFF_COLUMNS = (
    ("序号", 10), ("企业名称", 44), ("等次", 18), ("处理意见", 40), ("文号", 24), ("签批", 20),
)  # fmt: skip
# Elements that follow w:pgNumType inside w:sectPr (schema order).
_AFTER_PGNUM = ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
                "rtlGutter", "docGrid", "printerSettings", "sectPrChange")  # fmt: skip
_SOFFICE_TIMEOUT_S = 600


def sign_off_name(year: int) -> str:
    return f"{year}年度考核通知书呈批表.docx"


def combined_name(year: int) -> str:
    return f"{year}年度考核通知书（合并打印）.docx"


def write_sign_off(
    folder: Path, year: int, records: Sequence[NoticeRecord], plans: Sequence[NoticePlan]
) -> Path:
    """The 呈批表: one row per notice (企业名称, 等次, 处理意见, 文号) and a 签批 column."""
    doc = Document()
    apply_styles(doc)
    apply_section(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    doc.add_paragraph(f"{year}年度国有企业党组织规范化建设考核通知书呈批表", style="公文标题")
    doc.add_paragraph(style="公文标题")
    table = doc.add_table(rows=1 + len(records), cols=len(_SIGN_OFF_COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_column_widths(table, [round(mm * 1440 / 25.4) for _, mm in _SIGN_OFF_COLUMNS])
    rows: list[tuple[str, ...]] = [tuple(name for name, _ in _SIGN_OFF_COLUMNS)]
    for i, (record, plan) in enumerate(zip(records, plans, strict=True), 1):
        grade = str(plan.result.final_grade)
        rows.append((str(i), record.enterprise, grade, OPINIONS[record.kind], record.number, ""))
    cell_style = doc.styles["表格文字"]
    # Row by row: table.cell(r, c) rescans the whole table each call (quadratic for 1,000 rows).
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        for cell, value in zip(row.cells, values, strict=True):
            p = cell.paragraphs[0]
            p._p.style = cell_style.style_id  # by id: the style setter scans every style
            run = p.add_run(value)
            if r == 0:
                set_fonts(run._r.get_or_add_rPr(), FONT_H1)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
    doc.add_paragraph()
    for label in ("拟办意见：", "领导签批："):
        p = doc.add_paragraph(label, style="主送机关")
        p.paragraph_format.space_after = Pt(48)
    target = folder / sign_off_name(year)
    return write_atomic(target, lambda tmp: doc.save(str(tmp)))


def write_combined(
    folder: Path, year: int, prepared: PreparedTemplate, paths: Sequence[Path]
) -> Path:
    """All notices in one document for printing, one section per notice."""
    first: etree._Element | None = None
    out_body: etree._Element | None = None
    for index, path in enumerate(paths):
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("word/document.xml"))
        body = root.find(f"{_W}body")
        assert body is not None
        sect = body.find(f"{_W}sectPr")
        if sect is not None:
            _restart_numbering(sect)
            if index < len(paths) - 1:
                # Not the last notice: its section ends in its own last paragraph (a section
                # break), done on this notice's small body before it joins the big one.
                _close_section(body, sect)
        if first is None:
            first, out_body = root, body
        else:
            assert out_body is not None
            out_body.extend(list(body))
    assert first is not None
    xml = etree.tostring(first, xml_declaration=True, encoding="UTF-8", standalone=True)
    target = folder / combined_name(year)

    def write(tmp: Path) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in prepared.members:
                if name == "word/document.xml":
                    data = xml
                elif name in prepared.compiled:
                    # Headers/footers: take the first notice's rendering (they hold no per-notice text).
                    with zipfile.ZipFile(paths[0]) as src:
                        data = src.read(name)
                zf.writestr(name, data)
        tmp.write_bytes(buf.getvalue())

    return write_atomic(target, write)


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
