"""签发 and 整改 in a real browser (Debian's Chromium, driven by Playwright).

The server runs as the operator starts it, on a copy of the sample year already run through the
page. The test issues the notices, opens an archived one with python-docx, records a report
with two attachments for one enterprise, closes it, exports the 整改台账 and opens it with
openpyxl, makes the 催办通知, then changes an issued enterprise's sheet: the run stops and lists
the change, and 确认更正（--amend） corrects it. Every request went to 127.0.0.1. Screenshots
(1366×768) go to $FULING_SCREENSHOTS, or the test's temp folder.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from urllib.parse import urlparse

import docx
import openpyxl
import pytest

from fuling_batch.forms.samples import locate

from .conftest import CHROMIUM, ENERGY, ISSUED, ROOT, WAIT_MS, YEAR, saved
from .served import Served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package")
PHARMA_SHEET = "2026年度评分表_涪陵示例医药有限公司.xlsx"


def test_issue_and_rectify_in_a_browser(browser, shots, tmp_path, ran_data):
    from playwright.sync_api import expect

    shutil.copytree(ran_data, tmp_path / "data")
    hosts: set[str] = set()
    report = tmp_path / "整改情况报告.pdf"
    report.write_bytes(b"%PDF-1.4 rectification report\n")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")

    with Served(tmp_path / "data") as served:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN"
        )
        context.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url.split(":")[0]))
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("dialog", lambda dialog: dialog.accept())  # the 签发 and 更正 confirmations
        page.goto(served.url)

        # 签发: the 8 drafts, issued 60 days ago.
        page.goto(f"{served.base}/y/{YEAR}/issue")
        register = page.locator("#register tbody tr")
        expect(register).to_have_count(8)
        expect(page.locator("#register .badge.st-draft")).to_have_count(8)
        page.locator("#issue-form input[name=day]").fill(ISSUED.isoformat())
        page.get_by_role("button", name="签发 8 份草稿").click()
        expect(page.locator("#flash")).to_contain_text("已签发 8 份通知书")
        expect(page.locator("#register .badge.st-issued")).to_have_count(8)
        expect(page.locator("#issued-files li")).to_have_count(8)
        page.screenshot(path=shots / "7-issue.png")
        with page.expect_download() as got:
            register.filter(has_text="涪陵示例医药有限公司").get_by_text("已印发件").click()
        notice = saved(got.value, tmp_path / "downloads")
        assert notice.name.startswith(f"涪国资党委〔{YEAR}〕7号_涪陵示例医药有限公司")
        text = "\n".join(p.text for p in docx.Document(str(notice)).paragraphs)
        assert f"{ISSUED.year}年{ISSUED.month}月{ISSUED.day}日" in text

        # 整改: every one overdue; 能源 reports with two attachments and is closed.
        page.goto(f"{served.base}/y/{YEAR}/rectify")
        rows = page.locator("#ledger tbody tr")
        expect(rows).to_have_count(8)
        expect(page.locator("#ledger .badge.rs-overdue")).to_have_count(8)
        page.screenshot(path=shots / "8-rectify.png")
        energy = page.locator(f'#ledger tr[data-code="{ENERGY}"]')
        energy.get_by_role("button", name="登记报送").click()
        panel = page.locator("#action-receive")
        expect(panel).to_contain_text("涪陵示例能源有限公司")
        reported = ISSUED + dt.timedelta(days=20)
        panel.locator("input[name=day]").fill(reported.isoformat())
        panel.locator("input[name=files]").set_input_files([report, photo])
        expect(panel.locator(".chosen")).to_contain_text("等 2 个文件")
        page.screenshot(path=shots / "9-rectify-receive.png")
        panel.get_by_role("button", name="保存").click()
        expect(page.locator("#flash")).to_contain_text("已登记：涪陵示例能源有限公司")
        expect(energy.locator(".badge")).to_have_text("已报送")
        expect(rows.last).to_have_attribute("data-code", ENERGY)  # no longer overdue: last

        energy.get_by_role("button", name="销号").click()
        panel = page.locator("#action-close")
        expect(panel).to_contain_text("整改情况报告.pdf")  # its attachments, to review
        panel.locator("input[name=by]").fill("王科长")
        panel.locator("input[name=day]").fill((reported + dt.timedelta(days=2)).isoformat())
        panel.locator("input[name=note]").fill("整改到位，同意销号")
        panel.get_by_role("button", name="销号").click()
        expect(page.locator("#flash")).to_contain_text("已销号：涪陵示例能源有限公司")
        expect(energy.locator(".badge")).to_have_text("已销号")
        expect(energy).to_contain_text("王科长")

        # The 台账, downloaded and opened.
        page.locator("footer").scroll_into_view_if_needed()  # the tools are below the table
        page.locator("#ledger-export button").click()
        expect(page.locator("#flash")).to_contain_text("已生成整改台账")
        expect(page.locator("#flash")).to_be_in_viewport(ratio=1)  # brought into view
        with page.expect_download() as got:
            page.get_by_text("下载整改台账").click()
        ledger = saved(got.value, tmp_path / "downloads")
        assert ledger.name == f"{YEAR}年度整改台账.xlsx"
        sheet = openpyxl.load_workbook(ledger)["整改台账"]
        lines = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
        assert [r[6] for r in lines] == ["逾期"] * 7 + ["已销号"]
        assert lines[-1][2] == "涪陵示例能源有限公司" and lines[-1][10] == "王科长"

        # 催办 for the seven still overdue.
        page.locator("#remind-form button").click()
        expect(page.locator("#flash")).to_contain_text("已生成整改催办通知 7 份")
        expect(page.locator("#reminder-files li")).to_have_count(8)
        with page.expect_download() as got:
            page.get_by_text("下载催办清单").click()
        listing = openpyxl.load_workbook(saved(got.value, tmp_path / "downloads"))
        assert len([r for r in listing.worksheets[0].iter_rows(min_row=4) if r[0].value]) == 7
        page.screenshot(path=shots / "10-rectify-done.png", full_page=True)

        # A changed sheet of an issued enterprise: the run stops, then is amended.
        changed = tmp_path / PHARMA_SHEET
        shutil.copy(ROOT / "input" / PHARMA_SHEET, changed)
        wb = openpyxl.load_workbook(changed)
        ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and w.title != "填表说明")
        score, remark = locate(ws)[1]["1.1"]
        ws[score], ws[remark] = 0, "章程未列专章"
        wb.save(changed)
        page.goto(f"{served.base}/y/{YEAR}/files")
        page.locator("#pick-files").set_input_files([changed])
        expect(page.locator("#flash")).to_contain_text("保存评分表 1 份")
        page.goto(f"{served.base}/y/{YEAR}/run")
        expect(page.locator("main")).to_contain_text("本年度已签发 8 份通知书")
        page.get_by_role("button", name="重新处理").click()
        locked = page.locator("#run-locked")
        expect(locked).to_contain_text("处理已停止，未写入任何文件")
        expect(locked).to_contain_text(f"已印发 涪国资党委〔{YEAR}〕7号")
        page.screenshot(path=shots / "11-run-locked.png")
        page.get_by_role("button", name="确认更正（--amend）").click()
        expect(page.locator("#run-done")).to_contain_text("处理完成")
        page.goto(f"{served.base}/y/{YEAR}/issue")
        # The next free number (the 催办通知 of this year took some).
        expect(page.locator("#register")).to_contain_text(
            re.compile(rf"已由涪国资党委〔{YEAR}〕\d+号更正")
        )
        expect(page.get_by_role("button", name="签发 1 份草稿")).to_be_enabled()
        context.close()
        code, _, _ = served.interrupt()
    assert code == 0
    assert hosts == {"127.0.0.1"}


def test_a_missing_previous_year_is_shown_in_red(browser, shots, tmp_path, samples):
    from playwright.sync_api import expect

    with Served(tmp_path / "data") as served:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.set_default_timeout(WAIT_MS)
        page.goto(served.url)
        page.goto(f"{served.base}/y/{YEAR}/files")
        page.locator("#pick-files").set_input_files(samples)
        expect(page.locator("#flash")).to_contain_text("保存评分表 12 份")
        page.goto(f"{served.base}/y/{YEAR}/run")
        page.get_by_role("button", name="开始处理").click()
        warning = page.locator('.run-issue[data-code="PREVIOUS_YEAR_MISSING"]')
        expect(warning).to_contain_text("历史数据库中没有2025年度的考核结果")
        assert warning.evaluate("e => getComputedStyle(e).color") == "rgb(142, 27, 27)"
        page.screenshot(path=shots / "12-run-previous-year.png")
        page.get_by_label("首次考核（无上年结果）").check()
        with page.expect_response(lambda r: r.url.endswith("/run/start")):
            page.get_by_role("button", name="重新处理").click()
        expect(page.locator("#run-done")).to_contain_text("处理完成")  # this run's panel
        expect(warning).to_have_count(0)
        page.close()
        code, _, _ = served.interrupt()
    assert code == 0
