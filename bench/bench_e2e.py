"""End-to-end benchmark: the real ``fuling-batch run`` on N generated sheets, against a baseline.

Usage::

    python bench/bench_e2e.py 1000 10000 --runs 5 --baseline [--writer office|openpyxl]
    python bench/bench_e2e.py 100 1000 10000 --runs 3 --compare fastrows
    python bench/bench_e2e.py 100 1000 --runs 3 --against ../wt-before

For each N it generates N filled sheets from the real template (bench/sheets.py, cached under
bench/.work/sheets), runs ``python -m fuling_batch run … --timings`` as a whole process ``--runs``
times, and prints per-stage seconds, sheets per second and the peak RSS of the main process and
of the largest worker (read from /proc every 0.2 s; VmHWM keeps each process's peak). With ``--baseline`` it also runs
bench/baseline.py once on the same sheets and prints baseline / ours (median). Outputs go to
bench/.work/outputs and are removed when the bench ends (see OUTPUTS for why not before).

``--compare TRICK`` alternates runs with and without one of the kept speed tricks
(``FULING_BATCH_WITHOUT=TRICK``, see fuling_batch/runtime/tricks.py) and prints what the trick
saves, as seconds and as a share of the run without it. ``--against CHECKOUT`` alternates
runs of this code with runs of another checkout (a git worktree of an older commit, say) on
the same sheets, in the same venv.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from sheets import generate  # noqa: E402

# The bench's own folder (sheets cached, outputs kept), away from the temp folder: see OUTPUTS.
WORK = HERE / ".work"


def sheets_for(count: int, writer: str) -> Path:
    folder = WORK / "sheets" / f"{writer}-{count}" / "input"
    if not folder.is_dir() or len(list(folder.glob("*.xlsx"))) != count:
        if folder.parent.exists():
            shutil.rmtree(folder.parent)
            os.sync()
            CLEANED.write_text(str(time.time()))  # the runs wait a minute after this
        start = time.perf_counter()
        generate(folder, count, writer=writer)
        print(f"  generated {count} sheets in {time.perf_counter() - start:.1f} s")
    return folder


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        found |= frontier
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
    return found - {root}


def _hwm_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def watch(process: subprocess.Popen[bytes]) -> tuple[dict[str, float], float]:
    """Peak RSS of the process and of its largest descendant, polled until it exits; and the
    moment it exited (not when the poll next wakes up, up to 0.2 s later)."""
    peaks = {"main": 0.0, "worker": 0.0}

    def poll() -> None:
        while process.poll() is None:
            peaks["main"] = max(peaks["main"], _hwm_mib(process.pid))
            for pid in _descendants(process.pid):
                peaks["worker"] = max(peaks["worker"], _hwm_mib(pid))
            time.sleep(0.2)  # VmHWM is a high-water mark: a slow poll misses nothing

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    process.wait()
    ended = time.perf_counter()
    thread.join()
    return peaks, ended


# Where the runs write, each run in a folder of its own, all kept until the bench ends. On a
# file system without a journal (as here: ext4, no journal), creating a file skips every inode
# freed in the last 1-6 minutes nearby (ext4's recently_deleted(), seen with perf), so file
# creation right after a large deletion costs ~0.5 ms instead of ~0.03 ms. Deleting one run's
# notices before the next, or working in the temp folder (which the test suite and other tools
# keep filling and emptying), would time that, not the code: 2 s more for 4,000 notices.
OUTPUTS = WORK / "outputs"
# When the last session removed its outputs: the next one starts a minute after that.
CLEANED = WORK / "outputs-removed-at"
RECENT = 70  # seconds: ext4 counts an inode freed (and written back) as recent for 60 s


def wait_for_last_cleanup() -> None:
    try:
        since = time.time() - float(CLEANED.read_text())
    except (OSError, ValueError):
        return
    if 0 <= since < RECENT:
        print(f"  waiting {RECENT - since:.0f} s: the last session's outputs were just removed")
        time.sleep(RECENT - since)


def warm(folder: Path) -> None:
    """Read every input once: the runs are timed on inputs in the page cache. (This machine
    pages out what has not been touched for a minute, so the first run would read the disk.)"""
    for path in folder.iterdir():
        path.read_bytes()


def settle() -> None:
    """Write back the last run's dirty pages before the next run starts. Inputs stay in the
    page cache: the figures are for a warm read."""
    os.sync()
    time.sleep(1)


def run_ours(
    folder: Path, jobs: int | None, env: dict[str, str] | None = None, code: Path | None = None
) -> dict[str, object]:
    """One timed run; ``env`` added to the environment, ``code`` another checkout to run."""
    settle()
    out = Path(tempfile.mkdtemp(prefix="ours-", dir=OUTPUTS))
    cmd = [
        sys.executable,
        "-m",
        "fuling_batch",
        "run",
        str(folder),
        "--year",
        "2026",
        "--out",
        str(out),
        "--timings",
    ]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=code or HERE.parent,  # ``-m`` imports the package from the working folder
        env={**os.environ, **(env or {})},
    )
    peaks, ended = watch(process)
    wall = ended - start
    assert process.stderr is not None
    err = process.stderr.read().decode("utf-8")
    if process.returncode not in (0, 1):
        raise SystemExit(f"run failed ({process.returncode}):\n{err}")
    figures = json.loads(err.strip().splitlines()[-1])
    report = json.loads((out / "2026" / "report.json").read_text(encoding="utf-8"))
    notices = sum(1 for r in report["results"] if r["notice"])
    peaks["main"] = max(peaks["main"], figures["peak_rss_mib"])
    return {
        "wall": wall,
        "stages": figures["stages"],
        "peaks": peaks,
        "notices": notices,
        "graded": len(report["results"]),
    }


def run_baseline(folder: Path) -> float:
    settle()
    out = Path(tempfile.mkdtemp(prefix="baseline-", dir=OUTPUTS))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(HERE / "baseline.py"), str(folder), str(out)],
        check=True,
        cwd=HERE.parent,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    return wall


def compare(folder: Path, args: argparse.Namespace) -> None:
    """Alternate runs of A (this code, every trick on) and B (without the trick, or the other
    checkout), so that both see the same machine; print medians and what A saves."""
    if args.compare:
        label, env, code = f"without {args.compare}", {"FULING_BATCH_WITHOUT": args.compare}, None
    else:
        label, env, code = f"checkout {args.against}", None, args.against.resolve()
    pairs = []
    for i in range(1, args.runs + 1):
        a = run_ours(folder, args.jobs)
        b = run_ours(folder, args.jobs, env, code)
        pairs.append((a["wall"], b["wall"]))
        print(f"  pair {i}: this code {a['wall']:.2f} s | {label} {b['wall']:.2f} s")
        for name, run in (("this code", a), (label, b)):
            stages = "  ".join(f"{k} {v:.2f}" for k, v in run["stages"].items())  # type: ignore[union-attr]
            print(f"    {name}: {stages}")
    ours = statistics.median(a for a, _ in pairs)
    theirs = statistics.median(b for _, b in pairs)
    saved = theirs - ours
    print(
        f"  median: this code {ours:.2f} s, {label} {theirs:.2f} s -> this code saves "
        f"{saved:.2f} s = {100 * saved / theirs:.1f} % of the run {label}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--compare", metavar="TRICK", help="with and without a kept trick")
    parser.add_argument("--against", metavar="CHECKOUT", type=Path, help="another checkout")
    parser.add_argument(
        "--writer",
        choices=("office", "openpyxl"),
        default="office",
        help="how the sheets are saved: office = re-saved by LibreOffice like Excel/WPS files "
        "(shared strings); openpyxl = inline strings with escaped characters",
    )
    args = parser.parse_args()
    wait_for_last_cleanup()
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    medians: dict[int, float] = {}
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; sheets: {args.writer}"
    )
    for count in args.sizes:
        print(f"\nN = {count}")
        folder = sheets_for(count, args.writer)
        wait_for_last_cleanup()
        warm(folder)
        if args.compare or args.against:
            compare(folder, args)
            continue
        runs = [run_ours(folder, args.jobs) for _ in range(args.runs)]
        for i, r in enumerate(runs, 1):
            stages = "  ".join(f"{k} {v:.2f}" for k, v in r["stages"].items())  # type: ignore[union-attr]
            print(f"  run {i}: {r['wall']:.2f} s wall | {stages}")
        wall = statistics.median(r["wall"] for r in runs)  # type: ignore[misc]
        medians[count] = wall
        stage_names = list(runs[0]["stages"])  # type: ignore[arg-type]
        stage_medians = {
            name: statistics.median(r["stages"][name] for r in runs)  # type: ignore[index]
            for name in stage_names
        }
        print(
            f"  median wall: {wall:.2f} s = {count / wall:.0f} sheets/s "
            f"({runs[0]['graded']} graded, {runs[0]['notices']} notices)"
        )
        print("  median stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stage_medians.items()))
        print(
            f"  peak RSS: main {max(r['peaks']['main'] for r in runs):.0f} MiB, "  # type: ignore[index]
            f"largest worker {max(r['peaks']['worker'] for r in runs):.0f} MiB"
        )  # type: ignore[index]
        if args.baseline:
            warm(folder)  # as warm as for ours
            base = run_baseline(folder)
            print(
                f"  baseline (openpyxl + pandas to_excel + docxtpl per notice, 1 process): "
                f"{base:.2f} s -> baseline / ours = {base / wall:.1f}x"
            )
    if len(medians) > 1:
        sizes = sorted(medians)
        small, large = sizes[0], sizes[-1]
        print(
            f"\nscaling: {large} takes {medians[large] / medians[small]:.1f}x the time of {small} "
            f"(linear would be {large / small:.0f}x)"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        if OUTPUTS.exists():
            shutil.rmtree(OUTPUTS, ignore_errors=True)
            os.sync()  # freed inodes written back count as recent for 1 minute instead of 6
            CLEANED.write_text(str(time.time()))
