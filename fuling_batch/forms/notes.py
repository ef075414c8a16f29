"""What a returned copy says: the 退回说明 sheet's rows, the mark of each cell and its comment.

Both writers of returned copies (the package marked directly, ``marking.py``, and the .xls
rebuilt through openpyxl, ``returned.py``) take their text, colours and sizes from here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from ..rules.issues import Issue
from ..rules.models import FileReport
from ..rules.text import clean_text
from .fit import wrapped_height

__all__ = [
    "AMBER_RGB",
    "AUTHOR",
    "NOTE_FOOTER",
    "NOTE_MARGIN",
    "NOTE_SHEET",
    "NOTE_WIDTHS",
    "RED_RGB",
    "CellMark",
    "NoteCell",
    "NoteRow",
    "cell_marks",
    "note_name",
    "note_rows",
    "print_titles",
]

NOTE_SHEET = "退回说明"
RED_RGB, AMBER_RGB = "FFFF7C80", "FFFFC000"  # errors, warnings
AUTHOR = "区国资委党委"
# Columns A to D. Together about 9 in wide: A4 landscape holds them at 100 % within
# NOTE_MARGIN (the sheet is also fitted one page wide, in case a font is wider).
NOTE_WIDTHS = (8, 14, 10, 90)
NOTE_MARGIN = 0.5  # inches, every side
NOTE_FOOTER = "&C第 &P 页，共 &N 页"
_SPAN = f"A{{0}}:{chr(ord('A') + len(NOTE_WIDTHS) - 1)}{{0}}"


@dataclass(frozen=True, slots=True)
class NoteCell:
    """One cell of the 退回说明 sheet: its text and how it looks: ``title`` (large, bold),
    ``text`` (wrapped), ``header`` (the table's header: bold, boxed) or ``cell`` (the
    table's body: wrapped, boxed)."""

    text: str
    style: str


@dataclass(frozen=True, slots=True)
class NoteRow:
    """One row of the 退回说明 sheet (no cells: an empty row). ``merged``: the range its one
    cell spans (the width of the sheet); ``height``: points, for a row of wrapped text."""

    cells: tuple[NoteCell, ...] = ()
    merged: str = ""
    height: float | None = None


@dataclass(frozen=True, slots=True)
class CellMark:
    """What one marked cell gets: its fill colour (ARGB), a comment, and the comment's size
    in pixels."""

    sheet: str
    cell: str
    rgb: str
    comment: str
    width: int
    height: int


def note_name(existing: Collection[str]) -> str:
    """The note sheet's name: 退回说明, or 退回说明_新… when a re-submitted copy has one."""
    taken = {name.casefold() for name in existing}
    name = NOTE_SHEET
    while name.casefold() in taken:
        name += "_新"
    return name


def _spanning(number: int, cell: NoteCell) -> NoteRow:
    height = wrapped_height(cell.text, sum(NOTE_WIDTHS)) if cell.style == "text" else None
    return NoteRow((cell,), _SPAN.format(number), height)


def note_rows(report: FileReport, converted: bool = False) -> list[NoteRow]:
    """The 退回说明 sheet, row by row from row 1.

    Every row of wrapped text gets a height that shows it: LibreOffice does not fit a row
    to its wrapped text when it opens a file, and no one fits a merged cell.
    """
    texts = [
        NoteCell(clean_text(f"退回修改说明：{report.path}"), "title"),
        NoteCell(
            "红色单元格为错误（必须改正），橙色为警告（请核对）；鼠标移到单元格上可查看批注。"
            "改正后请重新提交。",
            "text",
        ),
    ]
    if converted:
        texts.append(
            NoteCell(
                "原文件为 .xls 格式，本副本已转存为 .xlsx（仅保留单元格内容），"
                "可直接在本副本上修改后提交。",
                "text",
            )
        )
    rows = [_spanning(number, cell) for number, cell in enumerate(texts, 1)]
    rows.append(NoteRow())
    rows.append(
        NoteRow(
            tuple(
                NoteCell(text, "header") for text in ("类别", "工作表", "单元格", "问题及修改方法")
            )
        )
    )
    for issue in report.issues:
        sheet, cell, message = map(clean_text, (issue.sheet, issue.cell, issue.message))
        values = (issue.severity.label, sheet, cell, message)
        height = max(map(wrapped_height, values, NOTE_WIDTHS))
        rows.append(NoteRow(tuple(NoteCell(value, "cell") for value in values), height=height))
    return rows


def print_titles(rows: list[NoteRow], sheet: str) -> str:
    """The rows printed at the top of every page (the table's header), as the reference a
    workbook's ``_xlnm.Print_Titles`` name holds."""
    number = next(
        n for n, row in enumerate(rows, 1) if row.cells and row.cells[0].style == "header"
    )
    quoted = sheet.replace("'", "''")
    return f"'{quoted}'!${number}:${number}"


def cell_marks(
    issues: Iterable[Issue], sheets: Collection[str], anchor: Callable[[str, str], str]
) -> list[CellMark]:
    """The mark of every cell that has issues, on the ``sheets`` the copy holds.

    A cell inside a merged range is marked on ``anchor(sheet, cell)``, the range's top-left
    cell (which Excel shows for the whole range, and the only one that can hold a comment).
    """
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.cell and issue.sheet in sheets:
            by_cell[(issue.sheet, anchor(issue.sheet, issue.cell))].append(issue)
    marks = []
    for (sheet, cell), found in by_cell.items():
        text = "\n".join(clean_text(f"【{i.severity.label}】{i.message}") for i in found)
        rgb = RED_RGB if any(i.is_error for i in found) else AMBER_RGB
        marks.append(CellMark(sheet, cell, rgb, text, 320, min(60 + 40 * len(found), 400)))
    return marks
