"""The program's own failures. Problems found in inspectors' sheets are data (see issues.py)."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "FulingError",
    "OutputError",
    "StandardError",
    "TemplateError",
    "UsageError",
]


class FulingError(Exception):
    """Base class for errors the command line turns into a message and an exit status."""

    exit_code = 2


class UsageError(FulingError):
    """The command was called wrongly: a missing folder, a bad option."""


class ConfigError(UsageError):
    """The configuration file is unreadable, has an unknown key or a bad value."""


class StandardError(FulingError):
    """The scoring-standard data file is malformed or does not add up."""


class TemplateError(UsageError):
    """A notice template uses a variable the tool does not provide, or does not parse."""


class OutputError(FulingError):
    """An output file could not be written (permission, disk full, held open by Office)."""

    exit_code = 3
