"""Whole-folder intake on real files: hostile and broken files, moved layouts, .xls, duplicates."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fuling_batch.config import GradingConfig
from fuling_batch.forms.returned import NOTE_SHEET, RED, XLS_SUFFIX, write_returned_copies
from fuling_batch.intake.check import check_file, check_folder
from fuling_batch.intake.discover import Candidate, discover
from fuling_batch.intake.safety import MAX_FILE_BYTES
from fuling_batch.intake.workbook import _read_up_to
from fuling_batch.oserrors import read_reason, write_reason
from fuling_batch.rules.models import FileReport, FileStatus
from tests.factories import credit_code
from tests.intake.files.builders import (
    STANDARD,
    cfb_bytes,
    code_rows,
    contract_sheet,
    fill_template,
)

HERE = Path(__file__).parent / "files"
XLS = HERE / "filled_2026.xls"


def run(folder: Path, **kwargs: object) -> dict[str, FileReport]:
    return {r.path: r for r in check_folder(folder, 2026, STANDARD, GradingConfig(), **kwargs)}  # type: ignore[arg-type]


def issue_set(report: FileReport) -> set[tuple[str, str, str]]:
    return {(i.code, i.sheet, i.cell) for i in report.issues}


def only_error(report: FileReport) -> str:
    assert report.status is FileStatus.REJECTED
    (issue,) = report.issues
    assert issue.is_error and issue.file == report.path and issue.cell == ""
    return issue.code


def test_corrupt_zip(tmp_path: Path) -> None:
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    good = fill_template(tmp_path / "tmp.xlsx")
    (tmp_path / "truncated.xlsx").write_bytes(good.read_bytes()[:3000])
    good.unlink()
    reports = run(tmp_path)
    assert only_error(reports["bad.xlsx"]) == "FILE_CORRUPT"
    assert only_error(reports["truncated.xlsx"]) == "FILE_CORRUPT"
    for report in reports.values():
        (issue,) = report.issues
        assert english(issue.message) == set(), issue.message
        assert re.match(r"\w+: ", issue.detail), issue.detail  # what the library said
        assert "detail" in issue.to_json()


def english(message: str) -> set[str]:
    """Latin words in an operator's message, beyond the program names it may give."""
    return set(re.findall(r"[A-Za-z]{2,}", message)) - {"Excel", "WPS", "xlsx", "xls"}


def test_a_file_gone_before_it_is_read_says_so_in_chinese(tmp_path: Path) -> None:
    gone = Candidate(tmp_path / "已移走.xlsx", "已移走.xlsx")
    report, _ = check_file(gone, 2026, STANDARD, GradingConfig())
    assert only_error(report) == "FILE_UNREADABLE"
    message = report.issues[0].message
    assert "文件不存在" in message and english(message) == set(), message
    assert "FileNotFoundError" in report.issues[0].detail


@pytest.mark.parametrize("number", [errno.EACCES, errno.ENOENT, errno.EIO, errno.ENOSPC, 9999])
def test_system_errors_are_told_in_chinese(number: int) -> None:
    exc = OSError(number, "Some English text", "x.xlsx")
    for reason in (read_reason(exc), write_reason(exc)):
        # Only an error the program does not know keeps the system's text, after its number.
        assert re.match(r"[\u4e00-\u9fff]", reason), reason
        assert ("English" in reason) == (reason.startswith("系统错误")), reason


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "巨大.xlsx").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 20 MB written
    report = run(tmp_path)["巨大.xlsx"]
    assert only_error(report) == "FILE_TOO_LARGE"
    assert str(MAX_FILE_BYTES) in report.issues[0].message


@pytest.mark.parametrize("stated", [0, 10, 4999, 5000])
def test_read_up_to_takes_what_is_there_not_what_stat_said(tmp_path: Path, stated: int) -> None:
    # A file still being written has grown (or shrunk) between fstat and read.
    path = tmp_path / "growing.xlsx"
    path.write_bytes(bytes(range(256)) * 20)  # 5120 bytes
    with open(path, "rb", buffering=0) as handle:
        assert _read_up_to(handle, stated, 100_000) == path.read_bytes()
    with open(path, "rb", buffering=0) as handle:
        assert _read_up_to(handle, stated, 3000) == path.read_bytes()[:3000]


def test_encrypted_workbook(tmp_path: Path) -> None:
    (tmp_path / "加密.xlsx").write_bytes(
        cfb_bytes({"EncryptionInfo": b"\x04\x00" * 30, "EncryptedPackage": b"x" * 900})
    )
    report = run(tmp_path)["加密.xlsx"]
    assert only_error(report) == "FILE_ENCRYPTED"
    assert "文件已加密" in report.issues[0].message


def test_compound_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "word.xls").write_bytes(cfb_bytes({"WordDocument": b"w" * 600}))
    assert only_error(run(tmp_path)["word.xls"]) == "NOT_SPREADSHEET"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        ("企业名称,得分\n示例,80\n".encode("gbk"), "CSV"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
            "XML",
        ),
    ],
)
def test_text_saved_as_xls(tmp_path: Path, content: bytes, kind: str) -> None:
    (tmp_path / "web.xls").write_bytes(content)
    report = run(tmp_path)["web.xls"]
    assert only_error(report) == "NOT_SPREADSHEET"
    assert "请用 Excel/WPS 另存为 .xlsx 后重新提交" in report.issues[0].message
    assert kind in report.issues[0].message


def test_other_zip_and_empty_and_no_score_sheet(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "renamed.xlsx").write_bytes(buffer.getvalue())
    (tmp_path / "empty.xlsx").write_bytes(b"")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "不是评分表"
    wb.save(tmp_path / "plain.xlsx")
    reports = run(tmp_path)
    assert only_error(reports["renamed.xlsx"]) == "NOT_SPREADSHEET"
    assert only_error(reports["empty.xlsx"]) == "FILE_EMPTY"
    assert only_error(reports["plain.xlsx"]) == "SHEET_NOT_FOUND"
    assert reports["plain.xlsx"].issues[0].message.startswith("未找到评分表")


def _patch_declared_size(data: bytes, size: int) -> bytes:
    """Make every member of the zip's central directory declare ``size`` bytes uncompressed."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_zip_declaring_huge_member(tmp_path: Path) -> None:
    good = fill_template(tmp_path / "src" / "ok.xlsx")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "huge.xlsx").write_bytes(_patch_declared_size(good.read_bytes(), 0xFFFFFFF0))
    assert only_error(run(tmp_path / "in")["huge.xlsx"]) == "ZIP_BOMB"


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    good = fill_template(tmp_path / "src" / "ok.xlsx")
    buffer = io.BytesIO(good.read_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\x00" * (8 * 1024 * 1024))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bomb.xlsx").write_bytes(buffer.getvalue())
    assert only_error(run(tmp_path / "in")["bomb.xlsx"]) == "ZIP_BOMB"


def test_sheet_with_far_too_many_rows(tmp_path: Path) -> None:
    def far(ws: openpyxl.worksheet.worksheet.Worksheet, rows: dict[str, int]) -> None:
        ws["A200000"] = "x"

    fill_template(tmp_path / "long.xlsx", edit=far)
    assert only_error(run(tmp_path)["long.xlsx"]) == "SHEET_TOO_LARGE"


def test_lock_hidden_and_other_files_are_skipped(tmp_path: Path) -> None:
    for name in (
        "~$评分表.xlsx",
        ".~lock.评分表.xlsx#",
        ".隐藏.xlsx",
        "说明.txt",
        "通知.docx",
        "扫描件.pdf",
    ):
        (tmp_path / name).write_bytes(b"\xff not a workbook")
    fill_template(tmp_path / "sub" / "评分表.xlsx")
    reports = check_folder(tmp_path, 2026, STANDARD, GradingConfig())
    assert [r.path for r in reports] == sorted(r.path for r in reports)
    by_path = {r.path: r for r in reports}
    assert by_path["sub/评分表.xlsx"].status is FileStatus.ACCEPTED
    skipped = [r for r in reports if r.path != "sub/评分表.xlsx"]
    assert len(skipped) == 6
    for report in skipped:
        assert report.status is FileStatus.SKIPPED
        assert [i.code for i in report.issues] == ["FILE_SKIPPED"]
        assert report.sheet is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and free symlinks: POSIX")
def test_links_hidden_folders_and_nesting_as_the_folder_walk_sees_them(tmp_path: Path) -> None:
    sheet = fill_template(tmp_path / "二级" / "三级" / "评分表.xlsx")
    fill_template(tmp_path / ".备份" / "旧表.xlsx")
    (tmp_path / "指向文件.xlsx").symlink_to(sheet)  # read as the file it points to
    (tmp_path / "失效链接.xlsx").symlink_to(tmp_path / "不存在.xlsx")
    (tmp_path / "循环").symlink_to(tmp_path, target_is_directory=True)  # never followed
    os.mkfifo(tmp_path / "管道.xlsx")  # not a regular file: listed, never opened
    expected = {
        ".备份/旧表.xlsx": "位于隐藏文件夹中，已跳过",
        "二级/三级/评分表.xlsx": "",
        "失效链接.xlsx": "不是普通文件（可能是失效的快捷方式），已跳过",
        "指向文件.xlsx": "",
        "管道.xlsx": "不是普通文件（可能是失效的快捷方式），已跳过",
    }
    found = discover(tmp_path)
    assert [c.relative for c in found] == sorted(expected)
    assert {c.relative: c.skip for c in found} == expected
    assert all(c.path == tmp_path / c.relative for c in found)
    reports = run(tmp_path)
    linked = reports["指向文件.xlsx"]  # read: the same enterprise as the file it points to
    assert linked.sheet is not None
    assert [i.code for i in linked.issues if i.is_error] == ["DUPLICATE_ENTERPRISE"]
    assert reports["管道.xlsx"].status is FileStatus.SKIPPED


def test_xls_is_read_with_real_addresses(tmp_path: Path) -> None:
    shutil.copy(XLS, tmp_path / "filled_2026.xls")
    assert XLS.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # a real BIFF8 compound file
    reports = run(tmp_path)
    report = reports["filled_2026.xls"]
    rows = code_rows(openpyxl.load_workbook(io.BytesIO(_xlsx_of_template())).active)
    assert report.status is FileStatus.REJECTED
    assert issue_set(report) == {
        ("SCORE_BLANK", "评分表", f"E{rows['1.2']}"),
        ("SCORE_TEXT", "评分表", f"E{rows['2.1']}"),
        ("SCORE_OUT_OF_RANGE", "评分表", f"E{rows['2.1']}"),
        ("SCORE_ERROR_VALUE", "评分表", f"E{rows['3.1']}"),
    }


def _xlsx_of_template() -> bytes:
    from tests.intake.files.builders import _template_bytes

    return _template_bytes()


def _shift_layout(ws: openpyxl.worksheet.worksheet.Worksheet, rows: int, cols: int) -> None:
    """Insert rows above and columns left of everything, moving merged ranges too."""
    merged = [r.coord for r in ws.merged_cells.ranges]
    for coord in merged:
        ws.unmerge_cells(coord)
    ws.insert_rows(1, rows)
    ws.insert_cols(1, cols)
    for coord in merged:
        rng = openpyxl.worksheet.cell_range.CellRange(coord)
        rng.shift(col_shift=cols, row_shift=rows)
        ws.merge_cells(rng.coord)


def test_rows_and_columns_inserted_above_and_left(tmp_path: Path) -> None:
    fill_template(
        tmp_path / "moved.xlsx",
        {"1.2": None},
        header={"考核年度": 2025},
        edit=lambda ws, rows: _shift_layout(ws, 3, 2),
    )
    rows = code_rows(openpyxl.load_workbook(io.BytesIO(_xlsx_of_template())).active)
    report = run(tmp_path)["moved.xlsx"]
    assert issue_set(report) == {
        ("SCORE_BLANK", "评分表", f"G{rows['1.2'] + 3}"),
        ("YEAR_MISMATCH", "评分表", "D6"),
    }


def test_renamed_sheet_and_extra_sheet(tmp_path: Path) -> None:
    path = fill_template(tmp_path / "renamed.xlsx", {"2.2": "abc"})
    wb = openpyxl.load_workbook(path)
    wb["评分表"].title = "涪陵某公司2026"
    extra = wb.create_sheet("附表", 0)
    extra["A1"], extra["B1"], extra["C1"] = "编号", "分值", "备注"
    wb.save(path)
    report = run(tmp_path)["renamed.xlsx"]
    rows = code_rows(wb["涪陵某公司2026"])
    assert issue_set(report) == {("SCORE_NOT_NUMBER", "涪陵某公司2026", f"E{rows['2.2']}")}


def test_contract_only_layout(tmp_path: Path) -> None:
    contract_sheet(tmp_path / "own.xlsx", {"1.2": 0.5, "3.10": None})
    report = run(tmp_path)["own.xlsx"]
    index = [line.code for line in STANDARD.lines].index("3.10")
    assert issue_set(report) == {("SCORE_BLANK", "Sheet1", f"E{16 + index}")}
    assert report.status is FileStatus.REJECTED


def test_two_sheets_for_one_enterprise(tmp_path: Path) -> None:
    fill_template(tmp_path / "a.xlsx", serial=5)
    fill_template(tmp_path / "b" / "again.xlsx", serial=5, header={"企业名称": "改名后的公司"})
    fill_template(
        tmp_path / "c.xlsx", serial=6, header={"统一社会信用代码": None, "企业名称": "同名公司"}
    )
    fill_template(
        tmp_path / "d.xlsx", serial=7, header={"统一社会信用代码": None, "企业名称": "同名公司"}
    )
    fill_template(tmp_path / "e.xlsx", serial=8)
    reports = run(tmp_path)
    assert reports["e.xlsx"].status is FileStatus.ACCEPTED
    for path, other, cell in (
        ("a.xlsx", "b/again.xlsx", "F2"),
        ("b/again.xlsx", "a.xlsx", "F2"),
        ("c.xlsx", "d.xlsx", "B2"),
        ("d.xlsx", "c.xlsx", "B2"),
    ):
        report = reports[path]
        assert report.status is FileStatus.REJECTED
        (dup,) = [i for i in report.issues if i.code == "DUPLICATE_ENTERPRISE"]
        assert other in dup.message and dup.cell == cell and dup.sheet == "评分表"
    assert credit_code(5) in next(i.message for i in reports["a.xlsx"].issues if i.is_error)


def _mixed_folder(folder: Path) -> None:
    for serial in range(1, 19):
        scores: dict[str, object] = {"1.1": 0.5, "3.2": "2"} if serial % 3 else {"2.1": None}
        fill_template(folder / f"s{serial:02d}.xlsx", scores, serial=serial)
    fill_template(folder / "dup.xlsx", serial=4)
    shutil.copy(XLS, folder / "old.xls")
    (folder / "bad.xlsx").write_bytes(b"PK\x03\x04broken")
    (folder / "~$s01.xlsx").write_bytes(b"lock")


def test_same_results_with_one_and_two_processes(tmp_path: Path) -> None:
    _mixed_folder(tmp_path)
    calls: list[tuple[int, int]] = []
    one = check_folder(tmp_path, 2026, STANDARD, GradingConfig(), processes=1)
    two = check_folder(
        tmp_path,
        2026,
        STANDARD,
        GradingConfig(),
        processes=2,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert one == two
    assert len(one) == 22
    assert calls[-1] == (22, 22) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    statuses = {r.path: r.status for r in one}
    assert statuses["dup.xlsx"] is statuses["s04.xlsx"] is FileStatus.REJECTED
    assert (
        statuses["s01.xlsx"] is FileStatus.ACCEPTED and statuses["s03.xlsx"] is FileStatus.REJECTED
    )


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_inputs_unchanged_and_returned_copies_marked(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _mixed_folder(folder)
    before = _hashes(folder)
    mtimes = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    reports = check_folder(folder, 2026, STANDARD, GradingConfig())
    written, failed = write_returned_copies(folder, reports, tmp_path / "退回修改")
    assert failed == []
    assert _hashes(folder) == before
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == mtimes
    names = sorted(p.relative_to(tmp_path / "退回修改").as_posix() for p in written)
    assert names == sorted(
        [
            "dup.xlsx",
            "s03.xlsx",
            "s04.xlsx",
            "s06.xlsx",
            "s07.xlsx",  # same enterprise as old.xls (serial 7)
            "s09.xlsx",
            "s12.xlsx",
            "s15.xlsx",
            "s18.xlsx",
            f"old{XLS_SUFFIX}.xlsx",
        ]
    )
    by_path = {r.path: r for r in reports}
    blank = next(i for i in by_path["s03.xlsx"].issues if i.code == "SCORE_BLANK")
    wb = openpyxl.load_workbook(tmp_path / "退回修改" / "s03.xlsx")
    cell = wb[blank.sheet][blank.cell]
    assert cell.fill.fgColor.rgb == RED.fgColor.rgb
    assert cell.comment is not None and "未评分" in cell.comment.text
    assert wb.sheetnames[0] == NOTE_SHEET
    assert any("未评分" in str(c.value) for row in wb[NOTE_SHEET].iter_rows() for c in row)
    old = openpyxl.load_workbook(tmp_path / "退回修改" / f"old{XLS_SUFFIX}.xlsx")
    ref = next(i for i in by_path["old.xls"].issues if i.code == "SCORE_ERROR_VALUE")
    assert old[ref.sheet][ref.cell].fill.fgColor.rgb == RED.fgColor.rgb
    assert "#REF!" in old[ref.sheet][ref.cell].comment.text
    assert "转存" in str(old[NOTE_SHEET]["A3"].value)
    dup = openpyxl.load_workbook(tmp_path / "退回修改" / "dup.xlsx")
    assert "s04.xlsx" in dup["评分表"]["F2"].comment.text


def test_results_workbook_among_the_sheets_is_skipped_with_a_hint(tmp_path: Path) -> None:
    """Last year's results (or our own summary) dropped into the folder is not a bad score sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    ws.append(["2025年度考核结果"])
    ws.append(["排名", "企业名称", "统一社会信用代码", "总分", "最终等次"])
    ws.append([1, "甲公司", credit_code(1), 88, "合格"])
    wb.save(tmp_path / "2025年度结果.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "什么", "内容"])  # type: ignore[union-attr]
    wb.save(tmp_path / "其他表格.xlsx")
    reports = run(tmp_path)
    results = reports["2025年度结果.xlsx"]
    assert results.status is FileStatus.SKIPPED
    assert [i.code for i in results.issues] == ["FILE_SKIPPED"]
    assert "history import" in results.issues[0].message
    assert only_error(reports["其他表格.xlsx"]) == "SHEET_NOT_FOUND"
