"""发文登记: every number of the year with its kind, enterprise and state, voids included."""

from __future__ import annotations

from collections.abc import Iterator

from ..rules.numbering import Entry, NoticeState, RegisterView
from .printing import fit_readably
from .writer import Column, Formats, SheetFactory, SheetWriter, finish_table, fit_width
from .writer import Entry as Row

__all__ = ["write_register"]


def _note(
    entry: Entry, by_id: dict[int, Entry], corrected_by: dict[int, Entry], pending: frozenset[int]
) -> str:
    notes = []
    if entry.id in pending:
        notes.append("本次未评分（评分表被退回或未提交），文号保留")
    if entry.replaces is not None and (old := by_id.get(entry.replaces)) is not None:
        notes.append(f"更正{old.doc_number}")
    if (new := corrected_by.get(entry.id)) is not None and entry.id:
        notes.append(f"已由{new.doc_number}更正")
    elif entry.state is NoticeState.VOID:
        notes.append("不再需要（评分表已更正或处理意见已改变）")
    return "；".join(notes)


def write_register(sheet: SheetFactory, fmt: Formats, register: RegisterView) -> None:
    """The register after this run (:func:`~fuling_batch.year_record.register_view`)."""
    entries, waiting = register.entries, register.pending
    by_id = {e.id: e for e in entries if e.id}
    corrected_by = {e.replaces: e for e in entries if e.replaces is not None}
    columns = [
        Column("序号", 5),
        Column("发文字号", 22),
        Column("类别", 24),
        Column("企业名称", fit_width(["企业名称", *(e.enterprise for e in entries)], 14, 30)),
        Column("统一社会信用代码", 20),
        Column("状态", 8),
        Column("签发日期", 11),
        Column("说明", 30),
    ]
    columns = fit_readably(columns, ("类别", "企业名称", "说明"))
    out: SheetWriter = sheet("发文登记", columns, freeze_cols=2)
    state_fmt = {
        NoticeState.DRAFT: fmt.center,
        NoticeState.ISSUED: fmt.center,
        NoticeState.VOID: fmt.grade_void,
    }

    def rows() -> Iterator[Row]:
        for i, e in enumerate(entries, 1):
            values = [
                i,
                e.doc_number,
                e.kind,
                e.enterprise,
                e.credit_code,
                e.state.label,
                e.issued,
                _note(e, by_id, corrected_by, waiting),
            ]
            formats = [fmt.int, fmt.text, fmt.wrap, fmt.wrap, fmt.text, state_fmt[e.state],
                       fmt.center, fmt.wrap]  # fmt: skip
            yield values, formats, e.enterprise

    finish_table(out, out.rows(out.header_row, rows()), len(columns) - 1)
