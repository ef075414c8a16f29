"""fuling_batch: 涪陵区国有企业党组织规范化建设考核 — validate score sheets, grade, summarise, notify."""

from typing import TYPE_CHECKING, Any

from .config import Config, GradingConfig, NoticeConfig, load_config
from .errors import ConfigError, FulingError, OutputError, StandardError, TemplateError, UsageError
from .rules.creditcode import is_valid as is_valid_credit_code
from .rules.issues import Issue, Severity
from .rules.models import FileReport, FileStatus, Grade, GradeResult, Header, ItemScore, ScoreSheet
from .rules.standard import Item, Line, Part, Section, Standard, load_standard

__version__ = "0.1.0"

# The stages below pull in openpyxl, xlsxwriter, python-docx and docxtpl; they are imported on
# first use so that ``import fuling_batch`` (and every CLI start) stays fast.
_LAZY = {
    "run": "pipeline",
    "RunOutcome": "pipeline",
    "check_folder": "intake",
    "write_returned_copies": "forms",
    "grade": "rules",
    "History": "history",
    "default_history_path": "history",
    "import_results": "history",
    "ImportOutcome": "history",
    "write_summary": "summary",
    "summary_filename": "summary",
    "write_notices": "notices",
    "check_template": "notices",
    "NoticeRecord": "notices",
    "build_notice_template": "notices",
    "write_template": "forms",
    "write_prefilled": "forms",
    "RosterOutcome": "forms",
    "report_data": "report",
}

if TYPE_CHECKING:
    from .forms import RosterOutcome, write_prefilled, write_returned_copies, write_template
    from .history import History, ImportOutcome, default_history_path, import_results
    from .intake import check_folder
    from .notices import NoticeRecord, build_notice_template, check_template, write_notices
    from .pipeline import RunOutcome, run
    from .report import report_data
    from .rules import grade
    from .summary import summary_filename, write_summary


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
