"""Every page and download, served in-process with real sheets, a real run and real outputs."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from .conftest import YEAR, Desk

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture
def ran(desk: Desk, samples: list[Path], last_year: Path) -> Desk:
    """The sample year run through the page: last year imported, sheets uploaded, run done."""
    imported = desk.post(
        "/history/import",
        data={"year": "2025"},
        files=[("file", (last_year.name, last_year.read_bytes()))],
    )
    assert "已导入 2025 年度考核结果 11 条" in imported.text
    assert desk.upload(*samples).status_code == 200
    assert desk.post(f"/y/{YEAR}/run/start").status_code == 202
    assert desk.app.state.jobs.wait(YEAR, 120)
    return desk


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-enterprise="([^"]+)"', html)


def test_home_goes_to_the_latest_year_with_data(desk: Desk):
    assert desk.get("/").url.path == f"/y/{dt.date.today().year}/files"
    (desk.data / "input" / "2024").mkdir(parents=True)
    # An empty folder (made by a visit) is not a year with data; a sheet makes it one.
    assert desk.get("/").url.path == f"/y/{dt.date.today().year}/files"
    (desk.data / "input" / "2024" / "表.xlsx").write_bytes(b"x")
    (desk.data / "input" / str(dt.date.today().year)).rmdir()
    assert desk.get("/").url.path == "/y/2024/files"
    assert desk.get("/y/2024").url.path == "/y/2024/files"


def test_the_year_chooser_keeps_the_section(desk: Desk):
    assert desk.get("/year?year=2025&section=results").url.path == "/y/2025/results"
    assert desk.get("/year?year=2025&section=history").url.path == "/y/2025/files"
    bad = desk.get("/year?year=20x5")
    assert bad.status_code == 400 and "年度不正确" in bad.text


def test_unknown_pages_and_years_are_chinese_404s(desk: Desk):
    for url in ("/nowhere", f"/y/{YEAR}/nothing", "/y/1999/files", "/y/abc/files"):
        response = desk.get(url)
        assert response.status_code == 404, url
        assert "找不到该页面或文件" in response.text
    assert "年度应在 2000 至 2100 之间" in desk.get("/y/1999/files").text


def test_the_assets_ship_in_the_package_and_no_page_names_another_host(ran: Desk):
    htmx = ran.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and 'version:"2.0.11"' in htmx.text
    for asset in ("app.js", "app.css", "favicon.svg", "NOTICE.txt"):
        assert ran.get(f"/static/{asset}").status_code == 200
    assert "Zero-Clause BSD" in ran.get("/static/NOTICE.txt").text
    key = re.search(r'/history/enterprise\?key=([^"]+)"', ran.get("/history").text)
    assert key
    pages = [
        f"/y/{YEAR}/files",
        f"/y/{YEAR}/run",
        f"/y/{YEAR}/results",
        f"/y/{YEAR}/downloads",
        f"/y/{YEAR}/issue",
        f"/y/{YEAR}/rectify",
        "/history",
        f"/history/enterprise?key={key.group(1)}",
        "/nowhere",
    ]
    for url in pages:
        html = ran.get(url).text
        assert not EXTERNAL.findall(html), url
        assert "font-face" not in html
    assert "@import" not in ran.get("/static/app.css").text
    assert "url(" not in ran.get("/static/app.css").text


def test_the_files_page_and_its_list(desk: Desk, samples):
    empty = desk.get(f"/y/{YEAR}/files")
    assert "还没有评分表" in empty.text and 'id="drop-zone"' in empty.text
    desk.upload(*samples[:3])
    page = desk.get(f"/y/{YEAR}/files").text
    assert "已接收 3" in page
    fragment = desk.get(f"/y/{YEAR}/files/list", headers={"HX-Request": "true"}).text
    assert fragment.startswith('<section class="card" id="file-list">')
    assert fragment.count("<tr class=") == 3


def test_the_run_page_before_and_after(desk: Desk, samples):
    before = desk.get(f"/y/{YEAR}/run").text
    assert "开始处理" in before and "上次处理" not in before
    desk.upload(*samples)
    assert desk.post(f"/y/{YEAR}/run/start").status_code == 202
    assert desk.app.state.jobs.wait(YEAR, 120)
    after = desk.get(f"/y/{YEAR}/run").text
    assert "上次处理" in after and "评级 12 家（合格 4，基本合格 4，不合格 4）" in after


def test_results_can_be_filtered_sorted_and_searched(ran: Desk):
    page = ran.get(f"/y/{YEAR}/results").text
    assert len(_rows(page)) == 12
    assert page.count('<figure class="chart">') == 3 and "<svg" in page
    url = f"/y/{YEAR}/results"
    assert len(_rows(ran.get(url, params={"grade": "不合格"}).text)) == 4
    assert len(_rows(ran.get(url, params={"consequence": "调整"}).text)) == 2
    assert len(_rows(ran.get(url, params={"consequence": "无"}).text)) == 4
    assert _rows(ran.get(url, params={"q": "医药"}).text) == ["涪陵示例医药有限公司"]
    assert _rows(ran.get(url, params={"q": "91500102000000001a"}).text) == [
        "涪陵示例城市建设投资集团有限公司"
    ]
    by_total = _rows(page)
    assert by_total[-1] == "涪陵示例机械制造有限公司"  # 52 points, the lowest
    ascending = _rows(ran.get(url, params={"sort": "total", "order": "asc"}).text)
    assert ascending[0] == "涪陵示例机械制造有限公司"
    by_name = _rows(ran.get(url, params={"sort": "enterprise", "order": "asc"}).text)
    assert by_name == sorted(by_name)
    # The table alone, for htmx.
    fragment = ran.get(
        url, params={"grade": "合格"}, headers={"HX-Request": "true", "HX-Target": "results-table"}
    ).text
    assert fragment.lstrip().startswith('<div id="results-table">') and "<html" not in fragment
    assert len(_rows(fragment)) == 4


def test_results_and_downloads_before_any_run(desk: Desk):
    assert "还没有处理结果" in desk.get(f"/y/{YEAR}/results").text
    assert "还没有处理结果" in desk.get(f"/y/{YEAR}/downloads").text
    for url in ("summary", "notices.zip", "notice?name=x.docx"):
        response = desk.get(f"/y/{YEAR}/downloads/{url}")
        assert response.status_code == 404 and "还没有该文件" in response.text


def test_every_download(ran: Desk):
    page = ran.get(f"/y/{YEAR}/downloads").text
    assert "下载汇总表" in page and "下载呈批表" in page and "下载合并打印版" in page
    assert page.count("/downloads/notice?name=") >= 10

    summary = ran.get(f"/y/{YEAR}/downloads/summary")
    assert summary.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(summary.content), read_only=True)
    names = {str(c) for row in wb["汇总"].iter_rows(values_only=True) for c in row if c}
    assert "涪陵示例医药有限公司" in names and "涪陵示例机械制造有限公司" in names

    notice_name = re.search(r"notice\?name=([^\"]*%E5%BB%BA%E6%9D%90[^\"]*\.docx)", page)
    assert notice_name  # 涪陵示例建材有限公司's notice
    notice = ran.get(f"/y/{YEAR}/downloads/notice?name={notice_name.group(1)}")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(notice.content)).paragraphs)
    assert "涪陵示例建材有限公司" in text and "组织诫勉" in text

    packed = ran.get(f"/y/{YEAR}/downloads/notices.zip")
    assert packed.status_code == 200
    members = zipfile.ZipFile(io.BytesIO(packed.content)).namelist()
    assert len(members) == 12  # 8 notices, 2 调整建议函, the 呈批表 and the combined file
    assert f"{YEAR}年度通知书/{YEAR}年度考核通知书呈批表.docx" in members
    assert list((ran.data / ".work").iterdir()) == []  # the zip was removed once sent

    for bogus in ("../report.json", "../../output/history.sqlite3", "report.json"):
        assert ran.get(f"/y/{YEAR}/downloads/notice", params={"name": bogus}).status_code == 404


def test_history_and_each_enterprise(ran: Desk):
    page = ran.get("/history").text
    assert "2025年" in page and "2026年" in page
    assert "曾用名：涪陵示例物流有限公司" in page  # renamed since last year, same code
    found = ran.get("/history", params={"q": "供应链"}).text
    assert "符合“供应链”的企业 1 家" in found
    key = re.search(r'/history/enterprise\?key=([^"]+)"', found)
    assert key
    detail = ran.get(f"/history/enterprise?key={key.group(1)}").text
    assert "涪陵示例供应链集团有限公司" in detail and "涪陵示例物流有限公司" in detail
    assert detail.count('<td class="w-year">') == 2
    missing = ran.get("/history/enterprise", params={"key": "nobody"})
    assert missing.status_code == 404 and "没有该企业的记录" in missing.text


def test_an_enterprise_without_a_code_is_found_by_its_name(ran: Desk):
    detail = ran.get("/history/enterprise", params={"key": "涪陵示例文化传媒有限公司"})
    assert detail.status_code == 200 and detail.text.count('<td class="w-year">') == 2


def test_the_history_import_says_what_is_wrong(desk: Desk, samples, tmp_path):
    bad_year = desk.post("/history/import", data={"year": "25"}, files=[("file", ("a.xlsx", b"x"))])
    assert bad_year.status_code == 400 and "请填写年度" in bad_year.text
    not_sheet = desk.post(
        "/history/import", data={"year": "2025"}, files=[("file", ("a.txt", b"x"))]
    )
    assert not_sheet.status_code == 400 and "不是表格文件" in not_sheet.text
    # A score sheet is not a results table: nothing imported, and the finding says why.
    wrong = desk.post(
        "/history/import",
        data={"year": "2025"},
        files=[("file", (samples[0].name, samples[0].read_bytes()))],
    )
    assert wrong.status_code == 200
    assert "没有导入任何 2025 年度的记录" in wrong.text
    assert wrong.headers["hx-trigger"] == "history-changed"
    assert "还没有记录" in desk.get("/history").text


def test_a_results_workbook_of_the_tool_imports_as_an_earlier_year(ran: Desk):
    summary = ran.get(f"/y/{YEAR}/downloads/summary").content
    response = ran.post(
        "/history/import", data={"year": "2024"}, files=[("file", ("汇总表.xlsx", summary))]
    )
    assert "已导入 2024 年度考核结果 12 条" in response.text
    assert "2024年" in ran.get("/history").text
