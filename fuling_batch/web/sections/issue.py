"""签发: the year's 发文登记, issuing the drafts on a date, and the 已印发 files."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...rules.numbering import Entry, NoticeState
from ..library import issue_notices, issued_files, outputs, register
from ..pages import message, render
from .common import NavEntry, changed, form_date, state, year_of
from .downloads import send_file, zipped

__all__ = ["NAV", "ROUTES", "issuing"]

NAV = NavEntry("issue", "⑤ 签发", "/y/{year}/issue")
EVENT = "register-changed"
# One 签发 of a year at a time (a second tab, a double click): each would archive and record
# the same drafts.
_ISSUING: dict[int, threading.Lock] = {}
_GUARD = threading.Lock()


def _lock(year: int) -> threading.Lock:
    with _GUARD:
        return _ISSUING.setdefault(year, threading.Lock())


def issuing(year: int) -> bool:
    """The year's notices are being issued now (a run must wait)."""
    return _lock(year).locked()


@dataclass(frozen=True)
class Line:
    """One row of the 发文登记 as the page shows it."""

    entry: Entry
    note: str
    issued_file: str  # its name in 已印发/, when it is there
    draft_file: str  # its name in notices/, when it is there


def _note(entry: Entry, by_id: dict[int, Entry], corrected_by: dict[int, Entry]) -> str:
    """As the summary's 发文登记 sheet says it: what corrects what, why a number is void."""
    notes = []
    if entry.replaces is not None and (old := by_id.get(entry.replaces)) is not None:
        notes.append(f"更正{old.doc_number}")
    if (new := corrected_by.get(entry.id)) is not None:
        notes.append(f"已由{new.doc_number}更正")
    elif entry.state is NoticeState.VOID:
        notes.append("不再需要（评分表已更正或处理意见已改变）")
    return "；".join(notes)


def _lines(entries: list[Entry], issued: set[str], drafts: set[str]) -> list[Line]:
    by_id = {e.id: e for e in entries}
    corrected_by = {e.replaces: e for e in entries if e.replaces is not None}
    out = []
    for e in entries:
        name = Path(e.file).name if e.file else ""
        out.append(
            Line(
                e,
                _note(e, by_id, corrected_by),
                name if e.state is not NoticeState.DRAFT and name in issued else "",
                name if e.state is NoticeState.DRAFT and name in drafts else "",
            )
        )
    return out


async def page(request: Request) -> Response:
    st, year = state(request), year_of(request)
    entries = await run_in_threadpool(register, st.workspace, year)
    files = issued_files(st.workspace, year)
    drafts = {p.name for p in outputs(st.workspace, year, None).all_notice_files()}
    counts = {s: sum(e.state is s for e in entries) for s in NoticeState}
    return render(
        request,
        "issue.html",
        year=year,
        section=NAV.key,
        lines=_lines(entries, {p.name for p in files}, drafts),
        counts=[(s.label, s.value, counts[s]) for s in NoticeState],
        drafts=counts[NoticeState.DRAFT],
        files=files,
        today=dt.date.today().isoformat(),
        rectify_days=st.config().notices.rectify_days,
        busy=st.jobs.running(year),
    )


async def issue(request: Request) -> Response:
    st, year = state(request), year_of(request)
    async with request.form(max_files=0, max_fields=20) as form:
        day = form_date(form.get("day"), "签发日期")
        due = form_date(form.get("due"), "整改期限", required=False)
    assert day is not None
    if st.jobs.running(year):
        return message(
            request,
            409,
            f"{year} 年度正在处理中",
            "处理期间不能签发：通知书正在重新生成。请等待处理完成、核对通知书后再签发。",
        )
    config = st.config()
    lock = _lock(year)
    if not lock.acquire(blocking=False):
        return message(
            request,
            409,
            f"{year} 年度正在签发",
            "签发正在进行，请稍候查看发文登记，不需要重复点击。",
        )
    try:
        done = await run_in_threadpool(issue_notices, st.workspace, year, config, day, due)
    finally:
        lock.release()
    return render(
        request,
        "_issue_outcome.html",
        headers=changed(EVENT),
        done=done,
        deadline=due.isoformat() if due else f"签发日期后 {config.notices.rectify_days} 天",
    )


async def issued_file(request: Request) -> Response:
    st, year = state(request), year_of(request)
    name = request.query_params.get("name", "")
    found = next((p for p in issued_files(st.workspace, year) if p.name == name), None)
    if found is None:
        return message(request, 404, "找不到该文件", f"“已印发”文件夹中没有“{name}”。")
    return send_file(found)


async def all_issued(request: Request) -> Response:
    st, year = state(request), year_of(request)
    files = issued_files(st.workspace, year)
    if not files:
        return message(request, 404, "还没有已印发的文件", f"{year} 年度还没有签发通知书。")
    return await zipped(st, files, f"{year}年度已印发", f"{year}年度已印发通知书（全部）.zip")


ROUTES = [
    Route("/y/{year:int}/issue", page),
    Route("/y/{year:int}/issue/issue", issue, methods=["POST"]),
    Route("/y/{year:int}/issue/file", issued_file),
    Route("/y/{year:int}/issue/all.zip", all_issued),
]
