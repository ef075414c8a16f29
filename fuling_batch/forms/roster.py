"""The enterprise roster (名册) and one pre-filled score sheet per enterprise.

The operator keeps a roster workbook (企业名称, 统一社会信用代码 and optionally 党组织名称,
党组织书记, 行政主要负责人); each row becomes a copy of the score sheet with those header values
typed in, so names and codes are typed once. A row that cannot be used is an :class:`Issue`
and gets no file; the other rows are still written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from ..errors import UsageError
from ..intake.workbook import READ_ERRORS, open_workbook, why_unreadable
from ..rules import creditcode
from ..rules.issues import Issue
from ..rules.standard import Standard, load_standard
from ..rules.text import compact_text
from ..runtime.fileio import safe_filename, unique_names
from .template import write_template

__all__ = ["ROSTER_COLUMNS", "RosterEntry", "RosterOutcome", "read_roster", "write_prefilled"]

NAME = "企业名称"
CODE = "统一社会信用代码"
# Roster columns that are copied into the score sheet's header block, by the same label.
ROSTER_COLUMNS: tuple[str, ...] = (NAME, CODE, "党组织名称", "党组织书记", "行政主要负责人")
_REQUIRED = (NAME, CODE)
_HEADER_SCAN_ROWS = 10

Cell = object


@dataclass(frozen=True)
class RosterOutcome:
    """What :func:`write_prefilled` did: the files written (roster order) and the findings."""

    written: tuple[Path, ...]
    issues: tuple[Issue, ...]


@dataclass(frozen=True)
class RosterEntry:
    """One usable roster row: its 1-based row number and header values keyed by label."""

    row: int
    values: dict[str, str]

    @property
    def name(self) -> str:
        return self.values[NAME]


def write_prefilled(
    roster: Path,
    out_dir: Path,
    year: int | None = None,
    standard: Standard | None = None,
) -> RosterOutcome:
    """Write one pre-filled score sheet per usable roster row into ``out_dir``.

    File names are ``<year>年度评分表_<企业名称>.xlsx`` (without the year part when ``year`` is
    None), made safe and unique for Windows. Raises :class:`UsageError` if ``roster`` does not
    exist; every problem inside it is returned as an issue.
    """
    standard = standard or load_standard()
    entries, issues = read_roster(roster)
    prefix = f"{year}年度评分表" if year is not None else "评分表"
    stems = unique_names([safe_filename(f"{prefix}_{entry.name}") for entry in entries])
    written: list[Path] = []
    for entry, stem in zip(entries, stems, strict=True):
        header: dict[str, str | int] = {k: v for k, v in entry.values.items() if v}
        if year is not None:
            header["考核年度"] = year
        written.append(write_template(Path(out_dir) / f"{stem}.xlsx", standard, header))
    return RosterOutcome(tuple(written), tuple(issues))


def read_roster(roster: Path) -> tuple[list[RosterEntry], list[Issue]]:
    """Read the first sheet of ``roster``: usable rows, and an issue for every unusable one."""
    roster = Path(roster)
    if not roster.is_file():
        raise UsageError(f"找不到名册文件 {roster}，请检查路径")
    file = str(roster)
    try:
        # Through the same bounds as every score sheet (intake/workbook.open_workbook).
        with open_workbook(roster).calamine() as wb:
            sheet_name = wb.sheet_names[0]
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (*READ_ERRORS, IndexError) as exc:  # IndexError: a workbook with no sheet
        why = why_unreadable(exc)
        return [], [
            Issue.error(
                "ROSTER_UNREADABLE", f"无法读取名册：{why.message}", file=file, detail=why.detail
            )
        ]
    found = _find_header(rows)
    if found is None:
        need = "、".join(_REQUIRED)
        return [], [
            Issue.error(
                "ROSTER_NO_HEADER",
                f"名册第一个工作表的前{_HEADER_SCAN_ROWS}行中找不到含“{need}”的表头行；"
                f"请在数据上方加一行表头，列名为{'、'.join(ROSTER_COLUMNS)}",
                file=file,
                sheet=sheet_name,
                cell="A1",
            )
        ]
    header_row, columns = found
    entries: list[RosterEntry] = []
    issues: list[Issue] = []
    seen_codes: dict[str, int] = {}
    for r in range(header_row + 1, len(rows)):
        cells = {label: _cell(rows[r], col) for label, col in columns.items()}
        if not any(text for text, _ in cells.values()):
            continue  # blank rows are layout, not data

        def at(label: str, r: int = r) -> dict[str, str]:
            return {"file": file, "sheet": sheet_name, "cell": xl_rowcol_to_cell(r, columns[label])}

        name, _ = cells[NAME]
        raw_code, numeric = cells[CODE]
        if not name:
            issues.append(
                Issue.error(
                    "ROSTER_MISSING_NAME",
                    f"名册第{r + 1}行缺少企业名称，未生成该行的评分表；请补填企业全称",
                    **at(NAME),
                )
            )
            continue
        code = creditcode.normalize(raw_code)
        if not code:
            issues.append(
                Issue.warning(
                    "ROSTER_MISSING_CREDIT_CODE",
                    f"名册第{r + 1}行（{name}）缺少统一社会信用代码，评分表已生成但代码为空；"
                    "请补填18位代码，否则历年结果只能按企业名称对应",
                    **at(CODE),
                )
            )
        elif (reason := creditcode.problem(code)) is not None:
            hint = (
                "（该单元格是数字格式，18位数字会被Excel截断，请将该列设为文本格式后重新输入）"
                if numeric
                else ""
            )
            issues.append(
                Issue.error(
                    "ROSTER_BAD_CREDIT_CODE",
                    f"名册第{r + 1}行（{name}）的统一社会信用代码“{raw_code}”无效：{reason}{hint}；"
                    "未生成该行的评分表，请对照营业执照改正后重新生成",
                    **at(CODE),
                )
            )
            continue
        elif code in seen_codes:
            issues.append(
                Issue.error(
                    "ROSTER_DUPLICATE_CREDIT_CODE",
                    f"名册第{r + 1}行（{name}）的统一社会信用代码{code}与第{seen_codes[code]}行"
                    "重复，未生成该行的评分表；请核对两行是否为同一企业，删除重复行或改正代码",
                    **at(CODE),
                )
            )
            continue
        else:
            seen_codes[code] = r + 1
        values = {label: text for label, (text, _) in cells.items()}
        values[CODE] = code
        entries.append(RosterEntry(r + 1, values))
    return entries, issues


def _label(value: Cell) -> str:
    """A header cell as a comparable label: half-width, no spaces."""
    if not isinstance(value, str):
        return ""
    return compact_text(value)


def _find_header(rows: Sequence[Sequence[Cell]]) -> tuple[int, dict[str, int]] | None:
    """The header row index and the column of every roster label it contains."""
    for r, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for c, value in enumerate(row):
            label = _label(value)
            if label in ROSTER_COLUMNS and label not in columns:
                columns[label] = c
        if all(label in columns for label in _REQUIRED):
            return r, columns
    return None


def _cell(row: Sequence[Cell], col: int) -> tuple[str, bool]:
    """A data cell as trimmed text, and whether Excel stored it as a number."""
    value = row[col] if col < len(row) else None
    if value is None or isinstance(value, str):
        return (value or "").strip(), False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), True
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat(), False
    return str(value).strip(), False
