"""The year as an official record through the door: 签发 and the 整改 ledger.

The issue and rectification functions are the library's own, called as ``fuling-batch issue``
and ``fuling-batch rectify …`` call them, on the data folder's history and output folders.
Their messages name the command line's commands and options; here they are put in the page's
words (the buttons an operator sees).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...config import Config
from ...errors import UsageError
from ...history.store import History
from ...rectify import LedgerRejected
from ...rules.numbering import Entry
from ..workspace import Workspace
from .yearly import listing

if TYPE_CHECKING:
    from ...issuing import IssueOutcome
    from ...rectify import LedgerImport, Reminder, StatusRow
    from ...rules.rectification import Rectification

__all__ = [
    "LedgerRejected",
    "LedgerRow",
    "close_entry",
    "export_ledger",
    "import_ledger_file",
    "issue_notices",
    "issued_files",
    "ledger",
    "page_words",
    "receive_report",
    "rectify_files",
    "register",
    "reopen_entry",
    "send_reminders",
]

# The library's messages name the command line's commands and options; the page names its own.
_PAGE_WORDS = (
    (re.compile(r"请先运行 fuling-batch run … --year \d+"), "请先在“处理”页处理本年度评分表"),
    (re.compile(r"（请先运行 fuling-batch issue）"), "（请先在“签发”页签发通知书）"),
    (re.compile(r"（可用 fuling-batch rectify status 查看全部）"), "（“整改”页列出了全部企业）"),
    (re.compile(r"请先用 rectify receive 记录报送"), "请先“登记报送”"),
    (re.compile(r"请先 reopen"), "请先“撤销销号”"),
    (re.compile(r"请用 --by 写明审核人（销号人）"), "请填写审核人（销号人）"),
)


def page_words(text: str) -> str:
    for pattern, words in _PAGE_WORDS:
        text = pattern.sub(words, text)
    return text


@contextmanager
def _worded() -> Iterator[None]:
    """The library's refusals (``UsageError``) in the page's words; the same class is kept
    when nothing needs rewording (``LedgerRejected`` keeps its located issues)."""
    try:
        yield
    except UsageError as exc:
        worded = page_words(str(exc))
        if worded == str(exc):
            raise
        raise UsageError(worded) from exc


@contextmanager
def _history(workspace: Workspace, year: int) -> Iterator[History]:
    """The history database for a change (there is none before the first run)."""
    if not workspace.history_path.is_file():
        raise UsageError(f"{year}年度还没有考核结果，请先在“处理”页处理本年度评分表")
    with _worded(), History(workspace.history_path) as history:
        yield history


def register(workspace: Workspace, year: int) -> list[Entry]:
    """The year's 发文登记, in number order (empty before the first run)."""
    if not workspace.history_path.is_file():
        return []
    with History(workspace.history_path) as history:
        return history.register(year)


def issue_notices(
    workspace: Workspace, year: int, config: Config, day: dt.date, due: dt.date | None
) -> IssueOutcome:
    """签发: the year's drafts issued on ``day``."""
    from ...issuing import issue_year

    if not workspace.history_path.is_file():
        raise UsageError(f"{year}年度还没有考核结果，请先在“处理”页处理本年度评分表")
    with _worded():
        return issue_year(
            year,
            workspace.outputs,
            day=day,
            due=due,
            history_path=workspace.history_path,
            config=config,
        )


def issued_files(workspace: Workspace, year: int) -> list[Path]:
    from ...issuing import ISSUED_DIR

    return list(listing(workspace.year_dir(year) / ISSUED_DIR))


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 整改 table: the library's status row, how the library finds the
    enterprise again (its credit code, else its name), and its attachments."""

    status: StatusRow
    code: str
    files: list[tuple[str, str]]  # (stored path under the year's folder, original name)


def ledger(workspace: Workspace, year: int, today: dt.date) -> list[LedgerRow]:
    from ...history.rectifications import files_of
    from ...rectify import status

    if not workspace.history_path.is_file():
        return []
    with History(workspace.history_path) as history:
        return [
            LedgerRow(
                row,
                row.entry.credit_code or row.entry.enterprise,
                [(path, original) for path, original, _ in files_of(history, row.entry.id)],
            )
            for row in status(history, year, today)
        ]


def receive_report(
    workspace: Workspace, year: int, code: str, day: dt.date, files: Sequence[Path]
) -> Rectification:
    from ...rectify import receive

    with _history(workspace, year) as history:
        return receive(history, workspace.year_dir(year), year, code, day=day, files=files)


def close_entry(
    workspace: Workspace, year: int, code: str, by: str, day: dt.date, note: str
) -> Rectification:
    from ...rectify import close

    with _history(workspace, year) as history:
        return close(history, year, code, by=by, day=day, note=note)


def reopen_entry(workspace: Workspace, year: int, code: str, note: str) -> Rectification:
    from ...rectify import reopen

    with _history(workspace, year) as history:
        return reopen(history, year, code, note=note)


def import_ledger_file(workspace: Workspace, path: Path, year: int) -> LedgerImport:
    """The office's 台账 read in; ``LedgerRejected`` (with located issues) records nothing."""
    from ...rectify import import_ledger

    with _history(workspace, year) as history:
        return import_ledger(history, path, year)


def export_ledger(workspace: Workspace, year: int, today: dt.date, config: Config) -> Path:
    from ...history.rectifications import files_of
    from ...rectify import ledger_filename, status, write_ledger

    with _history(workspace, year) as history:
        rows = status(history, year, today)
        files = {r.entry.id: len(files_of(history, r.entry.id)) for r in rows}
        target = workspace.year_dir(year) / ledger_filename(year)
        return write_ledger(target, year, rows, files, today, config.notices)


def send_reminders(
    workspace: Workspace, year: int, today: dt.date, config: Config
) -> tuple[list[Reminder], Path | None]:
    """催办: a notice for each overdue enterprise, and their list."""
    from ...rectify import send_reminders as send

    with _history(workspace, year) as history:
        return send(history, workspace.year_dir(year), year, today, config)


def rectify_files(workspace: Workspace, year: int) -> tuple[Path | None, list[Path]]:
    """The 整改台账 last exported, and the 催办通知 and their lists, newest list first."""
    from ...rectify import ledger_filename
    from ...rectify.remind import REMINDERS_DIR

    ledger_file = workspace.year_dir(year) / ledger_filename(year)
    reminders = sorted(
        listing(workspace.year_dir(year) / REMINDERS_DIR),
        key=lambda p: (
            p.suffix != ".xlsx",
            -p.stat().st_mtime if p.suffix == ".xlsx" else 0,
            p.name,
        ),
    )
    return (ledger_file if ledger_file.is_file() else None), reminders
