"""Who may use the server, and how much they may send: one ASGI layer in front of every route.

In order, for each HTTP request:

1. **Host**: the ``Host`` header must name this server (127.0.0.1/localhost and the port);
   a page on another site that rebinds its DNS name to 127.0.0.1 sends its own name.
2. **Token**: the random token printed at start, as ``?token=`` or as the HttpOnly,
   SameSite=Strict cookie set on the first visit (the visit is then redirected to drop the
   token from the address bar). Anything else gets the Chinese 403 page, static files included.
3. **Session**: a random session id cookie; the CSRF token is an HMAC of it under a key that
   lives only in this process, so it needs no server-side store.
4. **POST only** changes state, and every POST must come from this origin (``Origin``, or
   ``Referer`` when a browser sends no ``Origin``) and carry the CSRF token in the
   ``X-CSRF-Token`` header (htmx sends it on every request, from ``hx-headers``).
5. **Body size**: a declared ``Content-Length`` over the limit is refused before a byte is
   read, and a body that grows past it (chunked) is cut off: 413 with a Chinese message.

Every response gets headers that keep the page to itself: a Content-Security-Policy allowing
only this origin's scripts and styles (no inline script), no framing, no MIME sniffing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.datastructures import URL, MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .pages import Session, message
from .settings import Settings, human_size

__all__ = ["CSRF_HEADER", "BodyTooLarge", "Guard", "new_token"]

CSRF_HEADER = "x-csrf-token"
_SID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
_SAFE_METHODS = {"GET", "HEAD"}
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
_SECURITY_HEADERS = {
    "content-security-policy": _CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Same-origin requests keep their Referer (the fallback origin check needs it).
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def new_token() -> str:
    return secrets.token_urlsafe(24)


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a request body grows past the limit."""


class Guard:
    """The checks above, in front of ``app``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.hosts = settings.allowed_hosts()
        self.key = secrets.token_bytes(32)
        # The port in the names: cookies are not kept apart by port, and two servers on one
        # computer must not overwrite each other's.
        self.token_cookie = f"fuling_token_{settings.port}"
        self.sid_cookie = f"fuling_sid_{settings.port}"

    def csrf_for(self, sid: str) -> str:
        return hmac.new(self.key, sid.encode(), hashlib.sha256).hexdigest()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookies: list[str] = []

        async def send_secured(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = MutableHeaders(scope=msg)
                _secure(headers)
                for header in cookies:
                    headers.append("set-cookie", header)
            await send(msg)

        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send_secured)
            return

        sid = request.cookies.get(self.sid_cookie, "")
        new_sid = not _SID.match(sid)
        if new_sid:
            sid = secrets.token_urlsafe(24)
        session = Session(sid, self.csrf_for(sid))
        scope["fuling.session"] = session
        cookies.extend(self._cookies(sid if new_sid else None, request))

        if request.method not in _SAFE_METHODS:
            problem = self._post_problem(request, session, new_sid)
            if problem is not None:
                await problem(scope, receive, send_secured)
                return
        elif self._token_in_query(request):
            # Logged in by the printed URL: keep the token out of the address bar and history.
            query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = URL(path=request.url.path, query=urlencode(query))
            await RedirectResponse(str(target), status_code=303)(scope, receive, send_secured)
            return

        limit = self.settings.limits.request_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            # Refused before a byte of the body is read.
            await self._too_large(request)(scope, receive, send_secured)
            return
        started = False

        async def send_tracked(msg: Message) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send_secured(msg)

        try:
            await self.app(scope, _limited_receive(receive, limit), send_tracked)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(request)(scope, receive, send_secured)

    # -- the checks ---------------------------------------------------------------------

    def _token_in_query(self, request: Request) -> bool:
        given = request.query_params.get("token", "")
        return bool(given) and secrets.compare_digest(given.encode(), self.settings.token.encode())

    def _refusal(self, request: Request) -> Response | None:
        host = request.headers.get("host", "").lower()
        if host not in self.hosts:
            return message(
                None,
                403,
                "访问被拒绝",
                "请求的地址不是本工作台的地址。请使用启动窗口中显示的地址（以 http://127.0.0.1 开头）。",
            )
        cookie = request.cookies.get(self.token_cookie, "")
        has_cookie = bool(cookie) and secrets.compare_digest(
            cookie.encode(), self.settings.token.encode()
        )
        if has_cookie or self._token_in_query(request):
            return None
        return message(
            request,
            403,
            "访问被拒绝：缺少访问令牌",
            "为保护考核数据，工作台只接受带有访问令牌的地址。请回到启动工作台的窗口，"
            "复制其中显示的完整地址（含 ?token=）在浏览器中打开；工作台重新启动后令牌会更换，"
            "需使用新显示的地址。",
            refresh=True,
        )

    def _post_problem(self, request: Request, session: Session, new_sid: bool) -> Response | None:
        if request.method != "POST":
            return message(request, 405, "不支持该操作", "该地址只接受查看（GET）或提交（POST）。")
        host = request.headers.get("host", "").lower()
        origin = request.headers.get("origin")
        if origin is not None:
            same = origin.lower() == f"http://{host}"
        else:
            referer = request.headers.get("referer", "").lower()
            same = referer.startswith(f"http://{host}/")
        if not same:
            return message(
                request,
                403,
                "操作被拒绝：请求来源不正确",
                "只能在本工作台的页面上进行操作。请在工作台页面中重新操作。",
            )
        given = request.headers.get(CSRF_HEADER, "")
        if new_sid or not secrets.compare_digest(given.encode(), session.csrf.encode()):
            return message(
                request,
                403,
                "操作被拒绝：页面已过期",
                "页面的安全校验码无效（可能页面打开太久或工作台已重新启动）。请刷新页面后重试。",
            )
        return None

    def _cookies(self, new_sid: str | None, request: Request) -> list[str]:
        out = []
        attrs = "Path=/; HttpOnly; SameSite=Strict"
        if self._token_in_query(request):
            out.append(f"{self.token_cookie}={self.settings.token}; {attrs}")
        if new_sid is not None:
            out.append(f"{self.sid_cookie}={new_sid}; {attrs}")
        return out

    def _too_large(self, request: Request) -> Response:
        limit = human_size(self.settings.limits.request_bytes)
        return message(
            request,
            413,
            "上传内容过大",
            f"一次上传的内容不能超过 {limit}。请分几次上传，或先把评分表压缩为 .zip。",
        )


def _secure(headers: MutableHeaders) -> None:
    for name, value in _SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("cache-control", "no-store")


def _limited_receive(receive: Receive, limit: int) -> Callable[[], Awaitable[Message]]:
    """``receive`` that raises :class:`BodyTooLarge` once the body passes ``limit`` bytes."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        msg = await receive()
        if msg["type"] == "http.request":
            seen += len(msg.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return msg

    return limited
