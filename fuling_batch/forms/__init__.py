"""The forms sent to inspectors and back: the score template, roster pre-fills, returned
copies marked up for correction, and the sample input.

The names below are imported when first used: a run needs only the returned copies (in
every worker that reads sheets), not the template's or the roster's modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .returned import write_returned_copies
    from .roster import RosterOutcome, write_prefilled
    from .template import write_template

__all__ = ["RosterOutcome", "write_prefilled", "write_returned_copies", "write_template"]

_HOMES = {
    "RosterOutcome": ".roster",
    "write_prefilled": ".roster",
    "write_returned_copies": ".returned",
    "write_template": ".template",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)
