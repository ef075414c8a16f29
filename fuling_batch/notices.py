"""Word notices (谈话提醒 / 组织诫勉 / 调整建议) rendered from ``templates/notice.docx.j2``.

The template is a .docx holding docxtpl tags. It is prepared once per process: docxtpl's own
``patch_xml`` turns its parts into Jinja source (joining split tags, resolving ``{%p %}`` and
``{%tr %}``), Jinja's sandbox compiles them, and every notice is then one ``render`` per part
(the same XML as docxtpl's ``DocxTemplate.render``; a test compares them). The package is not
rebuilt per notice: every member was compressed once, exactly as ``zipfile`` writes it, so a
notice only compresses its rendered parts and copies the rest.

Rendering goes through ``SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)``:
an edited template cannot reach Python internals, a name such as
``A&B<建设>"集团"`` is escaped into the XML and reads back exactly as typed, and a misspelt
variable is refused by :func:`check_template` before any notice is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import struct
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from .config import NoticeConfig
from .errors import OutputError, TemplateError
from .fileio import permissions, safe_filename, unique_names
from .models import GradeResult
from .notice_context import CONTEXT_KEYS, NoticePlan, build_context, plan_notices
from .notice_template import default_notice_template
from .standard import Standard
from .workers import start_pool

__all__ = [
    "Cancelled",
    "Deflated",
    "NoticeRecord",
    "PlannedNotice",
    "PreparedTemplate",
    "StagedNotices",
    "check_template",
    "deflate",
    "notice_files",
    "render_notice",
    "render_parts",
    "stage_notices",
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
DOCUMENT = "word/document.xml"
# Below this many notices a single process is faster than starting workers.
_PARALLEL_FROM = 20
# Notices per task (and per compressed run of the combined document) in one process.
_CHUNK = 50
# Notices per task for workers: few tasks, because while the summary holds the GIL each task
# costs the executor's threads several hand-offs (runs of 50 left the workers waiting), but
# small enough that a cancelled run does not wait long for the tasks already queued.
_TASK_MAX = 250
_ZIP32_LIMIT = 0xFFFFFFFF
# zlib level of a notice's rendered parts: level 6 (zipfile's default) took 40% more time for
# a document.xml 10% smaller (6 KB instead of 5.5 KB of a 27 KB notice).
NOTICE_LEVEL = 1
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


PlannedNotice = tuple[NoticePlan, NoticeRecord]
"""A notice to render, and the record of where it will be once published."""


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
    entries: tuple[tuple[str, _Entry], ...]

    def package(self, parts: Mapping[str, Deflated]) -> bytes:
        """The .docx bytes with ``parts`` (compressed) in place of the template's members."""
        return _package(self.entries, parts)


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
    entries = tuple((name, _zip_entry(name, data)) for name, data in members)
    return PreparedTemplate(template, members, compiled, frozenset(used), entries)


class Deflated(NamedTuple):
    """A part's bytes compressed as a zip member holds them (raw deflate), with CRC and size."""

    data: bytes
    crc: int
    size: int


def deflate(data: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> Deflated:
    """Compress ``data`` exactly as ``zipfile`` does for a ZIP_DEFLATED member."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Deflated(comp.compress(data) + comp.flush(), zlib.crc32(data), len(data))


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


def render_notice(prepared: PreparedTemplate, context: Mapping[str, Any]) -> bytes:
    """One notice as .docx bytes: the template's parts rendered with ``context``."""
    texts = render_parts(prepared, context)
    return prepared.package(_compressed({name: t.encode() for name, t in texts.items()}, {}))


def _compressed(
    encoded: Mapping[str, bytes], before: dict[str, tuple[bytes, Deflated]]
) -> dict[str, Deflated]:
    """Each rendered part compressed for the package. A part that renders as it did for the
    notice before (kept in ``before``: the footers, usually) is not compressed again: starting
    a compressor alone costs about as much as compressing it."""
    parts = {}
    for name, raw in encoded.items():
        seen = before.get(name)
        if seen is None or seen[0] != raw:
            seen = before[name] = (raw, deflate(raw, NOTICE_LEVEL))
        parts[name] = seen[1]
    return parts


@dataclass(frozen=True)
class _Entry:
    """One package member as ``zipfile`` writes it: local record and central-directory record."""

    local: bytes  # local header, then the compressed data (the template's own, for constants)
    central: bytes  # its offset field is set when a package is assembled
    header_len: int


def _zip_entry(name: str, data: bytes) -> _Entry:
    """Let ``zipfile`` write the member once, so every package has zipfile's exact bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    raw = buf.getvalue()
    (directory_at,) = struct.unpack_from("<L", raw, len(raw) - 6)  # end record, no comment
    (flags,) = struct.unpack_from("<H", raw, 6)
    name_len, extra_len = struct.unpack_from("<HH", raw, 26)
    if flags & 0x08 or extra_len:  # sizes after the data or in a ZIP64 field: not patchable
        raise TemplateError(f"通知书模板的 {name} 过大（超过 4 GB），无法使用")
    return _Entry(raw[:directory_at], raw[directory_at:-22], 30 + name_len + extra_len)


def _package(entries: Sequence[tuple[str, _Entry]], parts: Mapping[str, Deflated]) -> bytes:
    """A .docx: constant members copied compressed, ``parts`` replacing their members."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, entry in entries:
        local, record = entry.local, entry.central
        part = parts.get(name)
        if part is not None:
            if max(len(part.data), part.size) >= _ZIP32_LIMIT:
                raise OutputError(f"{name} 超过 4 GB，无法写入 Word 文档，请分批处理")
            sizes = struct.pack("<LLL", part.crc, len(part.data), part.size)
            local = local[:14] + sizes + local[26 : entry.header_len] + part.data
            record = record[:16] + sizes + record[28:]
        central.append(record[:42] + struct.pack("<L", offset) + record[46:])
        out.append(local)
        offset += len(local)
    if offset >= _ZIP32_LIMIT:
        raise OutputError("Word 文档超过 4 GB，无法写入，请分批处理")
    directory = b"".join(central)
    count = len(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    out += (directory, end)
    return b"".join(out)


def write_notices(
    out_dir: Path,
    year: int,
    results: Sequence[GradeResult],
    standard: Standard,
    config: NoticeConfig,
    template: Path | PreparedTemplate | None = None,
    processes: int | None = None,
    pdf: bool = False,
    issue_date: dt.date | None = None,
) -> list[NoticeRecord]:
    """Write a notice for every result graded 基本合格 or 不合格, plus 呈批表 and a combined file.

    Notices go to ``out_dir/notices/`` named ``<企业名称>_<通知书种类>.docx``; 文号 are
    ``<prefix>〔<year>〕N号`` from ``config.first_number`` in :func:`plan_notices` order. The
    template is checked first, so a bad template fails before anything is written. With
    ``processes=None`` one process renders fewer than 20 notices, otherwise up to the number of
    CPUs do; the files are identical either way. ``template`` may be a template already
    prepared by :func:`check_template`, so a caller that checked it up front does not parse it
    twice. The folder is replaced as a whole (see :func:`stage_notices`): it holds this run's
    notices and nothing else. Returns the records in 文号 order.
    """
    staged = stage_notices(
        out_dir, year, results, standard, config, template, processes, pdf, issue_date
    )
    return staged.publish()


@dataclass(frozen=True)
class StagedNotices:
    """Notices written into a hidden folder beside ``notices/``, not yet in place.

    Rendering can then run beside other work (the pipeline writes history and the summary
    meanwhile) and still leave nothing behind when that work fails: :meth:`publish` swaps the
    folder in at the end, :meth:`discard` removes it.
    """

    folder: Path
    staging: Path
    records: list[NoticeRecord]

    def publish(self) -> list[NoticeRecord]:
        """Replace ``notices/`` with the staged folder (the old one is removed)."""
        old = self.folder.with_name(f"{_STAGING_PREFIX}old-{self.staging.name}")
        try:
            if self.folder.exists():
                os.replace(self.folder, old)
            os.replace(self.staging, self.folder)
        except OSError as exc:
            if old.exists() and not self.folder.exists():
                os.replace(old, self.folder)  # put the previous notices back
            self.discard()
            raise OutputError(
                f"无法替换通知书文件夹 {self.folder}（{exc.strerror or exc}）：其中的文件可能正在"
                "Word/WPS 中打开，请关闭后重新运行（原通知书未改动）"
            ) from exc
        shutil.rmtree(old, ignore_errors=True)
        return self.records

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


_STAGING_PREFIX = f".{NOTICES_DIR}-"
# A staging folder this long untouched was left by a run that was killed: removed.
_STALE_SECONDS = 3600


def _staging_folder(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for leftover in out_dir.glob(f"{_STAGING_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > _STALE_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out_dir))
    os.chmod(staging, permissions(0o777))  # mkdtemp's 0700 would become the published folder's
    return staging


def stage_notices(
    out_dir: Path,
    year: int,
    results: Sequence[GradeResult],
    standard: Standard,
    config: NoticeConfig,
    template: Path | PreparedTemplate | None = None,
    processes: int | None = None,
    pdf: bool = False,
    issue_date: dt.date | None = None,
    cancel: threading.Event | None = None,
    files: Sequence[PlannedNotice] | None = None,
) -> StagedNotices:
    """Render every notice, the 呈批表 and the combined file into a staging folder.

    As :func:`write_notices`, except that nothing is in ``notices/`` until
    :meth:`StagedNotices.publish`. Setting ``cancel`` stops the rendering early (the staging
    folder is then removed and :class:`Cancelled` raised). ``files`` are
    :func:`notice_files` of the same results when the caller has them already. Contexts are
    built here and sent in runs of notices; the workers write the files and send back their
    compressed share of the combined file.
    """
    from .notice_extras import convert_to_pdf, require_soffice, write_combined, write_sign_off

    if isinstance(template, PreparedTemplate):
        prepared = template  # already checked and compiled by the caller
    else:
        prepared = check_template(Path(template) if template else default_notice_template())
    if pdf:
        require_soffice()
    day = issue_date or config.issue_date or dt.date.today()
    if files is None:
        files = notice_files(out_dir, year, results, config)
    plans = [plan for plan, _ in files]
    records = [record for _, record in files]
    staging = _staging_folder(Path(out_dir))
    try:
        # A generator: contexts are built while earlier notices render in the workers.
        jobs = (
            (str(staging / record.path.name), build_context(plan, standard, config, day))
            for plan, record in files
        )
        chunks = _render_all(prepared, jobs, len(files), processes, cancel)
        if records:
            _check_cancel(cancel)
            write_sign_off(staging, year, records, plans)
            write_combined(staging, year, prepared, chunks)
            if pdf:
                _check_cancel(cancel)
                convert_to_pdf([staging / record.path.name for record in records])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StagedNotices(Path(out_dir) / NOTICES_DIR, staging, records)


def notice_files(
    out_dir: Path, year: int, results: Sequence[GradeResult], config: NoticeConfig
) -> list[PlannedNotice]:
    """The notices a run writes under ``out_dir`` and where each will be, in 文号 order.

    Known before any is rendered: a caller can refer to the files (report.json does) while
    they are still being written.
    """
    plans = plan_notices(results, year, config)
    folder = Path(out_dir) / NOTICES_DIR
    stems = unique_names([safe_filename(f"{p.result.enterprise}_{p.kind}") for p in plans])
    return [
        (plan, _record(plan, folder / f"{stem}.docx"))
        for plan, stem in zip(plans, stems, strict=True)
    ]


class Cancelled(Exception):
    """Notice rendering was stopped by its caller."""


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


def _record(plan: NoticePlan, path: Path) -> NoticeRecord:
    return NoticeRecord(plan.result.key, plan.result.enterprise, plan.kind, plan.number, path)


Job = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Chunk:
    """What rendering a run of notices gives back besides the files: its share of the combined
    document, as raw deflate data ending in a sync flush (so runs concatenate), and the first
    notice's document head and tail and other rendered parts (the same for every notice)."""

    body: bytes
    crc: int
    size: int
    head: str
    tail: str
    parts: dict[str, bytes]


def _render_all(
    prepared: PreparedTemplate,
    jobs: Iterator[Job],
    count: int,
    processes: int | None,
    cancel: threading.Event | None = None,
) -> list[Chunk]:
    workers = _worker_count(count, processes)
    # Each worker compiles the template once in its initializer (compiled templates do not
    # pickle). Where no worker can start, this process renders them all.
    pool = start_pool(workers, _init_worker, (str(prepared.path),)) if workers > 1 else None
    if pool is None:
        chunks = []
        for task in _batches(jobs, _CHUNK, count):
            _check_cancel(cancel)
            chunks.append(_write_chunk(prepared, *task))
        return chunks
    # Several notices per task keep the pickling overhead small; contexts are built here while
    # the workers render (tasks are submitted as they fill).
    size = max(1, min(_TASK_MAX, -(-count // (workers * 2))))
    with pool:
        futures = []
        try:
            for task in _batches(jobs, size, count):
                _check_cancel(cancel)
                futures.append(pool.submit(_worker_write, task))
            chunks = []
            for future in futures:
                _check_cancel(cancel)
                chunks.append(future.result())
            return chunks
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _batches(jobs: Iterator[Job], size: int, count: int) -> Iterator[tuple[list[Job], bool]]:
    """Runs of ``size`` jobs, each with whether it holds the last notice."""
    batch: list[Job] = []
    for done, job in enumerate(jobs, 1):
        batch.append(job)
        if len(batch) == size or done == count:
            yield batch, done == count
            batch = []


def _worker_count(jobs: int, processes: int | None) -> int:
    if processes is not None:
        return max(1, min(processes, jobs))
    if jobs < _PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, jobs // 10))


def _write_chunk(prepared: PreparedTemplate, jobs: list[Job], last: bool) -> Chunk:
    """Render and write each notice; collect the compressed bodies for the combined file."""
    from .notice_extras import COMBINED_LEVEL, combined_fragment

    comp = zlib.compressobj(COMBINED_LEVEL, zlib.DEFLATED, -15)
    pieces: list[bytes] = []
    crc = size = 0
    head = tail = ""
    first: dict[str, bytes] = {}
    before: dict[str, tuple[bytes, Deflated]] = {}
    for i, (path, context) in enumerate(jobs):
        texts = render_parts(prepared, context)
        encoded = {name: text.encode() for name, text in texts.items()}
        data = prepared.package(_compressed(encoded, before))
        # Straight into the staging folder: the folder, not each file, is swapped in.
        Path(path).write_bytes(data)
        begin, body, end = combined_fragment(texts[DOCUMENT], last and i == len(jobs) - 1)
        if i == 0:
            head, tail = begin, end
            first = {name: raw for name, raw in encoded.items() if name != DOCUMENT}
        raw = body.encode()
        crc = zlib.crc32(raw, crc)
        size += len(raw)
        pieces.append(comp.compress(raw))
    pieces.append(comp.flush(zlib.Z_SYNC_FLUSH))
    return Chunk(b"".join(pieces), crc, size, head, tail, first)


_WORKER_TEMPLATE: PreparedTemplate | None = None


# Notices render while the main process writes the summary, which is then the longest path:
# workers at a lower priority take the cores it leaves, not the one it needs (same output).
_WORKER_NICENESS = 10


def _init_worker(template: str) -> None:
    global _WORKER_TEMPLATE
    if hasattr(os, "nice"):  # POSIX; elsewhere workers keep the normal priority
        with contextlib.suppress(OSError):
            os.nice(_WORKER_NICENESS)
    _WORKER_TEMPLATE = check_template(Path(template))


def _worker_write(task: tuple[list[Job], bool]) -> Chunk:
    assert _WORKER_TEMPLATE is not None, "worker started without its template"
    return _write_chunk(_WORKER_TEMPLATE, *task)
