"""Word notices per GB/T 9704-2012, with the 呈批表, the combined print file and PDFs."""

from .prepare import PreparedTemplate, check_template
from .records import NoticeRecord
from .render import Cancelled, StagedNotices, notice_files, stage_notices, write_notices
from .template import build_notice_template, default_notice_template

__all__ = [
    "Cancelled",
    "NoticeRecord",
    "PreparedTemplate",
    "StagedNotices",
    "build_notice_template",
    "check_template",
    "default_notice_template",
    "notice_files",
    "stage_notices",
    "write_notices",
]
