"""Word notices (谈话提醒 / 组织诫勉 / 调整建议) rendered from ``templates/notice.docx.j2``.

The template is a .docx holding docxtpl tags. It is prepared once per process: docxtpl's own
``patch_xml`` turns its parts into Jinja source (joining split tags, resolving ``{%p %}`` and
``{%tr %}``), Jinja's sandbox compiles them, and every notice is then one ``render`` per part
plus a zip write. Rendering goes through ``SandboxedEnvironment(autoescape=True,
undefined=StrictUndefined)``: an edited template cannot reach Python internals, a name such as
``A&B<建设>"集团"`` is escaped into the XML and reads back exactly as typed, and a misspelt
variable is refused by :func:`check_template` before any notice is written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from .config import NoticeConfig
from .errors import TemplateError
from .fileio import atomic_path, safe_filename, unique_names
from .models import GradeResult
from .notice_context import CONTEXT_KEYS, NoticePlan, build_context, plan_notices
from .notice_template import default_notice_template
from .standard import Standard

__all__ = [
    "NoticeRecord",
    "PreparedTemplate",
    "check_template",
    "render_notice",
    "write_notices",
]

NOTICES_DIR = "notices"
# Parts of a .docx that may hold template tags; the rest of the package is copied as is.
_TEMPLATED = (
    "word/document.xml",
    "word/header",
    "word/footer",
    "word/footnotes.xml",
    "word/endnotes.xml",
)
# Below this many notices a single process is faster than starting workers.
_PARALLEL_FROM = 20
# Fixed zip timestamps: the same notice gives the same bytes whichever process wrote it.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class NoticeRecord:
    """One written notice: whose it is, which kind, its 文号 and where it is."""

    key: str
    enterprise: str
    kind: str
    number: str
    path: Path


@dataclass(frozen=True)
class PreparedTemplate:
    """A checked, compiled notice template, reused for every notice of a run."""

    path: Path
    members: tuple[tuple[str, bytes], ...]
    compiled: Mapping[str, jinja2.Template]
    variables: frozenset[str]


def make_environment() -> SandboxedEnvironment:
    """The only Jinja environment notices are rendered with."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def check_template(template: Path) -> PreparedTemplate:
    """Parse once; every variable the template uses must be one the tool provides.

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
        if not name.startswith(_TEMPLATED) or not (b"{{" in data or b"{%" in data):
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
    unknown = sorted(used - CONTEXT_KEYS)
    if unknown:
        raise TemplateError(
            f"通知书模板 {template} 使用了程序不提供的变量：{'、'.join(unknown)}。"
            f"可用的变量有：{'、'.join(sorted(CONTEXT_KEYS))}。请修改模板后重新运行。"
        )
    return PreparedTemplate(template, members, compiled, frozenset(used))


def render_notice(prepared: PreparedTemplate, context: Mapping[str, Any]) -> bytes:
    """One notice as .docx bytes: the template's parts rendered with ``context``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in prepared.members:
            tpl = prepared.compiled.get(name)
            if tpl is not None:
                try:
                    text = tpl.render(context)
                except jinja2.TemplateError as exc:
                    raise TemplateError(f"通知书模板 {prepared.path} 渲染失败：{exc}") from exc
                # docxtpl's escapes for literal braces in the document text.
                for escaped, plain in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
                    text = text.replace(escaped, plain)
                data = text.encode("utf-8")
            zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_notices(
    out_dir: Path,
    year: int,
    results: Sequence[GradeResult],
    standard: Standard,
    config: NoticeConfig,
    template: Path | None = None,
    processes: int | None = None,
    pdf: bool = False,
    issue_date: dt.date | None = None,
) -> list[NoticeRecord]:
    """Write a notice for every result graded 基本合格 or 不合格, plus 呈批表 and a combined file.

    Notices go to ``out_dir/notices/`` named ``<企业名称>_<通知书种类>.docx``; 文号 are
    ``<prefix>〔<year>〕N号`` from ``config.first_number`` in :func:`plan_notices` order. The
    template is checked first, so a bad template fails before anything is written. With
    ``processes=None`` one process renders fewer than 20 notices, otherwise up to the number of
    CPUs do; the files are identical either way. Returns the records in 文号 order.
    """
    from .notice_extras import convert_to_pdf, require_soffice, write_combined, write_sign_off

    prepared = check_template(Path(template) if template else default_notice_template())
    if pdf:
        require_soffice()
    day = issue_date or config.issue_date or dt.date.today()
    plans = plan_notices(results, year, config)
    folder = Path(out_dir) / NOTICES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stems = unique_names([safe_filename(f"{p.result.enterprise}_{p.kind}") for p in plans])
    paths = [folder / f"{stem}.docx" for stem in stems]
    jobs = [
        (str(path), build_context(plan, standard, config, day))
        for plan, path in zip(plans, paths, strict=True)
    ]
    _render_all(prepared, jobs, processes)
    records = [_record(plan, path) for plan, path in zip(plans, paths, strict=True)]
    if records:
        write_sign_off(folder, year, records, plans)
        write_combined(folder, year, prepared, paths)
        if pdf:
            convert_to_pdf(paths)
    return records


def _record(plan: NoticePlan, path: Path) -> NoticeRecord:
    return NoticeRecord(plan.result.key, plan.result.enterprise, plan.kind, plan.number, path)


def _render_all(
    prepared: PreparedTemplate, jobs: list[tuple[str, dict[str, Any]]], processes: int | None
) -> None:
    workers = _worker_count(len(jobs), processes)
    if workers <= 1:
        _write_jobs(prepared, jobs)
        return
    # Chunks of several notices per task keep the pickling overhead small; each worker
    # compiles the template once in its initializer (compiled templates do not pickle).
    size = max(1, min(50, len(jobs) // (workers * 4)))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(str(prepared.path),)
    ) as pool:
        for _ in pool.map(_worker_write, chunks):
            pass


def _worker_count(jobs: int, processes: int | None) -> int:
    if processes is not None:
        return max(1, min(processes, jobs))
    if jobs < _PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, jobs // 10))


def _write_jobs(prepared: PreparedTemplate, jobs: list[tuple[str, dict[str, Any]]]) -> None:
    for path, context in jobs:
        data = render_notice(prepared, context)
        with atomic_path(Path(path)) as tmp:
            tmp.write_bytes(data)


_WORKER_TEMPLATE: PreparedTemplate | None = None


def _init_worker(template: str) -> None:
    global _WORKER_TEMPLATE
    _WORKER_TEMPLATE = check_template(Path(template))


def _worker_write(jobs: list[tuple[str, dict[str, Any]]]) -> None:
    assert _WORKER_TEMPLATE is not None, "worker started without its template"
    _write_jobs(_WORKER_TEMPLATE, jobs)
