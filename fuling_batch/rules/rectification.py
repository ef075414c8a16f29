"""整改: the state of an enterprise's rectification, from its dates (docs/规则说明.md, 整改).

Under 三、3 an enterprise graded 基本合格 or 不合格 must rectify and report by the deadline its
notice sets (the issue date plus ``notices.rectify_days``, or a date given at issue). The office
records when the report came in and when it was reviewed and closed (销号). The state is never
stored: it follows from those dates and today's, so that 逾期 is always up to date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Rectification", "RectifyState", "carry_over_text", "state_of"]


class RectifyState(StrEnum):
    PENDING = "待整改"
    RECEIVED = "已报送"
    OVERDUE = "逾期"
    CLOSED = "已销号"

    @property
    def order(self) -> int:
        """Overdue first, then pending, received and closed (the order of the 台账)."""
        return (RectifyState.OVERDUE, RectifyState.PENDING, RectifyState.RECEIVED,
                RectifyState.CLOSED).index(self)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rectification:
    """One enterprise's rectification for one notice, as stored."""

    id: int
    year: int
    key: str
    credit_code: str
    enterprise: str
    notice_id: int
    doc_number: str
    kind: str
    issued: dt.date
    due: dt.date
    received: dt.date | None = None
    closed: dt.date | None = None
    reviewer: str = ""
    note: str = ""

    def state(self, today: dt.date) -> RectifyState:
        return state_of(self.due, self.received, self.closed, today)

    def overdue_days(self, today: dt.date) -> int:
        """Days past the deadline without a report (0 when not overdue)."""
        if self.state(today) is not RectifyState.OVERDUE:
            return 0
        return (today - self.due).days


def state_of(
    due: dt.date, received: dt.date | None, closed: dt.date | None, today: dt.date
) -> RectifyState:
    """待整改 until the deadline passes (then 逾期), 已报送 once reported, 已销号 once closed.

    A report that came in late is 已报送 (the lateness shows in its dates, not its state).
    """
    if closed is not None:
        return RectifyState.CLOSED
    if received is not None:
        return RectifyState.RECEIVED
    return RectifyState.OVERDUE if today > due else RectifyState.PENDING


def carry_over_text(rectification: Rectification, today: dt.date) -> str:
    """How next year's summary and notice state last year's rectification."""
    year = rectification.year
    state = rectification.state(today)
    if state is RectifyState.CLOSED:
        return f"{year}年度整改已销号"
    if state is RectifyState.RECEIVED:
        late = rectification.received is not None and rectification.received > rectification.due
        return f"{year}年度整改{'逾期' if late else '已按期'}报送，尚未销号"
    if state is RectifyState.OVERDUE:
        return f"{year}年度整改逾期未报送（逾期{rectification.overdue_days(today)}天）"
    return f"{year}年度整改尚未报送（期限{rectification.due.isoformat()}）"
