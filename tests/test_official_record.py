"""The year as an official record: stable 发文字号, 签发 and lock, nothing the operator made lost,
consequences never dropped silently, and output failures that exit 3 with history untouched.

Every test runs the real command on the shipped sample (copied to a temporary folder)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from docx import Document
from lxml import etree

from fuling_batch.cli import main
from fuling_batch.forms.samples import locate
from fuling_batch.summary import summary_filename

ROOT = Path(__file__).resolve().parents[1]
YEAR = "2026"
PHARMA = "2026年度评分表_涪陵示例医药有限公司.xlsx"
ENERGY = "2026年度评分表_涪陵示例能源有限公司.xlsx"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder as the operator has it: the sample input and last year imported."""
    shutil.copytree(ROOT / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    result = cli("history", "import", "input/往年结果/2025年度考核结果.xlsx", "--year", "2025")
    assert result.exit_code == 0, result.output
    return tmp_path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def set_score(path: Path, code: str, value: object, remark: str = "资料不全") -> None:
    wb = openpyxl.load_workbook(path)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and w.title != "填表说明")
    _, lines = locate(ws)
    score_cell, remark_cell = lines[code]
    ws[score_cell] = value
    ws[remark_cell] = remark
    wb.save(path)


def register(office: Path) -> list[tuple[int, str, str]]:
    """(number, enterprise, state) of every notice of the year, as stored."""
    with sqlite3.connect(office / "output" / "history.sqlite3") as conn:
        return list(
            conn.execute(
                "SELECT number, enterprise, state FROM notices WHERE year = 2026 ORDER BY number"
            )
        )


def numbers(office: Path) -> dict[str, int]:
    return {name: n for n, name, state in register(office) if state != "void"}


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def report(office: Path) -> dict:
    return json.loads((office / "output" / YEAR / "report.json").read_text(encoding="utf-8"))


def test_numbers_stay_put_through_a_correction_round(office: Path) -> None:
    assert cli("run", "input", "--year", YEAR).exit_code == 0
    first = numbers(office)
    assert sorted(first.values()) == list(range(1, 9))
    # The first run numbers 调整, then 诫勉, then 谈话提醒.
    assert first["涪陵示例机械制造有限公司"] == 1 and first["涪陵示例供应链集团有限公司"] == 2

    original = (office / "input" / ENERGY).read_bytes()
    set_score(office / "input" / ENERGY, "1.1", "很好")  # rejected: not a number
    assert cli("run", "input", "--year", YEAR).exit_code == 1
    # Every other enterprise keeps its number; the rejected one keeps its draft number too.
    assert numbers(office) == first

    (office / "input" / ENERGY).write_bytes(original)
    set_score(office / "input" / PHARMA, "4.1.3", 2, "")  # 医药 now passes: its draft is void
    assert cli("run", "input", "--year", YEAR).exit_code == 0
    after = numbers(office)
    assert "涪陵示例医药有限公司" not in after
    assert after == {k: v for k, v in first.items() if k != "涪陵示例医药有限公司"}
    states = {name: state for _, name, state in register(office)}
    assert states["涪陵示例医药有限公司"] == "void"

    set_score(office / "input" / PHARMA, "4.1.3", 1.5)  # 基本合格 again: a new number, never 7
    assert cli("run", "input", "--year", YEAR).exit_code == 0
    stored = register(office)
    assert [n for n, _, _ in stored] == list(range(1, 10))  # nothing reused, nothing skipped
    assert numbers(office)["涪陵示例医药有限公司"] == 9
    entry = next(r for r in report(office)["results"] if r["enterprise"] == "涪陵示例医药有限公司")
    assert entry["notice_number"] == "涪国资党委〔2026〕9号" and entry["notice_state"] == "draft"
    book = openpyxl.load_workbook(office / "output" / YEAR / summary_filename(2026))
    listed = [row[1] for row in book["发文登记"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert listed == [f"涪国资党委〔2026〕{n}号" for n in range(1, 10)]


def test_an_issued_year_is_locked_and_amend_corrects_it(office: Path) -> None:
    assert cli("run", "input", "--year", YEAR).exit_code == 0
    drafts = {
        path.name: _section_kinds(path)
        for path in (office / "output" / YEAR / "notices").glob("*_*.docx")
    }
    issued = cli("issue", "--year", YEAR, "--date", "2026-12-10")
    assert issued.exit_code == 0, issued.output
    archive = office / "output" / YEAR / "已印发"
    assert len(list(archive.glob("*.docx"))) == 8
    notice = next(archive.glob("涪国资党委〔2026〕7号_*"))
    assert "2026年12月10日" in "\n".join(p.text for p in Document(notice).paragraphs)
    # Signed, it prints as its draft did: the 版记 laid out on the last, even page again.
    for signed in archive.glob("*.docx"):
        assert _section_kinds(signed) == drafts[signed.name.split("_", 1)[1]], signed.name
    assert any("evenPage" in kinds for kinds in drafts.values())
    assert cli("issue", "--year", YEAR).exit_code == 2  # nothing left to issue

    set_score(office / "input" / PHARMA, "1.1", 0, "章程未列专章")
    before = tree(office / "output" / YEAR)
    locked = CliRunner().invoke(main, ["run", "input", "--year", YEAR])
    assert locked.exit_code == 2
    assert "已印发 涪国资党委〔2026〕7号" in locked.output and "--amend" in locked.output
    assert tree(office / "output" / YEAR) == before  # not one byte changed

    amended = cli("run", "input", "--year", YEAR, "--amend")
    assert amended.exit_code == 0, amended.output
    stored = {n: (name, state) for n, name, state in register(office)}
    assert stored[7] == ("涪陵示例医药有限公司", "void")
    assert stored[9] == ("涪陵示例医药有限公司", "draft")
    assert notice.is_file()  # the voided original stays in 已印发
    book = openpyxl.load_workbook(office / "output" / YEAR / summary_filename(2026))
    notes = {row[1]: row[7] for row in book["发文登记"].iter_rows(min_row=4, values_only=True)}
    assert notes["涪国资党委〔2026〕9号"] == "更正涪国资党委〔2026〕7号"
    assert notes["涪国资党委〔2026〕7号"] == "已由涪国资党委〔2026〕9号更正"


def _section_kinds(path: Path) -> list[str]:
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    kinds = [t.get(f"{w}val") for sect in root.iter(f"{w}sectPr") for t in sect.iter(f"{w}type")]
    frames = len(list(root.iter(f"{w}framePr")))
    return [*kinds, f"frames={frames}"]


def test_files_the_operator_made_survive_a_rerun_in_backup(office: Path) -> None:
    assert (
        cli("run", "input", "--year", YEAR, "--pdf").exit_code == 0
        if shutil.which("soffice")
        else cli("run", "input", "--year", YEAR).exit_code == 0
    )
    notices = office / "output" / YEAR / "notices"
    (notices / "我的批注.txt").write_text("领导意见：同意", encoding="utf-8")
    edited = notices / "涪陵示例建材有限公司_组织诫勉通知书.docx"
    doc = Document(edited)
    doc.add_paragraph("（手工补充的一段）")
    doc.save(edited)
    pdfs = sorted(p.name for p in notices.glob("*.pdf"))

    result = cli("run", "input", "--year", YEAR)
    assert result.exit_code == 0
    (backup,) = (office / "output" / YEAR / "备份").iterdir()
    kept = sorted(p.name for p in (backup / "notices").iterdir())
    assert "我的批注.txt" in kept and edited.name in kept
    assert set(pdfs) <= set(kept)  # an earlier --pdf run's PDFs are kept, not deleted
    assert "（手工补充的一段）" in "\n".join(
        p.text for p in Document(backup / "notices" / edited.name).paragraphs
    )
    codes = [i["code"] for i in report(office)["run_issues"]]
    assert codes.count("OUTPUT_FILE_KEPT") == len(kept)
    assert "我的批注.txt" in result.output


def test_a_missing_previous_year_is_loud_unless_first_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    result = cli("run", "input", "--year", YEAR)
    assert "历史数据库中没有2025年度的考核结果" in result.output
    (finding,) = report(tmp_path)["run_issues"]
    assert finding["code"] == "PREVIOUS_YEAR_MISSING" and "history import" in finding["message"]
    book = openpyxl.load_workbook(tmp_path / "output" / YEAR / summary_filename(2026))
    assert str(book["汇总"]["A3"].value).startswith("【注意】历史数据库中没有2025年度")

    result = cli("run", "input", "--year", YEAR, "--first-year")
    # Only the skipped file's own name says 2025 now (run names every skipped file).
    assert "2025年度的考核结果" not in result.output and "PREVIOUS_YEAR" not in result.output
    assert report(tmp_path)["run_issues"] == []
    book = openpyxl.load_workbook(tmp_path / "output" / YEAR / summary_filename(2026))
    assert book["汇总"]["A3"].value == "排名"


def test_a_three_year_streak_is_worded_with_its_years(office: Path) -> None:
    # 供应链 failed in 2025 (imported) and fails in 2026; a 2024 table says it failed then too.
    assert cli("run", "input", "--year", YEAR).exit_code == 0
    entry = next(r for r in report(office)["results"] if "供应链" in r["enterprise"])
    assert entry["fail_streak"] == 2
    wb = openpyxl.Workbook()
    wb.active.append(["统一社会信用代码", "企业名称", "总分", "等次"])
    wb.active.append([entry["credit_code"], "涪陵示例物资公司", 51, "不合格"])
    wb.save(office / "2024.xlsx")
    assert cli("history", "import", "2024.xlsx", "--year", "2024").exit_code == 0

    assert cli("run", "input", "--year", YEAR).exit_code == 0
    entry = next(r for r in report(office)["results"] if "供应链" in r["enterprise"])
    assert entry["fail_streak"] == 3 and entry["fail_years"] == [2024, 2025, 2026]
    assert any("2024年、2025年、2026年连续三年不合格" in e for e in entry["explanations"])
    notice = office / "output" / YEAR / entry["notice"]
    text = "\n".join(p.text for p in Document(notice).paragraphs)
    assert "自2024年度起连续三年考核不合格" in text and "连续两年" not in text
    book = openpyxl.load_workbook(office / "output" / YEAR / summary_filename(2026))
    cells = [v for row in book["汇总"].iter_rows(values_only=True) for v in row]
    assert "连续三年（2024—2026）" in cells


def _run_process(office: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fuling_batch", "run", "input", "--year", YEAR, *args],
        cwd=office,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def _history_bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_an_immutable_output_folder_exits_3_with_history_untouched(office: Path) -> None:
    out = office / "output" / YEAR
    out.mkdir(parents=True)
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode:
        pytest.skip("chattr +i is not supported here")
    try:
        db = office / "output" / "history.sqlite3"
        before = _history_bytes(db)
        done = _run_process(office)
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "无法写入" in done.stderr and str(Path("output") / YEAR) in done.stderr
    assert _history_bytes(db) == before


def test_a_full_disk_at_any_stage_exits_3_with_history_untouched(office: Path) -> None:
    """The disk fills at a different point each time (returned copies, summary, notices,
    the history database itself), until there is room: every failing run exits 3 with a
    message, no traceback, and the history database as it was."""
    needed = sum(p.stat().st_size + 4096 for p in office.rglob("*") if p.is_file())
    failures = 0
    for extra_kib in range(40, 2000, 60):
        disk = office / f"disk{extra_kib}"
        disk.mkdir()
        size = needed // 1024 + extra_kib
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}k", "tmpfs", str(disk)],
            capture_output=True,
        )
        if mounted.returncode:
            pytest.skip("cannot mount a small tmpfs here")
        try:
            shutil.copytree(office / "input", disk / "input")
            shutil.copytree(office / "output", disk / "output")  # the imported history
            before = _history_bytes(disk / "output" / "history.sqlite3")
            done = _run_process(disk)
            assert "Traceback" not in done.stderr + done.stdout
            if done.returncode == 0:
                break
            failures += 1
            assert done.returncode == 3, done.stdout + done.stderr
            assert "磁盘空间不足" in done.stderr
            assert _history_bytes(disk / "output" / "history.sqlite3") == before
        finally:
            subprocess.run(["umount", "-l", str(disk)], check=False)
    assert failures >= 3  # the disk did fill at several stages before there was room


def test_an_output_open_in_office_is_refused_unless_forced(office: Path) -> None:
    assert cli("run", "input", "--year", YEAR).exit_code == 0
    summary = office / "output" / YEAR / summary_filename(2026)
    lock = summary.with_name(f".~lock.{summary.name}#")
    lock.write_text("张三,zhangsan,PC-01,02.12.2026 09:30,file:///home/zhangsan;", encoding="utf-8")
    before = tree(office / "output" / YEAR)
    refused = CliRunner().invoke(main, ["run", "input", "--year", YEAR])
    assert refused.exit_code == 3
    assert "由“张三”打开" in refused.output and "--force" in refused.output
    assert tree(office / "output" / YEAR) == before
    assert cli("run", "input", "--year", YEAR, "--force").exit_code == 0
