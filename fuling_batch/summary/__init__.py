"""The district summary workbook for leadership (xlsxwriter)."""

from .workbook import SHEET_NAMES, summary_filename, write_summary

__all__ = ["SHEET_NAMES", "summary_filename", "write_summary"]
