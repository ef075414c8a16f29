"""The notice template, checked and compiled once per process, and rendered per notice.

The template is a .docx holding docxtpl tags. docxtpl's own ``patch_xml`` turns its parts into
Jinja source (joining split tags, resolving ``{%p %}`` and ``{%tr %}``), Jinja's sandbox
compiles them, and every notice is then one ``render`` per part (the same XML as docxtpl's
``DocxTemplate.render``; a test compares them).

Rendering goes through ``SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)``:
an edited template cannot reach Python internals, a name such as ``A&B<建设>"集团"`` is
escaped into the XML and reads back exactly as typed, and a misspelt variable is refused by
:func:`check_template` before any notice is written.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from ..errors import TemplateError
from .context import CONTEXT_KEYS

__all__ = [
    "PreparedTemplate",
    "check_template",
    "make_environment",
    "render_notice",
    "render_paged",
    "render_parts",
]


from .package import (
    DOCUMENT,
    TEMPLATED,
    Deflated,
    ZipEntry,
    assemble,
    compressed_parts,
    zip_entry,
)
from .pages import place_record


@dataclass(frozen=True)
class PreparedTemplate:
    """A checked, compiled notice template, reused for every notice of a run.

    ``entries`` hold every member already compressed the way ``zipfile`` writes it: a notice
    only compresses its rendered parts and copies the rest (styles.xml alone is 350 KB).
    """

    path: Path
    members: tuple[tuple[str, bytes], ...]
    compiled: Mapping[str, jinja2.Template]
    variables: frozenset[str]
    entries: tuple[tuple[str, ZipEntry], ...]

    def package(self, parts: Mapping[str, Deflated]) -> bytes:
        """The .docx bytes with ``parts`` (compressed) in place of the template's members."""
        return assemble(self.entries, parts)


def make_environment() -> SandboxedEnvironment:
    """The only Jinja environment notices are rendered with."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def check_template(template: Path, keys: frozenset[str] = CONTEXT_KEYS) -> PreparedTemplate:
    """Parse once; every variable the template uses must be one of ``keys`` (what the tool
    provides: the notices' by default, the 催办通知's for its template).

    Raises :class:`~fuling_batch.errors.TemplateError` naming the unknown variable(s), or
    saying where the template does not parse. Compiled once, reused for every notice.
    """
    template = Path(template)
    try:
        with zipfile.ZipFile(template) as zf:
            members = tuple((info.filename, zf.read(info.filename)) for info in zf.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise TemplateError(f"无法读取通知书模板 {template}：{exc}（模板须为 .docx 格式）") from exc
    env = make_environment()
    patcher = DocxTemplate(template)  # only its XML patching is used; nothing is loaded
    compiled: dict[str, jinja2.Template] = {}
    used: set[str] = set()
    for name, data in members:
        if not name.startswith(TEMPLATED) or not (b"{{" in data or b"{%" in data):
            continue
        try:
            # Re-serialise unindented: docxtpl's patterns assume XML without pretty-printing.
            xml = etree.tostring(etree.fromstring(data), encoding="unicode")
            source = patcher.patch_xml(xml)
            used |= meta.find_undeclared_variables(env.parse(source))
            compiled[name] = env.from_string(source)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(f"通知书模板 {template} 的 {name} 不是有效的 XML：{exc}") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"通知书模板 {template} 的标签有语法错误：{exc.message}。"
                "请检查 {{ }} 与 {% %} 是否成对、拼写是否正确。"
            ) from exc
    if "word/document.xml" not in dict(members):
        raise TemplateError(f"通知书模板 {template} 缺少 word/document.xml，不是有效的 Word 文档")
    unknown = sorted(used - keys)
    if unknown:
        raise TemplateError(
            f"通知书模板 {template} 使用了程序不提供的变量：{'、'.join(unknown)}。"
            f"可用的变量有：{'、'.join(sorted(keys))}。请修改模板后重新运行。"
        )
    entries = tuple((name, zip_entry(name, data)) for name, data in members)
    return PreparedTemplate(template, members, compiled, frozenset(used), entries)


def render_parts(prepared: PreparedTemplate, context: Mapping[str, Any]) -> dict[str, str]:
    """The template's tagged parts rendered with ``context`` (XML text, member name → text)."""
    out = {}
    for name, tpl in prepared.compiled.items():
        try:
            text = tpl.render(context)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"通知书模板 {prepared.path} 渲染失败：{exc}") from exc
        # docxtpl's escapes for literal braces in the document text.
        for escaped, plain in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
            text = text.replace(escaped, plain)
        out[name] = text
    return out


def render_paged(
    prepared: PreparedTemplate, context: Mapping[str, Any]
) -> tuple[dict[str, str], int]:
    """:func:`render_parts` with the 版记 put on the last, even page
    (:func:`~fuling_batch.notices.pages.place_record`), and the pages that takes."""
    texts = render_parts(prepared, context)
    placed = place_record(texts[DOCUMENT])
    texts[DOCUMENT] = placed.xml
    return texts, placed.pages


def render_notice(prepared: PreparedTemplate, context: Mapping[str, Any]) -> bytes:
    """One notice as .docx bytes: the template's parts rendered with ``context``."""
    texts = render_parts(prepared, context)
    return prepared.package(compressed_parts({name: t.encode() for name, t in texts.items()}, {}))
