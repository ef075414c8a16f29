"""The 调整建议函: the proposal to adjust a leader, sent to whoever holds 干部管理权限.

三、3: "对连续两年不合格的对其书记或行政主要负责人进行调整". The district's 国资委党委 does not
adjust the leaders of an enterprise itself: it proposes it to the cadre authority
(``notices.cadre_authority``, by default 区委组织部). One 函 per enterprise whose notice is the
组织诫勉及调整建议通知书, stating both years' results (and, for a longer streak, its years), written
beside the notices. Made by the notices' machinery: the GB/T 9704 page, 版头 and 版记
(``layout.py``, ``body.py``), a docxtpl template built from code (``templates/letter.docx.j2``
in the working folder overrides it), checked against :data:`LETTER_KEYS` and rendered by
``prepare.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject

from ..config import NoticeConfig
from ..rules.consequences import streak_sentence
from ..rules.standard import fmt_number
from ..runtime.fileio import safe_filename, unique_names, write_atomic
from .body import add_closing, add_head, add_title, paragraph
from .context import (
    KIND_ADJUST,
    NoticePlan,
    assessed_on_text,
    chinese_date,
    clean_text,
    notice_title_lines,
)
from .pdf import convert_to_pdf
from .prepare import PreparedTemplate, check_template, render_paged
from .template import build_template, resolve_template
from .titles import BREAK_BAD, BREAK_WEAK, Phrase, name_phrases, title_lines

__all__ = [
    "LETTER_KEYS",
    "LETTER_KIND",
    "default_letter_template",
    "letter_context",
    "letter_names",
    "letter_number",
    "letter_title_lines",
    "letters_due",
    "write_letters",
]

LETTER_KIND = "调整建议函"
LETTER_TEMPLATE = "letter.docx.j2"

LETTER_KEYS = frozenset(
    {
        "addressee", "admin_head", "assessed_on", "authority", "authority_short", "copy_to",
        "enterprise", "final_grade", "issue_date", "notice_number", "notice_title", "number",
        "prev_grade", "prev_total", "prev_year", "print_authority", "secretary",
        "streak_sentence", "title_lines", "total", "year",
    }
)  # fmt: skip

_BASIS = "根据《涪陵区国有企业党组织工作活动基本规范》（涪区委组〔2017〕86号）"
_LEADERS = "党组织书记{% if secretary %}{{ secretary }}同志{% endif %}"
_HEAD = "行政主要负责人{% if admin_head %}{{ admin_head }}同志{% endif %}"


def _body(doc: DocumentObject) -> None:
    first = doc.paragraphs[0] if doc.paragraphs else None
    if first is not None and not first.text:  # python-docx's blank starter paragraph
        first._p.getparent().remove(first._p)
    add_head(doc)
    add_title(doc, "title_lines")
    paragraph(doc)
    paragraph(doc, "{{ addressee }}：", "主送机关")
    paragraph(
        doc,
        _BASIS + "“强化监督考核”的规定，{{ authority_short }}"
        "{% if assessed_on %}于{{ assessed_on }}{% endif %}对{{ enterprise }}党组织{{ year }}年度"
        "规范化建设情况进行了实地考核评分。",
    )
    paragraph(
        doc,
        "该单位党组织{{ prev_year }}年度考核得分为{{ prev_total }}分、等次为“{{ prev_grade }}”，"
        "{{ year }}年度考核得分为{{ total }}分、等次为“{{ final_grade }}”，{{ streak_sentence }}。"
        "{{ authority_short }}已印发《{{ notice_title }}》（{{ notice_number }}），对该单位" + _LEADERS
        + "、" + _HEAD + "予以组织诫勉，并将该单位党组织纳入后进党组织进行重点整顿。",
    )  # fmt: skip
    paragraph(
        doc,
        "根据该规范“对连续两年不合格的对其书记或行政主要负责人进行调整”的规定，按照干部管理权限，"
        "建议对{{ enterprise }}" + _LEADERS + "或" + _HEAD + "进行调整。",
    )
    paragraph(doc, "以上建议，请予研究。")
    add_closing(doc)


def letter_template_bytes() -> bytes:
    return build_template(_body, "国有企业党组织规范化建设考核调整建议函模板")


def default_letter_template(cwd: Path | None = None) -> Path:
    """The 函 template (the office's own ``templates/letter.docx.j2`` wins)."""
    return resolve_template(LETTER_TEMPLATE, letter_template_bytes, cwd)


@functools.lru_cache(maxsize=256)
def _title(enterprise: str) -> tuple[str, ...]:
    phrases = [
        Phrase("关于建议对"),
        *name_phrases(enterprise),
        Phrase("党组织", BREAK_WEAK),
        Phrase("书记", BREAK_WEAK),
        Phrase("或行政主要负责人"),
        Phrase("进行调整", BREAK_BAD),
        Phrase("的函"),
    ]
    return tuple(title_lines(phrases))


def letter_title_lines(enterprise: str) -> list[str]:
    """关于建议对…党组织书记或行政主要负责人进行调整的函, in lines broken by phrase."""
    return list(_title(enterprise))


def letter_number(config: NoticeConfig, year: int) -> str:
    """The 函's 发文字号, its number left blank: 函 are not in the notices' register, so the
    office writes the number in when it is given (``涪国资党委函〔2026〕　号``)."""
    return f"{config.number_prefix}函〔{year}〕\u3000\u3000号"


def letters_due(plans: Sequence[NoticePlan]) -> list[NoticePlan]:
    """The plans whose notice proposes an adjustment: each gets a 函."""
    return [plan for plan in plans if plan.kind == KIND_ADJUST]


def letter_context(plan: NoticePlan, config: NoticeConfig, day: dt.date) -> dict[str, Any]:
    """Everything the 函 template may say (keys: :data:`LETTER_KEYS`)."""
    result = plan.result
    header = result.sheet.header
    prev = result.previous
    enterprise = clean_text(header.enterprise)
    short = config.authority_short or config.authority
    values: dict[str, Any] = {
        "addressee": config.cadre_authority,
        "admin_head": header.admin_head,
        "assessed_on": assessed_on_text(header.assessed_on),
        "authority": config.authority,
        "authority_short": short,
        # The 函 goes to the cadre authority: no copy to it as well.
        "copy_to": ""
        if config.copy_to.strip() == config.cadre_authority.strip()
        else config.copy_to,
        "enterprise": enterprise,
        "final_grade": str(result.final_grade),
        "issue_date": chinese_date(day),
        "notice_number": plan.number,
        "notice_title": "".join(notice_title_lines(enterprise, plan.kind)),
        "number": letter_number(config, result.year),
        "prev_grade": str(prev.grade) if prev else "",
        "prev_total": fmt_number(prev.total) if prev else "",
        "prev_year": prev.year if prev else "",
        "print_authority": short,
        "secretary": header.secretary,
        "streak_sentence": streak_sentence(max(result.fail_streak, 2), result.year),
        "title_lines": letter_title_lines(enterprise),
        "total": fmt_number(result.total),
        "year": result.year,
    }
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in values.items()}


def letter_names(plans: Sequence[NoticePlan]) -> list[str]:
    """The file name of each plan's 函: ``<企业名称>_调整建议函.docx``."""
    stems = unique_names([safe_filename(f"{p.result.enterprise}_{LETTER_KIND}") for p in plans])
    return [f"{stem}.docx" for stem in stems]


def _writer(data: bytes) -> Callable[[Path], object]:
    return lambda tmp: tmp.write_bytes(data)


def write_letters(
    folder: Path,
    plans: Sequence[NoticePlan],
    config: NoticeConfig,
    day: dt.date,
    pdf: bool = False,
    template: Path | PreparedTemplate | None = None,
) -> list[Path]:
    """Write the 函 of every plan that proposes an adjustment into ``folder`` (beside the
    notices), and with ``pdf`` a PDF of each. Returns the .docx paths, in 文号 order."""
    due = letters_due(plans)
    if not due:
        return []
    if isinstance(template, PreparedTemplate):
        prepared = template
    else:
        prepared = check_template(Path(template or default_letter_template()), LETTER_KEYS)
    paths = []
    for plan, name in zip(due, letter_names(due), strict=True):
        texts, _ = render_paged(prepared, letter_context(plan, config, day))
        data = prepared.package({k: t.encode() for k, t in texts.items()}, {})
        paths.append(write_atomic(Path(folder) / name, _writer(data)))
    if pdf:
        convert_to_pdf(paths)
    return paths
