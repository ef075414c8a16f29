"""Filled score sheets for the intake tests, made from the real template or from the contract.

``fill_template`` fills the committed layout (``template.write_template``) the way an
inspector does in Excel; ``contract_sheet`` builds an independent sheet that follows only the
score-sheet contract of docs/architecture.md (other positions, other sheet name, no ▲ column),
so that the reader is shown not to depend on the template's layout.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from fuling_batch.forms.template import write_template
from fuling_batch.rules.standard import load_standard
from tests.factories import credit_code

STANDARD = load_standard()
YEAR = 2026


def header_values(serial: int = 1, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "企业名称": f"涪陵示例企业{serial}有限公司",
        "统一社会信用代码": credit_code(serial),
        "考核年度": YEAR,
        "党组织名称": f"中共涪陵示例企业{serial}有限公司支部委员会",
        "党组织书记": "张三",
        "行政主要负责人": "李四",
        "考核日期": "2026-11-20",
        "考核组成员": "王五、赵六",
    }
    values.update(overrides)
    return values


@functools.cache
def _template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(Path(tmp) / "t.xlsx", STANDARD)
        return path.read_bytes()


def template_copy(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_template_bytes())
    return path


def code_rows(ws: Worksheet) -> dict[str, int]:
    """Item code -> row number in a filled sheet (column of 编号 found by its header)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "编号":
                col = cell.column
                return {
                    str(ws.cell(r, col).value): r
                    for r in range(cell.row + 1, ws.max_row + 1)
                    if isinstance(ws.cell(r, col).value, str) and ws.cell(r, col).value[0].isdigit()
                }
    raise AssertionError("no 编号 header")


def label_cells(ws: Worksheet) -> dict[str, str]:
    """Header label -> coordinate of the label cell."""
    wanted = set(header_values())
    return {c.value: c.coordinate for row in ws.iter_rows() for c in row if c.value in wanted}


def fill_template(
    path: Path,
    scores: Mapping[str, Any] | None = None,
    *,
    remarks: Mapping[str, Any] | None = None,
    serial: int = 1,
    header: Mapping[str, Any] | None = None,
    edit: Callable[[Worksheet, dict[str, int]], object] | None = None,
) -> Path:
    """A template filled at full marks except ``scores`` (raw cell values allowed).

    ``edit(ws, rows)`` may then change the sheet (``rows``: item code -> row number).
    """
    template_copy(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    fill_sheet(ws, scores, remarks=remarks, serial=serial, header=header)
    if edit is not None:
        edit(ws, code_rows(ws))
    wb.save(path)
    return path


def fill_sheet(
    ws: Worksheet,
    scores: Mapping[str, Any] | None = None,
    *,
    remarks: Mapping[str, Any] | None = None,
    serial: int = 1,
    header: Mapping[str, Any] | None = None,
) -> None:
    values = header_values(serial, **dict(header or {}))
    merged = {r.min_row * 10000 + r.min_col: r.max_col for r in ws.merged_cells.ranges}
    for label, coordinate in label_cells(ws).items():
        cell = ws[coordinate]
        end = merged.get(cell.row * 10000 + cell.column, cell.column)
        ws.cell(cell.row, end + 1).value = values[label]
    rows = code_rows(ws)
    scores = dict(scores or {})
    remarks = dict(remarks or {})
    for line in STANDARD.lines:
        row = rows[line.code]
        value = scores.get(line.code, line.value)
        ws.cell(row, 5).value = value
        default = (
            f"{line.code}资料不全"
            if isinstance(value, int | float) and value < line.value
            else None
        )
        ws.cell(row, 6).value = remarks.get(line.code, default)


def contract_sheet(path: Path, scores: Mapping[str, Any] | None = None, serial: int = 1) -> Path:
    """A sheet that follows only the score-sheet contract: own positions, own names, extra sheet."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "说明"
    first["A1"] = "本工作簿由考核组填写"
    ws = wb.create_sheet("Sheet1")
    values = header_values(serial)
    for i, (label, value) in enumerate(values.items()):
        row = 3 + i
        ws.cell(row, 2).value = label
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.cell(row, 4).value = value
    top = 15
    for col, name in zip(
        (2, 3, 4, 5, 6), ("编号", "分值", "扣分说明", "得分", "评分标准"), strict=True
    ):
        ws.cell(top, col).value = name
    scores = dict(scores or {})
    for i, line in enumerate(STANDARD.lines, start=1):
        row = top + i
        ws.cell(row, 2).value = line.code
        ws.cell(row, 3).value = line.value
        value = scores.get(line.code, line.value)
        ws.cell(row, 5).value = value
        if isinstance(value, int | float) and value < line.value:
            ws.cell(row, 4).value = "扣分原因"
        ws.cell(row, 6).value = line.label or line.item.short
    wb.save(path)
    return path


def score_cell(path: Path, code: str) -> str:
    """The A1 address of the score (得分) cell of ``code`` in a filled template."""
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"] if "评分表" in wb.sheetnames else wb.worksheets[0]
    return f"E{code_rows(ws)[code]}"


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def cfb_bytes(streams: Mapping[str, bytes]) -> bytes:
    """A minimal compound file (v3, 512-byte sectors) holding ``streams`` (at most 3).

    Enough for the directory to be read as Office reads it: an encrypted OOXML workbook is such
    a file with ``EncryptionInfo`` and ``EncryptedPackage`` streams.
    """
    import struct

    end, free, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    names = list(streams)
    assert len(names) <= 3
    fat = [fatsect, end]
    data_sectors: list[bytes] = []
    starts = []
    for name in names:
        content = streams[name] or b"\x00"
        chunks = [content[i : i + 512].ljust(512, b"\x00") for i in range(0, len(content), 512)]
        first = 2 + len(data_sectors)
        starts.append(first)
        for k in range(len(chunks)):
            fat.append(first + k + 1 if k < len(chunks) - 1 else end)
        data_sectors.extend(chunks)
    assert len(fat) <= 128
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB3I", len(raw), kind, 1, nostream, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, 1 if names else nostream, nostream, end, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else nostream
        entries.append(entry(name, 2, nostream, right, starts[i], len(streams[name])))
    directory = b"".join(entries).ljust(512, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == 512
    return header + fat_sector + directory + b"".join(data_sectors)
