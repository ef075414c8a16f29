"""Command line: parses options, calls the library, turns errors into messages and exit codes.

Each command group is a module; ``app`` holds the group, the shared options and the error
boundary. Exit statuses: docs/规则说明.md (退出状态).
"""

from . import forms, history, rectify, serve, yearly  # noqa: F401  (registers the commands)
from .app import entry, main

__all__ = ["entry", "main"]
