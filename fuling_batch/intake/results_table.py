"""Find a results table (企业 with 总分 and 等次) in a workbook.

Shared by intake, which tells a results or summary workbook dropped among the score sheets
from a broken score sheet, and by ``history import``, which reads such a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import python_calamine

from ..rules.text import compact_text
from .workbook import SafeWorkbook

__all__ = [
    "HEADER_SCAN_ROWS",
    "PREFERRED_SHEET",
    "cell_text",
    "find_table",
    "read_grids",
    "results_table_sheet",
]


HEADER_SCAN_ROWS = 10


PREFERRED_SHEET = "汇总"


# Column roles and the header texts that name them, best first.
_LABELS: dict[str, tuple[str, ...]] = {
    "code": ("统一社会信用代码", "信用代码"),
    "name": ("企业名称", "单位名称"),
    "total": ("总分", "考核总分", "得分"),
    "grade": ("最终等次", "等次", "考核等次"),
    "rank": ("排名", "序号"),
    "year": ("考核年度", "年度"),
    "party_org": ("党组织名称",),
    "secretary": ("党组织书记", "书记"),
    "admin_head": ("行政主要负责人",),
}


def results_table_sheet(book: SafeWorkbook) -> str | None:
    """The sheet of a workbook that holds a results table (企业 with 总分 and 等次), or None.

    Lets intake tell a results or summary workbook dropped among the score sheets from a
    broken score sheet, and point the operator to ``history import`` instead.
    """
    try:
        found = find_table(read_grids(book))
    except python_calamine.CalamineError:
        return None
    return found[0] if found else None


def read_grids(book: SafeWorkbook) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook that passed the bounds (``intake.workbook.open_workbook``):
    nothing reads a grid from a file that did not (a single far cell is a dense grid of
    billions)."""
    workbook = book.calamine()
    try:
        # skip_empty_area=False: rows and columns start at A1, so indexes map to cell addresses.
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return compact_text(str(value))


def _role(text: str) -> tuple[str, int] | None:
    """The column role a header cell names, with its preference (0 best), or None."""
    for role, labels in _LABELS.items():
        for rank, label in enumerate(labels):
            # "总分(100分)" names 总分; "总分排名" does not.
            if text == label or text.startswith(label + "("):
                return role, rank
    return None


def _header_columns(row: Sequence[Any]) -> dict[str, int]:
    best: dict[str, tuple[int, int]] = {}
    for col, value in enumerate(row):
        hit = _role(cell_text(value))
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], col)
    return {role: col for role, (_, col) in best.items()}


def _qualifies(columns: dict[str, int]) -> bool:
    return ("code" in columns or "name" in columns) and "total" in columns and "grade" in columns


def find_table(
    grids: dict[str, list[list[Any]]],
) -> tuple[str, int, dict[str, int]] | None:
    """(sheet, header row index, column roles) of the table to import; 汇总 wins a tie."""
    candidates = []
    for sheet, grid in grids.items():
        for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
            columns = _header_columns(row)
            if _qualifies(columns):
                candidates.append((sheet, index, columns))
                break
    for candidate in candidates:
        if candidate[0].strip() == PREFERRED_SHEET:
            return candidate
    return candidates[0] if candidates else None
