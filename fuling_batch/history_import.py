"""Import an earlier year's results from a spreadsheet, for the first year of use.

Any workbook with a header row holding 统一社会信用代码 (or 企业名称), 总分 and 等次 (or 最终等次)
is accepted, including the district summary workbook this tool writes: its title row above
the header, and its totals rows at the bottom, are recognised and ignored. Bad rows become
error :class:`Issue` values located to the sheet and cell, and are not imported.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import python_calamine

from .creditcode import normalize, problem
from .errors import UsageError
from .history import History, ImportedRecord
from .issues import Issue
from .models import Grade
from .safety import column_letter
from .values import compact_text

__all__ = ["HEADER_SCAN_ROWS", "ImportOutcome", "import_results"]

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
        grid_by_sheet = _read(path)
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        return ImportOutcome(
            year,
            0,
            (_error("import_unreadable", f"无法读取该文件：{exc}。请另存为 .xlsx 后重试", file),),
        )

    found = _find_table(grid_by_sheet)
    if found is None:
        return ImportOutcome(
            year,
            0,
            (
                _error(
                    "import_no_header",
                    f"前{HEADER_SCAN_ROWS}行中没有找到表头：需要“统一社会信用代码”（或“企业名称”）、"
                    "“总分”和“等次”（或“最终等次”）列",
                    file,
                ),
            ),
        )
    sheet, header_row, columns = found
    records, issues = _parse_rows(grid_by_sheet[sheet], header_row, columns, year, file, sheet)
    if not records:
        if not any(issue.is_error for issue in issues):
            issues.append(_error("import_empty", "表头下没有可导入的数据行", file, sheet))
        return ImportOutcome(year, 0, tuple(issues))

    skipped = history.replace_imported(
        year,
        [record for record, _ in records],
        source_file=file,
        source_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        run_time=datetime.now().astimezone(),
    )
    cells = {record.key: cell for record, cell in records}
    for key in skipped:
        issues.append(
            Issue.warning(
                "import_kept_run",
                f"{year}年已有根据评分表生成的“{key}”结果，保留该结果，未用导入行覆盖",
                file=file,
                sheet=sheet,
                cell=cells[key],
            )
        )
    return ImportOutcome(year, len(records) - len(skipped), tuple(issues))


def results_table_sheet(data: bytes) -> str | None:
    """The sheet of a workbook that holds a results table (企业 with 总分 and 等次), or None.

    Lets intake tell a results or summary workbook dropped among the score sheets from a
    broken score sheet, and point the operator to ``history import`` instead.
    """
    try:
        found = _find_table(_read(io.BytesIO(data)))
    except python_calamine.CalamineError:
        return None
    return found[0] if found else None


def _read(source: Path | io.BytesIO) -> dict[str, list[list[Any]]]:
    workbook = (
        python_calamine.CalamineWorkbook.from_filelike(source)
        if isinstance(source, io.BytesIO)
        else python_calamine.CalamineWorkbook.from_path(str(source))
    )
    try:
        # skip_empty_area=False: rows and columns start at A1, so indexes map to cell addresses.
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    finally:
        workbook.close()


def _text(value: Any) -> str:
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
        hit = _role(_text(value))
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], col)
    return {role: col for role, (_, col) in best.items()}


def _qualifies(columns: dict[str, int]) -> bool:
    return ("code" in columns or "name" in columns) and "total" in columns and "grade" in columns


def _find_table(
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

        if not any(_text(value) for value in row):
            break  # the table ends at the first blank row; notes may follow
        code_text = normalize(_text(cell("code")))
        name = str(cell("name") or "").strip()
        grade_text = _text(cell("grade"))
        if (
            not code_text
            and grade_text not in _GRADES
            and all(not t or _SUMMARY_ROW.match(t) for t in (_text(cell("rank")), _text(name)))
        ):
            continue  # a totals/count row of a summary workbook, not an enterprise

        row_issues: list[Issue] = []
        if code_text:
            why = problem(code_text)
            if why:
                row_issues.append(
                    Issue.error("import_bad_code", f"{why}；该行未导入", **where("code"))
                )
        elif not name:
            role = "code" if "code" in columns else "name"
            row_issues.append(
                Issue.error(
                    "import_no_identity",
                    "该行既没有统一社会信用代码也没有企业名称，未导入",
                    **where(role),
                )
            )
        total = _number(cell("total"))
        if total is None or not 0 <= total <= 100:
            row_issues.append(
                Issue.error(
                    "import_bad_total",
                    f"总分“{_text(cell('total'))}”无效，应为0到100之间的数字；该行未导入",
                    **where("total"),
                )
            )
        if grade_text not in _GRADES:
            row_issues.append(
                Issue.error(
                    "import_bad_grade",
                    f"等次“{grade_text}”无效，应为合格、基本合格或不合格；该行未导入",
                    **where("grade"),
                )
            )
        if "year" in columns and _text(cell("year")):
            stated = _number(cell("year"))
            if stated != year:
                row_issues.append(
                    Issue.error(
                        "import_wrong_year",
                        f"考核年度为“{_text(cell('year'))}”，与导入年度{year}不符；该行未导入",
                        **where("year"),
                    )
                )
        key = code_text or name
        if not row_issues and key in seen:
            row_issues.append(
                Issue.error(
                    "import_duplicate",
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).removesuffix("分")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number else None  # NaN is not a score


def _error(code: str, message: str, file: str, sheet: str = "") -> Issue:
    return Issue.error(code, message, file=file, sheet=sheet)
