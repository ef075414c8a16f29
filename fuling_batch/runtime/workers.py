"""Worker processes for the parallel stages (reading sheets, rendering notices).

Every pool forks from one forkserver, never from the main process: the main process runs a
progress-bar thread and, while notices render, writes the summary in another thread, and
forking a process that has threads running can deadlock the child. The server imports the
stages' modules once when it starts, so each worker begins with them already loaded. Where
there is no forkserver (Windows), workers are spawned and import what they need themselves.

Ctrl+C is the main process's alone. A terminal sends SIGINT to every process of the job; a
worker that took it would print a KeyboardInterrupt traceback of its own. So the server is
started with SIGINT blocked (its workers inherit that from their first instruction), and
every worker ignores it before its initializer runs (also where a server was started by
someone else). The main process holds a Ctrl+C back while a pool starts or takes tasks
(:func:`interrupts_held`), then stops the pools (:func:`stopping`), and the workers with them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

__all__ = [
    "PRELOAD",
    "Held",
    "interrupts_held",
    "prestart",
    "process_pool",
    "start_pool",
    "stopping",
]

# What a worker runs: importing these in the server once saves each worker ~0.1 s. (Intake's
# workers also stage returned copies: forms.returned, without openpyxl.)
PRELOAD = ["__main__", "fuling_batch.intake", "fuling_batch.notices", "fuling_batch.forms.returned"]


def _forkserver() -> BaseContext | None:
    """The forkserver context, set to preload the stages; None where there is none (Windows).

    The preload only applies when the server starts; later pools reuse it (and its imports).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def prestart() -> None:
    """Start the forkserver now: its imports (~0.1 s) overlap with what the caller does next.

    Returns at once; the first pool then finds the server ready. Nothing happens where there
    is no forkserver. Ctrl+C meanwhile is raised once the server has started.
    """
    if _forkserver() is None:
        return
    with interrupts_held() as held, contextlib.suppress(OSError):
        _ensure_server()
    if held.interrupted:
        raise KeyboardInterrupt


def _ensure_server() -> None:
    """Start the forkserver (if it is not running) with SIGINT ignored, which it and every
    worker it forks inherit: none of them ever takes a Ctrl+C, not even while it boots.

    Why ignored, not blocked: the server is spawned by fork and exec, and a blocked mask did
    not reach it (its SigBlk read 0 on Linux, Python 3.11), while an ignored signal stays
    ignored across exec. Python then leaves SIGINT ignored in the server, and the server's
    children restore that, rather than Python's KeyboardInterrupt handler, when forked. Before
    this a Ctrl+C could reach a worker between its fork and :func:`_start_worker` and print a
    traceback (tests/hostile/test_interrupt.py). A Ctrl+C during the few milliseconds of the
    spawn itself is lost. Only the main thread may change a handler: from another thread the
    server starts as is, and the workers' initializer ignores SIGINT.
    """
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _start_worker(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """Every worker's first step: leave Ctrl+C to the main process, then ``initializer``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)


def process_pool(
    processes: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor:
    """A pool of ``processes`` workers forked from the forkserver, each set up by ``initializer``.

    Workers ignore SIGINT (Ctrl+C stops the main process, which stops the pool). Windows has
    no forkserver: workers are spawned there (each imports what it needs).
    """
    server = _forkserver()
    if server is not None:
        _ensure_server()
    context: BaseContext = server or multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        processes,
        mp_context=context,
        initializer=_start_worker,
        initargs=(initializer, initargs),
    )


def _ready() -> bool:
    return True


def start_pool(
    processes: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor | None:
    """A pool whose first worker has started and run ``initializer``; None when none can.

    Some environments cannot start workers at all (a ``__main__`` read from standard input, a
    sandbox without semaphores): the caller then does the work in its own process. A pool
    that breaks *after* this answered broke on the work it was given. Ctrl+C while the pool
    starts is held until it has (:func:`interrupts_held`), then stops it and is raised.
    """
    pool: ProcessPoolExecutor | None = None
    with interrupts_held() as held:
        try:
            pool = process_pool(processes, initializer, initargs)
            pool.submit(_ready).result()
        except (BrokenProcessPool, OSError, ValueError, NotImplementedError):
            # e.g. no working semaphores, or no worker could start
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            pool = None
    if held.interrupted:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        raise KeyboardInterrupt
    return pool


@dataclass
class Held:
    """Whether Ctrl+C came while :func:`interrupts_held` held it."""

    interrupted: bool = False


@contextlib.contextmanager
def interrupts_held() -> Iterator[Held]:
    """Hold Ctrl+C back while a pool starts or takes its tasks; the caller raises it after.

    A KeyboardInterrupt inside ``ProcessPoolExecutor.submit`` can land while it starts a
    worker or before its manager thread runs, and the pool can then be neither used nor shut
    down (the exit would wait for its workers forever). Only the main thread receives
    SIGINT and may change its handler; elsewhere this holds nothing.
    """
    held = Held()
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def hold(signum: int, frame: object) -> None:
        held.interrupted = True

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def stopping(pool: ProcessPoolExecutor) -> Iterator[ProcessPoolExecutor]:
    """``with stopping(pool):`` as ``with pool:``, but a way out by an exception (Ctrl+C among
    them) first cancels the tasks not started, so only those running are waited for.

    Workers ignore SIGINT: a pool left running would keep them, and the program's exit would
    wait for them forever.
    """
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
