"""Fixtures for the web page: an app served in-process, a logged-in client, real score sheets."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
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
# The sample's notices are issued 60 days ago: 30 days later they were due, so today every
# one not reported is 30 days overdue, whatever the day the tests run.
ISSUED = dt.date.today() - dt.timedelta(days=60)
DUE = ISSUED + dt.timedelta(days=30)
# The browser tests: Debian's Chromium, driven by Playwright (no `playwright install`).
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 120_000  # an upper bound for a page to show a state, never a measure
ENERGY = "91500102000000005N"  # 涪陵示例能源有限公司 (谈话提醒, notice 6)
PHARMA = "91500102000000006R"  # 涪陵示例医药有限公司 (谈话提醒, notice 7)
MEDIA = "涪陵示例文化传媒有限公司"  # its sheet has no credit code: known by its name


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


def sample_run(desk: Desk, *, last_year: bool = True, **form: str) -> Any:
    """The sample year run through the page (last year imported first); the run's outcome."""
    if last_year:
        table = ROOT / "input" / "往年结果" / "2025年度考核结果.xlsx"
        imported = desk.post(
            "/history/import",
            data={"year": "2025"},
            files=[("file", (table.name, table.read_bytes()))],
        )
        assert "已导入 2025 年度考核结果 11 条" in imported.text
    assert desk.upload(*sorted((ROOT / "input").glob("*.xlsx"))).status_code == 200
    return run_now(desk, **form)


def run_now(desk: Desk, **form: str) -> Any:
    """Start the year's run from the page and wait for it; the job's result."""
    assert desk.post(f"/y/{YEAR}/run/start", data=form).status_code == 202
    assert desk.app.state.jobs.wait(YEAR, 120)
    job = desk.app.state.jobs.get(YEAR)
    assert not job.error, job.error
    return job.result


@pytest.fixture(scope="session")
def ran_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the sample year run (last year imported): 8 draft notices."""
    data = tmp_path_factory.mktemp("ran") / "data"
    with TestClient(make_app(data), base_url=BASE) as client:
        assert sample_run(Desk(client)).notices == 8
    return data


@pytest.fixture(scope="session")
def issued_data(ran_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ran_data`` with its 8 notices issued through the page on ``ISSUED``."""
    data = tmp_path_factory.mktemp("issued") / "data"
    shutil.copytree(ran_data, data)
    with TestClient(make_app(data), base_url=BASE) as client:
        done = Desk(client).post(f"/y/{YEAR}/issue/issue", data={"day": ISSUED.isoformat()})
        assert done.status_code == 200 and "已签发 8 份通知书" in done.text, done.text
    return data


def _desk_on(source: Path, folder: Path) -> Iterator[Desk]:
    data = folder / "data"
    shutil.copytree(source, data)
    with TestClient(make_app(data), base_url=BASE) as client:
        yield Desk(client)
        client.app.state.jobs.wait(YEAR, 120)


@pytest.fixture
def drafted(ran_data: Path, tmp_path: Path) -> Iterator[Desk]:
    """A fresh copy of the run year, not yet issued."""
    yield from _desk_on(ran_data, tmp_path / "drafted")


@pytest.fixture
def office(issued_data: Path, tmp_path: Path) -> Iterator[Desk]:
    """A fresh copy of the issued year."""
    yield from _desk_on(issued_data, tmp_path / "office")


def db_dump(desk: Desk) -> list[tuple[Any, ...]]:
    """Every row of the register and the rectification tables: what a refusal must not touch."""
    with sqlite3.connect(desk.data / "output" / "history.sqlite3") as conn:
        return [
            *conn.execute("SELECT * FROM notices ORDER BY id"),
            *conn.execute("SELECT * FROM rectifications ORDER BY id"),
            *conn.execute("SELECT * FROM rectification_files ORDER BY id"),
            *conn.execute("SELECT * FROM rectification_log ORDER BY id"),
        ]


@pytest.fixture
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=WAIT_MS)  # a bound, as for the page's own waits
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the browser tests keep their screenshots: $FULING_SCREENSHOTS, else a temp folder."""
    folder = Path(os.environ.get("FULING_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def saved(download: Any, folder: Path) -> Path:
    """A finished download under the name the server gave it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / download.suggested_filename
    download.save_as(target)
    return target
