"""The workers' server and what its children are born with: SIGINT ignored from the fork on,
before any code of ours runs in them (a Ctrl+C meant for the main process must not print a
worker's traceback)."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no forkserver here"
)

# In a fresh interpreter: the forkserver is a process of its own, started once per program.
PROGRAM = textwrap.dedent(
    """
    import multiprocessing, signal
    from fuling_batch.runtime import workers

    def handler(queue):
        queue.put(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)

    if __name__ == "__main__":
        workers._ensure_server()
        context = workers._forkserver()
        queue = context.Queue()
        child = context.Process(target=handler, args=(queue,))  # no initializer of ours
        child.start()
        print("child ignores:", queue.get(timeout=60))
        child.join()
        print("main keeps:", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """
)


def test_a_forked_worker_ignores_sigint_before_any_code_of_ours_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "probe.py"
    script.write_text(PROGRAM, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "child ignores: True" in done.stdout, done.stdout + done.stderr
    assert "main keeps: True" in done.stdout  # the main process still takes Ctrl+C


def test_the_main_threads_handler_is_back_after_the_server_starts() -> None:
    before = signal.getsignal(signal.SIGINT)
    from fuling_batch.runtime import workers

    workers.prestart()
    assert signal.getsignal(signal.SIGINT) is before
