"""整改 on the page: the status table, each action and each refusal, the office's 台账 in,
整改台账.xlsx and 催办通知 out — on the sample year issued through the page 60 days ago."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from starlette.testclient import TestClient

from fuling_batch.web import Limits

from .conftest import (
    BASE,
    DUE,
    ENERGY,
    ISSUED,
    MEDIA,
    PHARMA,
    YEAR,
    Desk,
    db_dump,
    make_app,
)

TODAY = dt.date.today()
REPORT = b"%PDF-1.4 rectification report\n"


def _rows(desk: Desk) -> dict[str, str]:
    """code → the row's HTML, in the page's order."""
    page = desk.get(f"/y/{YEAR}/rectify").text
    return dict(re.findall(r'<tr class="rs-\w+" data-code="([^"]+)">(.*?)</tr>', page, re.S))


def _state(desk: Desk, code: str) -> str:
    found = re.search(r'<span class="badge rs-\w+">([^<]+)</span>', _rows(desk)[code])
    assert found
    return found.group(1)


def _receive(desk: Desk, code: str, day: dt.date, *files: tuple[str, bytes]):
    return desk.post(
        f"/y/{YEAR}/rectify/receive",
        data={"code": code, "day": day.isoformat()},
        files=[("files", f) for f in files] or [("files", ("", b""))],
    )


def _close(desk: Desk, code: str, day: dt.date, by: str = "王科长", note: str = "整改到位"):
    return desk.post(
        f"/y/{YEAR}/rectify/close",
        data={"code": code, "by": by, "day": day.isoformat(), "note": note},
    )


def _materials(desk: Desk) -> Path:
    return desk.data / "output" / str(YEAR) / "整改材料"


def test_the_table_lists_every_issued_notice_overdue_first(office: Desk):
    assert _receive(office, ENERGY, ISSUED + dt.timedelta(days=5)).status_code == 200
    rows = _rows(office)
    assert len(rows) == 8
    codes = list(rows)
    assert codes[-1] == ENERGY  # reported: after the seven overdue
    for code in codes[:-1]:
        assert '<span class="badge rs-overdue">逾期</span>' in rows[code]
        assert '<b class="late">30</b>' in rows[code]
        assert f'<td class="nowrap">{DUE.isoformat()}<small>{ISSUED.isoformat()} 印发' in rows[code]
    assert '<span class="badge rs-received">已报送</span>' in rows[ENERGY]
    page = office.get(f"/y/{YEAR}/rectify").text
    assert '<span class="chip rs-overdue">逾期 7</span>' in page
    assert '<span class="chip rs-received">已报送 1</span>' in page
    assert MEDIA in rows  # no credit code: the row is known by its name


def test_before_any_issue_the_page_says_what_to_do(drafted: Desk, desk: Desk):
    assert "还没有整改记录" in drafted.get(f"/y/{YEAR}/rectify").text
    refused = _receive(drafted, ENERGY, TODAY)
    assert refused.status_code == 400 and "请先在“签发”页签发通知书" in refused.text
    fresh = _receive(desk, ENERGY, TODAY)
    assert fresh.status_code == 400 and "请先在“处理”页处理本年度评分表" in fresh.text
    assert not (desk.data / "output" / "history.sqlite3").exists()


def test_each_row_opens_the_form_of_its_action(office: Desk):
    form = office.get(f"/y/{YEAR}/rectify/action", params={"code": ENERGY, "do": "receive"})
    assert form.status_code == 200
    assert 'id="action-receive"' in form.text and "涪陵示例能源有限公司" in form.text
    assert f'name="code" value="{ENERGY}"' in form.text and 'name="files" multiple' in form.text
    assert "data-attachments" in form.text
    closing = office.get(f"/y/{YEAR}/rectify/action", params={"code": ENERGY, "do": "close"})
    assert 'name="by"' in closing.text
    unknown = office.get(
        f"/y/{YEAR}/rectify/action",
        params={"code": "91500102MA00000000", "do": "close"},
        headers={"HX-Request": "true"},
    )
    assert unknown.status_code == 404 and "整改记录中没有" in unknown.text
    assert office.get(f"/y/{YEAR}/rectify/action").text == ""  # 取消: the form closes


def test_receive_close_and_reopen(office: Desk):
    day = ISSUED + dt.timedelta(days=20)
    done = _receive(
        office, ENERGY, day, ("../../整改报告.pdf", REPORT), ("现场照片.jpg", b"\xff\xd8\xff photo")
    )
    assert done.status_code == 200, done.text
    assert done.headers["hx-trigger-after-settle"] == "ledger-changed"
    assert "已登记：涪陵示例能源有限公司于" in done.text and "附件 2 份" in done.text
    folder = _materials(office) / "涪陵示例能源有限公司"
    assert sorted(p.name for p in folder.iterdir()) == ["整改报告.pdf", "现场照片.jpg"]
    assert (folder / "整改报告.pdf").read_bytes() == REPORT
    assert _state(office, ENERGY) == "已报送"
    assert '<td class="w-att">2</td>' in _rows(office)[ENERGY]  # two attachments

    form = office.get(f"/y/{YEAR}/rectify/action", params={"code": ENERGY, "do": "close"}).text
    link = re.search(r'href="(/y/2026/rectify/material\?path=[^"]+)">整改报告.pdf', form)
    assert link
    got = office.get(link.group(1).replace("&amp;", "&"))
    assert got.status_code == 200 and got.content == REPORT

    closed = _close(office, ENERGY, day + dt.timedelta(days=3))
    assert closed.status_code == 200 and "已销号：涪陵示例能源有限公司" in closed.text
    row = _rows(office)[ENERGY]
    assert "已销号" in row and "王科长" in row and "整改到位" in row
    assert "撤销销号" in row and "登记报送" not in row

    reopened = office.post(f"/y/{YEAR}/rectify/reopen", data={"code": ENERGY, "note": "误销号"})
    assert reopened.status_code == 200 and "已撤销销号" in reopened.text
    assert _state(office, ENERGY) == "已报送"


def test_an_enterprise_without_a_code_is_found_by_its_name(office: Desk):
    assert _receive(office, MEDIA, TODAY).status_code == 200
    assert _state(office, MEDIA) == "已报送"


@pytest.mark.parametrize(
    ("action", "form", "said"),
    [
        ("receive", {"code": "91500102MA00000000", "day": "TODAY"}, "没有统一社会信用代码为"),
        ("receive", {"code": ENERGY, "day": "BEFORE"}, "早于通知书"),
        ("receive", {"code": ENERGY, "day": "2026-02-30"}, "报送日期“2026-02-30”不是日期"),
        ("receive", {"code": ENERGY}, "请填写报送日期"),
        ("close", {"code": PHARMA, "by": "王科长", "day": "TODAY"}, "尚未报送整改情况，不能销号；请先“登记报送”"),
        ("close", {"code": PHARMA, "by": "  ", "day": "TODAY"}, "销号须写明审核人"),
        ("close", {"code": "无此企业", "by": "王科长", "day": "TODAY"}, "没有统一社会信用代码为“无此企业”"),
        ("reopen", {"code": PHARMA}, "尚未销号，无需撤销"),
    ],
)  # fmt: skip
def test_bad_input_is_a_chinese_message_and_records_nothing(
    office: Desk, action: str, form: dict[str, str], said: str
):
    dates = {"TODAY": TODAY.isoformat(), "BEFORE": (ISSUED - dt.timedelta(days=1)).isoformat()}
    form = {k: dates.get(v, v) for k, v in form.items()}
    before = db_dump(office)
    refused = office.post(f"/y/{YEAR}/rectify/{action}", data=form)
    assert refused.status_code == 400, refused.text
    assert said in refused.text and "Traceback" not in refused.text
    assert refused.headers["hx-retarget"] == "#flash"
    assert "rectify " not in refused.text and "--by" not in refused.text  # the page's words
    assert db_dump(office) == before
    assert not _materials(office).exists()


@pytest.mark.parametrize(
    ("name", "data", "status", "said"),
    [
        ("整改报告.pdf", b"", 400, "是空文件"),
        ("整改报告.exe", b"MZ", 400, "不是整改材料常用的文件类型"),
        ("~$整改报告.docx", b"lock", 400, "不是整改材料常用的文件类型"),
    ],
)
def test_a_bad_attachment_records_nothing(
    office: Desk, name: str, data: bytes, status: int, said: str
):
    before = db_dump(office)
    refused = _receive(office, ENERGY, TODAY, ("好的附件.pdf", REPORT), (name, data))
    assert refused.status_code == status and said in refused.text
    assert db_dump(office) == before and not _materials(office).exists()
    assert list((office.data / ".work").iterdir()) == []


def test_an_oversized_attachment_records_nothing(issued_data: Path, tmp_path: Path):
    import shutil

    shutil.copytree(issued_data, tmp_path / "data")
    app = make_app(tmp_path / "data", Limits(attachment_bytes=1024))
    with TestClient(app, base_url=BASE) as client:
        desk = Desk(client)
        before = db_dump(desk)
        refused = _receive(desk, ENERGY, TODAY, ("扫描件.pdf", b"%PDF" + b"x" * 2000))
        assert refused.status_code == 413 and "附件过大" in refused.text and "1 KB" in refused.text
        assert db_dump(desk) == before and not _materials(desk).exists()
        form = desk.get(f"/y/{YEAR}/rectify/action", params={"code": ENERGY, "do": "receive"})
        assert 'data-max-file="1024"' in form.text  # the page refuses it before sending too


def _ledger(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["2026年度整改台账（办公室自制）"])
    ws.append(["统一社会信用代码", "企业名称", "报送日期", "销号日期", "审核人", "备注"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _import(desk: Desk, path: Path, name: str | None = None):
    return desk.post(
        f"/y/{YEAR}/rectify/import", files=[("file", (name or path.name, path.read_bytes()))]
    )


def test_a_good_ledger_is_imported(office: Desk, tmp_path: Path):
    reported, closed = (ISSUED + dt.timedelta(days=d) for d in (10, 15))
    ledger = _ledger(
        tmp_path / "台账.xlsx",
        [
            [ENERGY, "", reported.isoformat(), closed.strftime("%Y年%m月%d日"), "王科长", "已整改"],
            ["", "涪陵示例医药有限公司", reported.isoformat(), "", "", "逾期报送"],
        ],
    )
    done = _import(office, ledger)
    assert done.status_code == 200 and "2 家企业的整改记录有更新" in done.text
    assert done.headers["hx-trigger-after-settle"] == "ledger-changed"
    assert _state(office, ENERGY) == "已销号" and _state(office, PHARMA) == "已报送"


def test_a_bad_ledger_names_each_cell_and_records_nothing(office: Desk, tmp_path: Path):
    ledger = _ledger(
        tmp_path / "台账.xlsx",
        [
            [ENERGY, "", ISSUED.isoformat(), (ISSUED + dt.timedelta(days=3)).isoformat(), "王科长", ""],
            ["91500102MA00000000", "", ISSUED.isoformat(), "", "", ""],
            [PHARMA, "", "一月五日", "", "", ""],
            ["", "涪陵示例建材有限公司", "", ISSUED.isoformat(), "", ""],
        ],
    )  # fmt: skip
    before = db_dump(office)
    refused = _import(office, ledger, "办公室台账.xlsx")
    assert refused.status_code == 400 and "未记录任何内容" in refused.text
    lines = re.findall(r"<li>([^<]+)</li>", refused.text)
    assert any(line.startswith("办公室台账.xlsx › 台账 › A4：") for line in lines), lines
    assert any(
        line.startswith("办公室台账.xlsx › 台账 › C5：") and "不是日期" in line for line in lines
    )
    assert any(line.startswith("办公室台账.xlsx › 台账 › D6：") for line in lines)
    assert db_dump(office) == before

    wrong = office.post(
        f"/y/{YEAR}/rectify/import", files=[("file", ("台账.docx", b"PK not a sheet"))]
    )
    assert wrong.status_code == 400 and "不是电子表格文件" in wrong.text
    broken = office.post(f"/y/{YEAR}/rectify/import", files=[("file", ("台账.xlsx", b"garbage"))])
    assert broken.status_code == 400 and "无法读取整改台账 台账.xlsx" in broken.text
    none = office.post(f"/y/{YEAR}/rectify/import", files=[("file", ("", b""))])
    assert none.status_code == 400 and "没有选择文件" in none.text
    assert db_dump(office) == before


def test_the_ledger_is_exported_and_downloaded(office: Desk):
    assert _receive(office, ENERGY, ISSUED + dt.timedelta(days=5)).status_code == 200
    assert "下载整改台账" not in office.get(f"/y/{YEAR}/rectify").text
    made = office.post(f"/y/{YEAR}/rectify/export", data={"day": TODAY.isoformat()})
    assert made.status_code == 200 and "已生成整改台账" in made.text
    page = office.get(f"/y/{YEAR}/rectify").text
    link = re.search(r'href="(/y/2026/rectify/file\?name=[^"]+)">下载整改台账', page)
    assert link
    got = office.get(link.group(1))
    assert got.status_code == 200
    assert (
        "2026%E5%B9%B4%E5%BA%A6%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.xlsx"
        in got.headers["content-disposition"]
    )  # 2026年度整改台账.xlsx
    ws = openpyxl.load_workbook(io.BytesIO(got.content))["整改台账"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert [r[6] for r in rows] == ["逾期"] * 7 + ["已报送"]
    bad = office.post(f"/y/{YEAR}/rectify/export", data={"day": "昨天"})
    assert bad.status_code == 400 and "统计日期“昨天”不是日期" in bad.text


def test_reminders_for_the_overdue_are_made_and_downloaded(office: Desk):
    assert _receive(office, ENERGY, ISSUED + dt.timedelta(days=5)).status_code == 200
    sent = office.post(f"/y/{YEAR}/rectify/remind", data={"day": TODAY.isoformat()})
    assert sent.status_code == 200 and "已生成整改催办通知 7 份" in sent.text
    assert "涪陵示例医药有限公司　逾期 30 天" in sent.text and "能源" not in sent.text
    page = office.get(f"/y/{YEAR}/rectify").text
    names = re.findall(r'/y/2026/rectify/file\?name=([^"]+)"', page)
    assert len(set(names)) == 8  # 7 notices and the list
    packed = office.get(f"/y/{YEAR}/rectify/reminders.zip")
    with zipfile.ZipFile(io.BytesIO(packed.content)) as zf:
        assert len([n for n in zf.namelist() if n.endswith(".docx")]) == 7
    listing = office.get(f"/y/{YEAR}/rectify/file", params={"name": f"{TODAY}整改催办清单.xlsx"})
    assert listing.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(listing.content)).worksheets[0]
    assert len([r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]) == 7
    folder = office.data / "output" / str(YEAR) / "整改催办"
    one = next(folder.glob("*涪陵示例医药有限公司*.docx"))
    got = office.get(f"/y/{YEAR}/rectify/file", params={"name": one.name})
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert "涪陵示例医药有限公司" in text and "逾期30天" in text
    # The 签发 tab's register numbers them too.
    assert office.get(f"/y/{TODAY.year}/issue").text.count("整改催办通知") >= 7


def test_no_reminder_before_the_deadline(office: Desk):
    before = db_dump(office)
    quiet = office.post(f"/y/{YEAR}/rectify/remind", data={"day": DUE.isoformat()})
    assert quiet.status_code == 200
    assert f"截至 {DUE.isoformat()}，{YEAR} 年度没有逾期未报送整改情况的企业" in quiet.text
    assert db_dump(office) == before
    assert not (office.data / "output" / str(YEAR) / "整改催办").exists()
    bad = office.post(f"/y/{YEAR}/rectify/remind", data={"day": ""})
    assert bad.status_code == 400 and "请填写催办日期" in bad.text


def test_unknown_downloads_are_404(office: Desk):
    for url, params in [
        (f"/y/{YEAR}/rectify/file", {"name": "../history.sqlite3"}),
        (f"/y/{YEAR}/rectify/file", {"name": "2026年度整改台账.xlsx"}),  # not made yet
        (f"/y/{YEAR}/rectify/material", {"path": "../history.sqlite3"}),
        (f"/y/{YEAR}/rectify/material", {"path": "整改材料/x/报告.pdf"}),
        (f"/y/{YEAR}/rectify/reminders.zip", {}),
    ]:
        assert office.get(url, params=params).status_code == 404, params


def test_every_change_needs_the_token_and_the_csrf_token(office: Desk, anonymous: TestClient):
    before = db_dump(office)
    form = {"code": ENERGY, "day": TODAY.isoformat(), "by": "王科长"}
    for action in ("receive", "close", "reopen", "import", "export", "remind"):
        url = f"/y/{YEAR}/rectify/{action}"
        forged = office.post(url, data=form, headers={"X-CSRF-Token": "0" * 64})
        assert forged.status_code == 403 and "页面已过期" in forged.text, action
        assert anonymous.post(url, data=form).status_code == 403
        assert office.client.post(url, data=form).status_code == 403  # no token, no origin
    assert anonymous.get(f"/y/{YEAR}/rectify").status_code == 403
    assert db_dump(office) == before
