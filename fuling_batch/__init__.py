"""fuling_batch: 涪陵区国有企业党组织规范化建设考核 — validate score sheets, grade, summarise, notify."""

from .config import Config, GradingConfig, NoticeConfig, load_config
from .creditcode import is_valid as is_valid_credit_code
from .errors import ConfigError, FulingError, OutputError, StandardError, TemplateError, UsageError
from .issues import Issue, Severity
from .models import FileReport, FileStatus, Grade, GradeResult, Header, ItemScore, ScoreSheet
from .standard import Item, Line, Part, Section, Standard, load_standard

__version__ = "0.1.0"

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
    "Issue",
    "Item",
    "ItemScore",
    "Line",
    "NoticeConfig",
    "OutputError",
    "Part",
    "ScoreSheet",
    "Section",
    "Severity",
    "Standard",
    "StandardError",
    "TemplateError",
    "UsageError",
    "__version__",
    "is_valid_credit_code",
    "load_config",
    "load_standard",
]
