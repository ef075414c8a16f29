"""整改: from notice to 销号 — the rectification ledger, its import and export, and reminders."""

from .export import ledger_filename, write_ledger
from .importer import LedgerImport, LedgerRejected, import_ledger
from .ledger import MATERIALS_DIR, StatusRow, close, find, receive, reopen, status
from .remind import Reminder, send_reminders

__all__ = [
    "MATERIALS_DIR",
    "LedgerImport",
    "LedgerRejected",
    "Reminder",
    "StatusRow",
    "close",
    "find",
    "import_ledger",
    "ledger_filename",
    "receive",
    "reopen",
    "send_reminders",
    "status",
    "write_ledger",
]
