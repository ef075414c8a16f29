"""Returned copies made from the inspector's own package, marked in place.

Only what the marks need is rewritten: the worksheet XML of each marked sheet (the marked
cells point at added cell formats; a legacyDrawing is added when the sheet had none), the
styles part (fills, fonts and cell formats appended, never changed), the sheet's comments
part and its VML drawing (``comments.py``: merged with those already there), the new
退回说明 sheet (a worksheet part of its own), and the entries the package needs for them:
``workbook.xml`` (the sheet listed first and shown), its relationships and
``[Content_Types].xml``. Every other part is copied byte for byte (``package.py``).
"""

from __future__ import annotations

import copy
import re
from xml.sax.saxutils import escape

from lxml import etree

from ..rules.models import FileReport
from .comments import add_comments, legacy_drawing_of, place_legacy_drawing
from .notes import (
    NOTE_FOOTER,
    NOTE_MARGIN,
    NOTE_WIDTHS,
    CellMark,
    NoteRow,
    cell_marks,
    note_name,
    note_rows,
    print_titles,
)
from .package import Package, parse_xml, resolve
from .parts import (
    MAIN_NS,
    REL_NS,
    Unmarkable,
    add_content_type,
    add_relationship,
    letters,
    relationships,
    split_cell,
    targets,
)
from .sheetbytes import SheetBytes, anchor_in, merged_ranges

__all__ = ["Unmarkable", "mark_package"]

_WORKSHEET_TYPE = f"{REL_NS}/worksheet"
_STYLES_TYPE = f"{REL_NS}/styles"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_MINIMAL_STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>'
)
_PLAIN_XF = '<xf xmlns="{}" numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'


_SELECTED = re.compile(rb'tabSelected="(1|true)"')
_SIDES = ("left", "right", "top", "bottom")
# Elements a workbook may hold after definedNames (ECMA-376 CT_Workbook order).
_AFTER_NAMES = (
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)


def _q(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


class Styles:
    """The styles part, with the fills, fonts and cell formats the marks add (each once)."""

    def __init__(self, package: Package, workbook: str) -> None:
        self.package = package
        found = next(targets(package, workbook, _STYLES_TYPE), None)
        if found is None or found[1] not in package:
            self.part = package.unused("xl/styles{}.xml")
            add_relationship(package, workbook, _STYLES_TYPE, self.part)
            add_content_type(package, self.part, _STYLES_CT)
            self.root = package.xml(self.part, _MINIMAL_STYLES.encode())
        else:
            self.part, self.root = found[1], package.xml(found[1])
        self.ns = etree.QName(self.root).namespace or ""
        if self.ns != MAIN_NS:
            raise Unmarkable("样式部件不是常规的 SpreadsheetML")
        self._formats: dict[tuple[int, str], int] = {}

    def _list(self, tag: str, before: tuple[str, ...]) -> etree._Element:
        found = self.root.find(_q(tag))
        if found is None:
            found = etree.Element(_q(tag))
            later = [self.root.find(_q(t)) for t in before]
            anchor = next((e for e in later if e is not None), None)
            if anchor is None:
                self.root.append(found)
            else:
                anchor.addprevious(found)
        return found

    def _append(self, tag: str, item: etree._Element, before: tuple[str, ...]) -> int:
        items = self._list(tag, before)
        items.append(item)
        count = len(items.findall(_q(item.tag.split("}")[1])))
        items.set("count", str(count))
        return count - 1

    def fill(self, rgb: str) -> int:
        fill = parse_xml(
            f'<fill xmlns="{MAIN_NS}"><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
            f'<bgColor rgb="{rgb}"/></patternFill></fill>'.encode()
        )
        return self._append("fills", fill, ("borders", "cellStyleXfs", "cellXfs"))

    def font(self, size: float | None) -> int:
        fonts = self._list("fonts", ("fills", "borders", "cellStyleXfs", "cellXfs"))
        base = fonts.find(_q("font"))
        font = copy.deepcopy(base) if base is not None else etree.Element(_q("font"))
        for old in font.findall(_q("b")) + (font.findall(_q("sz")) if size else []):
            font.remove(old)
        font.insert(0, etree.Element(_q("b")))
        if size:
            etree.SubElement(font, _q("sz")).set("val", f"{size:g}")
            font.insert(1, font[-1])
        return self._append("fonts", font, ("fills", "borders", "cellStyleXfs", "cellXfs"))

    def cell_format(self, xf: etree._Element) -> int:
        return self._append("cellXfs", xf, ("cellStyles", "dxfs", "tableStyles", "colors"))

    def marked(self, old: int, rgb: str) -> int:
        """The cell format of a marked cell: its own format (font, borders, number format,
        alignment, protection) with the mark's fill."""
        key = (old, rgb)
        if key not in self._formats:
            formats = self._list("cellXfs", ("cellStyles", "dxfs", "tableStyles", "colors"))
            xfs = formats.findall(_q("xf"))
            base = xfs[old] if 0 <= old < len(xfs) else None
            xf = (
                copy.deepcopy(base)
                if base is not None
                else parse_xml(_PLAIN_XF.format(MAIN_NS).encode())
            )
            xf.set("fillId", str(self.fill(rgb)))
            xf.set("applyFill", "1")
            self._formats[key] = self.cell_format(xf)
        return self._formats[key]

    def border(self) -> int:
        """A thin box (the 退回说明 table's cells)."""
        sides = "".join(f'<{side} style="thin"><color auto="1"/></{side}>' for side in _SIDES)
        border = parse_xml(f'<border xmlns="{MAIN_NS}">{sides}<diagonal/></border>'.encode())
        return self._append("borders", border, ("cellStyleXfs", "cellXfs"))

    def note_formats(self) -> dict[str, int]:
        """The cell formats of the 退回说明 sheet, by NoteCell.style."""
        box = str(self.border())
        looks = {
            "title": (self.font(13), None, False),
            "text": (None, None, True),
            "header": (self.font(None), box, True),
            "cell": (None, box, True),
        }
        formats = {}
        for style, (font, border, wrap) in looks.items():
            xf = parse_xml(_PLAIN_XF.format(MAIN_NS).encode())
            if font is not None:
                xf.set("fontId", str(font))
                xf.set("applyFont", "1")
            if border is not None:
                xf.set("borderId", border)
                xf.set("applyBorder", "1")
            if wrap:
                xf.set("applyAlignment", "1")
                etree.SubElement(xf, _q("alignment"), wrapText="1", vertical="top")
            formats[style] = self.cell_format(xf)
        return formats

    def save(self) -> None:
        self.package.touch(self.part)


def _workbook_part(package: Package) -> str:
    for rel in relationships(package, ""):
        if rel.get("Type", "").endswith("/officeDocument"):
            return resolve("", rel.get("Target", ""))
    raise Unmarkable("找不到工作簿部件")


class Sheet:
    """One worksheet part, parsed, with the cells it holds by row and column."""

    def __init__(self, package: Package, part: str) -> None:
        self.package, self.part = package, part
        self.root = package.xml(part)
        if etree.QName(self.root).namespace != MAIN_NS:
            raise Unmarkable("工作表部件不是常规的 SpreadsheetML")
        data = self.root.find(_q("sheetData"))
        if data is None:
            data = etree.SubElement(self.root, _q("sheetData"))
        self.data = data
        self.rows: dict[int, etree._Element] = {}
        last = 0
        for row in data.iterfind(_q("row")):
            last = int(row.get("r") or last + 1)
            row.set("r", str(last))  # rows may leave their number implicit
            self.rows[last] = row
        merges = self.root.find(_q("mergeCells"))
        found = merges.iterfind(_q("mergeCell")) if merges is not None else ()
        self.merged = merged_ranges(m.get("ref", "") for m in found)

    def anchor(self, ref: str) -> str:
        return anchor_in(self.merged, ref)

    def legacy_drawing(self) -> str | None:
        return legacy_drawing_of(self.root)

    def set_legacy_drawing(self, rel_id: str) -> None:
        place_legacy_drawing(self.root, rel_id)

    def cell(self, ref: str) -> etree._Element:
        """The cell element at ``ref``, made (in row and column order) when the sheet has none."""
        row_number, col = split_cell(ref)
        row = self.rows.get(row_number)
        if row is None:
            row = etree.Element(_q("row"), r=str(row_number))
            later = [n for n in self.rows if n > row_number]
            if later:
                self.rows[min(later)].addprevious(row)
            else:
                self.data.append(row)
            self.rows[row_number] = row
        row.attrib.pop("spans", None)  # a hint of the row's columns, which may now be wrong
        last = 0
        for cell in row.iterfind(_q("c")):
            at = split_cell(cell.get("r"))[1] if cell.get("r") else last + 1
            last = at
            if at == col:
                cell.set("r", f"{letters(col)}{row_number}")
                return cell
            if at > col:
                new = etree.Element(_q("c"), r=f"{letters(col)}{row_number}")
                cell.addprevious(new)
                return new
        return etree.SubElement(row, _q("c"), r=f"{letters(col)}{row_number}")

    def unselect(self) -> None:
        for view in self.root.iter(_q("sheetView")):
            view.attrib.pop("tabSelected", None)

    def save(self) -> None:
        self.package.touch(self.part)


def _mark_sheet(sheet: Sheet, marks: list[CellMark], styles: Styles) -> None:
    sheet.unselect()
    for mark in marks:
        cell = sheet.cell(mark.cell)
        cell.set("s", str(styles.marked(int(cell.get("s") or 0), mark.rgb)))
    add_comments(sheet.package, sheet.part, sheet, marks)
    sheet.save()


def _mark_bytes(
    package: Package, part: str, sheet: SheetBytes, marks: list[CellMark], styles: Styles
) -> None:
    """As :func:`_mark_sheet`, on a sheet's bytes (``sheetbytes.py``)."""
    sheet.unselect()
    for mark in marks:
        sheet.set_style(mark.cell, styles.marked(sheet.style(mark.cell), mark.rgb))
    add_comments(package, part, sheet, marks)
    package.put(part, sheet.bytes())


def _note_part(rows: list[NoteRow], formats: dict[str, int]) -> bytes:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(NOTE_WIDTHS, 1)
    )
    body = []
    for r, row in enumerate(rows, 1):
        xml = [
            f'<c r="{letters(c)}{r}" s="{formats[cell.style]}" t="inlineStr"><is>'
            f'<t xml:space="preserve">{escape(cell.text)}</t></is></c>'
            for c, cell in enumerate(row.cells, 1)
        ]
        height = f' ht="{row.height:g}" customHeight="1"' if row.height else ""
        body.append(f'<row r="{r}"{height}>{"".join(xml)}</row>' if xml else "")
    merged = [row.merged for row in rows if row.merged]
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in merged)
    m = NOTE_MARGIN
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:D{len(rows)}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(body)}</sheetData>"
        + (f'<mergeCells count="{len(merged)}">{merges}</mergeCells>' if merged else "")
        + '<printOptions horizontalCentered="1"/>'
        f'<pageMargins left="{m}" right="{m}" top="{m}" bottom="{m}" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter><oddFooter>{escape(NOTE_FOOTER)}</oddFooter></headerFooter>"
        "</worksheet>"
    ).encode()


def _print_titles(root: etree._Element, reference: str) -> None:
    """The workbook name that repeats the note table's header on every printed page (the
    note sheet is sheet 0)."""
    names = root.find(_q("definedNames"))
    if names is None:
        names = etree.Element(_q("definedNames"))
        later = (root.find(_q(tag)) for tag in _AFTER_NAMES)
        anchor = next((e for e in later if e is not None), None)
        if anchor is None:
            root.append(names)
        else:
            anchor.addprevious(names)
    name = etree.SubElement(names, _q("definedName"), name="_xlnm.Print_Titles")
    name.set("localSheetId", "0")
    name.text = reference


def _add_note_sheet(
    package: Package, workbook: str, root: etree._Element, report: FileReport, styles: Styles
) -> None:
    """The 退回说明 sheet, listed first and shown when the copy opens."""
    sheets = root.find(_q("sheets"))
    assert sheets is not None
    listed = sheets.findall(_q("sheet"))
    part = package.unused("xl/worksheets/sheet{}.xml")
    rows = note_rows(report)
    package.put(part, _note_part(rows, styles.note_formats()))
    add_content_type(package, part, _WORKSHEET_CT)
    rel_id = add_relationship(package, workbook, _WORKSHEET_TYPE, part)
    entry = etree.Element(_q("sheet"), nsmap={"r": REL_NS})
    name = note_name([s.get("name", "") for s in listed])
    entry.set("name", name)
    entry.set("sheetId", str(max((int(s.get("sheetId") or 0) for s in listed), default=0) + 1))
    entry.set(f"{{{REL_NS}}}id", rel_id)
    sheets.insert(0, entry)
    # Sheet positions moved by one: names local to a sheet, and the workbook's views.
    for defined in root.iter(_q("definedName")):
        if defined.get("localSheetId") is not None:
            defined.set("localSheetId", str(int(defined.get("localSheetId") or 0) + 1))
    for view in root.iter(_q("workbookView")):
        view.set("activeTab", "0")
        view.attrib.pop("firstSheet", None)
    _print_titles(root, print_titles(rows, name))


def _unselect_others(package: Package, parts: list[str], rewritten: set[str]) -> None:
    """Other sheets shown as selected would open grouped with the note sheet (edits would go
    to both): their selection is cleared, the only change made to them."""
    for part in parts:
        if part in rewritten or part not in package:
            continue
        if _SELECTED.search(package.read(part)):
            sheet = Sheet(package, part)
            sheet.unselect()
            sheet.save()


def mark_package(data: bytes, report: FileReport) -> bytes:
    """The inspector's workbook ``data`` with ``report``'s findings marked, as new bytes."""
    package = Package(data)
    workbook = _workbook_part(package)
    root = package.xml(workbook)
    if etree.QName(root).namespace != MAIN_NS:
        raise Unmarkable("工作簿部件不是常规的 SpreadsheetML")
    parts = dict(targets(package, workbook, _WORKSHEET_TYPE))
    sheets_el = root.find(_q("sheets"))
    if sheets_el is None:
        raise Unmarkable("工作簿中没有工作表")
    by_name = {
        s.get("name", ""): parts[s.get(f"{{{REL_NS}}}id", "")]
        for s in sheets_el.findall(_q("sheet"))
        if s.get(f"{{{REL_NS}}}id", "") in parts
    }
    styles = Styles(package, workbook)
    opened: dict[str, Sheet | SheetBytes] = {}

    def anchor(name: str, ref: str) -> str:
        if name not in opened:
            part = by_name[name]
            opened[name] = SheetBytes.of(package.read(part)) or Sheet(package, part)
        return opened[name].anchor(ref)

    marks = cell_marks(report.issues, [n for n in by_name if by_name[n] in package], anchor)
    for name, sheet in opened.items():
        mine = [m for m in marks if m.sheet == name]
        if isinstance(sheet, SheetBytes) and sheet.has(m.cell for m in mine):
            _mark_bytes(package, by_name[name], sheet, mine, styles)
        else:  # a cell to make, or a sheet the bytes path does not take
            tree = sheet if isinstance(sheet, Sheet) else Sheet(package, by_name[name])
            _mark_sheet(tree, mine, styles)
    _add_note_sheet(package, workbook, root, report, styles)
    _unselect_others(package, list(by_name.values()), {by_name[name] for name in opened})
    styles.save()
    package.touch(workbook)
    return package.save()
