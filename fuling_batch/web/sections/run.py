"""处理: start the year's run in the background and watch it (the page polls every 500 ms)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...notices.context import NOTICE_KINDS
from ...rules.models import FileStatus, Grade
from ...rules.numbering import NoticeState
from ..jobs import Busy, Job
from ..library import pdf_available, read_report, register, run_year
from ..pages import message, render
from .common import NavEntry, state, year_of
from .issue import issuing

__all__ = ["NAV", "ROUTES"]

NAV = NavEntry("run", "② 处理", "/y/{year}/run")


# Findings about the whole year (report.json's run_issues), as the command line shows them:
# a missing previous year in red, files kept in 备份/ in yellow (the first few).
KEPT_SHOWN = 5


def run_issues(issues: list[tuple[str, str]]) -> dict[str, Any]:
    kept = [text for code, text in issues if code == "OUTPUT_FILE_KEPT"]
    return {
        "missing": [text for code, text in issues if code == "PREVIOUS_YEAR_MISSING"],
        "others": [
            text
            for code, text in issues
            if code not in ("OUTPUT_FILE_KEPT", "PREVIOUS_YEAR_MISSING")
        ],
        "kept": kept[:KEPT_SHOWN],
        "kept_more": max(0, len(kept) - KEPT_SHOWN),
    }


def _progress(job: Job | None) -> dict[str, Any]:
    result = job.result if job is not None else None
    found = result.run_issues if result is not None and not result.locked else []
    return {"job": job, "issues": run_issues(found)}


async def page(request: Request) -> Response:
    st, year = state(request), year_of(request)
    reports = await run_in_threadpool(st.checks.reports, year, st.config())
    counts = Counter(r.status.label for r in reports)
    report = read_report(st.workspace, year)
    done = Counter(f.get("status") for f in (report or {}).get("files", []))
    grades = Counter(r.get("final_grade") for r in (report or {}).get("results", []))
    issued = sum(
        e.state is NoticeState.ISSUED and e.kind in NOTICE_KINDS
        for e in register(st.workspace, year)
    )  # the year's notices (a 催办通知 is not the run's to change)
    last_issues = [
        (i.get("code", ""), i.get("message", "")) for i in (report or {}).get("run_issues", [])
    ]
    return render(
        request,
        "run.html",
        year=year,
        section=NAV.key,
        counts=counts,
        sheets=len(reports) - counts.get("已跳过", 0),
        last=report,
        last_files=[(s.label, done[s.value]) for s in FileStatus if done[s.value]],
        last_grades=[(str(g), grades[str(g)]) for g in Grade],
        pdf=await run_in_threadpool(pdf_available),
        issued=issued,
        last_issues=run_issues(last_issues),
        **_progress(st.jobs.get(year)),
    )


async def start(request: Request) -> Response:
    st, year = state(request), year_of(request)
    async with request.form(max_files=0, max_fields=20) as form:
        pdf = form.get("pdf") == "1"
        amend = form.get("amend") == "1"
        first_year = form.get("first_year") == "1"
        replace = form.get("replace") == "1"
    if not any(True for _ in st.workspace.files(year)):
        return message(request, 400, "还没有评分表", "请先在“评分表”页上传本年度的评分表。")
    if issuing(year):
        return message(request, 409, f"{year} 年度正在签发", "签发完成后才能重新处理，请稍候再试。")
    config = st.config()  # a broken configuration file is reported now, not in the thread
    try:
        job = st.jobs.start(
            year,
            lambda progress: run_year(
                st.workspace,
                year,
                config,
                pdf,
                progress,
                amend=amend,
                first_year=first_year,
                replace=replace,
            ),
        )
    except Busy:
        return message(
            request,
            409,
            f"{year} 年度正在处理中",
            "同一年度一次只能进行一次处理。请等待本次处理完成（进度见本页），不需要重复点击。",
        )
    return render(request, "_progress.html", year=year, status=202, **_progress(job))


async def progress(request: Request) -> Response:
    st, year = state(request), year_of(request)
    return render(request, "_progress.html", year=year, **_progress(st.jobs.get(year)))


ROUTES = [
    Route("/y/{year:int}/run", page),
    Route("/y/{year:int}/run/start", start, methods=["POST"]),
    Route("/y/{year:int}/run/progress", progress),
]
