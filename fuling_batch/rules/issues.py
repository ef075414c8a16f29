"""Problems found in input files, as data.

A finding never stops the batch: checks return :class:`Issue` values, the pipeline collects
them per file, and a file with any ``error`` is rejected while the others go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

__all__ = ["Issue", "Severity", "has_errors", "located"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        """How the severity reads to the operator, on the terminal, the summary and returned copies."""
        return "错误" if self is Severity.ERROR else "警告"


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: where it is (file, sheet, A1 cell), how bad, a stable code, and how to fix it.

    ``code`` is stable across releases (tests and other programs match on it); ``message`` is
    Chinese text for the operator that says what was found and what is allowed.
    """

    severity: Severity
    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    # For the maintainers, never shown to the operator: the traceback of a program error,
    # or what a library or the system said in English.
    detail: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def where(self) -> str:
        """``文件 › 工作表 › 单元格`` for people, omitting what is not known."""
        return " › ".join(part for part in (self.file, self.sheet, self.cell) if part)

    def to_json(self) -> dict[str, Any]:
        """As report.json holds it (docs/architecture.md); the file is its enclosing entry's."""
        data = asdict(self)
        data.pop("file")
        if not self.detail:
            data.pop("detail")
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def error(cls, code: str, message: str, **where: str) -> Issue:
        return cls(Severity.ERROR, code, message, **where)

    @classmethod
    def warning(cls, code: str, message: str, **where: str) -> Issue:
        return cls(Severity.WARNING, code, message, **where)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(issue.is_error for issue in issues)


def located(issues: Iterable[Issue], file: str, sheet: str | None = None) -> tuple[Issue, ...]:
    """Fill in the file (and sheet, where the check did not know it) of a batch of findings."""
    return tuple(replace(issue, file=file, sheet=issue.sheet or (sheet or "")) for issue in issues)
