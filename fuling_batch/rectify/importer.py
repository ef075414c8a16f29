"""``rectify import``: the office's own 整改台账 spreadsheet into the rectification register.

A header row (in the first rows of any sheet) names 统一社会信用代码 or 企业名称, and any of
报送日期, 销号日期, 审核人 and 备注. Every problem is located to its cell, as for score sheets;
if there is any, nothing is recorded (the operator fixes the sheet and imports again).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..history import History
from ..history import rectifications as store
from ..intake.results_table import HEADER_SCAN_ROWS, cell_text, read_grids
from ..intake.safety import column_letter
from ..intake.workbook import READ_ERRORS, open_workbook, why_unreadable
from ..rules.identity import identity_key
from ..rules.issues import Issue
from ..rules.rectification import Rectification

__all__ = ["LedgerImport", "LedgerRejected", "import_ledger"]

_LABELS = {
    "code": ("统一社会信用代码", "信用代码"),
    "name": ("企业名称", "单位名称"),
    "received": ("报送日期", "整改报送日期", "报告日期"),
    "closed": ("销号日期",),
    "reviewer": ("审核人", "销号人"),
    "note": ("备注",),
}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class LedgerRejected(UsageError):
    """The 台账 has problems; nothing was recorded."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(f"整改台账有 {len(issues)} 处问题，未记录任何内容；请改正后重新导入")
        self.issues = tuple(issues)


@dataclass(frozen=True)
class LedgerImport:
    """What an import recorded: the entries changed, and warnings."""

    changed: list[Rectification] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def _header(row: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(row):
        text = cell_text(value)
        for role, labels in _LABELS.items():
            if text in labels and role not in found:
                found[role] = col
    return found


def _date(value: Any) -> dt.date | str | None:
    """A date, None for an empty cell, or the text that is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return text
    return text


@dataclass
class _Row:
    entry: Rectification
    changes: dict[str, Any]


def import_ledger(
    history: History, path: Path, year: int, *, now: dt.datetime | None = None
) -> LedgerImport:
    """Read ``path`` and record its dates, reviewers and notes in one transaction."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"找不到整改台账文件 {path}")
    try:
        # Through the same bounds as every score sheet: the 台账 comes from people too.
        grids = read_grids(open_workbook(path))
    except READ_ERRORS as exc:
        why = why_unreadable(exc).message
        raise UsageError(f"无法读取整改台账 {path.name}：{why}") from exc
    found = None
    for sheet, grid in grids.items():
        for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
            columns = _header(row)
            if ("code" in columns or "name" in columns) and len(columns) >= 2:
                found = (sheet, index, columns)
                break
        if found:
            break
    if found is None:
        raise UsageError(
            f"整改台账 {path.name} 的前{HEADER_SCAN_ROWS}行中没有表头：需要“统一社会信用代码”"
            "（或“企业名称”）列，以及“报送日期”“销号日期”“审核人”“备注”中的至少一列"
        )
    sheet, header_row, columns = found
    entries = store.entries(history, year)
    rows, issues, warnings = _rows(grids[sheet], header_row, columns, entries, path.name, sheet)
    if issues:
        raise LedgerRejected(issues)
    stamp = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    with history.transaction() as conn:
        for change in rows:
            store.update(conn, change.entry, "导入台账", stamp, **change.changes)
    by_id = {e.id: e for e in store.entries(history, year)}
    return LedgerImport([by_id[change.entry.id] for change in rows], warnings)


def _rows(
    grid: list[list[Any]],
    header_row: int,
    columns: dict[str, int],
    entries: Sequence[Rectification],
    file: str,
    sheet: str,
) -> tuple[list[_Row], list[Issue], list[Issue]]:
    by_key = {e.key: e for e in entries}
    by_name = {e.enterprise: e for e in entries}
    out: list[_Row] = []
    issues: list[Issue] = []
    warnings: list[Issue] = []
    seen: set[int] = set()
    for index in range(header_row + 1, len(grid)):
        row = grid[index]

        def value(role: str, row: list[Any] = row) -> Any:
            col = columns.get(role)
            return row[col] if col is not None and col < len(row) else None

        def where(role: str, index: int = index) -> dict[str, str]:
            col = columns.get(role, columns.get("code", columns.get("name", 0)))
            return {"file": file, "sheet": sheet, "cell": f"{column_letter(col)}{index + 1}"}

        if not any(cell_text(v) for v in row):
            continue
        code, name = cell_text(value("code")), str(value("name") or "").strip()
        entry = by_key.get(identity_key(code, name)) if code else by_name.get(name)
        if entry is None:
            what = f"统一社会信用代码“{code}”" if code else f"企业名称“{name}”"
            issues.append(
                Issue.error(
                    "LEDGER_UNKNOWN_ENTERPRISE",
                    f"{what}不在本年度已印发通知书的企业中；请核对，或删除该行",
                    **where("code" if code else "name"),
                )
            )
            continue
        if entry.id in seen:
            issues.append(
                Issue.error("LEDGER_DUPLICATE", f"{entry.enterprise}在台账中出现多次，请只保留一行",
                            **where("code" if code else "name"))
            )  # fmt: skip
            continue
        seen.add(entry.id)
        changes, row_issues = _changes(entry, value, where)
        issues += row_issues
        if "closed" in changes and not (changes.get("reviewer") or entry.reviewer):
            warnings.append(
                Issue.warning(
                    "LEDGER_NO_REVIEWER",
                    f"{entry.enterprise}已填销号日期但没有审核人，建议在“审核人”列写明",
                    **where("closed"),
                )
            )
        if changes and not row_issues:
            out.append(_Row(entry, changes))
    return out, issues, warnings


def _changes(entry: Rectification, value: Any, where: Any) -> tuple[dict[str, Any], list[Issue]]:
    changes: dict[str, Any] = {}
    issues: list[Issue] = []
    dates: dict[str, dt.date | None] = {}
    for role, label in (("received", "报送日期"), ("closed", "销号日期")):
        got = _date(value(role))
        if isinstance(got, str):
            issues.append(
                Issue.error("LEDGER_BAD_DATE", f"{label}“{got}”不是日期，请填写如 2027-01-15 的日期", **where(role))
            )  # fmt: skip
            continue
        dates[role] = got
    received = dates.get("received") or entry.received
    closed = dates.get("closed")
    if received is not None and received < entry.issued:
        issues.append(
            Issue.error(
                "LEDGER_DATE_ORDER",
                f"报送日期 {received.isoformat()} 早于通知书 {entry.doc_number} 的印发日期 "
                f"{entry.issued.isoformat()}",
                **where("received"),
            )
        )
    if closed is not None:
        if received is None:
            issues.append(
                Issue.error("LEDGER_CLOSED_UNRECEIVED", "有销号日期但没有报送日期：尚未报送的整改不能销号",
                            **where("closed"))
            )  # fmt: skip
        elif closed < received:
            issues.append(
                Issue.error("LEDGER_DATE_ORDER", f"销号日期 {closed.isoformat()} 早于报送日期 "
                            f"{received.isoformat()}", **where("closed"))
            )  # fmt: skip
    if dates.get("received") and dates["received"] != entry.received:
        changes["received"] = dates["received"]
    if closed is not None and closed != entry.closed:
        changes["closed"] = closed
    for role in ("reviewer", "note"):
        text = str(value(role) or "").strip()
        if text and text != getattr(entry, role):
            changes[role] = text
    return changes, issues
