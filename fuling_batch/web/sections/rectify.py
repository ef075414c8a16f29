"""整改: every issued notice's rectification — record a report, 销号, reopen — the office's
own 台账 in and 整改台账.xlsx out, and 催办通知 for the overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...rules.rectification import RectifyState
from .. import uploads
from ..library import (
    LedgerRejected,
    LedgerRow,
    close_entry,
    export_ledger,
    import_ledger_file,
    ledger,
    receive_report,
    rectify_files,
    reopen_entry,
    send_reminders,
)
from ..pages import message, render
from ..uploads import UploadRefused
from .common import NavEntry, State, changed, form_date, state, year_of
from .downloads import send_file, zipped

if TYPE_CHECKING:
    from ...rectify import LedgerImport
    from ...rules.rectification import Rectification

__all__ = ["NAV", "ROUTES"]

NAV = NavEntry("rectify", "⑥ 整改", "/y/{year}/rectify")
EVENT = "ledger-changed"
ACTIONS = {"receive": "登记报送", "close": "销号", "reopen": "撤销销号"}
_FIELD_BYTES = 64 * 1024


def _rows(st: State, year: int) -> list[LedgerRow]:
    return ledger(st.workspace, year, dt.date.today())


def _find(rows: list[LedgerRow], code: str) -> LedgerRow | None:
    return next((r for r in rows if r.code == code), None)


async def page(request: Request) -> Response:
    st, year = state(request), year_of(request)
    rows = await run_in_threadpool(_rows, st, year)
    ledger_file, reminders = rectify_files(st.workspace, year)
    counts = [(s, sum(r.status.state is s for r in rows)) for s in RectifyState]
    return render(
        request,
        "rectify.html",
        year=year,
        section=NAV.key,
        rows=rows,
        counts=sorted(counts, key=lambda c: c[0].order),
        today=dt.date.today().isoformat(),
        ledger_file=ledger_file,
        reminders=reminders,
    )


async def action(request: Request) -> Response:
    """The form for one row's action, shown above the table (empty: the form is closed)."""
    st, year = state(request), year_of(request)
    code, what = request.query_params.get("code", ""), request.query_params.get("do", "")
    if not code or what not in ACTIONS:
        return Response("", media_type="text/html")
    row = _find(await run_in_threadpool(_rows, st, year), code)
    if row is None:
        return message(request, 404, "找不到该企业", f"整改记录中没有“{code}”，请刷新页面。")
    return render(
        request,
        "_rectify_action.html",
        year=year,
        row=row,
        what=what,
        label=ACTIONS[what],
        today=dt.date.today().isoformat(),
    )


def _done(request: Request, title: str, text: str = "", **kw: Any) -> Response:
    """The outcome in ``#flash``; the table and the files read themselves again."""
    kw.setdefault("kind", "ok")
    kw.setdefault("lines", [])
    return render(request, "_flash.html", headers=changed(EVENT), title=title, text=text, **kw)


async def receive(request: Request) -> Response:
    st, year = state(request), year_of(request)
    limits = st.settings.limits
    async with request.form(
        max_files=limits.attachments_per_request, max_fields=20, max_part_size=_FIELD_BYTES
    ) as form:
        code = str(form.get("code", ""))
        day = form_date(form.get("day"), "报送日期")
        assert day is not None
        chosen = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]

        def work() -> Rectification:
            with st.workspace.scratch() as scratch:
                paths = [
                    uploads.receive_attachment(f.file, f.filename or "", scratch, limits)
                    for f in chosen
                ]
                return receive_report(st.workspace, year, code, day, paths)

        try:
            entry = await run_in_threadpool(work)
        except UploadRefused as refused:
            return message(request, refused.status, refused.title, refused.text)
    return _done(
        request,
        f"已登记：{entry.enterprise}于 {entry.received} 报送整改情况。",
        f"附件 {len(chosen)} 份。" if chosen else "没有附件。",
    )


async def close(request: Request) -> Response:
    st, year = state(request), year_of(request)
    async with request.form(max_files=0, max_fields=20, max_part_size=_FIELD_BYTES) as form:
        code = str(form.get("code", ""))
        by = str(form.get("by", "")).strip()[:50]
        note = str(form.get("note", "")).strip()[:500]
        day = form_date(form.get("day"), "销号日期")
    if not by:
        return message(request, 400, "请填写审核人", "销号须写明审核人（销号人）。")
    assert day is not None
    entry = await run_in_threadpool(close_entry, st.workspace, year, code, by, day, note)
    return _done(
        request, f"已销号：{entry.enterprise}（{entry.doc_number}），审核人 {entry.reviewer}。"
    )


async def reopen(request: Request) -> Response:
    st, year = state(request), year_of(request)
    async with request.form(max_files=0, max_fields=20, max_part_size=_FIELD_BYTES) as form:
        code = str(form.get("code", ""))
        note = str(form.get("note", "")).strip()[:500]
    entry = await run_in_threadpool(reopen_entry, st.workspace, year, code, note)
    return _done(request, f"已撤销销号：{entry.enterprise}（{entry.doc_number}）。")


async def import_ledger(request: Request) -> Response:
    st, year = state(request), year_of(request)
    limits = st.settings.limits
    async with request.form(max_files=1, max_fields=20, max_part_size=_FIELD_BYTES) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return message(request, 400, "没有选择文件", "请选择办公室的整改台账（.xlsx/.xls）。")
        given = upload.filename
        if not uploads.is_sheet_name(uploads.stored_name(given)):
            return message(
                request, 400, "不是表格文件", f"“{given}”不是电子表格文件（应为 .xlsx 或 .xls）。"
            )

        def work() -> LedgerImport:
            with st.workspace.scratch() as scratch:
                got, _ = uploads.receive_file(upload.file, given, scratch, limits)
                # Findings name the file: give it its own name back.
                named = got[0].path.with_name(got[0].name)
                got[0].path.rename(named)
                return import_ledger_file(st.workspace, named, year)

        try:
            done = await run_in_threadpool(work)
        except UploadRefused as refused:
            return message(request, refused.status, refused.title, refused.text)
        except LedgerRejected as rejected:
            lines = [f"{i.where}：{i.message}" for i in rejected.issues[:50]]
            if len(rejected.issues) > 50:
                lines.append(f"……另有 {len(rejected.issues) - 50} 处")
            return message(request, 400, str(rejected), "", lines=lines)
    warnings = [f"{i.severity.label} · {i.where}：{i.message}" for i in done.warnings[:30]]
    return _done(
        request,
        f"已导入整改台账：{len(done.changed)} 家企业的整改记录有更新。",
        kind="warn" if warnings else "ok",
        lines=[f"{e.enterprise}：{e.doc_number}" for e in done.changed[:50]] + warnings,
    )


async def export(request: Request) -> Response:
    st, year = state(request), year_of(request)
    async with request.form(max_files=0, max_fields=20, max_part_size=_FIELD_BYTES) as form:
        day = form_date(form.get("day"), "统计日期")
    assert day is not None
    target = await run_in_threadpool(export_ledger, st.workspace, year, day, st.config())
    return _done(
        request, f"已生成整改台账（统计日期 {day.isoformat()}）。", f"{target.name}，可在下方下载。"
    )


async def remind(request: Request) -> Response:
    st, year = state(request), year_of(request)
    async with request.form(max_files=0, max_fields=20, max_part_size=_FIELD_BYTES) as form:
        day = form_date(form.get("day"), "催办日期")
    assert day is not None
    sent, listing = await run_in_threadpool(send_reminders, st.workspace, year, day, st.config())
    if not sent:
        return _done(request, f"截至 {day.isoformat()}，{year} 年度没有逾期未报送整改情况的企业。")
    return _done(
        request,
        f"已生成整改催办通知 {len(sent)} 份。",
        f"催办清单：{listing.name if listing else '—'}；可在下方下载。",
        lines=[f"{r.number}　{r.row.entry.enterprise}　逾期 {r.row.overdue_days} 天" for r in sent],
    )


async def download(request: Request) -> Response:
    """The 整改台账, a 催办通知 or a 催办清单, looked up by name in what is there."""
    st, year = state(request), year_of(request)
    name = request.query_params.get("name", "")
    ledger_file, reminders = rectify_files(st.workspace, year)
    there = [*([ledger_file] if ledger_file else []), *reminders]
    found = next((p for p in there if p.name == name), None)
    if found is None:
        return message(request, 404, "找不到该文件", f"“{name}”不存在，请先生成。")
    return send_file(found)


async def all_reminders(request: Request) -> Response:
    st, year = state(request), year_of(request)
    notices = [p for p in rectify_files(st.workspace, year)[1] if p.suffix == ".docx"]
    if not notices:
        return message(request, 404, "还没有催办通知", f"{year} 年度还没有生成整改催办通知。")
    return await zipped(
        st, notices, f"{year}年度整改催办通知", f"{year}年度整改催办通知（全部）.zip"
    )


async def material(request: Request) -> Response:
    """One of an enterprise's attachments, looked up among those recorded for the year."""
    st, year = state(request), year_of(request)
    wanted = request.query_params.get("path", "")
    rows = await run_in_threadpool(_rows, st, year)
    known = {path: original for row in rows for path, original in row.files}
    path = st.workspace.year_dir(year) / wanted if wanted in known else None
    if path is None or not path.is_file():
        return message(request, 404, "找不到该附件", "该附件不在整改材料文件夹中。")
    return send_file(path, Path(wanted).name)


ROUTES = [
    Route("/y/{year:int}/rectify", page),
    Route("/y/{year:int}/rectify/action", action),
    Route("/y/{year:int}/rectify/receive", receive, methods=["POST"]),
    Route("/y/{year:int}/rectify/close", close, methods=["POST"]),
    Route("/y/{year:int}/rectify/reopen", reopen, methods=["POST"]),
    Route("/y/{year:int}/rectify/import", import_ledger, methods=["POST"]),
    Route("/y/{year:int}/rectify/export", export, methods=["POST"]),
    Route("/y/{year:int}/rectify/remind", remind, methods=["POST"]),
    Route("/y/{year:int}/rectify/file", download),
    Route("/y/{year:int}/rectify/reminders.zip", all_reminders),
    Route("/y/{year:int}/rectify/material", material),
]
