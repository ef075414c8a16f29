"""下载: the summary workbook, each notice, all notices as one .zip, the 呈批表 and the PDFs."""

from __future__ import annotations

import mimetypes
import os
import tempfile
import zipfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ..library import outputs, read_report
from ..pages import message, render
from .common import NavEntry, State, state, year_of
from .files import attachment

__all__ = ["NAV", "ROUTES", "send_file", "zipped"]

NAV = NavEntry("downloads", "④ 下载", "/y/{year}/downloads")
_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}


def send_file(path: Path, name: str | None = None) -> FileResponse:
    name = name or path.name
    media = (
        _TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream"
    )
    return FileResponse(path, media_type=media, headers={"content-disposition": attachment(name)})


def _not_yet(request: Request, year: int) -> Response:
    return message(
        request,
        404,
        "还没有该文件",
        f"{year} 年度还没有处理结果，或该文件已不存在。请先在“处理”页进行处理。",
    )


async def page(request: Request) -> Response:
    st, year = state(request), year_of(request)
    report = read_report(st.workspace, year)
    found = outputs(st.workspace, year, report)
    return render(request, "downloads.html", year=year, section=NAV.key, report=report, out=found)


async def summary(request: Request) -> Response:
    st, year = state(request), year_of(request)
    found = outputs(st.workspace, year, None)
    return send_file(found.summary) if found.summary else _not_yet(request, year)


async def notice(request: Request) -> Response:
    st, year = state(request), year_of(request)
    path = outputs(st.workspace, year, None).find(request.query_params.get("name", ""))
    return send_file(path) if path else _not_yet(request, year)


async def zipped(st: State, files: list[Path], folder: str, name: str) -> Response:
    """``files`` as one .zip download named ``name``, each under ``folder/`` in it."""

    def pack() -> Path:
        fd, packed = tempfile.mkstemp(prefix="zip-", suffix=".zip", dir=st.workspace.work)
        os.close(fd)
        # The documents are compressed already: stored, the zip is made at disk speed.
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as zf:
            for path in files:
                zf.write(path, f"{folder}/{path.name}")
        return Path(packed)

    packed = await run_in_threadpool(pack)
    response = send_file(packed, name)
    response.background = BackgroundTask(packed.unlink, missing_ok=True)
    return response


async def all_notices(request: Request) -> Response:
    st, year = state(request), year_of(request)
    files = outputs(st.workspace, year, None).all_notice_files()
    if not files:
        return _not_yet(request, year)
    return await zipped(st, files, f"{year}年度通知书", f"{year}年度考核通知书（全部）.zip")


ROUTES = [
    Route("/y/{year:int}/downloads", page),
    Route("/y/{year:int}/downloads/summary", summary),
    Route("/y/{year:int}/downloads/notice", notice),
    Route("/y/{year:int}/downloads/notices.zip", all_notices),
]
