"""History: the SQLite database of every year's results, and imports of earlier years."""

from .importer import ImportOutcome, import_results
from .store import History, default_history_path, year_records, year_rows

__all__ = [
    "History",
    "ImportOutcome",
    "default_history_path",
    "import_results",
    "year_records",
    "year_rows",
]
