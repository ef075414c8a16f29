"""The 整改催办通知: a reminder to an enterprise whose rectification report is overdue.

Made by the notices' machinery: the same GB/T 9704 page, 版头 and 版记 (``layout.py``,
``body.py``), a docxtpl template built from code (``templates/remind.docx.j2`` in the working
folder overrides it, as for the notices), checked against :data:`REMIND_KEYS` and rendered by
``prepare.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject

from ..config import NoticeConfig
from .body import add_closing, add_head, paragraph
from .context import chinese_date, clean_text
from .template import build_template, resolve_template

__all__ = ["REMIND_KEYS", "REMIND_KIND", "default_remind_template", "remind_context"]

REMIND_KIND = "整改催办通知"
REMIND_TEMPLATE = "remind.docx.j2"

REMIND_KEYS = frozenset(
    {
        "addressee", "authority", "authority_short", "copy_to", "due", "enterprise",
        "issue_date", "new_due", "notice_date", "notice_kind", "notice_number", "number",
        "overdue_days", "print_authority", "today", "year",
    }
)  # fmt: skip

# Days the enterprise gets to report after a reminder.
REMIND_DAYS = 10


def _body(doc: DocumentObject) -> None:
    first = doc.paragraphs[0] if doc.paragraphs else None
    if first is not None and not first.text:  # python-docx's blank starter paragraph
        first._p.getparent().remove(first._p)
    add_head(doc)
    paragraph(doc, "关于督促{{ enterprise }}报送整改情况的通知", "公文标题")
    paragraph(doc)
    paragraph(doc, "{{ addressee }}：", "主送机关")
    paragraph(
        doc,
        "{{ notice_date }}，{{ authority_short }}印发《{{ notice_kind }}》（{{ notice_number }}），"
        "要求你单位对照{{ year }}年度党组织规范化建设考核发现的问题认真整改，并于{{ due }}前将整改"
        "情况书面报送{{ authority_short }}。截至{{ today }}，{{ authority_short }}仍未收到你单位的"
        "整改情况报告，已逾期{{ overdue_days }}天。",
    )
    paragraph(
        doc,
        "请你单位党组织高度重视，切实履行整改主体责任，于{{ new_due }}前将整改情况书面报送"
        "{{ authority_short }}，并说明逾期原因。逾期仍未报送的，将按照有关规定予以通报。",
    )
    add_closing(doc)


def remind_template_bytes() -> bytes:
    return build_template(_body, "国有企业党组织规范化建设考核整改催办通知模板")


def default_remind_template(cwd: Path | None = None) -> Path:
    """The 催办通知 template (the office's own ``templates/remind.docx.j2`` wins)."""
    return resolve_template(REMIND_TEMPLATE, remind_template_bytes, cwd)


def remind_context(
    *,
    number: str,
    enterprise: str,
    addressee: str,
    notice_number: str,
    notice_kind: str,
    notice_date: dt.date,
    due: dt.date,
    today: dt.date,
    year: int,
    config: NoticeConfig,
) -> dict[str, Any]:
    """Everything the 催办通知 template may say (keys: :data:`REMIND_KEYS`)."""
    short = config.authority_short or config.authority
    values: Mapping[str, Any] = {
        "addressee": addressee or enterprise,
        "authority": config.authority,
        "authority_short": short,
        "copy_to": config.copy_to,
        "due": chinese_date(due),
        "enterprise": enterprise,
        "issue_date": chinese_date(today),
        "new_due": chinese_date(today + dt.timedelta(days=REMIND_DAYS)),
        "notice_date": chinese_date(notice_date),
        "notice_kind": notice_kind,
        "notice_number": notice_number,
        "number": number,
        "overdue_days": (today - due).days,
        "print_authority": short,
        "today": chinese_date(today),
        "year": year,
    }
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in values.items()}
