"""The notice template, checked and compiled once per process, and rendered per notice.

A kept speed trick (``runtime/tricks.py``, name ``compiled-template``): at 10,000 sheets it
saves 92.8 s of the run, 81 % (``bench/bench_e2e.py 10000 --compare compiled-template``;
docs/architecture.md). The template is a .docx holding docxtpl tags. docxtpl's ``patch_xml``
(a method it does not document) turns its parts into Jinja source once (joining split tags,
resolving ``{%p %}`` and ``{%tr %}``), Jinja's sandbox compiles them, and every notice is then
one ``render`` per part. With a docxtpl this was not tested with (``TESTED``), or with the
trick switched off, every notice is rendered by docxtpl's own ``DocxTemplate.render`` instead
(about 50 ms a notice instead of 0.5 ms); a test shows that both give the same parts.

Rendering goes through ``SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)``:
an edited template cannot reach Python internals, a name such as ``A&B<建设>"集团"`` is
escaped into the XML and reads back exactly as typed, and a misspelt variable is refused by
:func:`check_template` before any notice is written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docxtpl
import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from ..errors import TemplateError
from ..runtime.tricks import enabled, release
from .context import CONTEXT_KEYS

__all__ = [
    "TESTED",
    "PreparedTemplate",
    "check_template",
    "compiling",
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
    assembles_like_zipfile,
    compressed_parts,
    zip_entry,
    zip_package,
)
from .pages import place_record

# docxtpl releases whose ``patch_xml`` this module was tested with: [from, to).
TESTED = ((0, 17), (0, 21))


def compiling(version: str | None = None) -> bool:
    """Whether templates are compiled once (docxtpl ``version``, the installed one by default,
    was tested, and the trick is not switched off); else docxtpl renders every notice."""
    if version is None:
        version = getattr(docxtpl, "__version__", "")
    return (
        TESTED[0] <= release(version) < TESTED[1]
        and callable(getattr(DocxTemplate, "patch_xml", None))
        and enabled("compiled-template")
    )


@dataclass(frozen=True)
class PreparedTemplate:
    """A checked, compiled notice template, reused for every notice of a run.

    ``entries`` hold every member already compressed the way ``zipfile`` writes it: a notice
    only compresses its rendered parts and copies the rest (styles.xml alone is 350 KB).
    """

    path: Path
    members: tuple[tuple[str, bytes], ...]
    compiled: Mapping[str, jinja2.Template]  # empty where docxtpl renders each notice
    tagged: frozenset[str]  # the members holding tags: the parts a notice renders
    variables: frozenset[str]
    entries: tuple[tuple[str, ZipEntry], ...]
    assembling: bool  # packages assembled from ``entries`` (else written by zipfile)

    def package(
        self, encoded: Mapping[str, bytes], before: dict[str, tuple[bytes, Deflated]]
    ) -> bytes:
        """The .docx bytes with ``encoded`` parts in place of the template's members
        (``before``: see :func:`~fuling_batch.notices.package.compressed_parts`)."""
        if self.assembling:
            return assemble(self.entries, compressed_parts(encoded, before))
        return zip_package(self.members, encoded)

    def package_deflated(self, parts: Mapping[str, Deflated]) -> bytes:
        """The .docx bytes with ``parts``, already compressed, in place of the members."""
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
    if "word/document.xml" not in dict(members):
        raise TemplateError(f"通知书模板 {template} 缺少 word/document.xml，不是有效的 Word 文档")
    tagged = frozenset(
        name
        for name, data in members
        if name.startswith(TEMPLATED) and (b"{{" in data or b"{%" in data)
    )
    try:
        if compiling():
            compiled, used = _compile(template, members, tagged)
        else:
            compiled, used = {}, _undeclared(template)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"通知书模板 {template} 的 XML 无效：{exc}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"通知书模板 {template} 的标签有语法错误：{exc.message}。"
            "请检查 {{ }} 与 {% %} 是否成对、拼写是否正确。"
        ) from exc
    unknown = sorted(used - keys)
    if unknown:
        raise TemplateError(
            f"通知书模板 {template} 使用了程序不提供的变量：{'、'.join(unknown)}。"
            f"可用的变量有：{'、'.join(sorted(keys))}。请修改模板后重新运行。"
        )
    entries = tuple((name, zip_entry(name, data)) for name, data in members)
    assembling = enabled("zip-writer") and assembles_like_zipfile(members, entries)
    return PreparedTemplate(
        template, members, compiled, tagged, frozenset(used), entries, assembling
    )


def _compile(
    template: Path, members: tuple[tuple[str, bytes], ...], tagged: frozenset[str]
) -> tuple[dict[str, jinja2.Template], set[str]]:
    """Each tagged part patched by docxtpl and compiled once; the variables they use."""
    env = make_environment()
    patcher = DocxTemplate(template)  # only its XML patching is used; nothing is loaded
    compiled: dict[str, jinja2.Template] = {}
    used: set[str] = set()
    for name, data in members:
        if name in tagged:
            try:
                root = etree.fromstring(data)
            except etree.XMLSyntaxError as exc:
                raise TemplateError(
                    f"通知书模板 {template} 的 {name} 不是有效的 XML：{exc}"
                ) from exc
            # Re-serialise unindented: docxtpl's patterns assume XML without pretty-printing.
            xml = etree.tostring(root, encoding="unicode")
            source = patcher.patch_xml(xml)
            used |= meta.find_undeclared_variables(env.parse(source))
            compiled[name] = env.from_string(source)
    return compiled, used


def _undeclared(template: Path) -> set[str]:
    """The variables the template uses, as docxtpl's public API finds them."""
    try:
        return set(DocxTemplate(template).get_undeclared_template_variables(make_environment()))
    except (KeyError, ValueError) as exc:  # python-docx: not a Word document it can open
        raise TemplateError(
            f"通知书模板 {template} 无法打开：{exc}（模板须为 .docx 格式）"
        ) from exc


def render_parts(prepared: PreparedTemplate, context: Mapping[str, Any]) -> dict[str, str]:
    """The template's tagged parts rendered with ``context`` (XML text, member name → text)."""
    if not prepared.compiled and prepared.tagged:
        return _render_with_docxtpl(prepared, context)
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


def _render_with_docxtpl(prepared: PreparedTemplate, context: Mapping[str, Any]) -> dict[str, str]:
    """The tagged parts as docxtpl's own ``DocxTemplate.render`` makes them (the fallback)."""
    doc = DocxTemplate(prepared.path)
    try:
        doc.render(dict(context), jinja_env=make_environment())
    except jinja2.TemplateError as exc:
        raise TemplateError(f"通知书模板 {prepared.path} 渲染失败：{exc}") from exc
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as zf:
        texts = {name: zf.read(name).decode() for name in sorted(prepared.tagged)}
    # python-docx writes an XML declaration; the compiled parts have none (the package's
    # writers add what each part needs).
    return {name: _DECLARATION.sub("", text, count=1) for name, text in texts.items()}


_DECLARATION = re.compile(r"\A<\?xml[^>]*\?>\s*")


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
    """One notice as .docx bytes: the template's parts rendered with ``context``, the 版记 on
    the last, even page (:func:`render_paged`: a notice issued or a 催办通知 prints as a run's
    draft does)."""
    texts, _ = render_paged(prepared, context)
    return prepared.package({name: t.encode() for name, t in texts.items()}, {})
