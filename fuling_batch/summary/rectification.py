"""上年整改情况: last year's rectification of every enterprise that received a notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

from ..rules.rectification import Rectification, RectifyState
from .writer import Column, Entry, Formats, SheetFactory, SheetWriter, finish_table, fit_width

__all__ = ["write_last_rectification"]


def write_last_rectification(
    sheet: SheetFactory,
    fmt: Formats,
    entries: Sequence[Rectification],
    today: dt.date,
    graded_now: Mapping[str, str],
) -> None:
    """One row per notice of last year, overdue first; ``graded_now`` maps last year's key to
    this year's final grade (enterprises graded again)."""
    rows = sorted(
        entries,
        key=lambda e: (e.state(today).order, -e.overdue_days(today), e.due, e.doc_number),
    )
    columns = [
        Column("序号", 5),
        Column("上年发文字号", 20),
        Column("企业名称", fit_width(["企业名称", *(e.enterprise for e in rows)], 14, 30)),
        Column("类别", 18),
        Column("整改期限", 11),
        Column("整改状态", 9),
        Column("逾期天数", 7),
        Column("报送日期", 11),
        Column("销号日期", 11),
        Column("本年度等次", 9),
    ]
    out: SheetWriter = sheet("上年整改情况", columns, freeze_cols=3)
    state_fmt = {
        RectifyState.OVERDUE: fmt.grade_fail_text,
        RectifyState.PENDING: fmt.center,
        RectifyState.RECEIVED: fmt.center,
        RectifyState.CLOSED: fmt.center,
    }

    def lines() -> Iterator[Entry]:
        for i, e in enumerate(rows, 1):
            state = e.state(today)
            values = [
                i, e.doc_number, e.enterprise, e.kind, e.due.isoformat(), str(state),
                e.overdue_days(today) or "", e.received.isoformat() if e.received else "",
                e.closed.isoformat() if e.closed else "", graded_now.get(e.key, "未参加考核"),
            ]  # fmt: skip
            formats = [fmt.int, fmt.text, fmt.wrap, fmt.text, fmt.center, state_fmt[state],
                       fmt.int, fmt.center, fmt.center, fmt.center]  # fmt: skip
            yield values, formats, e.enterprise

    finish_table(out, out.rows(out.header_row, lines()), len(columns) - 1)
