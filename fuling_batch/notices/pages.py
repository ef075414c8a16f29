"""The 版记 on the last page, which is even (GB/T 9704-2012, 7.4 and 7.5).

"版记应置于公文最后一面，版记的最后一个要素置于最后一行" and in double-sided printing the last
face is an even page. No page break Word, WPS and LibreOffice share can ask "is this page even
and is there room?", so the rendered notice is measured here instead. The text block is a grid
of 22 lines of 28 characters (``layout.py``); body text takes whole grid lines, table text
exact 18 pt lines, and Chinese characters are all one character wide, so the height of every
paragraph and table row follows from its text. When the text ends on an even page with room to
spare, the 版记's frames (fixed at the foot of the text block, ``body.add_record``) stay on that
page. Otherwise the paragraph before them ends the notice's section and the 版记 gets a section
of its own that starts on the next even page ("evenPage": every program inserts the blank page
when one is needed) and has no page number ("公文的版记页前有空白页的，空白页和版记页均不编排
页码"). An estimate that is wrong by a few lines can only cost the shared page, never parity:
the shared page is chosen only with :data:`MARGIN_LINES` to spare.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from lxml import etree

from .layout import LINE_PITCH, TABLE_LINE, TEXT_H, TEXT_W

__all__ = ["MARGIN_LINES", "Placed", "estimate_pages", "place_record", "sheets"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ANCHOR_STYLE = "GwRecordAnchor"
_RECORD_STYLE = "GwRecord"

# Lines to spare on an even page before the 版记 shares it with the text.
MARGIN_LINES = 3

# Paragraph styles off the grid: (size in pt, space before in twips); their lines take the
# font's height, taken as 1.35 × the size (LibreOffice's CJK fallback is 1.45, Word's 仿宋 less).
_OFF_GRID = {"GwMark": 1984, "GwTitle": 0}
_LINE_FACTOR = 1.35
_BODY_CHARS = 28
# Cell margins (left and right) of a table cell, in twips.
_CELL_MARGINS = 216
_TABLE_PT = 12
# Styles that keep with the next paragraph (layout.apply_styles says so in styles.xml).
_KEEP_NEXT = frozenset(
    {"GwTitle", "GwHeading1", "GwHeading2", "GwAnnexNote", "GwSignature", "GwAnnex"}
)


@dataclass(frozen=True, slots=True)
class Placed:
    """A rendered document.xml with its 版记 placed, and its estimated page count (even when
    the document has a 版记)."""

    xml: str
    pages: int


def sheets(pages: int) -> int:
    """Sheets of paper a document of ``pages`` takes printed on both sides."""
    return -(-pages // 2)


def place_record(xml: str) -> Placed:
    """Put the 版记 of a rendered notice on its last page, an even one (see the module).

    A document without the 版记 anchor (an edited template that dropped it) is returned as is,
    with its estimated pages."""
    if _ANCHOR_STYLE not in xml:
        return Placed(xml, estimate_pages(xml))
    root = etree.fromstring(xml.encode())
    body = root.find(_BODY)
    children = list(body) if body is not None else []
    at = next((i for i, el in enumerate(children) if _style(el) == _ANCHOR_STYLE), None)
    if body is None or at is None:
        return Placed(xml, estimate_pages(xml))
    anchor = children[at]
    pages, used = _measure(children[:at])
    frames = [el for el in children[at + 1 :] if _style(el) == _RECORD_STYLE]
    need = (len(frames) + 1 + MARGIN_LINES) * LINE_PITCH
    changed = _fix_rules(frames)
    if pages % 2 == 0 and used + need <= TEXT_H:
        return Placed(_text(root, xml) if changed else xml, pages)
    _own_section(body, anchor)
    return Placed(_text(root, xml), pages + (1 if pages % 2 else 2))


def estimate_pages(xml: str) -> int:
    """Estimated pages of a rendered document.xml (at least 1)."""
    root = etree.fromstring(xml.encode())
    body = root.find(_BODY)
    return _measure(list(body))[0] if body is not None else 1


def _text(root: etree._Element, original: str) -> str:
    head = original[: original.find("<w:document")] if original.startswith("<?xml") else ""
    return head + etree.tostring(root, encoding="unicode")


_BODY, _P, _TBL, _TR, _TC, _PPR, _PSTYLE, _T, _VAL = (
    f"{_W}{t}" for t in ("body", "p", "tbl", "tr", "tc", "pPr", "pStyle", "t", "val")
)
_GRIDCOL, _TBLHEADER, _W_W = f"{_W}gridCol", f"{_W}tblHeader", f"{_W}w"


def _style(p: etree._Element) -> str:
    ppr = p.find(_PPR)
    style = ppr.find(_PSTYLE) if ppr is not None else None
    return style.get(_VAL, "") if style is not None else ""


def _fix_rules(frames: list[etree._Element]) -> bool:
    """Without 抄送 the one line left opens with the thick rule too (True: changed)."""
    if len(frames) != 1:
        return False
    top = frames[0].find(f"{_W}pPr/{_W}pBdr/{_W}top")
    if top is None or top.get(f"{_W}sz") == "8":
        return False
    top.set(f"{_W}sz", "8")
    return True


def _own_section(body: etree._Element, anchor: etree._Element) -> None:
    """The anchor ends the notice's section (a copy of the document's section properties);
    the document's own, for the 版记 alone, starts on an even page and shows no page number
    (a title page whose first-page footer nobody defines is blank in every program)."""
    final = body.find(f"{_W}sectPr")
    if final is None:
        return
    ppr = anchor.find(f"{_W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{_W}pPr")
        anchor.insert(0, ppr)
    ppr.append(copy.deepcopy(final))
    for ref in final.findall(f"{_W}footerReference") + final.findall(f"{_W}headerReference"):
        final.remove(ref)
    for old in final.findall(f"{_W}type") + final.findall(f"{_W}titlePg"):
        final.remove(old)
    kind = etree.Element(f"{_W}type")
    kind.set(f"{_W}val", "evenPage")
    final.insert(0, kind)
    title = etree.Element(f"{_W}titlePg")
    later = [final.find(f"{_W}{t}") for t in ("textDirection", "bidi", "rtlGutter", "docGrid")]
    nxt = next((el for el in later if el is not None), None)
    if nxt is not None:
        nxt.addprevious(title)
    else:
        final.append(title)


# --- the measure ---------------------------------------------------------------------------


def _width(text: str) -> float:
    """Text width in characters: Chinese and full-width 1, ASCII ½."""
    return len(text) - len(text.encode("ascii", "ignore")) / 2


def _lines(width: float, per_line: float, first_indent: float = 0) -> int:
    if per_line <= 0:
        return 1
    return max(1, math.ceil((width + first_indent) / per_line - 1e-9))


def _paragraph_text(p: etree._Element) -> str:
    return "".join(p.itertext(_T))


def _run_size(p: etree._Element, default: float) -> float:
    size = p.find(f".//{_W}r/{_W}rPr/{_W}sz")
    return int(size.get(f"{_W}val", "0")) / 2 if size is not None else default


@dataclass
class _Block:
    """Heights (twips) of what must stay on one page, and whether it opens a page."""

    heights: list[int]
    new_page: bool = False
    splittable: bool = False


def _paragraph(p: etree._Element) -> tuple[int, bool, bool, bool]:
    """(height, keep with next, keep lines, page break before) of one body paragraph."""
    ppr = p.find(_PPR)
    style = _style(p)
    tags = {child.tag for child in ppr} if ppr is not None else set()

    def has(tag: str) -> bool:
        return f"{_W}{tag}" in tags

    keep_next = has("keepNext") or style in _KEEP_NEXT
    keep_lines = has("keepLines") or (keep_next and style != "")
    page_break = has("pageBreakBefore") or style == "GwAnnex"
    if has("sectPr") or has("framePr"):
        return 0, False, False, page_break
    text = _paragraph_text(p)
    if style in _OFF_GRID:
        size = _run_size(p, 36 if style == "GwMark" else 22)
        lines = _lines(_width(text), TEXT_W / 20 / size) if style == "GwTitle" else 1
        height = _OFF_GRID[style] + round(lines * size * _LINE_FACTOR * 20)
        return height, keep_next, True, page_break
    indent = 2 if style in ("", "Normal") else 0
    return _lines(_width(text), _BODY_CHARS, indent) * LINE_PITCH, keep_next, keep_lines, page_break


def _table_rows(tbl: etree._Element) -> tuple[list[int], int]:
    """Each row's height (twips) and the repeated header's: one pass over the table's rows,
    cells and texts (a cell's paragraphs are taken as one; the annex has one per cell)."""
    per_line = [
        (int(c.get(_W_W, "0")) - _CELL_MARGINS) / (_TABLE_PT * 20) for c in tbl.iter(_GRIDCOL)
    ]
    rows: list[int] = []
    header = 0
    text: list[str] = []
    lines, col, is_header = 0, -1, False

    def close_cell() -> None:
        nonlocal lines
        if col >= 0:
            chars = per_line[col] if col < len(per_line) else _BODY_CHARS
            lines = max(lines, _lines(_width("".join(text)), chars))

    def close_row() -> None:
        nonlocal header
        close_cell()
        if col >= 0 or lines:
            height = max(lines, 1) * TABLE_LINE + 30  # rules and the cell's own spacing
            rows.append(height)
            if is_header:
                header = height

    for el in tbl.iter(_TR, _TC, _T, _TBLHEADER):
        tag = el.tag
        if tag == _TR:
            if rows or col >= 0:
                close_row()
            lines, col, text, is_header = 0, -1, [], False
        elif tag == _TC:
            close_cell()
            col, text = col + 1, []
        elif tag == _T:
            text.append(el.text or "")
        else:
            is_header = True
    close_row()
    return rows, header


def _measure(children: list[etree._Element]) -> tuple[int, int]:
    """(pages, twips used on the last page) of body elements laid out in order."""
    pages, used = 1, 0

    def new_page() -> None:
        nonlocal pages, used
        pages, used = pages + 1, 0

    chain: list[tuple[int, bool]] = []  # paragraphs kept with what follows: (height, whole)

    def place(heights: list[int]) -> None:
        """Put one unbreakable run of heights (a chain that ends here) on the pages."""
        nonlocal used
        total = sum(heights)
        if used and used + total > TEXT_H and total <= TEXT_H:
            new_page()
        for h in heights:
            if used + h > TEXT_H and used:
                new_page()
            used += h

    def flush(last: int) -> None:
        """A chain ends with a paragraph of height ``last``: the chain's first paragraph may
        split (it only keeps its last lines with the next), the rest moves as one."""
        nonlocal used
        if not chain:
            place([last])
            return
        first_h, first_whole = chain[0]
        rest = [h for h, _ in chain[1:]] + [last]
        if not first_whole and first_h > 2 * LINE_PITCH:
            place_lines(first_h - 2 * LINE_PITCH)
            place([2 * LINE_PITCH, *rest])
        else:
            place([first_h, *rest])
        chain.clear()

    def place_lines(height: int) -> None:
        """A paragraph that may break across pages, line by line."""
        nonlocal used
        while used + height > TEXT_H:
            height -= (TEXT_H - used) // LINE_PITCH * LINE_PITCH
            new_page()
        used += height

    for child in children:
        if child.tag == f"{_W}p":
            height, keep_next, keep_lines, page_break = _paragraph(child)
            if page_break and (used or pages > 1):
                if chain:
                    flush(0)
                new_page()
            if keep_next:
                chain.append((height, keep_lines))
                continue
            if chain:
                flush(height)
            elif keep_lines or height <= LINE_PITCH:
                place([height])
            else:
                place_lines(height)
        elif child.tag == f"{_W}tbl":
            rows, header = _table_rows(child)
            if chain:
                flush(rows[0] if rows else 0)
                rows = rows[1:]
            for h in rows:
                if used + h > TEXT_H:
                    new_page()
                    used = header
                used += h
    if chain:
        flush(0)
    return pages, used
