"""The district summary workbook for leadership (xlsxwriter)."""

from .workbook import SHEET_NAMES, LastYear, summary_filename, write_summary

__all__ = ["SHEET_NAMES", "LastYear", "summary_filename", "write_summary"]
