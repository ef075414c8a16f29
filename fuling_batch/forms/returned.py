"""Returned copies (退回修改): the inspector's own workbook with every problem marked.

Each rejected sheet that could be read gets a copy under the output folder, at the same
relative path: bad cells filled red (errors) or amber (warnings), each with a comment saying
what is wrong and what is allowed, plus a sheet 退回说明 listing every finding (also those
without a cell, such as a duplicate enterprise). The input file is only read, never written.

An .xlsx/.xlsm/.xltx/.xltm is marked in its own package (``marking.py``): only the parts the
marks need are rewritten, every other part is copied byte for byte. That costs about as much
as reading the sheet, so a run makes the copies in the workers that read the sheets
(:class:`Staging`: each copy is staged as its sheet is checked, and put in place with the
other outputs). openpyxl cannot write the legacy .xls format (nor are .xlsb/.ods marked in
place), so such a file is rebuilt as an .xlsx from its cell values (formatting is not kept)
and the copy's name says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import shutil
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import python_calamine

from ..intake.check import FILE_LEVEL_CODES
from ..intake.discover import locate
from ..intake.workbook import open_workbook
from ..oserrors import write_reason
from ..rules.issues import Issue
from ..rules.models import FileReport, FileStatus
from ..rules.text import clean_text
from ..runtime.fileio import name_fits, safe_filename, write_atomic
from .marking import mark_package
from .notes import (
    AMBER_RGB,
    AUTHOR,
    NOTE_FOOTER,
    NOTE_MARGIN,
    NOTE_SHEET,
    NOTE_WIDTHS,
    RED_RGB,
    cell_marks,
    note_name,
    note_rows,
    print_titles,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = [
    "NOTE_SHEET",
    "STAGING_PREFIX",
    "XLS_SUFFIX",
    "Staging",
    "copy_name",
    "returned_copy",
    "staging",
    "write_returned_copies",
]

XLS_SUFFIX = "（由xls转存为xlsx）"
_OOXML = {".xlsx", ".xlsm", ".xltx", ".xltm"}
STAGING_PREFIX = ".returned-"


def __getattr__(name: str) -> Any:
    """``RED`` and ``AMBER``: the fills as openpyxl styles (openpyxl loaded only if asked)."""
    if name in ("RED", "AMBER"):
        from openpyxl.styles import PatternFill

        rgb = RED_RGB if name == "RED" else AMBER_RGB
        return PatternFill("solid", start_color=rgb, end_color=rgb)
    raise AttributeError(name)


def _rebuilt(data: bytes, report: FileReport) -> bytes:
    """An .xlsx holding the values of every sheet of a legacy workbook, marked (openpyxl)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = _rebuild(data)
    marks = cell_marks(report.issues, wb.sheetnames, lambda _sheet, cell: cell)
    for mark in marks:
        cell = wb[mark.sheet][mark.cell]
        cell.fill = PatternFill("solid", start_color=mark.rgb, end_color=mark.rgb)
        comment = Comment(mark.comment, AUTHOR)
        comment.width, comment.height = mark.width, mark.height
        cell.comment = comment
    rows = note_rows(report, converted=True)
    ws = wb.create_sheet(note_name(wb.sheetnames), 0)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrapped = Alignment(wrap_text=True, vertical="top")
    looks = {
        "title": {"font": Font(bold=True, size=13)},
        "text": {"alignment": wrapped},
        "header": {"font": Font(bold=True), "border": box, "alignment": wrapped},
        "cell": {"border": box, "alignment": wrapped},
    }
    for r, row in enumerate(rows, 1):
        for c, note in enumerate(row.cells, 1):
            target = ws.cell(r, c)
            target.value = note.text
            for attribute, value in looks[note.style].items():
                setattr(target, attribute, value)
        if row.merged:
            ws.merge_cells(row.merged)
        if row.height:
            ws.row_dimensions[r].height = row.height
    for col, width in zip("ABCD", NOTE_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws.print_title_rows = print_titles(rows, ws.title).split("!")[1].replace("$", "")
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = margins.top = margins.bottom = NOTE_MARGIN
    margins.header = margins.footer = 0.3
    ws.oddFooter.center.text = NOTE_FOOTER.removeprefix("&C")
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rebuild(data: bytes) -> Workbook:
    """An .xlsx workbook holding the values of every sheet of a legacy workbook."""
    import openpyxl

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


def _in_place(report: FileReport) -> bool:
    return Path(report.path).suffix.lower() in _OOXML


def returned_copy(data: bytes, report: FileReport) -> bytes:
    """The marked copy of the workbook ``data`` checked as ``report``."""
    return mark_package(data, report) if _in_place(report) else _rebuilt(data, report)


def copy_name(report: FileReport) -> str:
    """The returned copy's file name: the input's, or for a rebuilt one ``…（由xls转存为xlsx）.xlsx``."""
    name = Path(report.path).name
    suffix = Path(name).suffix
    if not _in_place(report):
        name, suffix = f"{Path(name).stem}{XLS_SUFFIX}.xlsx", ".xlsx"
    if not name_fits(name):
        # The added "（由xls转存为xlsx）" (or a long name to begin with) may not fit in
        # 255 bytes: the stem is shortened, the suffix kept.
        name = safe_filename(name[: -len(suffix)], max_chars=255, suffix=suffix) + suffix
    return name


def _staged_name(report: FileReport) -> str:
    """The staged copy of ``report``: named by its file and findings, so a copy made before
    the checks across files (duplicates) added a finding is not taken for the final one."""
    found = [[str(i.severity), i.code, i.message, i.sheet, i.cell] for i in report.issues]
    key = json.dumps([report.path, found], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(key).hexdigest()[:40]


@dataclass(frozen=True)
class Staging:
    """A hidden folder of returned copies made while the sheets are read (in the workers:
    ``intake.check_folder(..., after=staging)``), put in place by
    :func:`write_returned_copies`. Pickled to each worker by its path."""

    folder: Path

    def __call__(self, report: FileReport, data: bytes) -> None:
        """Stage the copy of a sheet just checked, if it is returned. Never raises: a copy
        not staged here is made again, and any failure reported, with the other outputs."""
        if not _returnable(report):
            return
        with contextlib.suppress(Exception):  # see the docstring: retried, then reported
            copy = returned_copy(data, report)
            write_atomic(self.folder / _staged_name(report), lambda p: p.write_bytes(copy))


@contextlib.contextmanager
def staging(year_dir: Path) -> Iterator[Staging]:
    """A staging folder for this run's returned copies, removed when the run ends.

    It sits in the year folder (a rename puts each copy in place), named so that a killed
    run's leftovers are removed by the next run (``runtime/runlock.LEFTOVER_PREFIXES``); it
    is only made if a copy is staged. A year folder that did not exist and is left empty is
    removed again.
    """
    made = [folder for folder in (year_dir, year_dir.parent) if not folder.exists()]
    folder = year_dir / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    try:
        yield Staging(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            for made_here in made:
                made_here.rmdir()  # only when empty


def write_returned_copies(
    input_dir: Path,
    reports: Sequence[FileReport],
    out_dir: Path,
    staged: Staging | None = None,
) -> tuple[list[Path], list[Issue]]:
    """Write a marked copy of each rejected, readable sheet under ``out_dir``.

    A copy staged while the sheet was read, for the same findings, is moved into place; any
    other is made here from the input. Returns the copies written, and a finding
    (RETURNED_COPY_FAILED, on its file) for each copy that could not be made: the file
    changed or vanished since it was checked, or the copy could not be written. Inputs are
    opened read-only.
    """
    written: list[Path] = []
    failed: list[Issue] = []
    for report in reports:
        if not _returnable(report):
            continue
        try:
            written.append(_put(input_dir, report, Path(out_dir), staged))
        except Exception as exc:  # one copy must not stop the others, nor the run
            failed.append(_failure(report.path, exc))
    return written, failed


def _put(input_dir: Path, report: FileReport, out_dir: Path, staged: Staging | None) -> Path:
    target = (out_dir / report.path).with_name(copy_name(report))
    ready = staged.folder / _staged_name(report) if staged is not None else None
    if ready is not None and ready.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(ready, target)  # staged with the outputs' permissions (write_atomic)
        return target
    source = locate(Path(input_dir), report.path)
    data = open_workbook(source).data  # checked as at intake: it may have changed
    copy = returned_copy(data, report)
    return write_atomic(target, lambda p: p.write_bytes(copy))


def _failure(path: str, exc: Exception) -> Issue:
    why = write_reason(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
    return Issue.warning(
        "RETURNED_COPY_FAILED",
        f"未能生成该评分表的退回修改副本（{why}）；需修改的问题见汇总表“校验问题”工作表和 report.json",
        file=path,
        detail=traceback.format_exc(),
    )
