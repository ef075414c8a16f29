"""PDF copies of the notices, converted by LibreOffice (``--pdf``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from ..errors import OutputError, UsageError
from ..runtime.fileio import atomic_path

__all__ = ["convert_to_pdf", "require_soffice"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SOFFICE_TIMEOUT_S = 600
# The blank pages that odd- and even-page section breaks insert are printed pages: kept in the
# PDF (LibreOffice leaves them out by default), so that it pages like the printed notice.
_PDF = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


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
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", _PDF,
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
