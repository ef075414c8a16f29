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

__all__ = [
    "AMBER_RGB",
    "AUTHOR",
    "NOTE_SHEET",
    "NOTE_WIDTHS",
    "RED_RGB",
    "CellMark",
    "NoteCell",
    "cell_marks",
    "note_name",
    "note_rows",
]

NOTE_SHEET = "退回说明"
RED_RGB, AMBER_RGB = "FFFF7C80", "FFFFC000"  # errors, warnings
AUTHOR = "区国资委党委"
NOTE_WIDTHS = (8, 14, 10, 90)  # columns A to D


@dataclass(frozen=True, slots=True)
class NoteCell:
    """One cell of the 退回说明 sheet: its text and how it looks (``title``, ``header``,
    ``wrap`` or plain)."""

    text: str
    style: str = ""


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


def note_rows(report: FileReport, converted: bool = False) -> list[list[NoteCell]]:
    """The 退回说明 sheet, row by row from row 1 (an empty list is an empty row)."""
    rows = [
        [NoteCell(clean_text(f"退回修改说明：{report.path}"), "title")],
        [
            NoteCell(
                "红色单元格为错误（必须改正），橙色为警告（请核对）；鼠标移到单元格上可查看批注。改正后请重新提交。"
            )
        ],
    ]
    if converted:
        rows.append(
            [
                NoteCell(
                    "原文件为 .xls 格式，本副本已转存为 .xlsx（仅保留单元格内容），可直接在本副本上修改后提交。"
                )
            ]
        )
    rows.append([])
    rows.append(
        [NoteCell(text, "header") for text in ("类别", "工作表", "单元格", "问题及修改方法")]
    )
    for issue in report.issues:
        sheet, cell, message = map(clean_text, (issue.sheet, issue.cell, issue.message))
        rows.append(
            [
                NoteCell(issue.severity.label),
                NoteCell(sheet),
                NoteCell(cell),
                NoteCell(message, "wrap"),
            ]
        )
    return rows


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
