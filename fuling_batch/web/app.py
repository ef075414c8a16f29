"""The Starlette application: the guard in front, the sections' routes, the packaged assets."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import FulingError, OutputError
from .jobs import Jobs
from .library import Checks
from .pages import HERE, message
from .sections import NAV, routes
from .security import Guard
from .settings import Settings
from .workspace import MAX_YEAR, MIN_YEAR, Workspace

__all__ = ["create_app"]

_HTTP_TITLES = {
    400: "请求有误",
    404: "找不到该页面或文件",
    405: "不支持该操作",
}


async def home(request: Request) -> Response:
    year = request.app.state.workspace.default_year()
    return RedirectResponse(f"/y/{year}/files", status_code=303)


async def choose_year(request: Request) -> Response:
    """The header's year chooser (a GET form): go to the same section of another year."""
    typed = request.query_params.get("year", "").strip()
    section = request.query_params.get("section", "files")
    if not typed.isdigit() or not MIN_YEAR <= int(typed) <= MAX_YEAR:
        return message(
            request, 400, "年度不正确", f"请输入 {MIN_YEAR} 至 {MAX_YEAR} 之间的四位年度。"
        )
    entry = next((n for n in NAV if n.key == section and "{year}" in n.path), NAV[0])
    return RedirectResponse(entry.href(int(typed)), status_code=303)


async def year_home(request: Request) -> Response:
    return RedirectResponse(f"/y/{request.path_params['year']}/files", status_code=303)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title = _HTTP_TITLES.get(exc.status_code, "请求未能完成")
    detail = exc.detail if exc.detail and not exc.detail.isascii() else ""
    text = detail or "请检查地址，或从页面上方的导航重新进入。"
    if exc.status_code == 400 and not detail:
        text = "上传的内容格式不正确，请重新选择文件后再试。"
    return message(request, exc.status_code, title, text)


async def program_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, FulingError):
        status = 500 if isinstance(exc, OutputError) else 400
        return message(request, status, "操作未能完成", str(exc))
    return message(
        request,
        500,
        "程序出错",
        f"处理该请求时程序出错（{type(exc).__name__}）。工作台仍在运行，可返回重试；"
        "如果反复出现，请把启动窗口中的错误信息发给维护人员。",
    )


def create_app(settings: Settings) -> Starlette:
    """The whole web page for ``settings`` (tests serve it in-process with TestClient)."""
    workspace = Workspace(settings.data_dir)
    workspace.prepare()
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/year", choose_year),
            Route("/y/{year:int}", year_home),
            *routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(Guard, settings=settings)],
        exception_handlers={
            HTTPException: http_error,
            FulingError: program_error,
            Exception: program_error,
        },
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.jobs = Jobs()
    app.state.checks = Checks(workspace)
    app.state.nav = NAV
    return app
