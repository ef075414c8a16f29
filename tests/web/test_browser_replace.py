"""In a real browser: a re-run that would replace the year's recorded results with far fewer
stops, says so, and 确认替换（--replace） runs it again with replace. Every request went to
127.0.0.1. Screenshots go to $FULING_SCREENSHOTS, or the test's temp folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import pytest
from starlette.testclient import TestClient

from .conftest import BASE, CHROMIUM, WAIT_MS, YEAR, Desk, make_app, sample_run
from .served import Served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")


def _recorded(data: Path) -> int:
    with sqlite3.connect(data / "output" / "history.sqlite3") as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM results WHERE year = ?", (YEAR,)).fetchone()[0]
        )


def test_a_run_of_far_fewer_sheets_is_confirmed_on_the_page(browser, shots, tmp_path):
    from playwright.sync_api import expect

    data = tmp_path / "data"
    with TestClient(make_app(data), base_url=BASE) as client:
        desk = Desk(client)
        sample_run(desk, last_year=False, first_year="1")  # 12 enterprises recorded
        for name in desk.stored()[1:]:  # then all sheets but one are taken away
            assert desk.post(f"/y/{YEAR}/files/delete", data={"name": name}).status_code == 200
    assert _recorded(data) == 12
    hosts: set[str] = set()
    asked: list[str] = []

    with Served(data) as served:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.on("request", lambda r: hosts.add(urlparse(r.url).hostname or ""))
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.goto(served.url)
        page.goto(f"{served.base}/y/{YEAR}/run")
        page.get_by_role("button", name="重新处理").click()
        fewer = page.locator("#run-fewer")
        expect(fewer).to_contain_text("处理已停止，未写入任何文件，历年数据库未改动")
        expect(fewer).to_contain_text(
            f"已记录 {YEAR} 年度 12 家企业的结果，本次只有 1 份评分表通过校验"
        )
        page.screenshot(path=shots / "run-fewer.png", full_page=True)
        assert _recorded(data) == 12

        page.get_by_role("button", name="确认替换（--replace）").click()
        expect(page.locator("#run-done")).to_contain_text("处理完成")
        expect(page.locator("#run-done")).to_contain_text("已接收 1")
        context.close()
    assert asked and "替换" in asked[0]
    assert _recorded(data) == 1
    assert hosts == {"127.0.0.1"}, hosts
