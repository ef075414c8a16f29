"""What every section's routes share: the nav entry, the year in the path, the app's state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ...config import Config
from ...errors import UsageError
from ..jobs import Jobs
from ..library import Checks, config_for
from ..settings import Settings
from ..workspace import MAX_YEAR, MIN_YEAR, Workspace

__all__ = ["NavEntry", "State", "changed", "form_date", "state", "year_of"]


@dataclass(frozen=True)
class NavEntry:
    """One tab of the page's navigation. ``path`` may hold ``{year}``."""

    key: str
    label: str
    path: str

    def href(self, year: int) -> str:
        return self.path.format(year=year)


@dataclass
class State:
    """The server's own state, shared by the routes (``app.state``)."""

    settings: Settings
    workspace: Workspace
    jobs: Jobs
    checks: Checks

    def config(self) -> Config:
        return config_for(self.settings.config_path)


def state(request: Request) -> State:
    return State(
        request.app.state.settings,
        request.app.state.workspace,
        request.app.state.jobs,
        request.app.state.checks,
    )


def year_of(request: Request) -> int:
    year = request.path_params["year"]
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise HTTPException(404, f"年度应在 {MIN_YEAR} 至 {MAX_YEAR} 之间")
    return year


def form_date(value: object, label: str, *, required: bool = True) -> dt.date | None:
    """A date typed in a form (``2026-10-01``, as ``<input type=date>`` sends it)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise UsageError(f"请填写{label}。")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{label}“{text[:20]}”不是日期，请按 2026-10-01 的格式填写。") from None


def changed(event: str) -> dict[str, str]:
    """Headers for an outcome shown in ``#flash`` after which the parts of the page that
    listen for ``event`` (``hx-trigger="EVENT from:body"``) read themselves again.

    The event comes once the message is in place: the form that asked may be inside a part
    that reads itself again, and htmx drops a response whose form has left the page.
    """
    return {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", "HX-Trigger-After-Settle": event}
