"""Sheet texts that must change to be kept in every output: cut to what a cell holds, or
cleaned of hidden characters. Each change is a warning on its cell, never silent."""

from __future__ import annotations

import re

from ..rules.issues import Issue
from ..rules.text import strip_invisible

__all__ = ["CUT_MARK", "TEXT_MAX", "fit_text", "text_issues"]

# Excel holds at most 32,767 characters (UTF-16 units) in a cell; a text kept whole in every
# output must fit with the mark of its cut.
TEXT_MAX = 32_000
CUT_MARK = "……（内容过长，以下已截断，全文见原评分表）"


def fit_text(text: str) -> str:
    """``text`` cut to :data:`TEXT_MAX` UTF-16 units (marked as cut), or as it is."""
    if len(text) <= TEXT_MAX // 2 or len(text.encode("utf-16-le")) // 2 <= TEXT_MAX:
        return text
    room = TEXT_MAX - len(CUT_MARK)
    kept = text.encode("utf-16-le")[: room * 2].decode("utf-16-le", "ignore")
    return kept + CUT_MARK


def text_issues(label: str, raw: object, kept: str, cell: str) -> list[Issue]:
    """Warnings for a sheet text that had to change to be kept: too long, or hidden characters."""
    issues = []
    if kept.endswith(CUT_MARK) and not str(raw).endswith(CUT_MARK):
        issues.append(
            Issue.warning(
                "TEXT_TOO_LONG",
                f"{label}有{len(str(raw))}个字符，超过 Excel 单元格能容纳的长度，汇总表、通知书和数据库中只保留前"
                f"{len(kept) - len(CUT_MARK)}个字符并注明“已截断”；请精简后重新提交",
                cell=cell,
            )
        )
    if isinstance(raw, str) and not raw.isprintable() and _hidden_characters(raw):
        issues.append(
            Issue.warning(
                "TEXT_HIDDEN_CHARS",
                f"{label}中含有看不见的控制字符或文字方向控制符（可使文字显示得与实际不同），已删除；请核对该单元格",
                cell=cell,
            )
        )
    return issues


def _hidden_characters(text: str) -> bool:
    return bool(strip_invisible(text) != text or _CONTROL.search(text))


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
