"""`issue` (签发/印发) after a run, and `run --amend` once notices are issued."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from fuling_batch.forms.samples import LAST_YEAR_FILE

from .conftest import ROOT, Invoke, Ran, digest, invoke, read_report

ISSUED = "已印发"
KINDS = {
    ("组织诫勉", "重点整顿", "调整"): "组织诫勉及调整建议通知书",
    ("组织诫勉", "重点整顿"): "组织诫勉通知书",
    ("谈话提醒",): "谈话提醒通知书",
}


@dataclass(frozen=True)
class Issued:
    """The sample imported, run and issued on 2026-12-10, in a folder of its own (read only)."""

    base: Path
    issued: Ran

    @property
    def year_dir(self) -> Path:
        return self.base / "output" / "2026"


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    base = tmp_path_factory.mktemp("issued")
    shutil.copytree(ROOT / "input", base / "input")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        assert (
            invoke("history", "import", Path("input") / LAST_YEAR_FILE, "--year", 2025).exit_code
            == 0
        )
        assert invoke("run", "input", "--year", 2026).exit_code == 0
        done = invoke("issue", "--year", 2026, "--date", "2026-12-10")
    return Issued(base, done)


@pytest.fixture
def copy_of(issued: Issued, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the issued folder to change, as the working folder."""
    base = tmp_path / "copy"
    shutil.copytree(issued.base, base)
    monkeypatch.chdir(base)
    return base


def number_order(doc_number: str) -> int:
    """涪国资党委〔2026〕7号 → 7."""
    found = re.search(r"〕(\d+)号$", doc_number)
    assert found, doc_number
    return int(found.group(1))


def text_of(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_issue_lists_every_notice_it_issued(issued: Issued):
    done = issued.issued
    assert done.exit_code == 0, done
    assert done.stderr == ""
    report = read_report(issued.year_dir)["results"]
    expected = [
        f"已印发 {r['notice_number']}　{r['enterprise']}　{KINDS[tuple(r['consequences'])]}："
        f"{r['notice_number']}_{r['enterprise']}_{KINDS[tuple(r['consequences'])]}.docx"
        for r in sorted(
            (r for r in report if r["notice"]), key=lambda r: number_order(r["notice_number"])
        )
    ]
    lines = done.stdout.splitlines()
    assert lines[:-1] == expected and len(expected) == 8
    assert lines[-1] == "共印发 8 份，签发日期 2026-12-10；存放于 output/2026/已印发"


def test_issued_copies_carry_the_signing_date(issued: Issued):
    archived = sorted((issued.year_dir / ISSUED).iterdir())
    assert len(archived) == 8
    for path in archived:
        number, enterprise, _ = path.stem.split("_")
        text = text_of(path)
        assert number in text and f"中共{enterprise}委员会：" in text
        assert "2026年12月10日" in text  # the 签发 date is the 成文日期
    # The drafts in notices/ now say what was issued.
    for result in read_report(issued.year_dir)["results"]:
        if result["notice"]:
            assert "2026年12月10日" in text_of(issued.year_dir / result["notice"])


def test_issuing_again_is_a_usage_error_and_changes_nothing(issued: Issued, copy_of: Path):
    before = digest(copy_of / "output")
    done = invoke("issue", "--year", 2026)
    assert done.exit_code == 2, done
    assert done.stderr == "错误：2026年度没有待印发的通知书（发文登记中无草稿）\n"
    assert done.stdout == ""
    assert digest(copy_of / "output") == before


def _lower_score(sheet: Path, code: str = "1.1") -> None:
    wb = openpyxl.load_workbook(sheet)
    ws = wb["评分表"]
    for row in ws.iter_rows():
        if row[0].value == code:
            row[4].value, row[5].value = 0, "会议记录缺失"
    wb.save(sheet)


def test_a_run_that_would_change_an_issued_notice_stops_unless_amend(copy_of: Path):
    (sheet,) = (copy_of / "input").glob("*建材*.xlsx")
    _lower_score(sheet)  # 55 → 54 points
    before = digest(copy_of / "output")
    stopped = invoke("run", "input", "--year", 2026)
    assert stopped.exit_code == 2, stopped
    assert stopped.stdout == ""
    assert stopped.stderr.startswith("错误：2026年度已有通知书印发")
    assert "涪陵示例建材有限公司：已印发 涪国资党委〔2026〕3号" in stopped.stderr
    assert "本次：总分54分" in stopped.stderr and "--amend" in stopped.stderr
    assert digest(copy_of / "output") == before, "未写入任何文件"

    amended = invoke("run", "input", "--year", 2026, "--amend")
    assert amended.exit_code == 0, amended
    results = {r["enterprise"]: r for r in read_report(copy_of / "output" / "2026")["results"]}
    assert results["涪陵示例建材有限公司"]["total"] == 54
    assert results["涪陵示例建材有限公司"]["notice_number"] == "涪国资党委〔2026〕9号"
    assert results["涪陵示例建材有限公司"]["notice_state"] == "draft"
    assert results["涪陵示例机械制造有限公司"]["notice_number"] == "涪国资党委〔2026〕1号"
    # The voided notice stays in 已印发; the correction is issued next.
    corrected = invoke("issue", "--year", 2026, "--date", "2026-12-11")
    assert corrected.exit_code == 0, corrected
    assert corrected.stdout.splitlines()[-1].startswith("共印发 1 份，签发日期 2026-12-11")
    assert len(list((copy_of / "output" / "2026" / ISSUED).iterdir())) == 9


def test_an_edited_draft_is_issued_as_edited(cli: Invoke, sample_input: Path, tmp_path: Path):
    assert cli("run", sample_input, "--year", 2026, "--first-year").exit_code == 0
    report = read_report(tmp_path / "output" / "2026")["results"]
    (edited,) = [r for r in report if r["enterprise"] == "涪陵示例能源有限公司"]
    draft = tmp_path / "output" / "2026" / edited["notice"]
    doc = Document(str(draft))
    doc.add_paragraph("（经办人补充说明）")
    doc.save(str(draft))
    done = cli("issue", "--year", 2026, "--date", "2026-12-10")
    assert done.exit_code == 0, done
    (line,) = done.stderr.splitlines()
    assert line == (
        f"提示：{edited['notice_number']}（涪陵示例能源有限公司）在生成后被手工修改过，"
        "已按修改后的文件印发，成文日期未自动更新，请核对"
    )
    (archived,) = (tmp_path / "output" / "2026" / ISSUED).glob("*涪陵示例能源有限公司*")
    assert "（经办人补充说明）" in text_of(archived)


def test_a_draft_whose_file_is_gone_stays_a_draft(cli: Invoke, sample_input: Path, tmp_path):
    assert cli("run", sample_input, "--year", 2026, "--first-year").exit_code == 0
    report = read_report(tmp_path / "output" / "2026")["results"]
    (gone,) = [r for r in report if r["enterprise"] == "涪陵示例医药有限公司"]
    (tmp_path / "output" / "2026" / gone["notice"]).unlink()
    done = cli("issue", "--year", 2026, "--date", "2026-12-10")
    assert done.exit_code == 0, done
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"未印发：{gone['notice_number']}（涪陵示例医药有限公司）")
    assert done.stdout.splitlines()[-1].startswith("共印发 7 份")


def test_issue_before_any_run_is_a_usage_error(cli: Invoke):
    done = cli("issue", "--year", 2026)
    assert done.exit_code == 2, done
    assert done.stderr == (
        "错误：没有2026年度的考核结果（找不到历年数据库 output/history.sqlite3），"
        "请先运行 fuling-batch run … --year 2026\n"
    )
    assert done.stdout == ""
    assert not Path("output").exists()  # refusing creates nothing
