"""Fixtures for the web page: an app served in-process, a logged-in client, real score sheets."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from fuling_batch.web import Limits, Settings, create_app

ROOT = Path(__file__).parents[2]
TOKEN = "test-token-0123456789abcdef"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
YEAR = 2026


class Desk:
    """A browser's view of the server: logged in once, every POST with its CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        page = client.get(f"/?token={TOKEN}")
        assert page.status_code == 200
        found = re.search(r'X-CSRF-Token": "([0-9a-f]+)"', page.text)
        assert found
        self.csrf = found.group(1)

    @property
    def app(self) -> Any:
        return self.client.app

    @property
    def data(self) -> Path:
        return Path(self.app.state.settings.data_dir)

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, *, htmx: bool = True, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, "Origin": BASE, **kw.pop("headers", {})}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, headers=headers, **kw)

    def upload(self, *paths: Path, names: list[str] | None = None) -> Any:
        names = names or [p.name for p in paths]
        files = [("files", (n, p.read_bytes())) for n, p in zip(names, paths, strict=True)]
        return self.post(f"/y/{YEAR}/files/upload", files=files)

    def stored(self, year: int = YEAR) -> list[str]:
        """Every file under the data folder's input for ``year`` (relative POSIX paths)."""
        base = self.data / "input" / str(year)
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())

    def everything(self) -> list[str]:
        """Every file under the test's folder: nothing may land outside the data folder."""
        root = self.data.parent
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def make_app(data: Path, limits: Limits | None = None) -> Any:
    return create_app(Settings(data, TOKEN, PORT, limits=limits or Limits()))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with TestClient(make_app(tmp_path / "data"), base_url=BASE) as client:
        yield Desk(client)
        client.app.state.jobs.wait(YEAR, 120)  # a run must not outlive its folder


@pytest.fixture
def anonymous(tmp_path: Path) -> Iterator[TestClient]:
    """A client that never logged in."""
    with TestClient(make_app(tmp_path / "data"), base_url=BASE) as client:
        yield client


@pytest.fixture
def samples(tmp_path: Path) -> list[Path]:
    """Copies of the shipped sample sheets (12 fictional enterprises)."""
    target = tmp_path / "samples"
    target.mkdir()
    for path in sorted((ROOT / "input").glob("*.xlsx")):
        shutil.copy(path, target / path.name)
    return sorted(target.glob("*.xlsx"))


@pytest.fixture
def last_year() -> Path:
    return ROOT / "input" / "往年结果" / "2025年度考核结果.xlsx"


def score_cell(template: Path, code: str) -> tuple[str, str]:
    """(sheet title, A1 address of the 得分 cell) of item ``code`` in the real template."""
    import openpyxl

    from fuling_batch.forms.samples import locate

    wb = openpyxl.load_workbook(template)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and w.title != "填表说明")
    return ws.title, locate(ws)[1][code][0]
