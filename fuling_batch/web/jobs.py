"""Runs in the background, one at a time per year, watched by the page as they go.

A run is a thread of this process: the browser only starts it and then asks how far it got,
so closing the browser (or losing the connection) does not stop it, and the next page shows
where it is. The thread is a daemon: stopping the server (Ctrl+C) does not wait for it — the
pipeline leaves the previous outputs and history as they were when it is cut short.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import FulingError

__all__ = ["Busy", "Job", "Jobs"]

Progress = Callable[[int, int], None]


class Busy(Exception):
    """A run for this year is already going."""


@dataclass
class Job:
    """One run: how far it got, and how it ended (``result`` or ``error``)."""

    year: int
    started: float = field(default_factory=time.time)
    done: int = 0
    total: int = 0
    finished: float | None = None
    result: Any = None
    error: str = ""
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def reading(self) -> bool:
        """Still reading sheets (the pipeline reports progress only for that stage)."""
        return self.total == 0 or self.done < self.total

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


class Jobs:
    """The runs of this server, by year: the latest one of each year is kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}

    def get(self, year: int) -> Job | None:
        with self._lock:
            return self._jobs.get(year)

    def running(self, year: int) -> bool:
        job = self.get(year)
        return job is not None and job.running

    def active(self) -> list[Job]:
        with self._lock:
            return [job for job in self._jobs.values() if job.running]

    def start(self, year: int, work: Callable[[Progress], Any]) -> Job:
        """Start ``work(progress)`` for ``year`` in a thread, or raise :class:`Busy`."""
        with self._lock:
            current = self._jobs.get(year)
            if current is not None and current.running:
                raise Busy(year)
            job = Job(year)
            self._jobs[year] = job
            job.thread = threading.Thread(
                target=self._run, args=(job, work), name=f"run-{year}", daemon=True
            )
            job.thread.start()
        return job

    def wait(self, year: int, timeout: float | None = None) -> bool:
        """Wait for the year's run to end; False if it is still going after ``timeout``."""
        job = self.get(year)
        if job is None or job.thread is None:
            return True
        job.thread.join(timeout)
        return not job.thread.is_alive()

    @staticmethod
    def _run(job: Job, work: Callable[[Progress], Any]) -> None:
        try:
            job.result = work(job.progress)
        except FulingError as exc:
            job.error = str(exc)
        except Exception as exc:  # the server goes on; the maintainers get the traceback
            traceback.print_exc(file=sys.stderr)
            job.error = (
                f"程序出错（{type(exc).__name__}: {exc}）。请把启动窗口中的错误信息发给维护人员。"
            )
        finally:
            job.finished = time.time()
