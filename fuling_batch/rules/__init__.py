"""The rules: the scoring standard as data, grading, identity across years, and the data types
that flow between the stages. Every other package builds on this one; it imports none of them."""

from .consequences import consequences_for, fail_streak
from .creditcode import is_valid as is_valid_credit_code
from .grading import grade, grade_by_total
from .issues import Issue, Severity
from .models import FileReport, FileStatus, Grade, GradeResult, Header, ItemScore, ScoreSheet
from .standard import Item, Line, Part, Section, Standard, load_standard

__all__ = [
    "FileReport",
    "FileStatus",
    "Grade",
    "GradeResult",
    "Header",
    "Issue",
    "Item",
    "ItemScore",
    "Line",
    "Part",
    "ScoreSheet",
    "Section",
    "Severity",
    "Standard",
    "consequences_for",
    "fail_streak",
    "grade",
    "grade_by_total",
    "is_valid_credit_code",
    "load_standard",
]
