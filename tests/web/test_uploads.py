"""Bringing sheets in: names that try to escape, zips (bombs included), folders, replace, delete."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from fuling_batch.web import Limits
from fuling_batch.web.uploads import stored_name

from .conftest import BASE, YEAR, Desk, make_app, score_cell


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../x.xlsx", "x.xlsx"),
        ("..\\..\\x.xlsx", "x.xlsx"),
        ("/etc/x.xlsx", "x.xlsx"),
        ("C:\\Windows\\x.xlsx", "x.xlsx"),
        ("C:x.xlsx", "C_x.xlsx"),
        ("CON.xlsx", "_CON.xlsx"),
        ("lpt1.XLSX", "_lpt1.xlsx"),
        (".hidden.xlsx", "hidden.xlsx"),
        ("..", "未命名"),
        ("a:b*c?.xlsx", "a_b_c_.xlsx"),
        ("名单 .xlsx", "名单.xlsx"),
    ],
)
def test_a_stored_name_is_the_last_part_made_safe(given: str, stored: str):
    assert stored_name(given) == stored


def _outside(desk: Desk) -> list[str]:
    """Files anywhere under the test's folder except the year's input folder and the samples."""
    inside = f"data/input/{YEAR}/"
    return [
        p
        for p in desk.everything()
        if not p.startswith((inside, "samples/", "input/", "data/output"))
    ]


def test_uploaded_names_cannot_leave_the_years_folder(desk: Desk, samples: list[Path]):
    notes = samples[0].parent / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    names = ["../../x.xlsx", "..\\y.xlsx", "/tmp/z.xlsx", "C:\\Users\\w.xlsx", "CON.xlsx"]
    response = desk.upload(*samples[:5], notes, names=[*names, "../../../notes.txt"])
    assert response.status_code == 200
    # The names reached the server as sent (the ignored one is quoted back as it came) …
    assert "“../../../notes.txt”：不是电子表格文件" in response.text
    # … and every file landed inside the year's folder, under its last name part.
    assert desk.stored() == ["_CON.xlsx", "w.xlsx", "x.xlsx", "y.xlsx", "z.xlsx"]
    assert _outside(desk) == []
    assert "“CON.xlsx”保存为“_CON.xlsx”" in response.text  # a changed name is told


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _post_zip(desk: Desk, data: bytes, name: str = "评分表.zip"):
    return desk.post(f"/y/{YEAR}/files/upload", files=[("files", (name, data))])


def test_zip_members_cannot_leave_the_years_folder(desk: Desk, samples: list[Path]):
    sheet = [p.read_bytes() for p in samples[:4]]
    data = _zip(
        {
            "../../evil.xlsx": sheet[0],
            "/abs/root.xlsx": sheet[1],
            "..\\back.xlsx": sheet[2],
            "第一组/子目录/ok.xlsx": sheet[3],
            "说明.txt": b"not a sheet",
            "__MACOSX/._ok.xlsx": b"resource fork",
            "inner.zip": _zip({"a.xlsx": sheet[0]}),
        }
    )
    response = _post_zip(desk, data)
    assert response.status_code == 200
    assert desk.stored() == ["back.xlsx", "evil.xlsx", "ok.xlsx", "root.xlsx"]
    assert _outside(desk) == []
    assert "评分表.zip › 说明.txt" in response.text and "未上传" in response.text
    assert "压缩包中的压缩包不会展开" in response.text


class _GbkName(zipfile.ZipInfo):
    """A member named as Windows' own zip tool names it on a Chinese desktop: GBK, no flag."""

    def _encodeFilenameFlags(self):  # zipfile's own (private) name for it
        return self.filename.encode("gbk"), self.flag_bits


def test_zip_member_names_in_gbk_read_as_chinese(desk: Desk, samples: list[Path]):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(_GbkName("甲公司评分表.xlsx"), samples[0].read_bytes())
    response = _post_zip(desk, buffer.getvalue())
    assert response.status_code == 200
    assert desk.stored() == ["甲公司评分表.xlsx"]


def test_a_zip_bomb_is_refused_from_its_directory(desk: Desk):
    # 8 MiB of zeros deflate to ~8 KiB: a ratio of ~1000, far past any real sheet's.
    response = _post_zip(desk, _zip({"a.xlsx": bytes(8 * 1024 * 1024)}))
    assert response.status_code == 413
    assert "压缩炸弹" in response.text
    assert desk.stored() == []


def test_a_zip_whose_declared_total_is_too_large_is_refused(tmp_path, samples):
    app = make_app(tmp_path / "data", Limits(zip_total_bytes=40_000))
    with TestClient(app, base_url=BASE) as client:
        desk = Desk(client)
        data = _zip({p.name: p.read_bytes() for p in samples[:2]}, zipfile.ZIP_STORED)
        response = _post_zip(desk, data)
        assert response.status_code == 413
        assert "压缩炸弹" in response.text
        assert desk.stored() == []


def test_a_zip_with_too_many_members_is_refused(tmp_path, samples):
    app = make_app(tmp_path / "data", Limits(zip_members=3))
    with TestClient(app, base_url=BASE) as client:
        desk = Desk(client)
        response = _post_zip(desk, _zip({f"{i}.xlsx": samples[0].read_bytes() for i in range(4)}))
        assert response.status_code == 413
        assert "超过 3 个的上限" in response.text


def test_a_corrupt_zip_is_refused_and_the_server_goes_on(desk: Desk, samples):
    response = _post_zip(desk, b"PK\x03\x04 this is not really a zip")
    assert response.status_code == 400
    assert "压缩包无法打开" in response.text
    assert desk.upload(samples[0]).status_code == 200
    assert desk.stored() == [samples[0].name]


def _damaged(data: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip whose one member's compressed bytes are overwritten in the middle."""
    whole = bytearray(_zip({"a.xlsx": data}, compression))
    middle = len(whole) // 3
    whole[middle : middle + 64] = bytes(range(64))
    return bytes(whole)


@pytest.mark.parametrize(
    ("archive", "said"),
    [
        (lambda sample: _damaged(sample), "压缩包已损坏"),
        # What a zip made with a method zipfile lacks (PPMd, say) looks like: method 98.
        (
            lambda sample: _method(_zip({"a.xlsx": sample}, zipfile.ZIP_STORED), 98),
            "压缩方式不受支持",
        ),
    ],
)
def test_a_damaged_zip_member_is_refused_in_chinese_and_nothing_is_stored(
    desk: Desk, samples, archive, said
):
    response = _post_zip(desk, archive(samples[0].read_bytes()))
    assert response.status_code == 400, response.text
    assert said in response.text and "均未保存" in response.text
    shown = response.text.split("</strong>")[1].split("</div>")[0]
    assert set(re.findall(r"[A-Za-z]{2,}", shown)) <= {
        "zip",
        "zipped",
        "Zip",
        "xlsx",
        "Windows",
        "WPS",
        "ZIP",
    }, shown
    assert desk.stored() == []


def _method(data: bytes, method: int) -> bytes:
    """The zip with its one member's compression method number replaced, in both headers."""
    whole = bytearray(data)
    local = whole.index(b"PK\x03\x04")
    whole[local + 8 : local + 10] = method.to_bytes(2, "little")
    central = whole.rindex(b"PK\x01\x02")  # the stored sheet holds its own
    whole[central + 10 : central + 12] = method.to_bytes(2, "little")
    return bytes(whole)


def test_a_name_that_reverses_itself_is_never_shown_reversed(desk: Desk, samples):
    given = "甲公司\u202exslx.exe.xlsx"  # would show as 甲公司xlsx.exe.xslx… reversed
    response = desk.upload(samples[0], names=[given])
    assert response.status_code == 200
    assert desk.stored() == ["甲公司xslx.exe.xlsx"]
    page = response.text + desk.get(f"/y/{YEAR}/files").text
    assert "\u202e" not in page and "甲公司xslx.exe.xlsx" in page


def test_an_oversized_sheet_is_refused_with_413_and_nothing_is_stored(desk: Desk, samples):
    big = samples[0].parent / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + bytes(21 * 1024 * 1024))  # over the default 20 MB
    response = desk.upload(samples[1], big)
    assert response.status_code == 413
    assert "“big.xlsx”超过 20 MB" in response.text and "均未保存" in response.text
    assert desk.stored() == []


def test_an_oversized_zip_member_is_refused(tmp_path, samples):
    app = make_app(tmp_path / "data", Limits(file_bytes=10_000))
    with TestClient(app, base_url=BASE) as client:
        desk = Desk(client)
        response = _post_zip(desk, _zip({"a.xlsx": samples[0].read_bytes()}))
        assert response.status_code == 413
        assert "评分表.zip › a.xlsx" in response.text


def test_files_that_are_not_sheets_are_left_out_with_a_reason(desk: Desk, tmp_path):
    notes = tmp_path / "说明.txt"
    notes.write_text("x", encoding="utf-8")
    lock = tmp_path / "~$锁定.xlsx"
    lock.write_bytes(b"x")
    response = desk.upload(notes, lock)
    assert response.status_code == 200
    assert "保存评分表 0 份" in response.text
    assert "不是电子表格文件" in response.text and "Office 临时锁定文件" in response.text
    assert desk.stored() == []


def test_an_empty_upload_is_a_clear_message(desk: Desk):
    response = desk.post(f"/y/{YEAR}/files/upload", files=[("other", ("", b""))])
    assert response.status_code == 400
    assert "没有选择文件" in response.text


def test_the_same_name_twice_in_one_upload_keeps_both(desk: Desk, samples):
    response = desk.upload(samples[0], samples[1], names=["甲/表.xlsx", "乙/表.XLSX"])
    assert response.status_code == 200
    assert desk.stored() == ["表.xlsx", "表（2）.xlsx"]


def test_a_folder_on_this_computer_is_copied_and_left_as_it_was(desk: Desk, samples, tmp_path):
    folder = tmp_path / "收回的评分表"
    (folder / "第二组").mkdir(parents=True)
    for p in samples[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "第二组" / samples[2].name).write_bytes(samples[2].read_bytes())
    (folder / "说明.docx").write_bytes(b"x")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}
    response = desk.post(f"/y/{YEAR}/files/folder", data={"folder": f'"{folder}"'})
    assert response.status_code == 200
    assert "复制评分表 3 份" in response.text and "原文件未改动" in response.text
    assert desk.stored() == sorted(p.name for p in samples[:3])
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("评分表", "请填写完整的文件夹路径"),
        ("", "请填写完整的文件夹路径"),
        ("/no/such/folder", "找不到该文件夹"),
    ],
)
def test_a_folder_that_cannot_be_imported_says_why(desk: Desk, typed: str, said: str):
    response = desk.post(f"/y/{YEAR}/files/folder", data={"folder": typed})
    assert response.status_code == 400
    assert said in response.text


def test_the_years_own_folder_is_not_imported_into_itself(desk: Desk):
    own = desk.data / "input" / str(YEAR)
    response = desk.post(f"/y/{YEAR}/files/folder", data={"folder": str(own)})
    assert response.status_code == 400 and "无需导入" in response.text


def test_a_rejected_sheet_shows_its_cell_and_a_corrected_one_replaces_it(
    desk: Desk, filled_sheet, template_file
):
    broken = filled_sheet("涪陵示例测试有限公司", serial=40, scores={"2.1": 99})
    sheet, cell = score_cell(template_file, "2.1")
    response = desk.upload(broken)
    assert response.status_code == 200
    row = response.text.split(f'data-file="{broken.name}"', 1)[1].split("</tr>", 1)[0]
    assert "已退回" in row
    assert f"{broken.name} › {sheet} › {cell}" in row  # 文件 › 工作表 › 单元格

    fixed = filled_sheet("涪陵示例测试有限公司", serial=40, folder=broken.parent / "fixed")
    replaced = desk.post(
        f"/y/{YEAR}/files/replace",
        data={"name": broken.name},
        files=[("file", ("改好的.xlsx", fixed.read_bytes()))],
    )
    assert replaced.status_code == 200
    assert desk.stored() == [broken.name]  # the sheet keeps its name
    row = replaced.text.split(f'data-file="{broken.name}"', 1)[1].split("</tr>", 1)[0]
    assert "已接收" in row and "已退回" not in row


def test_replacing_needs_a_listed_file_and_a_sheet(desk: Desk, samples, tmp_path):
    desk.upload(samples[0])
    missing = desk.post(
        f"/y/{YEAR}/files/replace",
        data={"name": "../" + samples[0].name},
        files=[("file", ("a.xlsx", samples[0].read_bytes()))],
    )
    assert missing.status_code == 404 and "找不到要替换的评分表" in missing.text
    not_sheet = desk.post(
        f"/y/{YEAR}/files/replace",
        data={"name": samples[0].name},
        files=[("file", ("a.txt", b"x"))],
    )
    assert not_sheet.status_code == 400 and "不是评分表文件" in not_sheet.text
    assert desk.stored() == [samples[0].name]


def test_a_stored_sheet_can_be_deleted_by_its_listed_name_only(desk: Desk, samples):
    desk.upload(*samples[:2])
    outside = desk.data / "keep.xlsx"
    outside.write_bytes(b"x")
    assert desk.post(f"/y/{YEAR}/files/delete", data={"name": "../../keep.xlsx"}).status_code == 404
    assert outside.exists()
    response = desk.post(f"/y/{YEAR}/files/delete", data={"name": samples[0].name})
    assert response.status_code == 200 and "已删除" in response.text
    assert desk.stored() == [samples[1].name]


def test_the_returned_copy_marks_the_bad_cell(desk: Desk, filled_sheet, template_file, samples):
    broken = filled_sheet("涪陵示例测试有限公司", serial=40, scores={"2.1": 99})
    sheet, cell = score_cell(template_file, "2.1")
    desk.upload(broken, samples[0])
    response = desk.get(f"/y/{YEAR}/files/returned", params={"name": broken.name})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    marked = wb[sheet][cell]
    assert marked.comment is not None
    assert "2.1 得分99超出范围" in marked.comment.text
    assert marked.fill.start_color.rgb.endswith("FF7C80")
    assert "退回说明" in wb.sheetnames
    # An accepted sheet has no returned copy.
    accepted = desk.get(f"/y/{YEAR}/files/returned", params={"name": samples[0].name})
    assert accepted.status_code == 404 and "没有退回修改副本" in accepted.text
    assert os.listdir(desk.data / ".work") == []  # the copy was made in scratch space
