"""The data that flows between the stages: sheet → grade → history/summary/notices.

Reading produces :class:`ScoreSheet`; validation wraps it in a :class:`FileReport`;
grading turns an accepted sheet into a :class:`GradeResult`. All are frozen so that a stage
can never change what an earlier stage decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from .consequences import ADJUST_AFTER
from .grade import Grade
from .identity import identity_key
from .issues import Issue

__all__ = [
    "HEADER_LABELS",
    "FileReport",
    "FileStatus",
    "Grade",
    "GradeResult",
    "Header",
    "ItemScore",
    "PreviousRecord",
    "ScoreSheet",
    "YearRecord",
]


class FileStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        """How the status reads to the operator, on the terminal and in the summary."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    FileStatus.ACCEPTED: "已接收",
    FileStatus.REJECTED: "已退回",
    FileStatus.SKIPPED: "已跳过",
}


# The SPEC's header-block labels, in the order the template lays them out. Each has its value
# in the first cell to its right; these exact texts are the contract with the score sheet.
HEADER_LABELS: tuple[str, ...] = (
    "企业名称",
    "统一社会信用代码",
    "考核年度",
    "党组织名称",
    "党组织书记",
    "行政主要负责人",
    "考核日期",
    "考核组成员",
)


@dataclass(frozen=True, slots=True)
class Header:
    """The header block of a score sheet (SPEC: label cells with the value to their right).

    ``cells`` maps each label to the A1 address of its value cell, for messages.
    """

    enterprise: str = ""
    credit_code: str = ""
    year: int | None = None
    party_org: str = ""
    secretary: str = ""
    admin_head: str = ""
    assessed_on: str = ""
    inspectors: str = ""
    cells: Mapping[str, str] = field(default_factory=dict)


class ItemScore(NamedTuple):
    """The score of one scorable line (see ``Standard.lines``) as read from the sheet.

    A NamedTuple, not a frozen dataclass: a batch builds ~60 per sheet twice (in the worker
    that reads it and in the process that receives it), and a tuple builds several times
    faster while staying just as immutable.
    """

    code: str
    score: float
    remark: str
    cell: str
    remark_cell: str = ""


@dataclass(frozen=True)
class ScoreSheet:
    """One enterprise's filled score sheet, as read; scores in standard line order."""

    path: str
    sha256: str
    sheet: str
    header: Header
    scores: tuple[ItemScore, ...]

    @cached_property
    def by_code(self) -> Mapping[str, ItemScore]:
        return {s.code: s for s in self.scores}

    @property
    def key(self) -> str:
        """Identity across years (:func:`~fuling_batch.rules.identity.identity_key`)."""
        return identity_key(self.header.credit_code, self.header.enterprise)


@dataclass(frozen=True, slots=True)
class FileReport:
    """What happened to one input file: status, every finding, and the sheet if it was read."""

    path: str
    status: FileStatus
    issues: tuple[Issue, ...] = ()
    sheet: ScoreSheet | None = None


@dataclass(frozen=True, slots=True)
class PreviousRecord:
    """Last year's outcome for an enterprise, from the history database or an import."""

    year: int
    total: float
    grade: Grade
    enterprise: str = ""
    # The same enterprise's final grades before ``year`` (through the identity rule), oldest
    # first: what a fail streak longer than two years is counted from.
    earlier: tuple[tuple[int, Grade], ...] = ()
    key: str = ""  # the record's identity key in history (its rectification is found by it)

    def grades(self) -> dict[int, Grade]:
        """Every known final grade of the enterprise up to ``year``, by year."""
        return {**dict(self.earlier), self.year: self.grade}


@dataclass(frozen=True, slots=True)
class GradeResult:
    """The graded outcome for one enterprise, carrying its own explanation.

    ``triangle_not_met`` lists ▲ item codes (S.N) not met, and ``triangle_lines`` the scorable
    lines (the item, or parts of 4.1) that fell short under the configured rule, so that the
    summary and notices say exactly what grading decided; ``explanations`` are Chinese
    sentences saying why the grade is what it is (e.g. that ▲3.2 capped it at 基本合格).
    ``previous`` is None when the enterprise has no record last year (not "passed").
    """

    sheet: ScoreSheet
    year: int
    section_scores: tuple[float, ...]
    total: float
    raw_grade: Grade
    final_grade: Grade
    triangle_not_met: tuple[str, ...]
    triangle_lines: tuple[str, ...]
    consequences: tuple[str, ...]
    fail_streak: int  # consecutive 不合格 years ending this year (0 unless this year fails)
    previous: PreviousRecord | None
    explanations: tuple[str, ...]

    @property
    def credit_code(self) -> str:
        return self.sheet.header.credit_code

    @property
    def enterprise(self) -> str:
        return self.sheet.header.enterprise

    @property
    def key(self) -> str:
        return self.sheet.key

    @property
    def consecutive_fail(self) -> bool:
        """连续两年（或更多年）不合格: the 调整 rule applies."""
        return self.fail_streak >= ADJUST_AFTER

    @property
    def needs_notice(self) -> bool:
        return self.final_grade is not Grade.PASS


@dataclass(frozen=True, slots=True)
class YearRecord:
    """One enterprise's stored outcome for one year: what the trend sheets are drawn from."""

    year: int
    key: str
    credit_code: str
    enterprise: str
    total: float
    grade: Grade
