"""结果: the year's graded results from report.json — a table to sort, filter and search, and charts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...rules.models import Grade
from ...rules.standard import fmt_number
from ..charts import Chart, bar_chart
from ..library import identity, read_report, section_caps
from ..pages import is_htmx, render
from .common import NavEntry, state, year_of

__all__ = ["NAV", "ROUTES", "charts_for"]

NAV = NavEntry("results", "③ 结果", "/y/{year}/results")
GRADES = [str(g) for g in Grade]
NO_CONSEQUENCE = "无"
_GRADE_RANK = {grade: i for i, grade in enumerate(GRADES)}
_SORTS = {
    "total": lambda r: (r.get("total") or 0, r.get("enterprise", "")),
    "enterprise": lambda r: r.get("enterprise", ""),
    "code": lambda r: r.get("credit_code", ""),
    "grade": lambda r: (_GRADE_RANK.get(r.get("final_grade", ""), 9), -(r.get("total") or 0)),
}
_BUCKETS = (
    (0, 60, "60分以下"),
    (60, 70, "60–70"),
    (70, 80, "70–80"),
    (80, 90, "80–90"),
    (90, 101, "90–100"),
)


def _filtered(results: Sequence[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    grade, consequence, text = query["grade"], query["consequence"], query["q"].strip().casefold()
    out = []
    for r in results:
        if grade and r.get("final_grade") != grade:
            continue
        said = r.get("consequences") or []
        if consequence == NO_CONSEQUENCE and said:
            continue
        if consequence and consequence != NO_CONSEQUENCE and consequence not in said:
            continue
        if text and text not in f"{r.get('enterprise', '')} {r.get('credit_code', '')}".casefold():
            continue
        out.append(r)
    key = _SORTS.get(query["sort"], _SORTS["total"])
    out.sort(key=key, reverse=query["order"] == "desc")
    return out


def _query(request: Request) -> dict[str, str]:
    params = request.query_params
    sort = params.get("sort", "total")
    order = params.get("order", "desc" if sort == "total" else "asc")
    return {
        "grade": params.get("grade", ""),
        "consequence": params.get("consequence", ""),
        "q": params.get("q", "")[:100],
        "sort": sort if sort in _SORTS else "total",
        "order": "asc" if order == "asc" else "desc",
    }


def charts_for(results: Sequence[dict[str, Any]]) -> list[Chart]:
    grades = Counter(r.get("final_grade") for r in results)
    by_grade = bar_chart(
        "最终等次（家）", [(g, grades.get(g, 0), str(grades.get(g, 0))) for g in GRADES]
    )
    buckets = []
    for low, high, label in _BUCKETS:
        n = sum(1 for r in results if low <= (r.get("total") or 0) < high)
        buckets.append((label, n, str(n)))
    by_total = bar_chart("总分分布（家）", buckets)
    rates = []
    for i, (_, cap) in enumerate(section_caps()):
        scores = [r["section_scores"][i] for r in results if len(r.get("section_scores") or []) > i]
        rate = 100 * sum(scores) / (cap * len(scores)) if scores and cap else 0
        rates.append(("一二三四五六七八"[i], rate, fmt_number(round(rate, 1))))
    by_section = bar_chart("八个部分平均得分率（%）", rates, maximum=100, unit="%")
    return [by_grade, by_total, by_section]


async def page(request: Request) -> Response:
    st, year = state(request), year_of(request)
    report = read_report(st.workspace, year)
    results = (report or {}).get("results", [])
    for r in results:
        r["_key"] = identity(r.get("credit_code") or "", r.get("enterprise") or "")
    query = _query(request)
    rows = _filtered(results, query)
    consequences = sorted({c for r in results for c in r.get("consequences") or []})
    context: dict[str, Any] = {
        "year": year,
        "section": NAV.key,
        "report": report,
        "rows": rows,
        "total": len(results),
        "query": query,
        "grades": GRADES,
        "consequences": [*consequences, NO_CONSEQUENCE] if results else [],
        "sections": [name for name, _ in section_caps()],
    }
    if is_htmx(request) and request.headers.get("hx-target") == "results-table":
        return render(request, "_results_table.html", **context)
    return render(request, "results.html", charts=charts_for(results), **context)


ROUTES = [Route("/y/{year:int}/results", page)]
