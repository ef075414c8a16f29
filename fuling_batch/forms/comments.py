"""The comments of a returned copy's marked sheet: its comments part and the VML drawing
that shows each comment's box, merged with those the sheet already has.

A cell that already carries a comment keeps it: the finding is appended to its text (its box
is already drawn). A VML drawing already there (old comments' boxes, form controls) is kept
as it is, with the new boxes inserted before its end; otherwise a drawing is added.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Protocol

from lxml import etree

from .notes import AUTHOR, CellMark
from .package import Package
from .parts import (
    Unmarkable,
    add_content_type,
    add_default_type,
    add_relationship,
    split_cell,
    target_of,
    targets,
)

__all__ = ["LegacyHost", "add_comments", "legacy_drawing_of", "place_legacy_drawing"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COMMENTS_TYPE = f"{_REL}/comments"
_VML_TYPE = f"{_REL}/vmlDrawing"
_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
# CT_Worksheet's children that come after legacyDrawing, in schema order.
_AFTER_LEGACY = (
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_VML_NAMESPACES = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"'
    ' path="m,l,21600r21600,l21600,xe"{ns}><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_SHAPE = (
    '<v:shape id="_x0000_s{id}" type="#_x0000_t202"{ns} style="position:absolute;'
    'margin-left:0;margin-top:0;width:{w}pt;height:{h}pt;z-index:{z};visibility:hidden"'
    ' fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
    '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
    '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    "<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
    "<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
)
_EMPTY_COMMENTS = f'<comments xmlns="{_MAIN}"><authors/><commentList/></comments>'.encode()
_SHAPE_ID = re.compile(rb"_x0000_s(\d+)")
_ID_BLOCKS = re.compile(rb"<o:idmap[^>]*\bdata=\"([\d,\s]+)\"")


def _q(tag: str) -> str:
    return f"{{{_MAIN}}}{tag}"


def _author_id(root: etree._Element) -> str:
    authors = root.find(_q("authors"))
    if authors is None:
        authors = etree.Element(_q("authors"))
        root.insert(0, authors)
    names = [a.text or "" for a in authors.findall(_q("author"))]
    if AUTHOR not in names:
        etree.SubElement(authors, _q("author")).text = AUTHOR
        names.append(AUTHOR)
    return str(names.index(AUTHOR))


def _run(text: str) -> etree._Element:
    run = etree.Element(_q("r"))
    t = etree.SubElement(run, _q("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _append_text(comment: etree._Element, text: str) -> None:
    """Add ``text`` after a comment's own text (as a run; a bare ``t`` becomes a run first)."""
    body = comment.find(_q("text"))
    if body is None:
        body = etree.SubElement(comment, _q("text"))
    bare = body.find(_q("t"))
    if bare is not None:
        run = _run(bare.text or "")
        bare.addprevious(run)
        body.remove(bare)
    runs = body.findall(_q("r"))
    at = body.index(runs[-1]) + 1 if runs else 0
    body.insert(at, _run(f"\n{text}" if runs else text))


def _merge_comments(root: etree._Element, marks: Sequence[CellMark]) -> list[CellMark]:
    """Add each mark's comment to the comments part; the marks that need a new box."""
    author = _author_id(root)
    listed = root.find(_q("commentList"))
    if listed is None:
        listed = etree.SubElement(root, _q("commentList"))
    existing = {c.get("ref", "").upper(): c for c in listed.findall(_q("comment"))}
    boxed = []
    for mark in marks:
        if mark.cell in existing:
            _append_text(existing[mark.cell], mark.comment)
            continue
        comment = etree.SubElement(listed, _q("comment"), ref=mark.cell, authorId=author)
        body = etree.SubElement(comment, _q("text"))
        body.append(_run(mark.comment))
        boxed.append(mark)
    return boxed


def _shapes(marks: Sequence[CellMark], first_id: int, declare: bool) -> bytes:
    ns = "".join(f' xmlns:{p}="{u}"' for p, u in _VML_NAMESPACES.items()) if declare else ""
    out = []
    for n, mark in enumerate(marks):
        row, col = split_cell(mark.cell)
        right = col + math.ceil(mark.width / 64)
        bottom = max(row - 2, 0) + math.ceil(mark.height / 20)
        anchor = f"{col}, 15, {max(row - 2, 0)}, 10, {right}, 15, {bottom}, 4"
        out.append(
            _SHAPE.format(
                id=first_id + n,
                ns=ns,
                w=f"{mark.width * 0.75:g}",
                h=f"{mark.height * 0.75:g}",
                z=n + 1,
                anchor=anchor,
                row=row - 1,
                col=col - 1,
            )
        )
    return "".join(out).encode("ascii")


def _used_blocks(package: Package) -> set[int]:
    blocks: set[int] = set()
    for name in package.names:
        if name.casefold().endswith(".vml"):
            for found in _ID_BLOCKS.finditer(package.read(name)):
                blocks |= {int(b) for b in re.split(rb"[,\s]+", found.group(1)) if b}
    return blocks


def _new_vml(package: Package, marks: Sequence[CellMark]) -> bytes:
    block = max(_used_blocks(package), default=0) + 1
    ns = "".join(f' xmlns:{p}="{u}"' for p, u in _VML_NAMESPACES.items())
    return (
        (
            f'<xml{ns}><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/>'
            f"</o:shapelayout>{_SHAPETYPE.format(ns='')}"
        ).encode("ascii")
        + _shapes(marks, block * 1024 + 1, False)
        + b"</xml>"
    )


def _merged_vml(data: bytes, marks: Sequence[CellMark]) -> bytes:
    """An existing drawing with the new boxes inserted before its end, the rest untouched."""
    end = data.rfind(b"</xml>")
    if end < 0:
        raise Unmarkable("工作表已有的批注绘图部件无法识别")
    head = data[: data.find(b">", data.find(b"<xml")) + 1]
    declare = not all(f'xmlns:{p}="{u}"'.encode() in head for p, u in _VML_NAMESPACES.items())
    ids = [int(n) for n in _SHAPE_ID.findall(data)]
    first = max(ids, default=1024) + 1
    extra = b"" if b"_x0000_t202" in data else _SHAPETYPE.format(ns="").encode("ascii")
    if extra and declare:
        ns = "".join(f' xmlns:{p}="{u}"' for p, u in _VML_NAMESPACES.items())
        extra = _SHAPETYPE.format(ns=ns).encode("ascii")
    return data[:end] + extra + _shapes(marks, first, declare) + data[end:]


def legacy_drawing_of(sheet: etree._Element) -> str | None:
    """The relationship id of a worksheet tree's legacyDrawing, if it has one."""
    legacy = sheet.find(_q("legacyDrawing"))
    return None if legacy is None else legacy.get(f"{{{_REL}}}id", "")


def place_legacy_drawing(sheet: etree._Element, rel_id: str) -> None:
    """Give a worksheet tree the legacyDrawing ``rel_id`` (replacing any), in schema order."""
    for old in sheet.findall(_q("legacyDrawing")):
        sheet.remove(old)
    element = etree.Element(_q("legacyDrawing"), nsmap={"r": _REL})
    element.set(f"{{{_REL}}}id", rel_id)
    later = [sheet.find(_q(tag)) for tag in _AFTER_LEGACY]
    anchor = next((e for e in later if e is not None), None)
    if anchor is None:
        sheet.append(element)
    else:
        anchor.addprevious(element)


class LegacyHost(Protocol):
    """The worksheet's legacyDrawing (the VML drawing's relationship id), as a marked sheet
    holds it: a tree (``marking.Sheet``) or bytes (``sheetbytes.SheetBytes``)."""

    def legacy_drawing(self) -> str | None: ...

    def set_legacy_drawing(self, rel_id: str) -> None: ...


def add_comments(package: Package, part: str, sheet: LegacyHost, marks: Sequence[CellMark]) -> None:
    """Give each mark's cell its comment, in the comments part and the VML drawing of the
    worksheet ``part`` (whose legacyDrawing ``sheet`` holds; saved by the caller)."""
    if not marks:
        return
    found = next(targets(package, part, _COMMENTS_TYPE), None)
    if found is not None and found[1] in package:
        comments_part = found[1]
    else:
        comments_part = package.unused("xl/comments{}.xml")
        add_relationship(package, part, _COMMENTS_TYPE, comments_part)
        add_content_type(package, comments_part, _COMMENTS_CT)
    root = package.xml(comments_part, _EMPTY_COMMENTS)
    boxed = _merge_comments(root, marks)
    package.touch(comments_part)
    if not boxed:
        return
    legacy = sheet.legacy_drawing()
    vml = target_of(package, part, legacy) if legacy is not None else None
    if vml is not None and vml in package:
        package.put(vml, _merged_vml(package.read(vml), boxed))
        return
    vml = package.unused("xl/drawings/vmlDrawing{}.vml")
    package.put(vml, _new_vml(package, boxed))
    add_default_type(package, "vml", _VML_CT)
    sheet.set_legacy_drawing(add_relationship(package, part, _VML_TYPE, vml))
