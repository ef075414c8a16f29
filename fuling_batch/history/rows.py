"""The rows the results table stores: made from a run's results or from an imported table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..rules.creditcode import normalize
from ..rules.identity import identity_key
from ..rules.models import Grade, GradeResult, YearRecord

__all__ = [
    "ORIGIN_IMPORT",
    "ORIGIN_RUN",
    "ImportedRecord",
    "YearRows",
    "imported_row",
    "year_records",
    "year_rows",
]

ORIGIN_RUN = "run"
ORIGIN_IMPORT = "import"


@dataclass(frozen=True, slots=True)
class ImportedRecord:
    """One enterprise's result for an earlier year, as read from a results spreadsheet."""

    key: str
    credit_code: str
    enterprise: str
    total: float
    grade: Grade
    party_org: str = ""
    secretary: str = ""
    admin_head: str = ""


@dataclass(frozen=True)
class YearRows:
    """A run's rows for its year, made before they are written (:meth:`History.write_year`)."""

    year: int
    stamp: str
    rows: list[dict[str, Any]]


def year_rows(year: int, results: Sequence[GradeResult], run_time: datetime) -> YearRows:
    """The rows :meth:`History.record_year` writes: a run makes them while its outputs are
    still being written, and writes them once they exist."""
    stamp = run_time.isoformat(timespec="seconds")
    return YearRows(year, stamp, [_result_row(year, result, stamp) for result in results])


def year_records(year: int, results: Sequence[GradeResult]) -> list[YearRecord]:
    """What :meth:`History.records` returns for ``year`` once ``results`` are recorded.

    The run writes the summary's trend sheet from these before history is written, so that
    history records a year only after its outputs were produced.
    """
    out = []
    for result in results:
        key, code = _identity(result)
        out.append(
            YearRecord(
                year, key, code, result.sheet.header.enterprise, result.total, result.final_grade
            )
        )
    out.sort(key=lambda record: record.key)  # SQLite's binary order: UTF-8 keeps code points'
    return out


def _identity(result: GradeResult) -> tuple[str, str]:
    """(key, credit code) as stored: the identity key and the normalised code."""
    header = result.sheet.header
    return identity_key(header.credit_code, header.enterprise), normalize(header.credit_code)


def _result_row(year: int, result: GradeResult, run_time: str) -> dict[str, Any]:
    header = result.sheet.header
    key, code = _identity(result)
    return {
        "year": year,
        "key": key,
        "credit_code": code,
        "enterprise": header.enterprise,
        "party_org": header.party_org,
        "secretary": header.secretary,
        "admin_head": header.admin_head,
        "section_scores": _json(
            {str(n): score for n, score in enumerate(result.section_scores, 1)}
        ),
        "item_scores": _json({s.code: s.score for s in result.sheet.scores}),
        "total": result.total,
        "raw_grade": str(result.raw_grade),
        "final_grade": str(result.final_grade),
        "triangle_not_met": _json(list(result.triangle_not_met)),
        "consequences": _json(list(result.consequences)),
        "consecutive_fail": int(result.consecutive_fail),
        "fail_streak": result.fail_streak,
        "source_file": result.sheet.path,
        "source_sha256": result.sheet.sha256,
        "run_time": run_time,
        "origin": ORIGIN_RUN,
    }


def imported_row(
    year: int, record: ImportedRecord, source_file: str, sha256: str, run_time: str
) -> dict[str, Any]:
    return {
        "year": year,
        "key": record.key,
        "credit_code": record.credit_code,
        "enterprise": record.enterprise,
        "party_org": record.party_org,
        "secretary": record.secretary,
        "admin_head": record.admin_head,
        "section_scores": "{}",
        "item_scores": "{}",
        "total": record.total,
        # An imported sheet states the final grade only; the grade by total is not known.
        "raw_grade": None,
        "final_grade": str(record.grade),
        "triangle_not_met": "[]",
        "consequences": "[]",
        "consecutive_fail": 0,
        "fail_streak": 1 if record.grade is Grade.FAIL else 0,
        "source_file": source_file,
        "source_sha256": sha256,
        "run_time": run_time,
        "origin": ORIGIN_IMPORT,
    }


# One encoder for every row: json.dumps with options builds a new one on each call.
_json = json.JSONEncoder(ensure_ascii=False).encode
