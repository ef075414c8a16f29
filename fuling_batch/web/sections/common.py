"""What every section's routes share: the nav entry, the year in the path, the app's state."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ...config import Config
from ..jobs import Jobs
from ..library import Checks, config_for
from ..settings import Settings
from ..workspace import MAX_YEAR, MIN_YEAR, Workspace

__all__ = ["NavEntry", "State", "state", "year_of"]


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
