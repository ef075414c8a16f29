"""One combined file of all notices, for printing.

Each notice's body becomes one section of a single document (or two, when its 版记 has a page
of its own: ``pages.py``), so it prints exactly like the separate files with the same footers:
each notice's first section starts on an odd page (the template's ``w:type oddPage``) with
page numbers restarting at "— 1 —", and every notice ends on an even page, so printed on
both sides no sheet of paper holds two enterprises. Each rendering process compresses its notices' bodies (:class:`Chunk`); here the
compressed runs are only joined, so thousands of notices never sit in memory as one XML tree.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import OutputError
from ..runtime.fileio import write_atomic
from .package import DOCUMENT, Deflated, deflate, zip_package
from .prepare import PreparedTemplate

__all__ = ["COMBINED_LEVEL", "Chunk", "combined_fragment", "combined_name", "write_combined"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_W_DECL = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"


_RESTART = '<w:pgNumType w:start="1"/>'


_PGNUM = re.compile(r"<w:pgNumType\b[^>]*/>")


# Elements that follow w:pgNumType inside w:sectPr (schema order).
_AFTER_PGNUM = ("cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
                "rtlGutter", "docGrid", "printerSettings", "sectPrChange")  # fmt: skip


# The combined file is large and only printed: fast compression (level 1) is worth its size.
COMBINED_LEVEL = 1


def combined_name(year: int) -> str:
    return f"{year}年度考核通知书（合并打印）.docx"


def write_combined(
    folder: Path, year: int, prepared: PreparedTemplate, chunks: Sequence[Chunk]
) -> Path:
    """All notices in one document for printing, one section per notice.

    The workers already compressed every notice's body (see :func:`combined_fragment`); here
    the runs are joined between the document's head and tail, never holding the whole XML.
    """
    head = (_DECLARATION + chunks[0].head).encode()
    tail = chunks[0].tail.encode()
    comp = zlib.compressobj(COMBINED_LEVEL, zlib.DEFLATED, -15)
    stream = [comp.compress(head) + comp.flush(zlib.Z_SYNC_FLUSH)]
    crc, size = zlib.crc32(head), len(head)
    for chunk in chunks:
        stream.append(chunk.body)
        crc = _crc_of_deflated(chunk.body, crc)
        size += chunk.size
    comp = zlib.compressobj(COMBINED_LEVEL, zlib.DEFLATED, -15)
    stream.append(comp.compress(tail) + comp.flush())
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    # Tagged headers/footers (none in the shipped template): the first notice's rendering.
    if prepared.assembling:
        parts = {name: deflate(data) for name, data in chunks[0].parts.items()}
        parts[DOCUMENT] = Deflated(b"".join(stream), crc, size)
        data = prepared.package_deflated(parts)
    else:
        document = (piece for data in stream for piece in _inflated(data))
        data = zip_package(prepared.members, {**chunks[0].parts, DOCUMENT: document})
    return write_atomic(folder / combined_name(year), lambda tmp: tmp.write_bytes(data))


def _crc_of_deflated(data: bytes, crc: int) -> int:
    """``zlib.crc32`` of what ``data`` (raw deflate) inflates to, continuing from ``crc``.

    Each worker's run is inflated again here rather than combining the workers' CRCs
    arithmetically: that saved 1.2 s (5.8 %) of a 10,000-sheet run, less than a trick must
    save (docs/architecture.md, "Speed tricks kept").
    """
    for piece in _inflated(data):
        crc = zlib.crc32(piece, crc)
    return crc


def _inflated(data: bytes) -> Iterator[bytes]:
    """What ``data`` (raw deflate, possibly ending in a sync flush) inflates to, in pieces."""
    inflater = zlib.decompressobj(-15)
    view = memoryview(data)
    for start in range(0, len(data), _INFLATE_STEP):
        yield inflater.decompress(view[start : start + _INFLATE_STEP])
    yield inflater.flush()


# Compressed bytes inflated at a time: a run of notices never sits in memory uncompressed.
_INFLATE_STEP = 1 << 16


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


@dataclass(frozen=True)
class Chunk:
    """What rendering a run of notices gives back besides the files: its share of the combined
    document, as raw deflate data ending in a sync flush (so runs concatenate), and the first
    notice's document head and tail and other rendered parts (the same for every notice)."""

    body: bytes
    size: int
    head: str
    tail: str
    parts: dict[str, bytes]
    pages: int = 0  # the estimated pages of its notices (notices/pages.py)
