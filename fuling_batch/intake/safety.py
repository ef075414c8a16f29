"""Bounding the work before a file is parsed: one hostile file must not exhaust memory.

A score sheet is ~60 item rows and a few KB; the limits below are generous for that and
small for an attacker. They are checked from the container's own directory (zip central
directory, compound-file directory) and from a light scan of the cell positions, before
python-calamine builds a dense grid — a single cell at ``XFD1048576`` would otherwise make
it allocate billions of cells.

The scan also finds the error cells (``#REF!``, ``#DIV/0!``…), which calamine returns as
empty, so that a score cell holding ``#REF!`` is reported as such and not just as blank: a
legacy .xls's during the record walk, an .xlsx's on demand (:meth:`Scan.errors_in`), since
most sheets have no empty score cell to explain.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import defusedxml
import defusedxml.ElementTree as SafeET

from .areas import Area, ods_areas, xlsb_areas, xlsb_sheet_names
from .zipparts import XML_SUFFIXES, declares_doctype
from .zipparts import Stored as _Stored
from .zipparts import inflate as _inflate
from .zipparts import stored as _stored

__all__ = [
    "MAX_CELLS",
    "MAX_COLS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "ErrorCells",
    "FormulaCells",
    "Refusal",
    "Scan",
    "column_letter",
    "corrupt",
    "scan_zip",
    "too_big",
]

# ---- limits: the one place they live -------------------------------------------------------
MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled score sheet is ~30 KB
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # sum of the zip members' declared sizes
MAX_COMPRESSION_RATIO = 200  # per member larger than 1 MB uncompressed; XML rarely exceeds 20
MAX_ZIP_MEMBERS = 2000
MAX_ROWS = 5000  # the score sheet has under 100 rows
MAX_COLS = 200
MAX_CELLS = 200_000  # cells with content, all sheets together

# sheet name -> {A1 address: error text}
ErrorCells = dict[str, dict[str, str]]
# sheet name -> A1 addresses of the cells holding a formula
FormulaCells = dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a file is not parsed: a stable issue code, a Chinese message, and for the
    maintainers (report.json only) what the library said."""

    code: str
    message: str
    detail: str = ""


def corrupt(exc: BaseException, what: str = "无法读取") -> Refusal:
    """FILE_CORRUPT. The library's own words are English and mean nothing to the inspector:
    they go to ``detail``."""
    return Refusal(
        "FILE_CORRUPT",
        f"文件已损坏，{what}；请用 Excel/WPS 打开后另存为 .xlsx 重新提交",
        f"{type(exc).__name__}: {exc}",
    )


@dataclass(slots=True)
class Scan:
    refusal: Refusal | None = None
    error_cells: ErrorCells = field(default_factory=dict)
    # Formula cells: a legacy .xls's and an .ods's found during their walk, a zip's on demand.
    formula_cells: FormulaCells = field(default_factory=dict)
    # A zip's worksheets (sheet name, XML): their error cells are looked for only on demand.
    sheet_xml: list[tuple[str, bytes]] = field(default_factory=list, repr=False)

    def errors_in(self, sheet: str) -> dict[str, str]:
        """The error cells of one sheet (A1 → ``#REF!``).

        Calamine reads an error cell as empty, so only a sheet with an empty cell where a
        value is due needs asking; a zip's sheet XML is searched then, not on every file.
        """
        for name, xml in self.sheet_xml:
            if name == sheet and b't="e"' in xml:
                errors = _error_cells(xml)
                if errors:
                    self.error_cells[name] = errors
        return self.error_cells.get(sheet, {})

    def formulas_in(self, sheet: str) -> frozenset[str]:
        """The cells of one sheet that hold a formula (graded from the value Excel cached)."""
        if sheet not in self.formula_cells:
            for name, xml in self.sheet_xml:
                if name == sheet:
                    self.formula_cells[name] = _formula_cells(xml)
        return self.formula_cells.get(sheet, frozenset())


def column_letter(index: int) -> str:
    """0-based column index → ``A``, ``B``, … ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n - 1


def _positions(attributes: bytes) -> list[tuple[int | None, int | None]]:
    """(1-based column, row) of every position attribute; None where a part is missing."""
    found = []
    for match in _POSITION.finditer(attributes):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        parts = _POSITION_VALUE.fullmatch(value.strip())
        if parts is None:
            continue  # not a position calamine reads (it fails on the file)
        letters, digits = parts.groups()
        found.append(
            (_column_index(letters) + 1 if letters else None, int(digits) if digits else None)
        )
    return found


def too_big(rows: int, cols: int, cells: int, where: str) -> Refusal | None:
    if rows > MAX_ROWS or cols > MAX_COLS or cells > MAX_CELLS:
        return Refusal(
            "SHEET_TOO_LARGE",
            f"工作表“{where}”的数据区域过大（{rows}行×{cols}列，{cells}个单元格；评分表上限"
            f"{MAX_ROWS}行×{MAX_COLS}列），请只保留评分表内容后重新提交",
        )
    return None


# ---- zip (OOXML) ---------------------------------------------------------------------------

# A tag's attributes: a ">" inside a quoted value does not end the tag (it may be raw there).
_ATTRS = rb"""((?:[^>"']|"[^"]*"|'[^']*')*?)"""
# A row with its cells; a cell with its content (None for <c …/>).
_ROW_BODY = re.compile(rb"<(?:\w+:)?row\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:\w+:)?row>)", re.DOTALL)
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b" + _ATTRS + rb"(/?)>")
_CELL_BODY = re.compile(rb"<(?:\w+:)?c\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is|f)\b")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_CELL_START = re.compile(rb"<(?:\w+:)?c\b")
_REF = re.compile(rb"\br=\"([A-Z]{1,4})(\d{1,9})\"")
_ERROR_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4}\d{1,9})\"[^>]*?\bt=\"e\"[^>]*>.*?<(?:\w+:)?v>([^<]{0,16})<",
    re.DOTALL,
)
# The position attribute of a row or a cell (r="B21"), as calamine's XML parser reads it:
# either quote, blanks around "=" (or none before the name), any prefix. Every one counts: a
# cell with two (an invalid file) is placed by calamine at its last; the bound takes the
# farthest.
_POSITION = re.compile(rb"""(?<![^\s"'])(?:[\w.-]+:)?r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_POSITION_VALUE = re.compile(rb"([A-Za-z]*)(\d*)")
# A row or cell position past row 999 or column Z, spelt any way _POSITION reads one, see
# _surely_small. The whole value must look like a position: every sheet declares
# xmlns:r="http://…", which must not send every file down the exact count.
_BIG_VALUE = rb"\s*(?:[A-Za-z]{2,}\d*|[A-Za-z]?\d{4,})\s*"
# It starts with the literal "r", which is searched for far faster than _POSITION's anchor:
# what may stand before it (a blank, a quote, a prefix's colon) is checked per match.
_BIG_REF = re.compile(rb"""r\s*=\s*(?:"%s"|'%s')""" % (_BIG_VALUE, _BIG_VALUE))
_BEFORE_NAME = frozenset(b" \t\r\n\"':")
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


def scan_zip(data: bytes) -> Scan:
    """Check a zip container from its directory, then bound each worksheet's used area."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, struct.error, NotImplementedError) as exc:
        return Scan(corrupt(exc, "无法作为压缩包打开"))
    if len(infos) > MAX_ZIP_MEMBERS:
        return Scan(
            Refusal(
                "ZIP_BOMB", f"文件包含{len(infos)}个内部部件，超过上限{MAX_ZIP_MEMBERS}，已拒绝读取"
            )
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
            return Scan(
                Refusal(
                    "ZIP_BOMB",
                    f"文件内部部件 {info.filename} 声明解压后 {info.file_size} 字节，压缩比 {ratio:.0f}:1，"
                    "疑似压缩炸弹，已拒绝读取",
                )
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        return Scan(
            Refusal(
                "ZIP_BOMB",
                f"文件解压后共 {total} 字节，超过上限 {MAX_UNCOMPRESSED_BYTES} 字节，已拒绝读取",
            )
        )
    # calamine finds parts by name ignoring case: so are they looked up here, and two parts
    # whose names differ only in case (one scanned, the other parsed) are refused.
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if by_name.setdefault(info.filename.lower(), info) is not info:
            return Scan(
                Refusal(
                    "FILE_CORRUPT",
                    f"文件内部部件 {info.filename} 重复出现，文件已损坏或被改动，请重新保存后提交",
                )
            )
    try:
        refusal = _doctype_refusal(data, infos)
        if refusal is None and "content.xml" in by_name and "xl/workbook.xml" not in by_name:
            return _bounded(ods_areas(_inflate(_stored(data, by_name["content.xml"]))))
        if refusal is None and "xl/workbook.bin" in by_name and "xl/workbook.xml" not in by_name:
            bins = [(i.filename, _inflate(_stored(data, i))) for i in infos if _is_sheet_bin(i)]
            return _bounded(_named(xlsb_areas(bins), data, by_name))
    except (zipfile.BadZipFile, ValueError, struct.error, zlib.error) as exc:
        return Scan(corrupt(exc))
    if refusal is not None:
        return Scan(refusal)
    if "xl/workbook.xml" not in by_name:
        return Scan(
            Refusal(
                "NOT_SPREADSHEET",
                "文件不是 Excel 工作簿（可能是改了扩展名的其他文件），请用 Excel/WPS 另存为 .xlsx 后重新提交",
            )
        )
    try:
        rels = by_name.get(_WORKBOOK_RELS)
        members = _sheet_members(
            _stored(data, by_name["xl/workbook.xml"]), _stored(data, rels) if rels else None
        )
        parts = [(sheet, by_name.get(member.lower())) for member, sheet in members]
        if any(info is None for _, info in parts):
            # A sheet whose part this cannot resolve as calamine might: bound every XML part.
            parts = [(i.filename, i) for i in infos if i.filename.lower().endswith(".xml")]
        sheets = [(sheet, _inflate(_stored(data, info))) for sheet, info in parts if info]
        refusal = None if _surely_small(sheets) else _bound_sheets(sheets)
        return Scan(refusal) if refusal else Scan(sheet_xml=sheets)
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        KeyError,
        EOFError,
        struct.error,
        zlib.error,
        SafeET.ParseError,
    ) as exc:
        return Scan(corrupt(exc))
    except defusedxml.DefusedXmlException:  # a DOCTYPE is refused above; this is a safety net
        return Scan(_doctype("xl/workbook.xml"))


def _doctype(part: str) -> Refusal:
    return Refusal(
        "XML_DOCTYPE",
        f"文件内部部件 {part} 含有文档类型（DOCTYPE）或实体声明，这类内容可被用来读取本机文件或耗尽内存，"
        "Excel/WPS 保存的文件不会含有，已拒绝读取；请用 Excel/WPS 打开后另存为 .xlsx 重新提交",
    )


def _doctype_refusal(data: bytes, infos: list[zipfile.ZipInfo]) -> Refusal | None:
    """A refusal for the first XML member that declares a DOCTYPE, else None."""
    for info in infos:
        if info.filename.lower().endswith(XML_SUFFIXES) and declares_doctype(_stored(data, info)):
            return _doctype(info.filename)
    return None


def _bounded(areas: list[Area]) -> Scan:
    """The refusal of the first sheet past a limit (cells counted over all), else its formulas."""
    cells = 0
    for area in areas:
        cells += area.cells
        refusal = too_big(area.rows, area.cols, cells, area.sheet)
        if refusal:
            return Scan(refusal)
    return Scan(formula_cells={a.sheet: a.formulas for a in areas if a.formulas})


def _named(areas: list[Area], data: bytes, by_name: dict[str, zipfile.ZipInfo]) -> list[Area]:
    """An .xlsb's areas under their sheets' names (a part whose name is not found keeps its
    part name): the formula cells are looked up by the sheet calamine reads."""
    rels = by_name.get("xl/_rels/workbook.bin.rels")
    try:
        names = xlsb_sheet_names(
            _inflate(_stored(data, by_name["xl/workbook.bin"])),
            SafeET.fromstring(_inflate(_stored(data, rels))) if rels else None,
        )
    except (SafeET.ParseError, defusedxml.DefusedXmlException, ValueError, struct.error):
        return areas  # not a workbook calamine can name its sheets in either
    return [a._replace(sheet=names.get(a.sheet.lower(), a.sheet)) for a in areas]


def _is_sheet_bin(info: zipfile.ZipInfo) -> bool:
    name = info.filename.lower()
    return name.startswith("xl/worksheets/") and name.endswith(".bin")


def _formula_cells(xml: bytes) -> frozenset[str]:
    if not _FORMULA.search(xml):
        return frozenset()  # most sheets: no formula anywhere
    # A sheet has a few formulas among hundreds of cells: each <f> is traced back to the cell
    # it opens (in every file Excel, WPS or LibreOffice writes, the tag just before it), rather
    # than every cell looked at in Python. Anything else takes the walk over every cell.
    found: set[str] = set()
    for formula in _FORMULA.finditer(xml):
        cell = _cell_opened_by(xml, formula.start())
        if cell is None:
            return _formula_cells_walked(xml)
        found.add(cell)
    return frozenset(found)


def _cell_opened_by(xml: bytes, at: int) -> str | None:
    """The A1 address of the cell whose first child is the tag at ``at``, else None."""
    start = xml.rfind(b"<", 0, at)
    if start < 0 or not _CELL_START.match(xml, start):
        return None
    cell = _CELL_BODY.match(xml, start)
    ref = _REF.search(cell.group(1)) if cell and cell.group(2) is not None else None
    if cell is None or ref is None or cell.end() <= at:
        return None
    return (ref.group(1) + ref.group(2)).decode()


def _formula_cells_walked(xml: bytes) -> frozenset[str]:
    found = set()
    for match in _CELL_BODY.finditer(xml):
        ref = _REF.search(match.group(1))
        if ref and match.group(2) and _FORMULA.search(match.group(2)):
            found.add((ref.group(1) + ref.group(2)).decode())
    return frozenset(found)


def _error_cells(xml: bytes) -> dict[str, str]:
    return {
        m.group(1).decode(): m.group(2).decode("utf-8", "replace")
        for m in _ERROR_CELL.finditer(xml)
    }


def _surely_small(sheets: list[tuple[str, bytes]]) -> bool:
    """A cheap over-estimate of every sheet's used area is within the limits.

    A counted cell takes at least 3 bytes (``<c>``), and a row past 999 or a column past Z
    needs an ``r="…"`` attribute (on a row or a cell, empty or not) with four digits or two
    letters. When neither shows, the exact count of :func:`_bound_sheets` cannot exceed a
    limit either and is skipped; otherwise it decides, and words the refusal.
    """
    if MAX_ROWS < 999 or MAX_COLS < 26:
        return False
    if sum(len(xml) for _, xml in sheets) // 3 > MAX_CELLS:
        return False
    return not any(_far_position(xml) for _, xml in sheets)


def _far_position(xml: bytes) -> bool:
    return any(m.start() == 0 or xml[m.start() - 1] in _BEFORE_NAME for m in _BIG_REF.finditer(xml))


def _bound_sheets(sheets: list[tuple[str, bytes]]) -> Refusal | None:
    """The exact used area of each sheet as calamine will see it (cells counted over all).

    Only cells that hold something count: a cell with a style and nothing else (``<c …/>``,
    or ``<c …></c>``), and a row of such cells, are not read by calamine, so a formatted but
    empty cell at ``XFD1048576`` costs nothing and is not refused.
    """
    cells = 0
    for sheet, xml in sheets:
        # Cells are counted as every non-empty element, wherever it is (an over-estimate);
        # the area from the cells that hold a value, in their rows.
        cells += sum(1 for match in _CELL_OPEN.finditer(xml) if not match.group(2))
        rows = cols = 0
        row_number = 0
        for row in _ROW_BODY.finditer(xml):
            numbers = [r for _, r in _positions(row.group(1)) if r is not None]
            row_number = max(numbers) if numbers else row_number + 1
            if row.group(2) is None:
                continue  # <row …/>: no cells
            col = 0
            for cell in _CELL_BODY.finditer(row.group(2)):
                places = _positions(cell.group(1))
                columns = [c for c, _ in places if c is not None]
                col = max(columns) if columns else col + 1
                body = cell.group(2)
                if not body or not _VALUE.search(body):
                    continue  # a styled empty cell: calamine ignores it
                cols = max(cols, col)
                rows = max(rows, row_number, *(r for _, r in places if r is not None))
        refusal = too_big(rows, cols, cells, sheet)
        if refusal:
            return refusal
    return None


@lru_cache(maxsize=64)
def _sheet_members(
    workbook_part: _Stored, rels_part: _Stored | None
) -> tuple[tuple[str, str], ...]:
    """(worksheet part name, sheet name) from workbook.xml and its relationships.

    Cached on the two parts as stored (compressed): copies of one template share them, so most
    files of a batch neither inflate nor parse either part.
    """
    workbook_xml = _inflate(workbook_part)
    rels_xml = _inflate(rels_part) if rels_part is not None else None
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = SafeET.fromstring(workbook_xml)
    targets: dict[str, str] = {}
    if rels_xml is not None:
        rels = SafeET.fromstring(rels_xml)
        for rel in rels:
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = target
    out: dict[str, str] = {}
    for element in workbook.iter():
        if element.tag.endswith("}sheet"):
            target = targets.get(element.get(ns_rel, ""), "")
            if target:
                out[target] = element.get("name", "")
    return tuple(out.items())
