"""The OPC side of a package: relationships, content types, cell references.

Shared by the modules that mark a returned copy (``marking.py``, ``comments.py``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from lxml import etree

from .package import CT_NS, PKG_REL_NS, Package, rels_name, resolve

__all__ = [
    "MAIN_NS",
    "REL_NS",
    "Unmarkable",
    "add_content_type",
    "add_default_type",
    "add_relationship",
    "letters",
    "relationships",
    "split_cell",
    "target_of",
    "targets",
]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


class Unmarkable(Exception):
    """A package this module cannot mark (not transitional SpreadsheetML)."""


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def split_cell(ref: str) -> tuple[int, int]:
    """``"F12"`` → (12, 6): row and column, both from 1."""
    found = _CELL.match(ref.upper())
    if not found:
        raise Unmarkable(f"单元格地址无法识别：{ref}")
    return int(found.group(2)), column_number(found.group(1))


def letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def relationships(package: Package, part: str) -> etree._Element:
    return package.xml(rels_name(part), f'<Relationships xmlns="{PKG_REL_NS}"/>'.encode())


def targets(package: Package, part: str, rel_type: str) -> Iterator[tuple[str, str]]:
    """(id, part) of each internal relationship of ``part`` of that type."""
    for rel in relationships(package, part):
        if rel.get("Type") == rel_type and rel.get("TargetMode") != "External":
            yield rel.get("Id", ""), resolve(part, rel.get("Target", ""))


def add_relationship(package: Package, part: str, rel_type: str, target: str) -> str:
    """Add a relationship from ``part`` to the part ``target``; its new id."""
    rels = relationships(package, part)
    taken = {rel.get("Id") for rel in rels}
    n = len(taken) + 1
    while f"rId{n}" in taken:
        n += 1
    rel = etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship")
    rel.set("Id", f"rId{n}")
    rel.set("Type", rel_type)
    rel.set("Target", posixpath.relpath(target, posixpath.dirname(part) or "."))
    package.touch(rels_name(part))
    return f"rId{n}"


def add_content_type(package: Package, part: str, content_type: str) -> None:
    types = package.xml("[Content_Types].xml")
    if any(o.get("PartName", "").lstrip("/").casefold() == part.casefold() for o in types):
        return
    override = etree.SubElement(types, f"{{{CT_NS}}}Override")
    override.set("PartName", f"/{part}")
    override.set("ContentType", content_type)
    package.touch("[Content_Types].xml")


def add_default_type(package: Package, extension: str, content_type: str) -> None:
    types = package.xml("[Content_Types].xml")
    if any(
        d.get("Extension", "").casefold() == extension for d in types if "Extension" in d.attrib
    ):
        return
    default = etree.Element(f"{{{CT_NS}}}Default")
    default.set("Extension", extension)
    default.set("ContentType", content_type)
    types.insert(0, default)
    package.touch("[Content_Types].xml")


def target_of(package: Package, part: str, rel_id: str) -> str | None:
    """The part the relationship ``rel_id`` of ``part`` points at, if internal."""
    for rel in relationships(package, part):
        if rel.get("Id") == rel_id and rel.get("TargetMode") != "External":
            return resolve(part, rel.get("Target", ""))
    return None
