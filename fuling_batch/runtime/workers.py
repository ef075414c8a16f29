"""Worker processes for the parallel stages (reading sheets, rendering notices).

Every pool forks from one forkserver, never from the main process: the main process runs a
progress-bar thread and, while notices render, writes the summary in another thread, and
forking a process that has threads running can deadlock the child. The server imports the
stages' modules once when it starts, so each worker begins with them already loaded. Where
there is no forkserver (Windows), workers are spawned and import what they need themselves.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

__all__ = ["PRELOAD", "prestart", "process_pool", "start_pool"]

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
    is no forkserver.
    """
    if _forkserver() is None:
        return
    from multiprocessing import forkserver

    with contextlib.suppress(OSError):
        forkserver.ensure_running()


def process_pool(
    processes: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor:
    """A pool of ``processes`` workers forked from the forkserver, each set up by ``initializer``.

    Windows has no forkserver: workers are spawned there (each imports what it needs).
    """
    context: BaseContext = _forkserver() or multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        processes, mp_context=context, initializer=initializer, initargs=initargs
    )


def _ready() -> bool:
    return True


def start_pool(
    processes: int, initializer: Callable[..., None], initargs: tuple[Any, ...]
) -> ProcessPoolExecutor | None:
    """A pool whose first worker has started and run ``initializer``; None when none can.

    Some environments cannot start workers at all (a ``__main__`` read from standard input, a
    sandbox without semaphores): the caller then does the work in its own process. A pool
    that breaks *after* this answered broke on the work it was given.
    """
    try:
        pool = process_pool(processes, initializer, initargs)
    except (OSError, ValueError, NotImplementedError):  # e.g. no working semaphores
        return None
    try:
        pool.submit(_ready).result()
    except (BrokenProcessPool, OSError):
        pool.shutdown(wait=True, cancel_futures=True)
        return None
    return pool
