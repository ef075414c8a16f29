"""``report.json``: the machine-readable record of a run (its shape: docs/architecture.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .rules.consequences import streak_years
from .rules.issues import Issue
from .rules.models import FileReport, GradeResult
from .rules.numbering import Entry, NoticeState
from .runtime.fileio import atomic_path

__all__ = ["REPORT_NAME", "dumps", "notice_status", "report_data", "write_report"]

REPORT_NAME = "report.json"
# One encoder for every entry: json.dumps with options builds a new one on each call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def report_data(
    year: int,
    reports: Sequence[FileReport],
    results: Sequence[GradeResult],
    notices: Mapping[str, str] | None = None,
    run_issues: Sequence[Issue] = (),
    status: Mapping[str, tuple[str, str]] | None = None,
    letters: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """report.json (docs/architecture.md, report.json).

    ``letters`` maps an enterprise key to its 调整建议函 (relative, POSIX), written beside the
    notices for every 调整.
    ``notices`` maps an enterprise key to its notice path (relative, POSIX); ``run_issues`` are
    the year-level findings; ``status`` maps a key to its notice's 文号 and register state
    (:func:`notice_status`).
    """
    notices = notices or {}
    status = status or {}
    letters = letters or {}
    return {
        "year": year,
        "run_issues": [
            {"severity": str(i.severity), "code": i.code, "message": i.message} for i in run_issues
        ],
        "files": [
            {
                "path": report.path,
                "status": str(report.status),
                "issues": [issue.to_json() for issue in report.issues],
            }
            for report in reports
        ],
        "results": [
            {
                **_result(result, notices.get(result.key), status.get(result.key)),
                "letter": letters.get(result.key),
            }
            for result in results
        ],
    }


def notice_status(register: Sequence[Entry]) -> dict[str, tuple[str, str]]:
    """Each enterprise's notice in the register: its live one, else its last void one."""
    out: dict[str, tuple[str, str]] = {}
    for entry in register:  # number order: a later entry of the same state wins
        live = entry.state is not NoticeState.VOID
        if live or entry.key not in out or out[entry.key][1] == NoticeState.VOID:
            out[entry.key] = (entry.doc_number, str(entry.state))
    return out


def _result(
    result: GradeResult, notice: str | None, status: tuple[str, str] | None
) -> dict[str, Any]:
    previous = result.previous
    return {
        "credit_code": result.credit_code,
        "enterprise": result.enterprise,
        "total": result.total,
        "raw_grade": str(result.raw_grade),
        "final_grade": str(result.final_grade),
        "triangle_not_met": list(result.triangle_not_met),
        "consequences": list(result.consequences),
        "consecutive_fail": result.consecutive_fail,
        "fail_streak": result.fail_streak,
        "fail_years": streak_years(result.fail_streak, result.year) if result.fail_streak else [],
        "notice": notice,
        "notice_number": status[0] if status else None,
        "notice_state": status[1] if status else None,
        # Beyond the fields other programs rely on: what a reader needs to check the decision.
        "file": result.sheet.path,
        "section_scores": list(result.section_scores),
        "previous": None
        if previous is None
        else {"year": previous.year, "total": previous.total, "grade": str(previous.grade)},
        "explanations": list(result.explanations),
    }


def dumps(data: Mapping[str, Any]) -> str:
    """JSON with each file and each result on a line of its own.

    Readable and diffable line by line, and written by json's C encoder: an indented dump goes
    through its pure-Python encoder, which took half a second at 10,000 enterprises.
    """
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        name = _encode(key)
        if isinstance(value, list) and value:
            lines.append(f"  {name}: [")
            entries = [_encode(entry) for entry in value]
            lines.append(",\n".join(f"    {entry}" for entry in entries))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {name}: {_encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_report(path: Path, data: Mapping[str, Any] | str) -> Path:
    """Write ``data`` (or its :func:`dumps` text, made earlier) to ``path`` atomically."""
    text = data if isinstance(data, str) else dumps(data)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
