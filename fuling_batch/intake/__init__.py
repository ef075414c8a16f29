"""Intake: find the score sheets in a folder, read them safely, and check every cell.

Each file becomes a :class:`~fuling_batch.rules.models.FileReport` carrying its findings as data.
"""

from .check import FILE_LEVEL_CODES, check_file, check_folder

__all__ = ["FILE_LEVEL_CODES", "check_file", "check_folder"]
