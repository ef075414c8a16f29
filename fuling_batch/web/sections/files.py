"""评分表: bring the year's sheets in, see each one's problems, fix and replace them."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ...rules.models import FileReport, FileStatus
from .. import uploads
from ..library import returnable, returned_copy
from ..pages import message, render, render_fragment
from ..uploads import UploadOutcome, UploadRefused
from .common import NavEntry, State, state, year_of

__all__ = ["NAV", "ROUTES", "attachment"]

NAV = NavEntry("files", "① 评分表", "/y/{year}/files")
_ORDER = {FileStatus.REJECTED: 0, FileStatus.ACCEPTED: 1, FileStatus.SKIPPED: 2}
# Findings shown per file; the rest are counted (the returned copy lists them all).
_SHOWN_ISSUES = 30


def attachment(name: str) -> str:
    """A Content-Disposition that keeps a Chinese file name in every browser."""
    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _rows(reports: list[FileReport]) -> list[dict[str, Any]]:
    rows = []
    for report in sorted(reports, key=lambda r: (_ORDER[r.status], r.path)):
        issues = sorted(report.issues, key=lambda i: (not i.is_error, i.sheet, len(i.cell), i.cell))
        rows.append(
            {
                "path": report.path,
                "status": report.status.value,
                "label": report.status.label,
                "errors": sum(i.is_error for i in issues),
                "warnings": sum(not i.is_error for i in issues),
                "issues": issues[:_SHOWN_ISSUES],
                "more": max(0, len(issues) - _SHOWN_ISSUES),
                "returnable": returnable(report),
                "enterprise": report.sheet.header.enterprise if report.sheet else "",
            }
        )
    return rows


async def _file_list(st: State, year: int) -> dict[str, Any]:
    reports = await run_in_threadpool(st.checks.reports, year, st.config())
    counts = Counter(r.status.label for r in reports)
    return {
        "rows": _rows(reports),
        "counts": [(label, counts.get(label, 0)) for label in ("已接收", "已退回", "已跳过")],
        "total": len(reports),
        "busy": st.jobs.running(year),
    }


async def page(request: Request) -> Response:
    st, year = state(request), year_of(request)
    listing = await _file_list(st, year)
    return render(
        request,
        "files.html",
        year=year,
        section=NAV.key,
        folder=st.workspace.input_dir(year),
        **listing,
    )


async def file_list(request: Request) -> Response:
    st, year = state(request), year_of(request)
    return render(request, "_files.html", year=year, **await _file_list(st, year))


def _busy(request: Request, year: int) -> Response:
    return message(
        request,
        409,
        f"{year} 年度正在处理中",
        "处理期间不能修改评分表，以免结果与文件不一致。请等待本次处理完成后再操作。",
    )


async def _with_list(
    request: Request, st: State, year: int, kind: str, title: str, text: str, lines: list[str]
) -> Response:
    """The refreshed file list, with the outcome in the message area (an out-of-band swap)."""
    listing = render(request, "_files.html", year=year, **await _file_list(st, year))
    flash = render_fragment("_flash.html", kind=kind, title=title, text=text, lines=lines)
    body = bytes(listing.body) + f'<div id="flash" hx-swap-oob="innerHTML">{flash}</div>'.encode()
    return HTMLResponse(body)


def _report_lines(outcome: UploadOutcome) -> list[str]:
    lines = [f"“{source}”保存为“{name}”" for source, name in outcome.renamed[:20]]
    lines += [f"“{name}”：{why}" for name, why in outcome.ignored[:20]]
    hidden = max(0, len(outcome.renamed) - 20) + max(0, len(outcome.ignored) - 20)
    if hidden:
        lines.append(f"……另有 {hidden} 条")
    return lines


async def _store(
    request: Request, st: State, year: int, received: list[tuple[Any, str]], what: str
) -> Response:
    def work() -> UploadOutcome:
        with st.workspace.scratch() as scratch:
            incoming, ignored = [], []
            for source, name in received:
                got, skipped = uploads.receive_file(source, name, scratch, st.settings.limits)
                incoming += got
                ignored += skipped
            return uploads.place(
                incoming, st.workspace.input_dir(year), UploadOutcome([], [], ignored)
            )

    try:
        outcome = await run_in_threadpool(work)
    except UploadRefused as refused:
        return message(request, refused.status, refused.title, refused.text)
    text = f"{what}：保存评分表 {len(outcome.stored)} 份"
    if outcome.ignored:
        text += f"，未上传 {len(outcome.ignored)} 个文件"
    kind = "ok" if outcome.stored else "warn"
    return await _with_list(request, st, year, kind, text + "。", "", _report_lines(outcome))


async def upload(request: Request) -> Response:
    st, year = state(request), year_of(request)
    if st.jobs.running(year):
        return _busy(request, year)
    limits = st.settings.limits
    async with request.form(
        max_files=limits.files_per_request, max_fields=20, max_part_size=64 * 1024
    ) as form:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if not files:
            return message(
                request, 400, "没有选择文件", "请选择或拖入评分表（.xlsx/.xls）或 .zip 压缩包。"
            )
        received = [(f.file, f.filename or "") for f in files]
        return await _store(request, st, year, received, "上传完成")


async def import_folder(request: Request) -> Response:
    st, year = state(request), year_of(request)
    if st.jobs.running(year):
        return _busy(request, year)
    async with request.form(max_files=0, max_fields=20) as form:
        typed = str(form.get("folder", "")).strip().strip('"').strip()
    folder = Path(typed)
    if not typed or not folder.is_absolute():
        return message(
            request,
            400,
            "请填写完整的文件夹路径",
            "例如 D:\\考核\\2026年评分表 或 /home/用户/评分表。",
        )
    if not folder.is_dir():
        return message(request, 400, "找不到该文件夹", f"“{typed}”不存在或不是文件夹，请检查路径。")
    if folder.resolve() == st.workspace.input_dir(year).resolve():
        return message(request, 400, "无需导入", "这就是工作台保存该年度评分表的文件夹。")

    def work() -> UploadOutcome:
        with st.workspace.scratch() as scratch:
            incoming, ignored = uploads.from_folder(folder, scratch, st.settings.limits)
            return uploads.place(
                incoming, st.workspace.input_dir(year), UploadOutcome([], [], ignored)
            )

    try:
        outcome = await run_in_threadpool(work)
    except UploadRefused as refused:
        return message(request, refused.status, refused.title, refused.text)
    text = f"已从“{typed}”复制评分表 {len(outcome.stored)} 份（原文件未改动）"
    if outcome.ignored:
        text += f"，未导入 {len(outcome.ignored)} 个文件"
    kind = "ok" if outcome.stored else "warn"
    return await _with_list(request, st, year, kind, text + "。", "", _report_lines(outcome))


async def replace(request: Request) -> Response:
    st, year = state(request), year_of(request)
    if st.jobs.running(year):
        return _busy(request, year)
    async with request.form(max_files=1, max_fields=20, max_part_size=64 * 1024) as form:
        name = str(form.get("name", ""))
        upload_ = form.get("file")
        target = st.workspace.find(year, name)
        if target is None:
            return message(
                request, 404, "找不到要替换的评分表", f"“{name}”已不在列表中，请刷新页面。"
            )
        if not isinstance(upload_, UploadFile) or not upload_.filename:
            return message(request, 400, "没有选择文件", "请选择修改后的评分表。")
        given = upload_.filename
        if not uploads.is_sheet_name(uploads.stored_name(given)):
            return message(
                request, 400, "不是评分表文件", f"“{given}”不是电子表格文件（应为 .xlsx 或 .xls）。"
            )

        def work() -> str:
            with st.workspace.scratch() as scratch:
                got, _ = uploads.receive_file(upload_.file, given, scratch, st.settings.limits)
                suffix = os.path.splitext(got[0].name)[1]
                final = target.with_suffix(suffix)
                os.replace(got[0].path, final)
                if final != target:
                    target.unlink(missing_ok=True)
                return final.relative_to(st.workspace.input_dir(year)).as_posix()

        try:
            stored = await run_in_threadpool(work)
        except UploadRefused as refused:
            return message(request, refused.status, refused.title, refused.text)
    text = f"已用“{given}”替换“{name}”，并重新校验。"
    return await _with_list(
        request, st, year, "ok", text, "", [] if stored == name else [f"保存为“{stored}”"]
    )


async def delete(request: Request) -> Response:
    st, year = state(request), year_of(request)
    if st.jobs.running(year):
        return _busy(request, year)
    async with request.form(max_files=0, max_fields=20) as form:
        name = str(form.get("name", ""))
    target = st.workspace.find(year, name)
    if target is None:
        return message(request, 404, "找不到该文件", f"“{name}”已不在列表中，请刷新页面。")
    target.unlink(missing_ok=True)
    return await _with_list(request, st, year, "ok", f"已删除“{name}”。", "", [])


async def returned(request: Request) -> Response:
    st, year = state(request), year_of(request)
    name = request.query_params.get("name", "")
    reports = await run_in_threadpool(st.checks.reports, year, st.config())
    report = next((r for r in reports if r.path == name), None)
    if report is None or not returnable(report):
        return message(request, 404, "没有退回修改副本", f"“{name}”没有可下载的退回修改副本。")

    def work() -> tuple[str, bytes] | str:
        with st.workspace.scratch() as scratch:
            copy, why = returned_copy(st.workspace.input_dir(year), report, scratch)
            return (copy.name, copy.read_bytes()) if copy else why

    made = await run_in_threadpool(work)
    if isinstance(made, str):
        return message(request, 500, "无法生成退回修改副本", made)
    filename, data = made
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers={"content-disposition": attachment(filename)})


ROUTES = [
    Route("/y/{year:int}/files", page),
    Route("/y/{year:int}/files/list", file_list),
    Route("/y/{year:int}/files/upload", upload, methods=["POST"]),
    Route("/y/{year:int}/files/folder", import_folder, methods=["POST"]),
    Route("/y/{year:int}/files/replace", replace, methods=["POST"]),
    Route("/y/{year:int}/files/delete", delete, methods=["POST"]),
    Route("/y/{year:int}/files/returned", returned),
]
