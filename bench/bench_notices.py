"""Notice rendering speed: N notices with 1 and 2 processes.

Run: ``/work/venv/bin/python bench/bench_notices.py [N]`` (default 1,000). Prints milliseconds
per notice and notices per second for the whole ``write_notices`` call (template check, every
notice, the 呈批表 and the combined document), without PDF conversion, and the peak RSS of this
process. The notices go to a temporary folder: creating a file costs very different amounts on
different file systems (on some sandboxes /tmp is watched and slow), so compare runs with the
same ``TMPDIR``.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.render import write_notices
from fuling_batch.rules.models import Grade, PreviousRecord
from tests.factories import STANDARD, make_result


def _results(n: int) -> list:
    lines = [line for line in STANDARD.lines if line.section in (2, 3, 4)]
    out = []
    for i in range(n):
        scores = {line.code: 0.0 for line in lines[: 10 + i % 20]}
        previous = PreviousRecord(2025, 50.0, Grade.FAIL) if i % 7 == 0 else None
        out.append(
            make_result(
                scores, enterprise=f"涪陵区测试企业{i:04d}有限公司", serial=i + 1, previous=previous
            )
        )
    return out


def _cpu() -> tuple[float, float]:
    """CPU seconds (all; user only) of this process and its finished workers.

    System time is mostly file creation, whose cost depends on the file system; user time is
    what the code itself costs."""
    t = os.times()
    return (
        t.user + t.system + t.children_user + t.children_system,
        t.user + t.children_user,
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    results = _results(n)
    for processes in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            start, cpu_start = time.perf_counter(), _cpu()
            records = write_notices(
                Path(tmp), 2026, results, STANDARD, NoticeConfig(), processes=processes,
                issue_date=dt.date(2026, 11, 24),
            )  # fmt: skip
            elapsed, cpu_end = time.perf_counter() - start, _cpu()
            cpu, cpu_user = (end - begin for begin, end in zip(cpu_start, cpu_end, strict=True))
        assert len(records) == n
        print(
            f"processes={processes}: {n} notices in {elapsed:.2f} s — "
            f"{elapsed / n * 1000:.2f} ms/notice, {n / elapsed:.0f} notices/s; "
            f"CPU {cpu:.2f} s (user {cpu_user:.2f} s)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the main process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
