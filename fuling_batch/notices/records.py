"""What the notice stage hands on: each notice's record, known before it is rendered."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .context import NoticePlan

__all__ = ["NoticeRecord", "PlannedNotice"]


@dataclass(frozen=True)
class NoticeRecord:
    """One written notice: whose it is, which kind, its 文号 and where it is."""

    key: str
    enterprise: str
    kind: str
    number: str
    path: Path


PlannedNotice = tuple[NoticePlan, NoticeRecord]
