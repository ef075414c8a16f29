"""历年记录: every enterprise across the years in the history database, and earlier years' import."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...rules.models import YearRecord
from .. import uploads
from ..charts import stacked_chart
from ..library import enterprise_rows, history_records, import_history
from ..pages import message, render
from ..uploads import UploadRefused
from ..workspace import MAX_YEAR, MIN_YEAR
from .common import NavEntry, state
from .results import GRADES

__all__ = ["NAV", "ROUTES"]

NAV = NavEntry("history", "历年记录", "/history")


def _enterprises(records: list[YearRecord], text: str) -> list[dict[str, Any]]:
    by_key: dict[str, list[YearRecord]] = defaultdict(list)
    for record in records:
        by_key[record.key].append(record)
    out = []
    for key, own in by_key.items():
        latest = max(own, key=lambda r: r.year)
        names = sorted({r.enterprise for r in own if r.enterprise != latest.enterprise})
        haystack = " ".join([key, latest.credit_code, latest.enterprise, *names]).casefold()
        if text and text not in haystack:
            continue
        out.append(
            {
                "key": key,
                "enterprise": latest.enterprise,
                "former": names,
                "credit_code": latest.credit_code,
                "years": {r.year: r for r in own},
            }
        )
    out.sort(key=lambda e: str(e["enterprise"]))
    return out


async def page(request: Request) -> Response:
    st = state(request)
    records = await run_in_threadpool(history_records, st.workspace)
    text = request.query_params.get("q", "")[:100]
    years = sorted({r.year for r in records})
    counts = Counter((r.year, str(r.grade)) for r in records)
    trend = stacked_chart(
        "历年等次（家）",
        [(str(y), [(g, counts.get((y, g), 0)) for g in GRADES]) for y in years],
    )
    return render(
        request,
        "history.html",
        year=st.workspace.default_year(),
        section=NAV.key,
        years_stored=years,
        enterprises=_enterprises(records, text.strip().casefold()),
        q=text,
        trend=trend,
        has_records=bool(records),
    )


async def enterprise(request: Request) -> Response:
    st = state(request)
    key = request.query_params.get("key", "")
    rows = await run_in_threadpool(enterprise_rows, st.workspace, key)
    if not rows:
        return message(request, 404, "没有该企业的记录", "历年数据库中没有找到该企业。")
    return render(
        request,
        "enterprise.html",
        year=st.workspace.default_year(),
        section=NAV.key,
        rows=rows,
        latest=rows[-1],
        sections=list(range(1, 9)),
    )


async def import_year(request: Request) -> Response:
    st = state(request)
    limits = st.settings.limits
    async with request.form(max_files=1, max_fields=20, max_part_size=64 * 1024) as form:
        typed = str(form.get("year", "")).strip()
        upload = form.get("file")
        if not typed.isdigit() or not MIN_YEAR <= int(typed) <= MAX_YEAR:
            return message(
                request, 400, "请填写年度", f"年度应为 {MIN_YEAR} 至 {MAX_YEAR} 之间的四位数字。"
            )
        if not isinstance(upload, UploadFile) or not upload.filename:
            return message(request, 400, "没有选择文件", "请选择往年的考核结果表（.xlsx/.xls）。")
        given = upload.filename
        year = int(typed)
        if not uploads.is_sheet_name(uploads.stored_name(given)):
            return message(
                request, 400, "不是表格文件", f"“{given}”不是电子表格文件（应为 .xlsx 或 .xls）。"
            )

        def work() -> Any:
            with st.workspace.scratch() as scratch:
                got, _ = uploads.receive_file(upload.file, given, scratch, limits)
                # The importer names the file in its findings: give it its own name back.
                named = got[0].path.with_name(got[0].name)
                got[0].path.rename(named)
                return import_history(st.workspace, named, year)

        try:
            outcome = await run_in_threadpool(work)
        except UploadRefused as refused:
            return message(request, refused.status, refused.title, refused.text)
    lines = [f"{i.severity.label} · {i.where}：{i.message}" for i in outcome.issues[:30]]
    if outcome.imported:
        title = f"已导入 {year} 年度考核结果 {outcome.imported} 条。"
        kind = "warn" if outcome.issues else "ok"
    else:
        title, kind = f"没有导入任何 {year} 年度的记录，请按下列提示修改表格后重新导入。", "error"
    # The list below refreshes itself on this event (hx-trigger="history-changed from:body").
    headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "HX-Trigger": "history-changed"}
    return render(
        request, "_flash.html", headers=headers, kind=kind, title=title, text="", lines=lines
    )


ROUTES = [
    Route("/history", page),
    Route("/history/enterprise", enterprise),
    Route("/history/import", import_year, methods=["POST"]),
]
