"""Rendering: the Jinja environment, whole pages, htmx fragments and Chinese error messages.

Every response an operator can see is Chinese. An htmx request that fails gets a fragment
for the page's message area (``#flash``, via ``HX-Retarget``), so the part of the page it
meant to update stays as it was; any other request gets a whole page.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import __version__
from ..rules.standard import fmt_number
from ..rules.text import strip_invisible
from .settings import human_size

__all__ = ["TEMPLATES", "is_htmx", "message", "render", "render_fragment", "session_of"]

HERE = Path(__file__).parent


def _shown(value: Any) -> Any:
    """Every text a page shows, without bidi controls or invisible format characters: a file
    uploaded as "…\u202exslx.xlsx" (stored under its clean name) must not be shown reversed,
    nor any other text an operator or an inspector typed. Markup stays Markup."""
    return type(value)(strip_invisible(value)) if isinstance(value, str) else value


TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_shown,
)
TEMPLATES.filters["num"] = lambda v: "—" if v is None else fmt_number(float(v))
TEMPLATES.filters["join_cn"] = lambda v: "、".join(v) if v else "—"
TEMPLATES.filters["size"] = human_size
TEMPLATES.filters["clock"] = lambda t: (
    dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if isinstance(t, float) else t
)
TEMPLATES.globals["version"] = __version__


class Session:
    """The browser's session: its id (a cookie) and the CSRF token every POST must carry."""

    __slots__ = ("csrf", "sid")

    def __init__(self, sid: str, csrf: str) -> None:
        self.sid = sid
        self.csrf = csrf


def session_of(request: Request) -> Session:
    """Set by :class:`~fuling_batch.web.security.Guard` on every request that reached a route."""
    session = request.scope.get("fuling.session")
    return session if isinstance(session, Session) else Session("", "")


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _context(request: Request | None, extra: Mapping[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"request": request, "csrf": "", "year": None, "section": ""}
    if request is not None:
        context["csrf"] = session_of(request).csrf
        context["nav"] = request.app.state.nav
        context["years"] = request.app.state.workspace.known_years()
        context["limits"] = request.app.state.settings.limits
    context.update(extra)
    return context


def render(
    request: Request | None,
    name: str,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A template as a response (pages and fragments alike)."""
    html = TEMPLATES.get_template(name).render(_context(request, context))
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


def render_fragment(name: str, **context: Any) -> str:
    """A template as text, for a fragment put beside another (htmx out-of-band swaps)."""
    return TEMPLATES.get_template(name).render(_context(None, context))


def message(
    request: Request | None,
    status: int,
    title: str,
    text: str,
    *,
    kind: str = "error",
    refresh: bool = False,
    lines: tuple[str, ...] | list[str] = (),
) -> HTMLResponse:
    """A Chinese message: a fragment for ``#flash`` on an htmx request, else a whole page.

    ``refresh`` asks htmx to reload the page instead (the session itself is no longer valid,
    so no part of the page can be updated).
    """
    if request is not None and is_htmx(request):
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        if refresh:
            headers = {"HX-Refresh": "true"}
        html = render_fragment("_flash.html", kind=kind, title=title, text=text, lines=lines)
        return HTMLResponse(html, status_code=status, headers=headers)
    # The page carries its own few styles: a request refused for want of the token could
    # not load the stylesheet either. They are allowed by a nonce, not by 'unsafe-inline'.
    nonce = secrets.token_urlsafe(16)
    page = TEMPLATES.get_template("message.html").render(
        _context(
            None,
            {"kind": kind, "title": title, "text": text, "status": status, "lines": lines},
        )
        | {"nonce": nonce}
    )
    policy = f"default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; form-action 'self'"
    return HTMLResponse(page, status_code=status, headers={"content-security-policy": policy})
