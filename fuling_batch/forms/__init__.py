"""The forms sent to inspectors and back: the score template, roster pre-fills, returned
copies marked up for correction, and the sample input."""

from .returned import write_returned_copies
from .roster import RosterOutcome, write_prefilled
from .template import write_template

__all__ = ["RosterOutcome", "write_prefilled", "write_returned_copies", "write_template"]
