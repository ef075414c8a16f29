"""`run` end to end on the shipped sample and on broken input; outputs read back from the files."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from fuling_batch.forms.samples import LAST_YEAR_FILE
from fuling_batch.notices.template import default_notice_template

from .conftest import ISSUE_DATE, ROOT, Invoke, SampleRun, digest, read_report, run_sample

SUMMARY = "2026年度国有企业党组织规范化建设考核汇总表.xlsx"

# What the shipped sample is built to show (see fuling_batch/forms/samples.py), by enterprise.
EXPECTED = {
    "涪陵示例城市建设投资集团有限公司": ("合格", ()),
    "涪陵示例水务有限公司": ("合格", ()),
    "涪陵示例交通旅游集团有限公司": ("合格", ()),
    "涪陵示例农业发展集团有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例能源有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例医药有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例文化传媒有限公司": ("基本合格", ("谈话提醒",)),
    "涪陵示例建材有限公司": ("不合格", ("组织诫勉", "重点整顿")),
    "涪陵示例机械制造有限公司": ("不合格", ("组织诫勉", "重点整顿", "调整")),
    "涪陵示例供应链集团有限公司": ("不合格", ("组织诫勉", "重点整顿", "调整")),
    "涪陵示例物业管理有限公司": ("不合格", ("组织诫勉", "重点整顿")),
    "涪陵示例粮油有限公司": ("合格", ()),
}


def rows_of(path: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


# --- the shared run of the sample --------------------------------------------------------


def test_sample_job_grades_every_outcome(sample_run: SampleRun):
    assert sample_run.imported.exit_code == 0, sample_run.imported
    done = sample_run.ran
    assert done.exit_code == 0, done
    report = sample_run.report()
    got = {r["enterprise"]: (r["final_grade"], tuple(r["consequences"])) for r in report["results"]}
    assert got == EXPECTED
    by_name = {r["enterprise"]: r for r in report["results"]}
    assert by_name["涪陵示例交通旅游集团有限公司"]["total"] == 80
    assert by_name["涪陵示例文化传媒有限公司"]["total"] == 60
    assert by_name["涪陵示例物业管理有限公司"]["total"] == 59.5
    assert by_name["涪陵示例能源有限公司"]["raw_grade"] == "合格"
    assert by_name["涪陵示例能源有限公司"]["triangle_not_met"] == ["3.2"]
    assert by_name["涪陵示例医药有限公司"]["triangle_not_met"] == ["4.1"]
    assert by_name["涪陵示例供应链集团有限公司"]["consecutive_fail"] is True
    assert by_name["涪陵示例供应链集团有限公司"]["fail_years"] == [2025, 2026]
    assert by_name["涪陵示例建材有限公司"]["fail_years"] == [2026]
    assert by_name["涪陵示例粮油有限公司"]["previous"] is None
    notices = [r["notice"] for r in report["results"] if r["notice"]]
    assert len(notices) == 8
    # The 调整建议函 of each 调整 enterprise, beside its notice.
    letters = {r["enterprise"]: r["letter"] for r in report["results"] if r["letter"]}
    assert letters == {
        name: f"notices/{name}_调整建议函.docx"
        for name in ("涪陵示例供应链集团有限公司", "涪陵示例机械制造有限公司")
    }
    assert all((sample_run.year_dir / n).is_file() for n in notices)
    assert {f["status"] for f in report["files"]} <= {"accepted", "skipped"}
    assert "涪陵示例机械制造有限公司" in done.stdout
    assert sample_run.input_after == sample_run.input_before, "inputs must never be modified"


def test_sample_job_prints_the_results_and_where_they_are(sample_run: SampleRun):
    assert sample_run.imported.stdout == "已导入 2025 年度考核结果 11 条，问题 0 条。\n"
    done = sample_run.ran
    assert done.stderr == ""  # no findings, no progress bar when not on a terminal
    lines = done.stdout.splitlines()
    assert lines[0] == "2026年度考核结果"
    assert "被退回的评分表" not in done.stdout
    for name, (grade, consequences) in EXPECTED.items():
        (row,) = [line for line in lines if name in line and line.startswith("│")]
        assert grade in row and "、".join(consequences or ("—",)) in row
    at = lines.index("等次：合格 4，基本合格 4，不合格 4；需发通知书 8 份")
    # The warnings (sheets read and graded all the same), the first five of them, and every
    # skipped file by name with its reason.
    assert lines[at + 1] == "警告：2 个文件共 4 条（已照常评级，请核对）："
    assert lines[at + 2].startswith(
        "  2026年度评分表_涪陵示例文化传媒有限公司.xlsx › 评分表 › F2："
    )
    assert lines[at + 6 : at + 8] == [
        "已跳过的文件（1 个，未作为评分表读取）：",
        "  往年结果/2025年度考核结果.xlsx：这是考核结果表（工作表“2025年度考核结果”含企业、"
        "总分、等次列），不是评分表，已跳过；如需作为往年结果，请用 fuling-batch history import 导入",
    ]
    assert lines[-5:] == [
        "文件：已接收 12，已退回 0，已跳过 1",
        "输出文件夹：out/2026",
        f"  汇总表：{SUMMARY}",
        "  通知书：8 份；退回修改：0 份；report.json",
        # Each notice on an even number of pages: 3 of 4 pages and 5 of 6 (notices/pages.py).
        "  合并打印版：约 42 页，双面打印约需 21 张 A4 纸（每份通知书从单页起印、在双页结束）",
    ]


def test_sample_job_writes_exactly_its_outputs(sample_run: SampleRun):
    names = sorted(p.relative_to(sample_run.out).as_posix() for p in sample_run.out.rglob("*"))
    notices = sorted(f"2026/{r['notice']}" for r in sample_run.report()["results"] if r["notice"])
    assert names == sorted(
        [
            "2026",
            "2026/.fuling-manifest.json",
            "2026/.fuling-run.lock",
            f"2026/{SUMMARY}",
            "2026/notices",
            "2026/notices/2026年度考核通知书呈批表.docx",
            "2026/notices/2026年度考核通知书（合并打印）.docx",
            # The 调整建议函 to the cadre authority, one per 调整 enterprise.
            "2026/notices/涪陵示例供应链集团有限公司_调整建议函.docx",
            "2026/notices/涪陵示例机械制造有限公司_调整建议函.docx",
            "2026/report.json",
            *notices,
        ]
    ), "no returned copies, no staging folder, and the history is where --history says"
    assert sample_run.history.is_file()
    # The manifest: every other file, with the SHA-256 of what was written.
    manifest = json.loads((sample_run.year_dir / ".fuling-manifest.json").read_text("utf-8"))
    written = digest(sample_run.year_dir)
    del written[".fuling-manifest.json"]
    assert written.pop(".fuling-run.lock") == hashlib.sha256(b"").hexdigest()  # an empty lock
    assert manifest["files"] == written


def test_summary_workbook_ranks_every_enterprise(sample_run: SampleRun):
    summary = sample_run.year_dir / SUMMARY
    wb = openpyxl.load_workbook(summary, read_only=True)
    sheets = wb.sheetnames
    wb.close()
    assert sheets[:4] == ["汇总", "分项得分", "扣分明细", "▲未达标明细"]
    assert sheets[4:7] == ["统计", "年度趋势", "校验问题"]
    rows = rows_of(summary, "汇总")
    assert (
        rows[0][2] == "2026年度国有企业党组织规范化建设考核汇总表"
    )  # over the columns not repeated
    assert "考核年度：2026年" in rows[1][0] and "参评企业：12家" in rows[1][0]
    header = rows[2]
    assert header[:4] == ("排名", "企业名称", "统一社会信用代码", "党组织名称")
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows[3:] if r[1] in EXPECTED}
    assert set(by_name) == set(EXPECTED)
    report = {r["enterprise"]: r for r in sample_run.report()["results"]}
    for name, row in by_name.items():
        assert row["总分（100分）"] == report[name]["total"], name
        assert row["最终等次"] == EXPECTED[name][0], name
        streak = "连续两年（2025—2026）" if report[name]["consecutive_fail"] else "否"
        assert row["连续不合格"] == streak, name
    # By final grade, then total: 医药's 98.5 is 基本合格 (▲ 4.1), so it follows the 合格 four.
    assert by_name["涪陵示例粮油有限公司"]["排名"] == 1
    assert by_name["涪陵示例医药有限公司"]["排名"] == 5
    assert by_name["涪陵示例机械制造有限公司"]["排名"] == 12


def test_summary_trend_sheet_joins_the_imported_year(sample_run: SampleRun):
    rows = rows_of(sample_run.year_dir / SUMMARY, "年度趋势")
    header = rows[2]
    assert header[2:6] == ("2025年\n总分", "2025年\n等次", "2026年\n总分", "2026年\n等次")
    trend = {r[0]: r for r in rows[3:]}
    assert trend["涪陵示例医药有限公司"][2:7] == (88.5, "合格", 98.5, "基本合格", 10)
    assert trend["涪陵示例粮油有限公司"][2:4] == (None, None)  # new this year
    # The last column counts consecutive 不合格 years.
    assert trend["涪陵示例机械制造有限公司"][-1] == 2


def test_summary_lists_the_warnings_with_their_cells(sample_run: SampleRun):
    rows = rows_of(sample_run.year_dir / SUMMARY, "校验问题")
    # A Chinese category for each finding; the stable code in a narrow last column.
    assert rows[2] == ("文件", "工作表", "单元格", "级别", "类别", "说明", "文件状态", "代码")
    assert {r[4] for r in rows[3:]} == {"表头信息", "历史记录", "得分填写", "跳过的文件"}
    found = {(r[0], r[2], r[7]) for r in rows[3:]}
    assert ("2026年度评分表_涪陵示例粮油有限公司.xlsx", "E51", "SCORE_TEXT") in found
    assert ("2026年度评分表_涪陵示例文化传媒有限公司.xlsx", "F2", "CREDIT_CODE_MISSING") in found
    assert ("往年结果/2025年度考核结果.xlsx", None, "FILE_SKIPPED") in found
    assert {r[3] for r in rows[3:]} == {"警告"}


def test_each_notice_names_its_enterprise_number_and_date(sample_run: SampleRun):
    results = sorted(
        (r for r in sample_run.report()["results"] if r["notice"]),
        key=lambda r: r["notice"],
    )
    year, month, day = (int(part) for part in ISSUE_DATE.split("-"))
    numbers = set()
    for result in results:
        text = paragraphs(sample_run.year_dir / result["notice"])
        assert f"中共{result['enterprise']}委员会：" in text
        assert f"{year}年{month}月{day}日" in text  # issue_date from fuling_batch.toml
        (number,) = [t for t in text if t.startswith("涪国资党委〔2026〕")]
        numbers.add(number)
        total = f"{result['total']:g}"
        assert any(f"考核得分为{total}分" in t for t in text), result["enterprise"]
        adjust = "调整" in result["consequences"]
        assert any("连续两年考核不合格" in t for t in text) is adjust, result["enterprise"]
        if "谈话提醒" in result["consequences"]:
            assert any("予以谈话提醒的通知" in t for t in text)
    assert numbers == {f"涪国资党委〔2026〕{n}号" for n in range(1, 9)}


def test_sign_off_sheet_lists_every_notice_in_number_order(sample_run: SampleRun):
    doc = Document(str(sample_run.year_dir / "notices" / "2026年度考核通知书呈批表.docx"))
    assert doc.paragraphs[0].text == "2026年度国有企业党组织规范化建设考核通知书呈批表"
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]  # after the 签批 block
    assert rows[0] == ["文号", "企业", "总分", "等次", "上年等次", "▲未达标", "处理"]
    assert [r[0] for r in rows[1:]] == [f"涪国资党委〔2026〕{n}号" for n in range(1, 9)]
    assert {r[1].replace("\n", ""): r[3] for r in rows[1:]} == {
        name: grade for name, (grade, consequences) in EXPECTED.items() if consequences
    }
    combined = paragraphs(sample_run.year_dir / "notices" / "2026年度考核通知书（合并打印）.docx")
    assert sum(t.startswith("涪国资党委〔2026〕") for t in combined) == 8


def test_history_holds_the_imported_year_and_the_run(sample_run: SampleRun):
    with sqlite3.connect(sample_run.history) as db:
        per_year = dict(db.execute("select year, count(*) from results group by year"))
        graded = dict(db.execute("select enterprise, final_grade from results where year = 2026"))
    assert per_year == {2025: 11, 2026: len(EXPECTED)}
    assert graded == {name: grade for name, (grade, _) in EXPECTED.items()}
    assert not (sample_run.out / "history.sqlite3").exists()  # --history, not the default


# --- runs of their own ---------------------------------------------------------------------


def test_rerun_gives_identical_results_and_one_set_of_rows(sample_run: SampleRun, tmp_path: Path):
    base = tmp_path / "again"
    shutil.copytree(sample_run.base, base)
    imported, again = run_sample(base, "--timings")
    assert imported.exit_code == 0 and again.exit_code == 0, again
    first = (sample_run.year_dir / "report.json").read_bytes()
    assert (base / "out" / "2026" / "report.json").read_bytes() == first
    with sqlite3.connect(base / "历年考核.sqlite3") as db:
        per_year = dict(db.execute("select year, count(*) from results group by year"))
    assert per_year == {2025: 11, 2026: len(EXPECTED)}
    # --timings: one JSON line on stderr, nothing else there.
    (line,) = again.stderr.splitlines()
    figures = json.loads(line)
    assert {"read+validate", "grade", "summary", "notices", "history", "report"} <= set(
        figures["stages"]
    )
    assert figures["peak_rss_mib"] > 0
    assert "{" not in again.stdout


def test_a_rerun_moves_a_file_it_did_not_write_to_backup(sample_run: SampleRun, tmp_path: Path):
    base = tmp_path / "again"
    shutil.copytree(sample_run.base, base)
    stray = base / "out" / "2026" / "notices" / "我的笔记.txt"
    stray.write_text("谈话时间另行通知", encoding="utf-8")
    _, again = run_sample(base)
    assert again.exit_code == 0, again
    assert not stray.exists()
    (kept,) = (base / "out" / "2026" / "备份").glob("*/notices/我的笔记.txt")
    assert kept.read_text(encoding="utf-8") == "谈话时间另行通知"
    (line,) = again.stderr.splitlines()
    assert line.startswith("notices/我的笔记.txt 不是本程序生成的文件")
    assert line.endswith(kept.relative_to(base / "out" / "2026").as_posix())
    run_issues = read_report(base / "out" / "2026")["run_issues"]
    assert [i["code"] for i in run_issues] == ["OUTPUT_FILE_KEPT"]


def test_a_rejected_sheet_does_not_stop_the_others(sample_input: Path, tmp_path: Path):
    broken = sorted(sample_input.glob("*.xlsx"))[0]
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    imported, done = run_sample(sample_input.parent)
    assert imported.exit_code == 0
    assert done.exit_code == 1, done
    report = read_report(tmp_path / "out" / "2026")
    rejected = [f for f in report["files"] if f["status"] == "rejected"]
    assert [f["path"] for f in rejected] == [broken.name]
    assert rejected[0]["issues"] and rejected[0]["issues"][0]["severity"] == "error"
    assert len(report["results"]) == len(EXPECTED) - 1
    assert "被退回的评分表" in done.stdout and broken.name in done.stdout
    assert "文件：已接收 11，已退回 1，已跳过 1" in done.stdout
    # An unreadable file has no cells to mark: it gets no returned copy.
    assert "退回修改：0 份" in done.stdout


def test_a_rejected_sheet_comes_back_marked(cli: Invoke, filled_sheet, tmp_path: Path):
    filled_sheet("甲公司", serial=1)
    bad = filled_sheet("乙公司", serial=2, scores={"2.1": "五"})
    done = cli("run", bad.parent, "--year", 2026, "--out", "out")
    assert done.exit_code == 1, done
    assert "乙公司.xlsx" in done.stdout and "错误" in done.stdout
    assert "文件：已接收 1，已退回 1，已跳过 0" in done.stdout
    assert "通知书：0 份；退回修改：1 份；report.json" in done.stdout
    returned = tmp_path / "out" / "2026" / "退回修改" / "乙公司.xlsx"
    wb = openpyxl.load_workbook(returned)
    assert wb.sheetnames[0] == "退回说明"
    note = [row for row in wb["退回说明"].iter_rows(values_only=True) if row and row[0] == "错误"]
    (_, sheet, cell, message) = note[0][:4]
    assert sheet == "评分表" and "2.1" in message
    assert "【错误】" in wb[sheet][cell].comment.text
    report = read_report(tmp_path / "out" / "2026")
    assert [r["enterprise"] for r in report["results"]] == ["甲公司"]


def test_errors_beyond_the_table_are_counted_not_listed(cli: Invoke, filled_sheet, standard):
    codes = [line.code for line in standard.lines][:35]
    sheet = filled_sheet("丙公司", scores={code: "未评" for code in codes})
    done = cli("run", sheet.parent, "--year", 2026, "--out", "out")
    assert done.exit_code == 1, done
    listed = [line for line in done.stdout.splitlines() if "丙公司.xlsx" in line]
    assert len(listed) == 30  # RUN_TABLE_ROWS
    assert "……另有 5 条问题未列出" in done.stdout
    assert "没有可评级的评分表。" in done.stdout


def test_config_file_changes_grades_and_notice_numbers(cli: Invoke, sample_input: Path, tmp_path):
    config = tmp_path / "规则.toml"
    config.write_text(
        "[grading]\npass_min = 50\nbasic_min = 40\n\n"
        '[notices]\nnumber_prefix = "测试党委"\nfirst_number = 11\n',
        encoding="utf-8",
    )
    done = cli("run", sample_input, "--year", 2026, "--out", "out", "--config", config)
    assert done.exit_code == 0, done
    report = read_report(tmp_path / "out" / "2026")
    # Every total is >= 52: 合格 by total, 基本合格 where a ▲ item is not met.
    assert len(report["results"]) == len(EXPECTED)
    for r in report["results"]:
        expected = "基本合格" if r["triangle_not_met"] else "合格"
        assert (r["raw_grade"], r["final_grade"]) == ("合格", expected), r["enterprise"]
    numbers = {
        t
        for r in report["results"]
        if r["notice"]
        for t in paragraphs(tmp_path / "out" / "2026" / r["notice"])
        if t.startswith("测试党委〔2026〕")
    }
    assert numbers and min(numbers) == "测试党委〔2026〕11号"


def test_an_edited_notice_template_is_used(cli: Invoke, sample_input: Path, tmp_path: Path):
    doc = Document(str(default_notice_template()))
    doc.add_paragraph("本通知书由{{ authority_short }}印制")
    edited = tmp_path / "notice.docx.j2"
    doc.save(str(edited))
    done = cli("run", sample_input, "--year", 2026, "--out", "out", "--notice-template", edited)
    assert done.exit_code == 0, done
    for result in read_report(tmp_path / "out" / "2026")["results"]:
        if result["notice"]:
            text = paragraphs(tmp_path / "out" / "2026" / result["notice"])
            assert "本通知书由区国资委党委印制" in text


def test_an_unknown_template_variable_stops_before_anything_is_written(
    cli: Invoke, sample_input: Path, tmp_path: Path
):
    doc = Document(str(default_notice_template()))
    doc.add_paragraph("{{ leader_phone }}")
    bad = tmp_path / "bad.docx"
    doc.save(str(bad))
    done = cli("run", sample_input, "--year", 2026, "--out", "out", "--notice-template", bad)
    assert done.exit_code == 2, done
    assert done.stderr.startswith("错误：") and "leader_phone" in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_pdf_without_libreoffice_is_a_usage_error_and_history_is_untouched(
    cli: Invoke, sample_input: Path, tmp_path: Path
):
    done = cli(
        "run",
        sample_input,
        "--year",
        2026,
        "--out",
        "out",
        "--pdf",
        env={"PATH": str(tmp_path / "empty")},
    )
    assert done.exit_code == 2, done
    assert "LibreOffice" in done.stderr and "--pdf" in done.stderr
    assert not (tmp_path / "out" / "2026" / "notices").exists()
    assert not (tmp_path / "out" / "2026" / "report.json").exists()
    with sqlite3.connect(tmp_path / "out" / "history.sqlite3") as db:
        assert db.execute("select count(*) from results").fetchone() == (0,)


@pytest.mark.parametrize("first_year", [False, True])
def test_without_last_year_s_results_the_run_says_so(
    cli: Invoke, sample_input: Path, tmp_path: Path, first_year: bool
):
    done = cli("run", sample_input, "--year", 2026, "--out", "out", *["--first-year"] * first_year)
    assert done.exit_code == 0, done
    run_issues = read_report(tmp_path / "out" / "2026")["run_issues"]
    if first_year:
        assert done.stderr == "" and run_issues == []
    else:
        (line,) = done.stderr.splitlines()
        assert line.startswith("历史数据库中没有2025年度的考核结果")
        assert "不合格的4家企业可能漏掉调整建议" in line and "--first-year" in line
        assert [i["code"] for i in run_issues] == ["PREVIOUS_YEAR_MISSING"]
    # Without last year nobody is a second 不合格 year: no 调整 either way.
    report = read_report(tmp_path / "out" / "2026")
    assert not any("调整" in r["consequences"] for r in report["results"])


@pytest.mark.parametrize("count", [1, 6])
def test_returned_copies_that_cannot_be_made_are_named(
    cli: Invoke, filled_sheet, tmp_path: Path, count: int
):
    for n in range(count):
        filled_sheet(f"退{n}公司", serial=n + 1, scores={"2.1": "五"})
    blocked = tmp_path / "out" / "2026" / "退回修改"
    blocked.parent.mkdir(parents=True)
    blocked.write_text("a file where the folder goes", encoding="utf-8")
    done = cli("run", tmp_path / "input", "--year", 2026, "--out", "out", "--first-year")
    assert done.exit_code == 1, done
    assert "退回修改：0 份" in done.stdout
    (line,) = done.stderr.splitlines()
    names = "、".join(f"退{n}公司.xlsx" for n in range(min(count, 5)))
    assert line.startswith(f"注意：{count} 份被退回的评分表未能生成退回修改副本：{names}")
    assert line.endswith(
        ("等" if count > 5 else "") + "；原因见 report.json，需修改的问题见汇总表“校验问题”工作表"
    )
    files = read_report(tmp_path / "out" / "2026")["files"]
    assert len(files) == count
    for f in files:
        assert "RETURNED_COPY_FAILED" in {i["code"] for i in f["issues"]}, f["path"]


def test_an_output_that_cannot_be_written_is_exit_3(cli: Invoke, sample_input: Path, tmp_path):
    in_the_way = tmp_path / "out" / "2026" / SUMMARY
    in_the_way.mkdir(parents=True)  # a folder where the summary goes
    done = cli("run", sample_input, "--year", 2026, "--out", "out", "--first-year")
    assert done.exit_code == 3, done
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("错误：无法写入 ") and "该位置是一个文件夹" in line
    assert line.endswith("（历年数据库未改动）")
    assert not (tmp_path / "out" / "2026" / "notices").exists()
    with sqlite3.connect(tmp_path / "out" / "history.sqlite3") as db:
        assert db.execute("select count(*) from results").fetchone() == (0,)


def test_the_output_error_names_the_file_in_the_way(cli: Invoke, sample_input: Path, tmp_path):
    (tmp_path / "out" / "2026" / SUMMARY).mkdir(parents=True)
    done = cli("run", sample_input, "--year", 2026, "--out", "out", "--first-year")
    assert done.exit_code == 3
    assert SUMMARY in done.stderr and ".~tmp-" not in done.stderr


def _office_lock(user: str) -> bytes:
    """An Office/WPS owner file: the ANSI name, and at 0x36 the name in UTF-16."""
    ansi = user.encode("gbk")
    head = bytes([len(ansi)]) + ansi
    wide = len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    return head.ljust(0x36, b"\x00") + wide + b"\x00" * 16


@pytest.mark.parametrize(
    ("opened", "lock_name", "data"),
    [
        (SUMMARY, f".~lock.{SUMMARY}#", "张三,zhangsan,pc-01,02.12.2026 09:00,file:///;".encode()),
        (
            "notices/涪陵示例建材有限公司_组织诫勉通知书.docx",
            "notices/~$示例建材有限公司_组织诫勉通知书.docx",  # Word drops two characters
            _office_lock("张三"),
        ),
    ],
    ids=["libreoffice", "word"],
)
def test_an_output_open_in_office_stops_the_run_unless_force(
    sample_run: SampleRun, tmp_path: Path, opened: str, lock_name: str, data: bytes
):
    base = tmp_path / "again"
    shutil.copytree(sample_run.base, base)
    year_dir = base / "out" / "2026"
    (year_dir / lock_name).write_bytes(data)
    before = digest(year_dir)
    _, stopped = run_sample(base)
    assert stopped.exit_code == 3, stopped
    assert stopped.stdout == ""
    name = Path(opened).name
    assert stopped.stderr.startswith("错误：以下文件正在 Excel/WPS/Word 中打开，无法替换：")
    assert f"{name}（由“张三”打开）" in stopped.stderr and "--force" in stopped.stderr
    assert digest(year_dir) == before, "nothing written"
    _, forced = run_sample(base, "--force")
    assert forced.exit_code == 0, forced
    assert read_report(year_dir)["results"] == sample_run.report()["results"]


def test_a_run_where_every_sheet_is_rejected_still_reports(cli: Invoke, filled_sheet, tmp_path):
    filled_sheet("甲公司", serial=1)
    sheet = filled_sheet("乙公司", serial=2)
    done = cli("run", sheet.parent, "--year", 2025, "--out", "out")  # the sheets say 2026
    assert done.exit_code == 1, done
    assert done.stdout.count("考核年度为2026，本次处理的是2025年度") == 2
    assert "没有可评级的评分表。" in done.stdout
    assert "文件：已接收 0，已退回 2，已跳过 0" in done.stdout
    assert "通知书：0 份；退回修改：2 份；report.json" in done.stdout
    assert read_report(tmp_path / "out" / "2025")["results"] == []


def test_a_run_that_grades_nobody_keeps_the_imported_year(cli: Invoke, filled_sheet, tmp_path):
    def imported_rows() -> int:
        shown = cli("history", "show", "--year", 2025)
        assert shown.exit_code == 0, shown
        return sum("│ 2025 │" in line for line in shown.stdout.splitlines())

    imported = cli("history", "import", ROOT / "input" / LAST_YEAR_FILE, "--year", 2025)
    assert imported.exit_code == 0, imported
    sheet = filled_sheet("甲公司")  # a 2026 sheet
    stopped = cli("run", sheet.parent, "--year", 2025)
    assert stopped.exit_code == 2, stopped
    assert stopped.stdout == ""
    assert stopped.stderr.startswith("错误：历年数据库中已记录2025年度11家企业的结果")
    assert "本次未写入任何文件，数据库未改动" in stopped.stderr and "--replace" in stopped.stderr
    assert not (tmp_path / "output" / "2025").exists()
    assert imported_rows() == 11
    replaced = cli("run", sheet.parent, "--year", 2025, "--replace")
    assert replaced.exit_code == 1, replaced
    assert "没有可评级的评分表。" in replaced.stdout
    assert imported_rows() == 11  # imported rows of enterprises the run did not grade are kept
