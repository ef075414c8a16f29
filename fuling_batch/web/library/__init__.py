"""The web layer's one door into the library: every call to the real work goes through here.

``yearly`` holds the yearly job (checking, running, returned copies, outputs, history) and
``record`` the year as an official record (签发, the 整改 ledger). Each calls the library's
own functions as the command line calls them, on the data folder's folders, and turns what
they return into plain data for the pages. When the library's API changes, this package is
the one to adapt; nothing else in ``web`` calls the library.
"""

from .record import (
    LedgerRejected,
    LedgerRow,
    close_entry,
    export_ledger,
    import_ledger_file,
    issue_notices,
    issued_files,
    ledger,
    page_words,
    receive_report,
    rectify_files,
    register,
    reopen_entry,
    send_reminders,
)
from .yearly import (
    Checks,
    Outputs,
    RunFewer,
    RunLocked,
    RunSummary,
    config_for,
    enterprise_rows,
    history_records,
    identity,
    import_history,
    outputs,
    pdf_available,
    read_report,
    returnable,
    returned_copy,
    run_year,
    section_caps,
)

__all__ = [
    "Checks",
    "LedgerRejected",
    "LedgerRow",
    "Outputs",
    "RunFewer",
    "RunLocked",
    "RunSummary",
    "close_entry",
    "config_for",
    "enterprise_rows",
    "export_ledger",
    "history_records",
    "identity",
    "import_history",
    "import_ledger_file",
    "issue_notices",
    "issued_files",
    "ledger",
    "outputs",
    "page_words",
    "pdf_available",
    "read_report",
    "receive_report",
    "rectify_files",
    "register",
    "reopen_entry",
    "returnable",
    "returned_copy",
    "run_year",
    "section_caps",
    "send_reminders",
]
