"""签发 on the page, and the run tab once a year is issued: the lock, --amend and --first-year.

Every test works on the shipped sample run through the page (real sheets, a real run, the real
history database); the register is read back from the database itself.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import docx
import openpyxl
from starlette.testclient import TestClient

from fuling_batch.forms.samples import locate

from .conftest import BASE, ISSUED, ROOT, YEAR, Desk, db_dump, make_app, run_now, sample_run

PHARMA_SHEET = "2026年度评分表_涪陵示例医药有限公司.xlsx"


def _register(desk: Desk) -> dict[int, tuple[str, str]]:
    """number → (enterprise, state) of every notice of the year, as stored."""
    with sqlite3.connect(desk.data / "output" / "history.sqlite3") as conn:
        rows = conn.execute("SELECT number, enterprise, state FROM notices WHERE year = ?", (YEAR,))
        return {n: (name, state) for n, name, state in rows}


def _issue(desk: Desk, **form: str):
    return desk.post(f"/y/{YEAR}/issue/issue", data=form)


def test_the_register_lists_the_drafts_and_the_form_offers_them(drafted: Desk):
    page = drafted.get(f"/y/{YEAR}/issue").text
    numbers = re.findall(r'data-number="([^"]+)"', page)
    assert numbers == [f"涪国资党委〔{YEAR}〕{n}号" for n in range(1, 9)]
    assert page.count('<span class="badge st-draft">草稿</span>') == 8
    assert "签发 8 份草稿" in page and "签发日期后 30 天" in page
    assert 'href="/y/2026/downloads/notice?name=' in page  # each draft opens from notices/
    assert "⑤ 签发" in page and "⑥ 整改" in page  # in the navigation


def test_before_any_run_there_is_nothing_to_issue(desk: Desk):
    page = desk.get(f"/y/{YEAR}/issue").text
    assert "还没有发文登记" in page and "还没有通知书，请先处理本年度评分表" in page
    refused = _issue(desk, day="2026-10-01")
    assert refused.status_code == 400 and "请先在“处理”页处理本年度评分表" in refused.text
    assert not (desk.data / "output" / "history.sqlite3").exists()


def test_issuing_archives_every_draft_and_records_it(drafted: Desk):
    done = _issue(drafted, day=ISSUED.isoformat())
    assert done.status_code == 200
    assert done.headers["hx-retarget"] == "#flash"
    assert done.headers["hx-trigger-after-settle"] == "register-changed"
    assert "已签发 8 份通知书" in done.text and ISSUED.isoformat() in done.text
    assert f"<li>涪国资党委〔{YEAR}〕7号　涪陵示例医药有限公司　谈话提醒通知书</li>" in done.text
    assert {state for _, state in _register(drafted).values()} == {"issued"}

    page = drafted.get(f"/y/{YEAR}/issue").text
    assert page.count('<span class="badge st-issued">已印发</span>') == 8
    assert "签发 0 份草稿" in page and "没有待签发的草稿" in page
    names = re.findall(r'/y/2026/issue/file\?name=([^"]+)"', page)
    assert len(set(names)) == 8

    archive = drafted.data / "output" / str(YEAR) / "已印发"
    one = next(archive.glob("涪国资党委〔2026〕7号_*"))
    got = drafted.get(f"/y/{YEAR}/issue/file", params={"name": one.name})
    assert got.status_code == 200 and got.content == one.read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert f"{ISSUED.year}年{ISSUED.month}月{ISSUED.day}日" in text

    packed = drafted.get(f"/y/{YEAR}/issue/all.zip")
    assert packed.status_code == 200
    with zipfile.ZipFile(io.BytesIO(packed.content)) as zf:
        assert sorted(zf.namelist()) == sorted(
            f"{YEAR}年度已印发/{p.name}" for p in archive.iterdir()
        )
    assert len(list((drafted.data / ".work").iterdir())) == 0  # the zip is not left behind


def test_a_due_date_is_the_deadline_of_every_rectification(drafted: Desk):
    due = ISSUED + dt.timedelta(days=10)
    done = _issue(drafted, day=ISSUED.isoformat(), due=due.isoformat())
    assert done.status_code == 200 and f"整改期限 {due.isoformat()}" in done.text
    with sqlite3.connect(drafted.data / "output" / "history.sqlite3") as conn:
        dues = [
            d for (d,) in conn.execute("SELECT due FROM rectifications WHERE year = ?", (YEAR,))
        ]
    assert dues == [due.isoformat()] * 8


def test_an_edited_draft_is_issued_as_edited_and_a_missing_one_is_left(drafted: Desk):
    notices = drafted.data / "output" / str(YEAR) / "notices"
    edited = notices / "涪陵示例建材有限公司_组织诫勉通知书.docx"
    document = docx.Document(str(edited))
    document.add_paragraph("（手工补充的一段）")
    document.save(str(edited))
    (notices / "涪陵示例能源有限公司_谈话提醒通知书.docx").unlink()
    done = _issue(drafted, day=ISSUED.isoformat())
    assert done.status_code == 200 and "已签发 7 份通知书" in done.text
    assert 'class="flash warn"' in done.text
    assert f"提示：涪国资党委〔{YEAR}〕3号（涪陵示例建材有限公司）在生成后被手工修改过" in done.text
    assert f"未印发：涪国资党委〔{YEAR}〕6号（涪陵示例能源有限公司）" in done.text
    archived = next((drafted.data / "output" / str(YEAR) / "已印发").glob("*3号_*"))
    assert "（手工补充的一段）" in "\n".join(
        p.text for p in docx.Document(str(archived)).paragraphs
    )
    assert _register(drafted)[6] == ("涪陵示例能源有限公司", "draft")
    assert "签发 1 份草稿" in drafted.get(f"/y/{YEAR}/issue").text


def test_bad_dates_and_a_second_issue_are_chinese_messages_that_record_nothing(drafted: Desk):
    before = db_dump(drafted)
    for form, said in [
        ({}, "请填写签发日期"),
        ({"day": "2026/13/01"}, "签发日期“2026/13/01”不是日期"),
        ({"day": "2026-10-01", "due": "明天"}, "整改期限“明天”不是日期"),
        ({"day": "2026-10-01", "due": "2026-09-30"}, "整改期限 2026-09-30 早于签发日期 2026-10-01"),
    ]:
        refused = _issue(drafted, **form)
        assert refused.status_code == 400, form
        assert said in refused.text and "Traceback" not in refused.text
        assert refused.headers["hx-retarget"] == "#flash"
    assert db_dump(drafted) == before
    assert not (drafted.data / "output" / str(YEAR) / "已印发").exists()

    assert _issue(drafted, day=ISSUED.isoformat()).status_code == 200
    again = _issue(drafted, day=ISSUED.isoformat())
    assert again.status_code == 400 and "没有待印发的通知书" in again.text


def test_issuing_while_the_year_runs_is_409(drafted: Desk):
    holder = sqlite3.connect(drafted.data / "output" / "history.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the run cannot end while another program holds it
    try:
        assert drafted.post(f"/y/{YEAR}/run/start").status_code == 202
        refused = _issue(drafted, day=ISSUED.isoformat())
        assert refused.status_code == 409 and "处理期间不能签发" in refused.text
    finally:
        holder.rollback()
        holder.close()
    assert drafted.app.state.jobs.wait(YEAR, 120)
    assert {state for _, state in _register(drafted).values()} == {"draft"}


def test_one_issue_of_a_year_at_a_time_and_no_run_meanwhile(drafted: Desk):
    from fuling_batch.web.sections import issue

    held = issue._lock(YEAR)  # as a 签发 from another tab holds it
    held.acquire()
    try:
        second = _issue(drafted, day=ISSUED.isoformat())
        assert second.status_code == 409 and "签发正在进行" in second.text
        run = drafted.post(f"/y/{YEAR}/run/start")
        assert run.status_code == 409 and "签发完成后才能重新处理" in run.text
    finally:
        held.release()
    assert _issue(drafted, day=ISSUED.isoformat()).status_code == 200


def test_issuing_needs_the_token_and_the_csrf_token(drafted: Desk, anonymous: TestClient):
    before = db_dump(drafted)
    forged = drafted.post(
        f"/y/{YEAR}/issue/issue", data={"day": "2026-10-01"}, headers={"X-CSRF-Token": "forged"}
    )
    assert forged.status_code == 403 and "页面已过期" in forged.text
    elsewhere = drafted.post(
        f"/y/{YEAR}/issue/issue",
        data={"day": "2026-10-01"},
        headers={"Origin": "http://evil.example"},
    )
    assert elsewhere.status_code == 403 and "请求来源不正确" in elsewhere.text
    assert db_dump(drafted) == before
    for url in (f"/y/{YEAR}/issue", f"/y/{YEAR}/issue/all.zip"):
        assert anonymous.get(url).status_code == 403
    stranger = anonymous.post(f"/y/{YEAR}/issue/issue", data={"day": "2026-10-01"})
    assert stranger.status_code == 403 and "缺少访问令牌" in stranger.text


def test_unknown_issued_files_are_404(office: Desk, drafted: Desk):
    for name in ("../history.sqlite3", "nothing.docx", ""):
        missing = office.get(f"/y/{YEAR}/issue/file", params={"name": name})
        assert missing.status_code == 404 and "找不到该文件" in missing.text
    assert drafted.get(f"/y/{YEAR}/issue/all.zip").status_code == 404


def _changed_sheet(desk: Desk, tmp_path: Path) -> None:
    """The 医药 sheet with item 1.1 scored 0: its issued notice would state another total."""
    path = tmp_path / PHARMA_SHEET
    shutil.copy(ROOT / "input" / PHARMA_SHEET, path)
    wb = openpyxl.load_workbook(path)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and w.title != "填表说明")
    score, remark = locate(ws)[1]["1.1"]
    ws[score], ws[remark] = 0, "章程未列专章"
    wb.save(path)
    assert desk.upload(path).status_code == 200


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_run_that_would_change_an_issued_notice_stops_and_offers_amend(
    office: Desk, tmp_path: Path
):
    _changed_sheet(office, tmp_path)
    before, outputs = db_dump(office), _tree(office.data / "output" / str(YEAR))
    assert run_now(office).locked
    panel = office.get(f"/y/{YEAR}/run/progress").text
    assert "处理已停止，未写入任何文件" in panel
    assert f"涪陵示例医药有限公司：已印发 涪国资党委〔{YEAR}〕7号" in panel
    assert "确认更正（--amend）" in panel and 'name="amend" value="1"' in panel
    assert "--amend 重新运行" not in panel  # the page names its own button
    assert db_dump(office) == before and _tree(office.data / "output" / str(YEAR)) == outputs

    assert not run_now(office, amend="1").locked
    stored = _register(office)
    assert stored[7] == ("涪陵示例医药有限公司", "void")
    assert stored[9] == ("涪陵示例医药有限公司", "draft")
    page = office.get(f"/y/{YEAR}/issue").text
    assert f"已由涪国资党委〔{YEAR}〕9号更正" in page and f"更正涪国资党委〔{YEAR}〕7号" in page
    assert "签发 1 份草稿" in page
    assert "本年度已签发 7 份通知书" in office.get(f"/y/{YEAR}/run").text


def test_a_missing_previous_year_is_red_after_the_run_unless_first_year(desk: Desk):
    result = sample_run(desk, last_year=False)
    assert [code for code, _ in result.run_issues] == ["PREVIOUS_YEAR_MISSING"]
    panel = desk.get(f"/y/{YEAR}/run/progress").text
    found = re.search(
        r'<div class="flash error run-issue" data-code="PREVIOUS_YEAR_MISSING"', panel
    )
    assert found and "历史数据库中没有2025年度的考核结果" in panel
    assert "勾选下方“首次考核（无上年结果）”" in panel

    # After a restart the page reads it from report.json.
    with TestClient(make_app(desk.data), base_url=BASE) as client:
        page = Desk(client).get(f"/y/{YEAR}/run").text
    assert 'data-code="PREVIOUS_YEAR_MISSING"' in page and "首次考核（无上年结果）" in page

    assert run_now(desk, first_year="1").run_issues == []
    assert "PREVIOUS_YEAR_MISSING" not in desk.get(f"/y/{YEAR}/run/progress").text
