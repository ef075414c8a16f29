"""整改 from notice to 销号, through the real commands on the shipped sample: every state
transition, each bad input (nothing recorded), a hand-made 台账 with located errors, the
export and reminders, and the 2026 → 2027 carry-over into the next year's summary and notice."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from docx import Document

from fuling_batch.cli import main
from fuling_batch.rules.rectification import RectifyState
from fuling_batch.summary import summary_filename

ROOT = Path(__file__).resolve().parents[1]
ENERGY = "91500102000000005N"  # 涪陵示例能源有限公司 (谈话提醒, notice 6)
PHARMA = "91500102000000006R"  # 涪陵示例医药有限公司 (谈话提醒, notice 7)
ISSUED = "2026-10-01"
DUE = "2026-10-31"  # issue date + 30 days
LATER = "2026-11-11"  # 11 days past the deadline


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def issued_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample run for 2026 with last year imported, and its notices issued on 12-10."""
    base = tmp_path_factory.mktemp("issued")
    shutil.copytree(ROOT / "input", base / "input")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        assert (
            cli(
                "history", "import", "input/往年结果/2025年度考核结果.xlsx", "--year", "2025"
            ).exit_code
            == 0
        )
        assert cli("run", "input", "--year", "2026").exit_code == 0
        assert cli("issue", "--year", "2026", "--date", ISSUED).exit_code == 0
    return base


@pytest.fixture
def office(issued_year: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the issued year for each test."""
    shutil.copytree(issued_year, tmp_path / "office")
    monkeypatch.chdir(tmp_path / "office")
    return tmp_path / "office"


def status(today: str = LATER) -> dict[str, dict]:
    result = cli("rectify", "status", "--year", "2026", "--json", "--today", today)
    assert result.exit_code == 0, result.output
    return {row["enterprise"]: row for row in json.loads(result.output)}


def db_dump(office: Path) -> list[tuple]:
    with sqlite3.connect(office / "output" / "history.sqlite3") as conn:
        return [
            *conn.execute("SELECT * FROM rectifications ORDER BY id"),
            *conn.execute("SELECT * FROM rectification_files ORDER BY id"),
            *conn.execute("SELECT id, rectification_id, action, detail FROM rectification_log"),
        ]


def test_status_lists_every_issued_notice_overdue_first_with_the_contract_fields(
    office: Path,
) -> None:
    before = status(DUE)
    assert {r["state"] for r in before.values()} == {"待整改"}
    assert all(r["overdue_days"] == 0 for r in before.values())
    result = cli("rectify", "status", "--year", "2026", "--json", "--today", LATER)
    rows = json.loads(result.output)
    assert len(rows) == 8
    assert set(rows[0]) == {
        "credit_code", "enterprise", "notice_number", "kind", "due", "state", "received",
        "closed", "overdue_days",
    }  # fmt: skip
    assert all(r["state"] == "逾期" and r["overdue_days"] == 11 and r["due"] == DUE for r in rows)
    table = cli("rectify", "status", "--year", "2026", "--today", LATER).output
    assert "涪国资党委〔2" in table and "逾期" in table  # a narrow terminal folds the 文号


def test_every_state_transition(office: Path) -> None:
    report = office / "报告.pdf"
    report.write_bytes(b"%PDF-1.4 rectification report")
    assert cli("rectify", "receive", "--year", "2026", "--code", ENERGY, "--date", "2026-10-20",
               "--file", str(report)).exit_code == 0  # fmt: skip
    row = status()["涪陵示例能源有限公司"]
    assert (row["state"], row["received"], row["overdue_days"]) == ("已报送", "2026-10-20", 0)
    copied = office / "output" / "2026" / "整改材料" / "涪陵示例能源有限公司" / "报告.pdf"
    assert copied.read_bytes() == report.read_bytes()

    closed = cli("rectify", "close", "--year", "2026", "--code", ENERGY, "--by", "王科长",
                 "--date", "2026-10-25", "--note", "整改到位")  # fmt: skip
    assert closed.exit_code == 0, closed.output
    row = status()["涪陵示例能源有限公司"]
    assert (row["state"], row["closed"]) == ("已销号", "2026-10-25")

    assert cli("rectify", "reopen", "--year", "2026", "--code", ENERGY).exit_code == 0
    row = status()["涪陵示例能源有限公司"]
    assert (row["state"], row["closed"]) == ("已报送", None)

    # Who did what and when: every change is in the log, with the OS user.
    with sqlite3.connect(office / "output" / "history.sqlite3") as conn:
        actions = [a for (a,) in conn.execute("SELECT action FROM rectification_log ORDER BY id")]
        users = {u for (u,) in conn.execute("SELECT user FROM rectification_log")}
    assert actions[-4:] == ["报送", "附件", "销号", "撤销销号"]
    assert users and "" not in users


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["receive", "--code", "91500102MA00000000"], "没有统一社会信用代码为"),
        (["receive", "--code", ENERGY, "--date", "2026-09-01"], "早于通知书"),
        (["receive", "--code", ENERGY, "--date", "2026-10-20", "--file", "缺少的文件.pdf"],
         "找不到附件"),
        (["close", "--code", PHARMA, "--by", "王科长"], "尚未报送整改情况，不能销号"),
        (["reopen", "--code", PHARMA], "尚未销号"),
    ],
)  # fmt: skip
def test_bad_input_is_a_chinese_error_and_records_nothing(
    office: Path, args: list[str], message: str
) -> None:
    before = db_dump(office)
    result = cli("rectify", args[0], "--year", "2026", *args[1:])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert db_dump(office) == before
    assert not (office / "output" / "2026" / "整改材料").exists()


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


def test_a_hand_made_ledger_with_errors_is_located_and_records_nothing(office: Path) -> None:
    ledger = _ledger(
        office / "台账.xlsx",
        [
            [ENERGY, "", "2026-10-20", "2026/10/25", "王科长", "已整改"],
            ["91500102MA00000000", "", "2026-10-20", "", "", ""],
            [PHARMA, "", "一月五日", "", "", ""],
            ["", "涪陵示例建材有限公司", "", "2026-10-26", "", ""],
            ["", "涪陵示例农业发展集团有限公司", "2026-09-01", "", "", ""],
        ],
    )
    before = db_dump(office)
    result = cli("rectify", "import", str(ledger), "--year", "2026")
    assert result.exit_code == 2
    for where in ("台账.xlsx › 台账 › A4", "台账.xlsx › 台账 › C5", "台账.xlsx › 台账 › D6",
                  "台账.xlsx › 台账 › C7"):  # fmt: skip
        assert where in result.output, where
    assert "不在本年度已印发通知书的企业中" in result.output and "不是日期" in result.output
    assert db_dump(office) == before


def test_a_good_ledger_is_imported_in_one_go(office: Path) -> None:
    ledger = _ledger(
        office / "台账.xlsx",
        [
            [ENERGY, "", "2026-10-20", "2026年10月25日", "王科长", "已整改"],
            ["", "涪陵示例医药有限公司", "2026-11-03", "", "", "逾期3天报送"],
        ],
    )
    result = cli("rectify", "import", str(ledger), "--year", "2026")
    assert result.exit_code == 0, result.output
    rows = status()
    assert rows["涪陵示例能源有限公司"]["state"] == "已销号"
    assert rows["涪陵示例医药有限公司"]["state"] == "已报送"
    assert rows["涪陵示例建材有限公司"]["state"] == "逾期"


def test_export_and_reminders(office: Path) -> None:
    assert (
        cli(
            "rectify", "receive", "--year", "2026", "--code", ENERGY, "--date", "2026-10-20"
        ).exit_code
        == 0
    )
    assert cli("rectify", "export", "--year", "2026", "--today", LATER).exit_code == 0
    book = openpyxl.load_workbook(office / "output" / "2026" / "2026年度整改台账.xlsx")
    ws = book["整改台账"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == 8
    states = [r[6] for r in rows]
    assert states == ["逾期"] * 7 + ["已报送"]  # overdue first
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows

    sent = cli("rectify", "remind", "--year", "2026", "--today", LATER)
    assert sent.exit_code == 0, sent.output
    folder = office / "output" / "2026" / "整改催办"
    reminders = sorted(folder.glob("*.docx"))
    assert len(reminders) == 7 and not any("能源" in p.name for p in reminders)
    first = next(p for p in reminders if "〔2026〕9号" in p.name)
    text = "\n".join(p.text for p in Document(first).paragraphs)
    assert "涪国资党委〔2026〕9号" in text and "已逾期11天" in text and "2026年11月11日" in text
    with sqlite3.connect(office / "output" / "history.sqlite3") as conn:
        kinds = list(conn.execute("SELECT kind, state FROM notices WHERE number > 8"))
    assert kinds == [("整改催办通知", "issued")] * 7
    # The same day again renews the same documents: no new numbers.
    assert cli("rectify", "remind", "--year", "2026", "--today", LATER).exit_code == 0
    with sqlite3.connect(office / "output" / "history.sqlite3") as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM notices").fetchone()
    assert count == 15
    assert (folder / f"{LATER}整改催办清单.xlsx").is_file()


def test_next_year_shows_last_years_rectification(office: Path) -> None:
    """2026 → 2027: the 2027 summary and notices say how each enterprise's 2026 整改 stands."""
    assert (
        cli(
            "rectify", "receive", "--year", "2026", "--code", ENERGY, "--date", "2026-10-20"
        ).exit_code
        == 0
    )
    assert cli("rectify", "close", "--year", "2026", "--code", ENERGY, "--by", "王科长",
               "--date", "2026-10-25").exit_code == 0  # fmt: skip
    # 2027: the same enterprises, the same scores, a year later.
    target = office / "input2027"
    target.mkdir()
    for sheet in sorted((office / "input").glob("2026年度评分表_*.xlsx")):
        wb = openpyxl.load_workbook(sheet)
        ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and w.title != "填表说明")
        year_cell = next(c for row in ws.iter_rows() for c in row if c.value == "考核年度")
        ws.cell(year_cell.row, year_cell.column + 1).value = 2027
        wb.save(target / sheet.name.replace("2026", "2027"))
    result = cli("run", "input2027", "--year", "2027")
    assert result.exit_code == 0, result.output
    year_dir = office / "output" / "2027"
    book = openpyxl.load_workbook(year_dir / summary_filename(2027))
    sheet = book["上年整改情况"]
    rows = {r[2]: r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    assert len(rows) == 8
    assert rows["涪陵示例能源有限公司"][5] == "已销号"
    assert rows["涪陵示例建材有限公司"][5] == str(RectifyState.OVERDUE)
    overview = book["汇总"]
    header = [c.value for c in overview[3]]
    col = header.index("上年整改情况")
    by_name = {r[1]: r[col] for r in overview.iter_rows(min_row=4, values_only=True) if r[1]}
    assert by_name["涪陵示例能源有限公司"] == "2026年度整改已销号"
    assert by_name["涪陵示例建材有限公司"].startswith("2026年度整改逾期未报送")
    assert by_name["涪陵示例粮油有限公司"] == "—"  # passed in 2026: no notice, no 整改
    report = json.loads((year_dir / "report.json").read_text(encoding="utf-8"))
    entry = next(r for r in report["results"] if r["enterprise"] == "涪陵示例建材有限公司")
    text = "\n".join(p.text for p in Document(year_dir / entry["notice"]).paragraphs)
    assert "上年度整改情况：2026年度整改逾期未报送" in text
