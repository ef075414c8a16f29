"""Returned copies (退回修改): the inspector's own workbook with every problem marked.

Each rejected sheet that could be read gets a copy under the output folder, at the same
relative path: bad cells filled red (errors) or amber (warnings), each with a comment saying
what is wrong and what is allowed, plus a sheet 退回说明 listing every finding (also those
without a cell, such as a duplicate enterprise). The input file is only read, never written.

openpyxl cannot write the legacy .xls format, so an .xls is rebuilt as an .xlsx from its cell
values (formatting is not kept) and the copy's name says so.
"""

from __future__ import annotations

import io
import traceback
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import python_calamine
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..intake.check import FILE_LEVEL_CODES
from ..intake.discover import locate
from ..intake.workbook import open_workbook
from ..rules.issues import Issue
from ..rules.models import FileReport, FileStatus
from ..rules.text import clean_text
from ..runtime.fileio import name_fits, safe_filename, write_atomic

__all__ = ["NOTE_SHEET", "XLS_SUFFIX", "write_returned_copies"]

NOTE_SHEET = "退回说明"
XLS_SUFFIX = "（由xls转存为xlsx）"
RED = PatternFill("solid", start_color="FFFF7C80", end_color="FFFF7C80")
AMBER = PatternFill("solid", start_color="FFFFC000", end_color="FFFFC000")
_AUTHOR = "区国资委党委"
_OOXML = {".xlsx", ".xlsm", ".xltx", ".xltm"}


def _mark(wb: Workbook, report: FileReport, converted: bool = False) -> None:
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in report.issues:
        if issue.cell and issue.sheet in wb.sheetnames:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    merged: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for (sheet, address), issues in by_cell.items():
        # A cell inside a merged range cannot hold a comment (openpyxl's MergedCell): the
        # range's top-left cell, which Excel shows for the whole range, carries the mark.
        merged[(sheet, _anchor(wb[sheet], address))].extend(issues)
    for (sheet, address), issues in merged.items():
        cell = wb[sheet][address]
        cell.fill = RED if any(i.is_error for i in issues) else AMBER
        text = "\n".join(clean_text(f"【{i.severity.label}】{i.message}") for i in issues)
        comment = Comment(text, _AUTHOR)
        comment.width, comment.height = 320, min(60 + 40 * len(issues), 400)
        cell.comment = comment
    _note_sheet(wb, report, converted)


def _anchor(ws: Worksheet, address: str) -> str:
    """The top-left cell of the merged range holding ``address``, or ``address`` itself."""
    for cells in ws.merged_cells.ranges:
        if address in cells:
            return str(cells.start_cell.coordinate)
    return address


def _note_sheet(wb: Workbook, report: FileReport, converted: bool = False) -> None:
    name = NOTE_SHEET
    while name in wb.sheetnames:  # a re-submitted copy already has one
        name += "_新"
    ws = wb.create_sheet(name, 0)
    ws["A1"] = clean_text(f"退回修改说明：{report.path}")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        "红色单元格为错误（必须改正），橙色为警告（请核对）；鼠标移到单元格上可查看批注。改正后请重新提交。"
    )
    if converted:
        ws["A3"] = (
            "原文件为 .xls 格式，本副本已转存为 .xlsx（仅保留单元格内容），可直接在本副本上修改后提交。"
        )
    ws.append([])
    ws.append(["类别", "工作表", "单元格", "问题及修改方法"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for issue in report.issues:
        ws.append(
            [issue.severity.label, *map(clean_text, (issue.sheet, issue.cell, issue.message))]
        )
        ws.cell(ws.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCD", (8, 14, 10, 90), strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0


def _rebuild(data: bytes) -> Workbook:
    """An .xlsx workbook holding the values of every sheet of a legacy workbook."""
    source = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for index, name in enumerate(source.sheet_names):
        ws = wb.create_sheet(name)
        try:
            rows = source.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except python_calamine.CalamineError:
            continue
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    ws.cell(r, c).value = (
                        clean_text(value, keep_breaks=True) if isinstance(value, str) else value
                    )
    source.close()
    return wb


def _returnable(report: FileReport) -> bool:
    return report.status is FileStatus.REJECTED and not any(
        issue.code in FILE_LEVEL_CODES for issue in report.issues
    )


def write_returned_copies(
    input_dir: Path, reports: Sequence[FileReport], out_dir: Path
) -> tuple[list[Path], list[Issue]]:
    """Write a marked copy of each rejected, readable sheet under ``out_dir``.

    Returns the copies written, and a finding (RETURNED_COPY_FAILED, on its file) for each copy
    that could not be made: the file changed or vanished since it was checked, or the copy
    could not be written. Inputs are opened read-only.
    """
    written: list[Path] = []
    failed: list[Issue] = []
    for report in reports:
        if not _returnable(report):
            continue
        target = Path(out_dir) / report.path
        try:
            source = locate(Path(input_dir), report.path)
            data = open_workbook(source).data  # checked as at intake: it may have changed
            suffix = source.suffix.lower()
            if suffix in _OOXML:
                wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=suffix in (".xlsm", ".xltm"))
                _mark(wb, report)
            else:
                wb = _rebuild(data)
                _mark(wb, report, converted=True)
                target = target.with_name(f"{target.stem}{XLS_SUFFIX}.xlsx")
            if not name_fits(target.name):
                # The added "（由xls转存为xlsx）" (or a long name to begin with) may not fit in
                # 255 bytes: the stem is shortened, the suffix kept.
                stem = safe_filename(target.stem, max_chars=255, suffix=target.suffix)
                target = target.with_name(f"{stem}{target.suffix}")
            written.append(write_atomic(target, wb.save))
        except Exception as exc:  # one copy must not stop the others, nor the run
            failed.append(_failure(report.path, exc))
    return written, failed


def _failure(path: str, exc: Exception) -> Issue:
    why = (
        exc.strerror
        if isinstance(exc, OSError) and exc.strerror
        else f"{type(exc).__name__}: {exc}"
    )
    return Issue.warning(
        "RETURNED_COPY_FAILED",
        f"未能生成该评分表的退回修改副本（{why}）；需修改的问题见汇总表“校验问题”工作表和 report.json",
        file=path,
        detail=traceback.format_exc(),
    )
