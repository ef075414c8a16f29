"""The whole yearly job in a real browser (Debian's Chromium, driven by Playwright).

The server runs as the operator starts it (a subprocess on a free loopback port). The test
uploads the shipped sample sheets and one broken sheet, sees the broken one rejected at its
cell, downloads its returned copy, replaces it with the corrected file, runs the year (closing
the page mid-way), reads the results, downloads the summary and a notice and opens them with
openpyxl and python-docx. Every request the page made must have gone to 127.0.0.1.
Screenshots of each page (1366×768) go to $FULING_SCREENSHOTS, or the test's temp folder.
"""

from __future__ import annotations

from urllib.parse import urlparse

import docx
import openpyxl
import pytest

from .conftest import CHROMIUM, WAIT_MS, YEAR, saved, score_cell
from .served import Served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")
BROKEN = "涪陵示例测试有限公司"


def test_the_yearly_job_in_a_browser(
    browser, shots, tmp_path, samples, last_year, filled_sheet, template_file
):
    from playwright.sync_api import expect

    broken = filled_sheet(BROKEN, serial=40, scores={"2.1": 99}, folder=tmp_path / "broken")
    fixed = filled_sheet(BROKEN, serial=40, folder=tmp_path / "fixed")
    sheet, cell = score_cell(template_file, "2.1")
    hosts: set[str] = set()

    with Served(tmp_path / "data") as served:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, accept_downloads=True
        )
        context.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url.split(":")[0]))
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(served.url)
        expect(page.locator("#drop-zone")).to_be_visible()
        assert "token=" not in page.url

        # First use: last year's results, for the 连续两年不合格 rule.
        page.goto(f"{served.base}/history")
        page.locator("form.import input[name=year]").fill("2025")
        page.locator("form.import input[name=file]").set_input_files(last_year)
        page.locator("form.import button[type=submit]").click()
        expect(page.locator("#flash")).to_contain_text("已导入 2025 年度考核结果 11 条")
        expect(page.locator("#history-list")).to_contain_text("涪陵示例医药有限公司")

        # Upload the year's sheets, one of them broken.
        page.goto(f"{served.base}/y/{YEAR}/files")
        page.locator("#pick-files").set_input_files([*samples, broken])
        expect(page.locator("#flash")).to_contain_text("保存评分表 13 份")
        row = page.locator(f'tr[data-file="{broken.name}"]')
        expect(row).to_contain_text("已退回")
        expect(row).to_contain_text(f"{broken.name} › {sheet} › {cell}")
        expect(row).to_contain_text("2.1 得分99超出范围")
        expect(page.locator("#file-list .chip").first).to_contain_text("已接收 12")
        page.screenshot(path=shots / "1-files.png")

        with page.expect_download() as got:
            row.get_by_text("下载退回修改副本").click()
        assert got.value.suggested_filename == broken.name
        copy = openpyxl.load_workbook(saved(got.value, tmp_path / "returned"))
        assert copy[sheet][cell].comment is not None
        assert copy[sheet][cell].fill.start_color.rgb.endswith("FF7C80")

        # The corrected sheet replaces it.
        row.locator("input[name=file]").set_input_files(fixed)
        expect(page.locator("#flash")).to_contain_text("替换")
        expect(page.locator(f'tr[data-file="{broken.name}"]')).to_contain_text("已接收")
        expect(page.locator("#file-list .chip").first).to_contain_text("已接收 13")

        # Run; the page is closed right after the run starts: the run goes on without it.
        page.goto(f"{served.base}/y/{YEAR}/run")
        expect(page.locator("#run-panel")).to_contain_text("开始处理")
        page.get_by_role("button", name="开始处理").click()
        expect(page.locator("#run-panel progress, #run-done").first).to_be_attached()
        page.close()
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{served.base}/y/{YEAR}/run")
        expect(page.locator("#run-done")).to_contain_text("处理完成")
        expect(page.locator("#run-done")).to_contain_text("已接收 13")
        page.screenshot(path=shots / "2-run.png")

        # Results: 13 enterprises, filtered, searched.
        page.goto(f"{served.base}/y/{YEAR}/results")
        rows = page.locator("#results-table tbody tr[data-enterprise]")
        expect(rows).to_have_count(13)
        page.screenshot(path=shots / "3-results.png")
        page.locator("select[name=grade]").select_option("不合格")
        expect(rows).to_have_count(4)
        page.locator("select[name=grade]").select_option("")
        page.locator("#q").fill("医药")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("涪陵示例医药有限公司")
        rows.first.locator("summary").click()
        expect(rows.first.locator("ul.why")).to_contain_text("▲项未达标")

        # Downloads: the summary and a notice, opened with the libraries.
        page.goto(f"{served.base}/y/{YEAR}/downloads")
        page.screenshot(path=shots / "4-downloads.png")
        with page.expect_download() as got:
            page.get_by_text("下载汇总表（.xlsx）").click()
        summary = saved(got.value, tmp_path / "downloads")
        assert summary.name == f"{YEAR}年度国有企业党组织规范化建设考核汇总表.xlsx"
        wb = openpyxl.load_workbook(summary, read_only=True)
        names = {str(c) for r in wb["汇总"].iter_rows(values_only=True) for c in r if c}
        assert BROKEN in names and "涪陵示例机械制造有限公司" in names
        notice_row = page.locator("tr", has_text="涪陵示例建材有限公司")
        with page.expect_download() as got:
            notice_row.get_by_text("Word").click()
        assert got.value.suggested_filename == "涪陵示例建材有限公司_组织诫勉通知书.docx"
        notice = saved(got.value, tmp_path / "downloads")
        text = "\n".join(p.text for p in docx.Document(str(notice)).paragraphs)
        assert "涪陵示例建材有限公司" in text and "组织诫勉" in text

        # History across the years: renamed since last year, followed by its code.
        page.goto(f"{served.base}/history")
        page.screenshot(path=shots / "5-history.png")
        page.locator("tr", has_text="涪陵示例供应链集团有限公司").get_by_text("查看").click()
        expect(page.locator("main")).to_contain_text("涪陵示例物流有限公司")
        expect(page.locator("main tbody tr")).to_have_count(2)
        page.screenshot(path=shots / "6-enterprise.png")

        # Without the token: the Chinese 403 page.
        stranger = browser.new_page(viewport={"width": 1366, "height": 768})
        stranger.goto(f"{served.base}/y/{YEAR}/files")
        expect(stranger.locator("h1")).to_contain_text("访问被拒绝")
        stranger.screenshot(path=shots / "0-forbidden.png")
        stranger.close()
        context.close()

        code, lines, _ = served.interrupt()
    assert code == 0 and lines[-1] == "工作台已停止。"
    assert hosts == {"127.0.0.1"}


def test_sheets_dropped_on_the_page_are_uploaded(browser, tmp_path, samples):
    """Drag and drop: the page's own script takes the dropped files and sends them."""
    import base64

    from playwright.sync_api import expect

    with Served(tmp_path / "data") as served:
        # Playwright builds the drop's DataTransfer with a script of its own, which the page's
        # CSP (no eval) would refuse; the page's scripts are the same either way.
        context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(served.url)
        page.goto(f"{served.base}/y/{YEAR}/files")
        files = [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in samples[:2]]
        transfer = page.evaluate_handle(
            """(files) => {
                const dt = new DataTransfer();
                for (const [name, b64] of files) {
                    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                    dt.items.add(new File([bytes], name));
                }
                return dt;
            }""",
            files,
        )
        page.dispatch_event("#drop-zone", "dragover", {"dataTransfer": transfer})
        expect(page.locator("#drop-zone")).to_have_class("drop over")
        page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
        expect(page.locator("#flash")).to_contain_text("保存评分表 2 份")
        expect(page.locator("#file-list tbody tr")).to_have_count(2)
        context.close()
        code, _, _ = served.interrupt()
    assert code == 0
    stored = sorted(p.name for p in (tmp_path / "data" / "input" / str(YEAR)).iterdir())
    assert stored == sorted(p.name for p in samples[:2])
