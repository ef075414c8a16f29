"""A marked sheet's edits made in its bytes, for the sheets Excel, WPS and LibreOffice save.

Parsing and serialising the marked worksheet with lxml was the largest single cost of a
returned copy (a score sheet as LibreOffice saves it is about 60 KB, most of it styled empty
cells: ≈ 1.5 ms of a ≈ 6 ms copy). The three edits a mark needs are small and local: a cell's
``s`` attribute, ``tabSelected`` dropped from the sheet views, and a ``legacyDrawing`` element
for the comments. :meth:`SheetBytes.of` takes a sheet only where each is unambiguous in the
bytes, and the caller (``marking.py``) uses the lxml tree for any other sheet:

- the root is ``<worksheet>`` with the main namespace as its default one (so ``<c`` is a cell);
- no comment, CDATA, processing instruction or ``mc:AlternateContent`` (which could hide or wrap
  elements), no prefixed cell or row, no legacyDrawing yet;
- a top-level element that comes late before legacyDrawing in ECMA-376's CT_Worksheet order
  (pageMargins … drawing), after which it is placed;
- and, checked by :meth:`SheetBytes.has`, every marked cell present once with its own address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .parts import MAIN_NS, letters, split_cell

__all__ = ["SheetBytes", "anchor_in", "merged_ranges"]

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ATTRS = rb"""(?:[^>"']|"[^"]*"|'[^']*')*?"""
_ROOT = re.compile(rb"(?:<\?xml" + _ATTRS + rb"\?>\s*)?<worksheet\b(" + _ATTRS + rb")>")
# Looked for one by one: a search for a literal is many times faster than one alternation.
_UNSURE_TEXTS = (b"<!--", b"<![CDATA[", b"AlternateContent")
_LEGACY = re.compile(rb"legacyDrawing\b")
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:(?:c|row)\b")
# CT_Worksheet's children that come before legacyDrawing and occur nowhere else in a sheet:
# the last of them present is where legacyDrawing goes.
_BEFORE_LEGACY = re.compile(
    rb"<(pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|customProperties|cellWatches"
    rb"|ignoredErrors|smartTags|drawing)\b" + _ATTRS + rb"(/?)>"
)
_STYLE = re.compile(rb"""\ss\s*=\s*(?:"(\d*)"|'(\d*)')""")
_SELECTED = re.compile(rb"""\stabSelected\s*=\s*(?:"[^"]*"|'[^']*')""")
_SHEET_VIEW = re.compile(rb"<sheetView\b" + _ATTRS + rb"/?>")
_MERGE = re.compile(rb"""<mergeCell\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")

Range = tuple[tuple[int, int], tuple[int, int]]


def merged_ranges(refs: Iterable[str]) -> list[Range]:
    """Each ``A1:B2`` reference as ((top, left), (bottom, right))."""
    out: list[Range] = []
    for ref in refs:
        if ":" in ref:
            first, last = ref.split(":", 1)
            out.append((split_cell(first), split_cell(last)))
    return out


def anchor_in(merged: list[Range], ref: str) -> str:
    """The cell Excel shows for ``ref``: the top-left cell of a merged range holding it."""
    row, col = split_cell(ref)
    for (top, left), (bottom, right) in merged:
        if top <= row <= bottom and left <= col <= right:
            return f"{letters(left)}{top}"
    return ref.replace("$", "").upper()


class SheetBytes:
    """One worksheet part edited as bytes (see the module docstring for when)."""

    def __init__(self, data: bytes, root_attrs: bytes, legacy_at: int) -> None:
        self.data = data
        self._root_attrs = root_attrs
        self._legacy_at = legacy_at
        self._edits: list[tuple[int, int, bytes]] = []
        self._legacy = b""
        self._cells: dict[str, re.Match[bytes] | None] = {}
        self.merged = merged_ranges(m.group(1).decode() for m in _MERGE.finditer(data))

    @classmethod
    def of(cls, data: bytes) -> SheetBytes | None:
        root = _ROOT.match(data)
        if root is None or f'xmlns="{MAIN_NS}"'.encode() not in root.group(1):
            return None
        if any(text in data for text in _UNSURE_TEXTS) or data.find(b"<?", root.start(1)) >= 0:
            return None
        if (b"legacyDrawing" in data and _LEGACY.search(data)) or _PREFIXED_CELL.search(data):
            return None
        ends = []
        for element in _BEFORE_LEGACY.finditer(data):
            end = element.end() if element.group(2) == b"/" else _closed(data, element)
            if end is None:
                return None
            ends.append(end)
        return cls(data, root.group(1), max(ends)) if ends else None

    def anchor(self, ref: str) -> str:
        return anchor_in(self.merged, ref)

    def _cell(self, ref: str) -> re.Match[bytes] | None:
        """The open tag of the one cell at ``ref`` (looked for once: has, style, set_style)."""
        if ref not in self._cells:
            pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(' + _ATTRS + rb")(/?)>")
            found = list(pattern.finditer(self.data))
            self._cells[ref] = found[0] if len(found) == 1 else None
        return self._cells[ref]

    def has(self, refs: Iterable[str]) -> bool:
        """Whether every one of ``refs`` is a cell of this sheet, once, with its address."""
        return all(self._cell(ref) is not None for ref in refs)

    def style(self, ref: str) -> int:
        """The cell format index of ``ref`` (0 when it has none); see :meth:`has`."""
        cell = self._cell(ref)
        assert cell is not None
        styles = list(_STYLE.finditer(cell.group(1)))
        if not styles:
            return 0
        value = styles[0].group(1) if styles[0].group(1) is not None else styles[0].group(2)
        return int(value or 0)

    def set_style(self, ref: str, index: int) -> None:
        cell = self._cell(ref)
        assert cell is not None
        attrs = cell.group(1)
        kept = _STYLE.sub(b"", attrs)
        tag = b'<c r="' + ref.encode() + b'"' + kept + b' s="%d"' % index + cell.group(2) + b">"
        self._edits.append((cell.start(), cell.end(), tag))

    def unselect(self) -> None:
        for view in _SHEET_VIEW.finditer(self.data):
            if _SELECTED.search(view.group(0)):
                kept = _SELECTED.sub(b"", view.group(0))
                self._edits.append((view.start(), view.end(), kept))

    def legacy_drawing(self) -> str | None:
        return None  # a sheet that has one takes the tree (of)

    def set_legacy_drawing(self, rel_id: str) -> None:
        declared = f'xmlns:r="{_REL}"'.encode() in self._root_attrs
        space = b"" if declared else f' xmlns:r="{_REL}"'.encode()
        self._legacy = b"<legacyDrawing" + space + f' r:id="{rel_id}"/>'.encode()

    def bytes(self) -> bytes:
        legacy = [(self._legacy_at, self._legacy_at, self._legacy)] if self._legacy else []
        edits = sorted(self._edits + legacy)
        out, at = [], 0
        for start, end, text in edits:
            out += [self.data[at:start], text]
            at = end
        out.append(self.data[at:])
        return b"".join(out)


def _closed(data: bytes, opened: re.Match[bytes]) -> int | None:
    """The end of the element opened at ``opened`` (its closing tag's end), or None."""
    name = opened.group(1)
    close = data.find(b"</" + name + b">", opened.end())
    return None if close < 0 else close + len(name) + 3
