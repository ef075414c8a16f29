"""Import an earlier year's results from a spreadsheet, for the first year of use.

Any workbook with a header row holding 统一社会信用代码 (or 企业名称), 总分 and 等次 (or 最终等次)
is accepted, including the district summary workbook this tool writes: its title row above
the header, and its totals rows at the bottom, are recognised and ignored. Bad rows become
error :class:`Issue` values located to the sheet and cell, and are not imported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..intake.results_table import HEADER_SCAN_ROWS, cell_text, find_table, read_grids
from ..intake.safety import column_letter
from ..intake.workbook import READ_ERRORS, open_workbook, why_unreadable
from ..rules.creditcode import normalize, problem
from ..rules.issues import Issue
from ..rules.models import Grade
from .store import History, ImportedRecord

__all__ = ["HEADER_SCAN_ROWS", "ImportOutcome", "import_results"]


# Names of totals/count rows under the table (合计、平均分、合格：5家、不合格率 …).
_SUMMARY_ROW = re.compile(
    r"^(区|全区|全部)?(合计|总计|小计|共计|平均分?|平均值|统计|汇总|合格|基本合格|不合格|合格率|不合格率"
    r"|.{0,8}(家数|数量|占比|比例|企业数))([:：(（].*|\d.*|家.*)?$"
)
_GRADES = frozenset(grade.value for grade in Grade)


@dataclass(frozen=True)
class ImportOutcome:
    """How many rows were stored for ``year``, and the findings about the rest."""

    year: int
    imported: int
    issues: tuple[Issue, ...]


def import_results(history: History, path: Path, year: int) -> ImportOutcome:
    """Load an earlier year's results from ``path`` (.xlsx/.xls) into ``history`` for ``year``.

    Good rows replace that year's imported rows in one transaction; if there is no good row,
    nothing changes. Rows written by a run from score sheets are kept (a warning says so).
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到要导入的文件 {path}")
    file = path.name
    try:
        # Through the same bounds as every score sheet: a results file comes from people too.
        book = open_workbook(path)
        grid_by_sheet = read_grids(book)
    except READ_ERRORS as exc:
        why = why_unreadable(exc)
        issue = Issue.error("IMPORT_UNREADABLE", why.message, file=file, detail=why.detail)
        return ImportOutcome(year, 0, (issue,))

    found = find_table(grid_by_sheet)
    if found is None:
        return ImportOutcome(
            year,
            0,
            (
                _error(
                    "IMPORT_NO_HEADER",
                    f"前{HEADER_SCAN_ROWS}行中没有找到表头：需要“统一社会信用代码”（或“企业名称”）、"
                    "“总分”和“等次”（或“最终等次”）列",
                    file,
                ),
            ),
        )
    sheet, header_row, columns = found
    records, issues = _parse_rows(grid_by_sheet[sheet], header_row, columns, year, file, sheet)
    issues[:0] = _title_year(grid_by_sheet[sheet][:header_row], sheet, year, file)
    if not records:
        if not any(issue.is_error for issue in issues):
            issues.append(_error("IMPORT_EMPTY", "表头下没有可导入的数据行", file, sheet))
        return ImportOutcome(year, 0, tuple(issues))

    skipped = history.replace_imported(
        year,
        [record for record, _ in records],
        source_file=file,
        source_sha256=hashlib.sha256(book.data).hexdigest(),
        run_time=datetime.now().astimezone(),
    )
    cells = {record.key: cell for record, cell in records}
    for key in skipped:
        issues.append(
            Issue.warning(
                "IMPORT_KEPT_RUN",
                f"{year}年已有根据评分表生成的“{key}”结果，保留该结果，未用导入行覆盖",
                file=file,
                sheet=sheet,
                cell=cells[key],
            )
        )
    return ImportOutcome(year, len(records) - len(skipped), tuple(issues))


def _parse_rows(
    grid: list[list[Any]],
    header_row: int,
    columns: dict[str, int],
    year: int,
    file: str,
    sheet: str,
) -> tuple[list[tuple[ImportedRecord, str]], list[Issue]]:
    """Good rows, each with the A1 cell that identifies it, and the findings about the rest."""
    records: list[tuple[ImportedRecord, str]] = []
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for index in range(header_row + 1, len(grid)):
        row = grid[index]

        def cell(role: str, row: list[Any] = row) -> Any:
            col = columns.get(role)
            return row[col] if col is not None and col < len(row) else ""

        def where(role: str, index: int = index) -> dict[str, str]:
            return {
                "file": file,
                "sheet": sheet,
                "cell": f"{column_letter(columns[role])}{index + 1}",
            }

        if not any(cell_text(value) for value in row):
            break  # the table ends at the first blank row; notes may follow
        code_text = normalize(cell_text(cell("code")))
        name = str(cell("name") or "").strip()
        grade_text = cell_text(cell("grade"))
        if (
            not code_text
            and grade_text not in _GRADES
            and all(
                not t or _SUMMARY_ROW.match(t) for t in (cell_text(cell("rank")), cell_text(name))
            )
        ):
            continue  # a totals/count row of a summary workbook, not an enterprise

        row_issues: list[Issue] = []
        if code_text:
            why = problem(code_text)
            if why:
                row_issues.append(
                    Issue.error("IMPORT_BAD_CODE", f"{why}；该行未导入", **where("code"))
                )
        elif not name:
            role = "code" if "code" in columns else "name"
            row_issues.append(
                Issue.error(
                    "IMPORT_NO_IDENTITY",
                    "该行既没有统一社会信用代码也没有企业名称，未导入",
                    **where(role),
                )
            )
        total = _number(cell("total"))
        if total is None or not 0 <= total <= 100:
            row_issues.append(
                Issue.error(
                    "IMPORT_BAD_TOTAL",
                    f"总分“{cell_text(cell('total'))}”无效，应为0到100之间的数字；该行未导入",
                    **where("total"),
                )
            )
        if grade_text not in _GRADES:
            row_issues.append(
                Issue.error(
                    "IMPORT_BAD_GRADE",
                    f"等次“{grade_text}”无效，应为合格、基本合格或不合格；该行未导入",
                    **where("grade"),
                )
            )
        if "year" in columns and cell_text(cell("year")):
            stated = _number(cell("year"))
            if stated != year:
                row_issues.append(
                    Issue.error(
                        "IMPORT_WRONG_YEAR",
                        f"考核年度为“{cell_text(cell('year'))}”，与导入年度{year}不符；该行未导入",
                        **where("year"),
                    )
                )
        key = code_text or name
        if not row_issues and key in seen:
            row_issues.append(
                Issue.error(
                    "IMPORT_DUPLICATE",
                    f"“{key}”在第{seen[key]}行已出现，同一企业只能有一行；该行未导入",
                    **where("code" if code_text else "name"),
                )
            )
        if row_issues:
            issues.extend(row_issues)
            continue
        assert total is not None
        seen[key] = str(index + 1)
        records.append(
            (
                ImportedRecord(
                    key=key,
                    credit_code=code_text,
                    enterprise=name,
                    total=total,
                    grade=Grade(grade_text),
                    party_org=str(cell("party_org") or "").strip(),
                    secretary=str(cell("secretary") or "").strip(),
                    admin_head=str(cell("admin_head") or "").strip(),
                ),
                where("code" if code_text else "name")["cell"],
            )
        )
    return records, issues


_TITLE_YEAR = re.compile(r"(20\d\d)\s*年")


def _title_year(title_rows: list[list[Any]], sheet: str, year: int, file: str) -> list[Issue]:
    """A warning when the title above the table (else the sheet's name) names only other years
    than ``year``: ``history import 2026年度汇总表.xlsx --year 2025`` is most likely a typo."""
    for r, row in enumerate(title_rows):
        for c, value in enumerate(row):
            text = cell_text(value)
            named = {int(y) for y in _TITLE_YEAR.findall(text)}
            if named and year not in named:
                return [
                    _title_warning(text, named, year, file, sheet, f"{column_letter(c)}{r + 1}")
                ]
            if named:
                return []
    named = {int(y) for y in _TITLE_YEAR.findall(sheet)}
    if named and year not in named:
        return [_title_warning(f"工作表“{sheet}”", named, year, file, sheet, "")]
    return []


def _title_warning(
    title: str, named: set[int], year: int, file: str, sheet: str, cell: str
) -> Issue:
    years = "、".join(str(y) for y in sorted(named))
    return Issue.warning(
        "IMPORT_TITLE_YEAR",
        f"文件标题“{title}”写的是{years}年，与导入年度{year}不符；已按{year}年度导入。"
        f"如年度填错，请用 --year {min(named)} 重新导入",
        file=file,
        sheet=sheet,
        cell=cell,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = cell_text(value).removesuffix("分")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number else None  # NaN is not a score


def _error(code: str, message: str, file: str, sheet: str = "") -> Issue:
    return Issue.error(code, message, file=file, sheet=sheet)
