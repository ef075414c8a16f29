"""fuling_batch: 涪陵区国有企业党组织规范化建设考核 — validate score sheets, grade, summarise, notify."""

from typing import TYPE_CHECKING, Any

from .config import Config, GradingConfig, NoticeConfig, load_config
from .creditcode import is_valid as is_valid_credit_code
from .errors import ConfigError, FulingError, OutputError, StandardError, TemplateError, UsageError
from .issues import Issue, Severity
from .models import FileReport, FileStatus, Grade, GradeResult, Header, ItemScore, ScoreSheet
from .standard import Item, Line, Part, Section, Standard, load_standard

__version__ = "0.1.0"

# The stages below pull in openpyxl, xlsxwriter, python-docx and docxtpl; they are imported on
# first use so that ``import fuling_batch`` (and every CLI start) stays fast.
_LAZY = {
    "run": "pipeline",
    "RunOutcome": "pipeline",
    "check_folder": "intake",
    "write_returned_copies": "returned",
    "grade": "grading",
    "History": "history",
    "default_history_path": "history",
    "import_results": "history_import",
    "ImportOutcome": "history_import",
    "write_summary": "summary",
    "summary_filename": "summary",
    "write_notices": "notices",
    "check_template": "notices",
    "NoticeRecord": "notices",
    "build_notice_template": "notice_template",
    "write_template": "template",
    "write_prefilled": "roster",
    "RosterOutcome": "roster",
    "report_data": "report",
}

if TYPE_CHECKING:
    from .grading import grade
    from .history import History, default_history_path
    from .history_import import ImportOutcome, import_results
    from .intake import check_folder
    from .notice_template import build_notice_template
    from .notices import NoticeRecord, check_template, write_notices
    from .pipeline import RunOutcome, run
    from .report import report_data
    from .returned import write_returned_copies
    from .roster import RosterOutcome, write_prefilled
    from .summary import summary_filename, write_summary
    from .template import write_template


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fuling_batch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "Config",
    "ConfigError",
    "FileReport",
    "FileStatus",
    "FulingError",
    "Grade",
    "GradeResult",
    "GradingConfig",
    "Header",
    "History",
    "ImportOutcome",
    "Issue",
    "Item",
    "ItemScore",
    "Line",
    "NoticeConfig",
    "NoticeRecord",
    "OutputError",
    "Part",
    "RosterOutcome",
    "RunOutcome",
    "ScoreSheet",
    "Section",
    "Severity",
    "Standard",
    "StandardError",
    "TemplateError",
    "UsageError",
    "__version__",
    "build_notice_template",
    "check_folder",
    "check_template",
    "default_history_path",
    "grade",
    "import_results",
    "is_valid_credit_code",
    "load_config",
    "load_standard",
    "report_data",
    "run",
    "summary_filename",
    "write_notices",
    "write_prefilled",
    "write_returned_copies",
    "write_summary",
    "write_template",
]
