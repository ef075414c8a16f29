"""The real server in a subprocess (``python -m fuling_batch serve``), as an operator starts it."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

URL = re.compile(r"(http://127\.0\.0\.1:(\d+)/\?token=[A-Za-z0-9_-]+)")
# Bounds, not timings: a healthy server prints its URL in about a second.
START_S, STOP_S = 60, 60


class Served:
    """``serve --port 0 --no-browser --data DATA``; the URL is read from its one line."""

    def __init__(self, data: Path, *extra: str) -> None:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fuling_batch", "serve", "--port", "0", "--no-browser",
             "--data", str(data), *extra],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        # One reader per stream, and nothing else reads them: the last line printed on the
        # way out is then always seen.
        self.readers = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for reader in self.readers:
            reader.start()
        self.first = self.next_line(START_S)
        found = URL.search(self.first or "")
        if not found:
            self.proc.kill()
            self.proc.wait(STOP_S)
            raise AssertionError(f"no URL printed: {self.first!r} {''.join(self.err)!r}")
        self.url = found.group(1)
        self.port = int(found.group(2))
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.out.append(line.rstrip("\n"))
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.err.extend(self.proc.stderr)

    def next_line(self, timeout: float) -> str | None:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def interrupt(self) -> tuple[int, list[str], str]:
        """Ctrl+C; returns the exit status, every line printed and the standard error."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(STOP_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        for reader in self.readers:  # the pipes are at their end once the process is gone
            reader.join(STOP_S)
        return self.proc.returncode, list(self.out), "".join(self.err)

    def __enter__(self) -> Served:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_S)
