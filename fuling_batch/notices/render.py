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
import os
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import NoticeConfig
from ..errors import OutputError
from ..oserrors import write_reason
from ..rules.models import GradeResult
from ..rules.standard import Standard
from ..runtime.fileio import permissions, safe_filename, unique_names
from ..runtime.workers import start_pool
from .combined import COMBINED_LEVEL, Chunk, combined_fragment, write_combined
from .context import NoticePlan, build_context, complete_context, plan_notices
from .letters import write_letters
from .package import DOCUMENT, Deflated
from .pdf import convert_to_pdf, require_soffice
from .prepare import PreparedTemplate, check_template, render_paged
from .records import NoticeRecord, PlannedNotice
from .signoff import write_sign_off
from .template import default_notice_template

__all__ = ["Cancelled", "StagedNotices", "notice_files", "stage_notices", "write_notices"]

NOTICES_DIR = "notices"
# Below this many notices a single process is faster than starting workers.
_PARALLEL_FROM = 20
# Notices per task (and per compressed run of the combined document) in one process.
_CHUNK = 50
# Notices per task for workers: few tasks, because while the summary holds the GIL each task
# costs the executor's threads several hand-offs (runs of 50 left the workers waiting), but
# small enough that a cancelled run does not wait long for the tasks already queued.
_TASK_MAX = 250


"""A notice to render, and the record of where it will be once published."""


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
    contexts: list[dict[str, Any]] = field(default_factory=list)  # one per record
    pages: int = 0  # of the combined print file (estimated, notices/pages.py): all even

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
                f"无法替换通知书文件夹 {self.folder}（{write_reason(exc)}）：其中的文件可能正在"
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
    fixed: Mapping[str, Mapping[str, Any]] | None = None,
    carry_over: Mapping[str, str] | None = None,
) -> StagedNotices:
    """Render every notice, the 呈批表 and the combined file into a staging folder.

    As :func:`write_notices`, except that nothing is in ``notices/`` until
    :meth:`StagedNotices.publish`. Setting ``cancel`` stops the rendering early (the staging
    folder is then removed and :class:`Cancelled` raised). ``files`` are
    :func:`notice_files` of the same results when the caller has them already. Contexts are
    built here and sent in runs of notices; the workers write the files and send back their
    compressed share of the combined file. ``fixed`` holds, by enterprise key, the contexts of
    notices already issued: they are rendered as issued, whatever the results say;
    ``carry_over`` the state of last year's 整改 by enterprise key (said in the notice).
    """
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
    fixed = fixed or {}
    carry_over = carry_over or {}
    contexts: list[dict[str, Any]] = []

    def context(plan: NoticePlan) -> dict[str, Any]:
        issued = fixed.get(plan.result.key)
        key = plan.result.key
        made = (
            complete_context(issued)
            if issued
            else build_context(plan, standard, config, day, carry_over.get(key, ""))
        )
        contexts.append(made)
        return made

    try:
        # A generator: contexts are built while earlier notices render in the workers.
        jobs = ((str(staging / record.path.name), context(plan)) for plan, record in files)
        chunks = _render_all(prepared, jobs, len(files), processes, cancel)
        if records:
            _check_cancel(cancel)
            write_sign_off(staging, year, records, plans)
            letters = write_letters(staging, plans, config, day, pdf=False)
            write_combined(staging, year, prepared, chunks)
            if pdf:
                _check_cancel(cancel)
                convert_to_pdf([staging / record.path.name for record in records] + list(letters))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pages = sum(chunk.pages for chunk in chunks) if records else 0
    return StagedNotices(Path(out_dir) / NOTICES_DIR, staging, records, contexts, pages)


def notice_files(
    out_dir: Path,
    year: int,
    results: Sequence[GradeResult],
    config: NoticeConfig,
    numbers: Mapping[tuple[str, str], int] | None = None,
) -> list[PlannedNotice]:
    """The notices a run writes under ``out_dir`` and where each will be, in 文号 order.

    Known before any is rendered: a caller can refer to the files (report.json does) while
    they are still being written. ``numbers`` are the register's (see :func:`plan_notices`).
    """
    plans = plan_notices(results, year, config, numbers)
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
    comp = zlib.compressobj(COMBINED_LEVEL, zlib.DEFLATED, -15)
    pieces: list[bytes] = []
    size = 0
    head = tail = ""
    first: dict[str, bytes] = {}
    before: dict[str, tuple[bytes, Deflated]] = {}
    pages = 0
    for i, (path, context) in enumerate(jobs):
        texts, counted = render_paged(prepared, context)
        pages += counted
        encoded = {name: text.encode() for name, text in texts.items()}
        data = prepared.package(encoded, before)
        # Straight into the staging folder: the folder, not each file, is swapped in.
        Path(path).write_bytes(data)
        begin, body, end = combined_fragment(texts[DOCUMENT], last and i == len(jobs) - 1)
        if i == 0:
            head, tail = begin, end
            first = {name: raw for name, raw in encoded.items() if name != DOCUMENT}
        raw = body.encode()
        size += len(raw)
        pieces.append(comp.compress(raw))
    pieces.append(comp.flush(zlib.Z_SYNC_FLUSH))
    return Chunk(b"".join(pieces), size, head, tail, first, pages)


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
