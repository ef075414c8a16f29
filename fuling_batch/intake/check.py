"""Batch intake: every file of the input folder discovered, bounded, read and checked.

:func:`check_folder` is the library entry point behind ``fuling-batch check`` and the first
stage of ``run``. Each file is handled by :func:`check_file`, which never raises: whatever goes
wrong with one file (corrupt, encrypted, hostile, a bug in a parser) becomes an error Issue on
that file's report. Files are read in worker processes when there are many; a worker that
dies (e.g. a crash inside a native parser) costs only the files it held, which are retried
one per process so the culprit alone is rejected.

File-level issue codes are :data:`FILE_LEVEL_CODES` (the 文件格式, 跳过的文件 and 程序内部错误
categories of ``rules/codes.py``, which declares every code with its meaning). Sheet checks: see
``validate.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

import python_calamine

from ..config import GradingConfig
from ..rules.issues import Issue, has_errors, located
from ..rules.models import FileReport, FileStatus, Header, ItemScore, ScoreSheet
from ..rules.standard import Standard
from ..runtime.workers import interrupts_held, process_pool, start_pool, stopping
from .discover import Candidate, discover
from .duplicates import DuplicateKey, duplicate_issues, enterprise_key
from .reader import TABLE_LABELS, ManyScoreSheets, NoScoreSheet, has_blank_score, read_workbook
from .results_table import results_table_sheet
from .safety import Refusal
from .validate import validate_sheet
from .workbook import Refused, open_workbook, why_unreadable

__all__ = ["FILE_LEVEL_CODES", "PARALLEL_FROM", "AfterRead", "check_file", "check_folder"]

# Findings that mean the file could not be read as a score sheet (no returned copy is made).
FILE_LEVEL_CODES = frozenset(
    {
        "FILE_SKIPPED",
        "FILE_EMPTY",
        "FILE_TOO_LARGE",
        "FILE_UNREADABLE",
        "FILE_CORRUPT",
        "FILE_ENCRYPTED",
        "FILE_CRASHED",
        "NOT_SPREADSHEET",
        "ZIP_BOMB",
        "SHEET_TOO_LARGE",
        "SHEET_NOT_FOUND",
        "SHEET_AMBIGUOUS",
        "XML_DOCTYPE",
    }
)
# Below this many files one process is faster than starting workers.
PARALLEL_FROM = 16
# Files per task: enough to amortise a task's round trip, few enough to balance the workers
# and to keep the files a crashed worker takes down (each then retried alone) few.
_CHUNK_MIN, _CHUNK_MAX, _CHUNKS_PER_WORKER = 8, 32, 8

Result = tuple[FileReport, DuplicateKey | None]
# Called with each report and the bytes it was read from, where the file was read (a worker
# process, or this one): a later stage's use of the bytes already in memory (a run stages
# returned copies this way). Must not raise; pickled to the workers.
AfterRead = Callable[[FileReport, bytes], None]


def _refused(rel: str, code: str, message: str) -> Result:
    return _refused_for(rel, Refusal(code, message))


def _refused_for(rel: str, refusal: Refusal) -> Result:
    issue = Issue.error(refusal.code, refusal.message, file=rel, detail=refusal.detail)
    return FileReport(rel, FileStatus.REJECTED, (issue,)), None


def _read(
    candidate: Candidate,
    year: int | None,
    standard: Standard,
    config: GradingConfig,
    after: AfterRead | None = None,
) -> Result:
    rel = candidate.relative
    try:
        book = open_workbook(candidate.path)
    except Refused as exc:
        return _refused_for(rel, exc.refusal)
    data, scan = book.data, book.scan
    try:
        raw = read_workbook(data, standard, scan.error_cells, scan.formula_cells)
        if has_blank_score(raw, standard):  # an error value reads as empty
            raw.error_cells = dict(scan.errors_in(raw.name))
        if not raw.formula_cells:
            raw.formula_cells = scan.formulas_in(raw.name)
    except NoScoreSheet as exc:
        results_sheet = results_table_sheet(book)
        if results_sheet is not None:
            # Last year's results or our own summary dropped among the sheets: not an
            # inspector's mistake to send back, but not a score sheet either.
            skip = Issue.warning(
                "FILE_SKIPPED",
                f"这是考核结果表（工作表“{results_sheet}”含企业、总分、等次列），不是评分表，已跳过；"
                "如需作为往年结果，请用 fuling-batch history import 导入",
                file=rel,
            )
            return FileReport(rel, FileStatus.SKIPPED, (skip,)), None
        labels = "/".join(TABLE_LABELS)
        return _refused(
            rel,
            "SHEET_NOT_FOUND",
            f"未找到评分表：各工作表（{exc}）中都缺少“{labels}”表头行；请使用标准评分表模板填写",
        )
    except ManyScoreSheets as exc:
        names = "、".join(f"“{name}”" for name in exc.names)
        return _refused(
            rel,
            "SHEET_AMBIGUOUS",
            f"文件中有{len(exc.names)}个评分表（工作表{names}，含隐藏的工作表），无法确定以哪一个为准；"
            "请只保留一个评分表（删除多余的工作表，不要只是隐藏）后重新提交",
        )
    except python_calamine.PasswordError:
        return _refused(
            rel, "FILE_ENCRYPTED", "文件已加密（设置了打开密码），请取消密码后重新保存提交"
        )
    except python_calamine.CalamineError as exc:
        return _refused_for(rel, why_unreadable(exc))
    sha256 = hashlib.sha256(data).hexdigest()
    sheet, header, issues = validate_sheet(raw, standard, config, year, rel, sha256)
    status = FileStatus.REJECTED if has_errors(issues) else FileStatus.ACCEPTED
    report = FileReport(rel, status, located(issues, rel, raw.name), sheet)
    if after is not None:
        after(report, data)
    key_cell = header.cells.get("统一社会信用代码" if header.credit_code else "企业名称", "")
    key = DuplicateKey(
        rel, enterprise_key(header), header.enterprise, raw.name, key_cell, header.credit_code
    )
    return report, key


def check_file(
    candidate: Candidate,
    year: int | None,
    standard: Standard,
    config: GradingConfig,
    after: AfterRead | None = None,
) -> Result:
    """Check one discovered file; never raises (a failure becomes an error Issue).

    ``after(report, data)`` is called once the sheet is read and validated.
    """
    rel = candidate.relative
    if candidate.skip:
        issue = Issue.warning("FILE_SKIPPED", candidate.skip, file=rel)
        return FileReport(rel, FileStatus.SKIPPED, (issue,)), None
    try:
        return _read(candidate, year, standard, config, after)
    except OSError as exc:
        return _refused_for(rel, why_unreadable(exc))
    except MemoryError:
        return _refused(rel, "SHEET_TOO_LARGE", "文件内容过大，读取时内存不足，已拒绝读取")
    except Exception as exc:  # a bug of ours (or a library's): it must not stop the batch
        return crashed(rel, f"{type(exc).__name__}: {exc}", traceback.format_exc())


def crashed(rel: str, what: str, detail: str = "") -> Result:
    """A file the program failed on: its own error (FILE_CRASHED), not the inspector's."""
    issue = Issue.error(
        "FILE_CRASHED",
        f"程序内部错误（{what}），该文件未能处理。请把 report.json 发给维护人员；"
        "评分表本身可能没有问题，请勿因此修改",
        file=rel,
        detail=detail,
    )
    return FileReport(rel, FileStatus.REJECTED, (issue,)), None


def _fields(cls: type) -> attrgetter[tuple[object, ...]]:
    return attrgetter(*(f.name for f in dataclasses.fields(cls)))


# Results cross the process boundary as plain tuples, in field order: pickling frozen slotted
# dataclasses field by field costs several times more, and the parent unpickles every file.
# Scores are NamedTuples: they go as plain tuples too (a pickled NamedTuple is rebuilt by
# calling its class) and are rebuilt by ``tuple.__new__`` (``_make`` is a Python call each).
_REPORT, _SHEET = _fields(FileReport), _fields(ScoreSheet)
_HEADER, _ISSUE, _KEY = (_fields(c) for c in (Header, Issue, DuplicateKey))
_REPORT_SHEET = [f.name for f in dataclasses.fields(FileReport)].index("sheet")
_REPORT_ISSUES = [f.name for f in dataclasses.fields(FileReport)].index("issues")
_SHEET_HEADER = [f.name for f in dataclasses.fields(ScoreSheet)].index("header")
_SHEET_SCORES = [f.name for f in dataclasses.fields(ScoreSheet)].index("scores")
Packed = tuple[list[Any], list[Any] | None]


def _pack(result: Result) -> Packed:
    report, key = result
    fields = list(_REPORT(report))
    fields[_REPORT_ISSUES] = [_ISSUE(issue) for issue in report.issues]
    if report.sheet is not None:
        sheet = list(_SHEET(report.sheet))
        sheet[_SHEET_HEADER] = _HEADER(report.sheet.header)
        sheet[_SHEET_SCORES] = list(map(tuple, report.sheet.scores))
        fields[_REPORT_SHEET] = sheet
    return fields, (list(_KEY(key)) if key is not None else None)


def _unpack(packed: Packed) -> Result:
    fields, key = packed
    fields[_REPORT_ISSUES] = tuple(Issue(*issue) for issue in fields[_REPORT_ISSUES])
    sheet: list[Any] | None = fields[_REPORT_SHEET]
    if sheet is not None:
        sheet[_SHEET_HEADER] = Header(*sheet[_SHEET_HEADER])
        sheet[_SHEET_SCORES] = tuple(map(tuple.__new__, repeat(ItemScore), sheet[_SHEET_SCORES]))
        fields[_REPORT_SHEET] = ScoreSheet(*sheet)
    return FileReport(*fields), (DuplicateKey(*key) if key is not None else None)


# What every task of a pool needs, sent once per worker by the pool's initializer.
_WORKER_ARGS: tuple[int | None, Standard, GradingConfig, AfterRead | None] | None = None


def _init_worker(
    year: int | None, standard: Standard, config: GradingConfig, after: AfterRead | None = None
) -> None:
    global _WORKER_ARGS
    _WORKER_ARGS = (year, standard, config, after)


def _check_chunk(chunk: Sequence[Candidate]) -> list[Packed]:
    assert _WORKER_ARGS is not None, "worker started without its arguments"
    return [_pack(check_file(c, *_WORKER_ARGS)) for c in chunk]


def _chunk_size(files: int, processes: int) -> int:
    return max(_CHUNK_MIN, min(_CHUNK_MAX, files // (processes * _CHUNKS_PER_WORKER)))


def _parallel(
    todo: list[Candidate],
    processes: int,
    args: tuple[int | None, Standard, GradingConfig, AfterRead | None],
    tick: Callable[[int], None],
) -> dict[str, Result]:
    results: dict[str, Result] = {}
    size = _chunk_size(len(todo), processes)
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    orphans: list[Candidate] = []
    pool = start_pool(processes, _init_worker, args)
    if pool is not None:
        # The pool answered before any file was sent: if it breaks now it broke on a file,
        # and that chunk's files are isolated below, never read in this process.
        try:
            with stopping(pool):
                futures: dict[Future[list[Packed]], list[Candidate]] = {}
                with interrupts_held() as held:  # submit starts workers: not cut short
                    try:
                        for chunk in chunks:
                            futures[pool.submit(_check_chunk, chunk)] = chunk
                    except BrokenProcessPool:
                        pass  # it broke on a file already sent (isolated below); rest read here
                if held.interrupted:
                    raise KeyboardInterrupt
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        try:
                            chunk_results = [_unpack(packed) for packed in future.result()]
                        except BrokenProcessPool:
                            orphans.extend(futures[future])
                            continue
                        except Exception:  # e.g. a result that did not pickle: redo it here
                            chunk_results = [check_file(c, *args) for c in futures[future]]
                        for result in chunk_results:
                            results[result[0].path] = result
                        tick(len(chunk_results))
        except (BrokenProcessPool, OSError):
            pass  # the files not read yet are read below
    # Files no worker took (none could start here, or the pool failed to take them): read here.
    unread = [c for c in todo if c.relative not in results and c not in orphans]
    for candidate in sorted(unread, key=lambda c: c.relative):
        results[candidate.relative] = check_file(candidate, *args)
        tick(1)
    for candidate in orphans:  # isolate the file that killed its worker
        try:
            with stopping(process_pool(1, _init_worker, args)) as single:
                result = _unpack(single.submit(_check_chunk, [candidate]).result()[0])
        except (BrokenProcessPool, OSError):
            result = crashed(candidate.relative, "读取该文件的进程异常终止")
        results[candidate.relative] = result
        tick(1)
    return results


def check_folder(
    input_dir: Path,
    year: int | None,
    standard: Standard,
    config: GradingConfig,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    exclude: Sequence[Path] = (),
    after: AfterRead | None = None,
) -> list[FileReport]:
    """Every file under ``input_dir`` (recursive), sorted by relative POSIX path, checked.

    Each report has status accepted/rejected/skipped, its located issues and the ScoreSheet
    when one was read. Two sheets for one enterprise are both rejected, each naming the other.
    ``processes=None`` picks 1 for small batches, else ``os.cpu_count()``; the result does
    not depend on the process count. ``progress(done, total)`` is called as files finish.
    Folders in ``exclude`` (the run's output folder) are not read (see ``discover``).
    ``after(report, data)`` is called for each sheet read, where it was read (see
    :data:`AfterRead`); its reports are before the check across files (duplicates).
    """
    input_dir = Path(input_dir)
    candidates = discover(input_dir, exclude)
    total = len(candidates)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    todo = [c for c in candidates if not c.skip]
    if processes is None:
        processes = 1 if len(todo) < PARALLEL_FROM else (os.cpu_count() or 1)
    args = (year, standard, config, after)
    results: dict[str, Result] = {}
    for candidate in candidates:
        if candidate.skip:
            results[candidate.relative] = check_file(candidate, *args)
            tick(1)
    if processes <= 1 or len(todo) <= 1:
        for candidate in todo:
            results[candidate.relative] = check_file(candidate, *args)
            tick(1)
    else:
        results.update(_parallel(todo, processes, args, tick))
    duplicates = duplicate_issues([key for _, key in results.values() if key is not None])
    reports = []
    for candidate in candidates:
        report = results[candidate.relative][0]
        extra = duplicates.get(report.path)
        if extra:
            issues = report.issues + located(extra, report.path)
            status = FileStatus.REJECTED if has_errors(extra) else report.status
            report = dataclasses.replace(report, status=status, issues=issues)
        reports.append(report)
    return reports
