"""``rectify export``: 整改台账.xlsx, one row per notice, overdue first, ready to print.

Written with the summary's own sheet machinery (``summary/writer.py``): the same title rows,
formats and A4 landscape print setup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook

from ..config import NoticeConfig
from ..rules.rectification import RectifyState
from ..runtime.fileio import atomic_path
from ..summary.writer import (
    Column,
    Entry,
    Formats,
    SheetWriter,
    finish_table,
    fit_width,
    start_sheet,
)
from .ledger import StatusRow

__all__ = ["ledger_filename", "write_ledger"]

_STATE_COLOURS = {
    RectifyState.OVERDUE: ("#FFC7CE", "#9C0006"),
    RectifyState.PENDING: ("#FFEB9C", "#9C5700"),
    RectifyState.RECEIVED: ("#DDEBF7", "#1F4E78"),
    RectifyState.CLOSED: ("#C6EFCE", "#006100"),
}


def ledger_filename(year: int) -> str:
    return f"{year}年度整改台账.xlsx"


def write_ledger(
    target: Path,
    year: int,
    rows: Sequence[StatusRow],
    files: dict[int, int],
    today: dt.date,
    config: NoticeConfig,
    title: str = "整改台账",
) -> Path:
    """Write the 台账 (or, with another ``title``, a list such as 催办清单) to ``target``
    atomically; ``files`` counts each entry's attachments."""
    with atomic_path(target) as tmp:
        book = Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        book.set_properties({"title": target.stem, "author": config.authority})
        fmt = Formats(book)
        state_fmt = {
            state: book.add_format(
                {"font_name": "宋体", "font_size": 10, "align": "center", "valign": "vcenter",
                 "border": 1, "border_color": "#808080", "bg_color": bg, "font_color": fg}
            )
            for state, (bg, fg) in _STATE_COLOURS.items()
        }  # fmt: skip
        columns = [
            Column("序号", 5),
            Column("发文字号", 20),
            Column(
                "企业名称", fit_width(["企业名称", *(r.entry.enterprise for r in rows)], 14, 30)
            ),
            Column("类别", 18),
            Column("印发日期", 11),
            Column("整改期限", 11),
            Column("状态", 8),
            Column("逾期天数", 7),
            Column("报送日期", 11),
            Column("销号日期", 11),
            Column("审核人", 9),
            Column("附件", 5),
            Column("备注", 24),
        ]
        counts = {s: sum(r.state is s for r in rows) for s in RectifyState}
        subtitle = f"制表单位：{config.authority}　　统计日期：{today.isoformat()}　　" + "　".join(
            f"{s}：{n}家" for s, n in counts.items()
        )
        out: SheetWriter = start_sheet(
            book, fmt, title, f"{year}年度国有企业党组织规范化建设考核{title}", subtitle,
            columns, freeze_cols=3,
        )  # fmt: skip

        def entries() -> Iterator[Entry]:
            for i, row in enumerate(rows, 1):
                e = row.entry
                values: list[Any] = [
                    i, e.doc_number, e.enterprise, e.kind, e.issued.isoformat(),
                    e.due.isoformat(), str(row.state), row.overdue_days or "",
                    e.received.isoformat() if e.received else "",
                    e.closed.isoformat() if e.closed else "", e.reviewer,
                    files.get(e.id, 0), e.note,
                ]  # fmt: skip
                formats = [fmt.int, fmt.text, fmt.wrap, fmt.text, fmt.center, fmt.center,
                           state_fmt[row.state], fmt.int, fmt.center, fmt.center, fmt.text,
                           fmt.int, fmt.wrap]  # fmt: skip
                yield values, formats, e.enterprise

        finish_table(out, out.rows(out.header_row, entries()), len(columns) - 1)
        book.close()
    return target
