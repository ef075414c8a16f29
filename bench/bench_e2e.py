"""End-to-end benchmark: the real ``fuling-batch run`` on N generated sheets, against a baseline.

Usage::

    python bench/bench_e2e.py 1000 10000 --runs 5 --baseline [--writer office|openpyxl]
    python bench/bench_e2e.py 100 1000 10000 --runs 3 --compare fastrows
    python bench/bench_e2e.py 100 1000 --runs 3 --against ../wt-before
    python bench/bench_e2e.py 1000 10000 --runs 3 --reject-share 0.2

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

With ``--reject-share S`` it also makes the same batch with that share of the sheets bad (in
varied ways: bench/sheets.py SPOILS), runs it and ``fuling-batch check`` on it as often, and
prints the rejected batch against the clean one, ``check`` against the rejected run's
read+validate stage, and a floors line (:func:`floors`): what the libraries underneath cost
per item, and each stage's ratio to its floor.
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
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from sheets import generate  # noqa: E402

# The bench's own folder (sheets cached, outputs kept), away from the temp folder: see OUTPUTS.
WORK = HERE / ".work"


def sheets_for(count: int, writer: str, reject_share: float = 0.0) -> Path:
    name = f"{writer}-{count}" + (f"-rejected{reject_share:g}" if reject_share else "")
    folder = WORK / "sheets" / name / "input"
    if not folder.is_dir() or len(list(folder.glob("*.xlsx"))) != count:
        if folder.parent.exists():
            shutil.rmtree(folder.parent)
            os.sync()
            CLEANED.write_text(str(time.time()))  # the runs wait a minute after this
        start = time.perf_counter()
        generate(folder, count, writer=writer, reject_share=reject_share)
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
        "returned": sum(1 for _ in (out / "2026" / "退回修改").rglob("*.xls*")),
        "out": out,
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


def run_check(folder: Path, jobs: int | None) -> tuple[float, dict[str, float]]:
    """Wall time of ``fuling-batch check`` on ``folder`` (a whole process, as for run), and
    the peak RSS of it and of its largest worker."""
    settle()
    cmd = [sys.executable, "-m", "fuling_batch", "check", str(folder), "--year", "2026"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=HERE.parent
    )
    peaks, ended = watch(process)
    if process.returncode not in (0, 1):
        raise SystemExit(f"check failed ({process.returncode})")
    return ended - start, peaks


def _per_item(work: list[object], each: Callable[[object], object]) -> float:
    """Seconds per item of ``each`` over ``work`` (after one warm-up call)."""
    each(work[0])
    start = time.perf_counter()
    for item in work:
        each(item)
    return (time.perf_counter() - start) / len(work)


def floors(folder: Path, out: Path, sample: int = 200) -> dict[str, float]:
    """What the libraries underneath cost per item, on this batch, in this process:

    - ``read``: python-calamine opening a sheet and parsing its score sheet, per sheet;
    - ``notice``: writing one of the run's notices as a zip (its parts deflated into a new
      file), per notice;
    - ``row``: xlsxwriter (constant_memory, as the summary) writing one enterprise's row of
      the 分项得分 width (60 cells), per row;
    - ``copy``: this program marking one returned copy (forms/returned.returned_copy) from
      bytes in memory, per rejected sheet (its floor is ``read``: a copy should cost about
      as much as reading the sheet).
    """
    import zipfile

    import python_calamine
    import xlsxwriter

    from fuling_batch.config import GradingConfig
    from fuling_batch.forms.returned import returned_copy
    from fuling_batch.intake.check import check_file
    from fuling_batch.intake.discover import Candidate
    from fuling_batch.rules.models import FileStatus
    from fuling_batch.rules.standard import load_standard

    sheets = sorted(folder.glob("*.xlsx"))[:sample]

    def read(path: object) -> None:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        book.get_sheet_by_index(0).to_python()
        book.close()

    result = {"read": _per_item(list(sheets), read)}
    notices = sorted((out / "2026" / "notices").glob("*.docx"))[:sample]
    scratch = Path(tempfile.mkdtemp(prefix="floors-", dir=OUTPUTS))
    if notices:
        parts = [
            [(i.filename, zipfile.ZipFile(n).read(i)) for i in zipfile.ZipFile(n).infolist()]
            for n in notices
        ]
        counter = iter(range(10**9))

        def write_zip(members: object) -> None:
            target = scratch / f"{next(counter)}.docx"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in members:  # type: ignore[attr-defined]
                    z.writestr(name, data)

        result["notice"] = _per_item(list(parts), write_zip)
    rows = 2000
    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(scratch / "rows.xlsx"), {"constant_memory": True})
    ws = book.add_worksheet("分项得分")
    for r in range(rows):
        ws.write_row(r, 0, [f"基准测试第{r:05d}号企业有限公司", "91500102MA0000000X", 85.5, "合格"])
        ws.write_row(r, 4, [1.0] * 56)
    book.close()
    result["row"] = (time.perf_counter() - start) / rows
    standard, config = load_standard(), GradingConfig()
    bad = []
    for path in sorted(folder.glob("*.xlsx")):
        report, _ = check_file(Candidate(path, path.name), 2026, standard, config)
        if report.status is FileStatus.REJECTED:
            bad.append((path.read_bytes(), report))
        if len(bad) >= min(sample, 100):
            break
    if bad:
        result["copy"] = _per_item(bad, lambda item: returned_copy(*item))  # type: ignore[misc]
    return result


def _median_stages(runs: list[dict[str, object]]) -> dict[str, float]:
    names = list(runs[0]["stages"])  # type: ignore[call-overload]
    return {n: statistics.median(r["stages"].get(n, 0.0) for r in runs) for n in names}  # type: ignore[attr-defined]


def compare_rejected(count: int, args: argparse.Namespace, clean: list[dict[str, object]]) -> None:
    """The same batch with ``args.reject_share`` of it bad: run and check it, and print it
    against the clean batch's runs, check against its read+validate, and the floors."""
    folder = sheets_for(count, args.writer, args.reject_share)
    wait_for_last_cleanup()
    warm(folder)
    runs = [run_ours(folder, args.jobs) for _ in range(args.runs)]
    for i, r in enumerate(runs, 1):
        stages = "  ".join(f"{k} {v:.2f}" for k, v in r["stages"].items())  # type: ignore[attr-defined]
        print(f"  rejected run {i}: {r['wall']:.2f} s wall | {stages}")
    checks = [run_check(folder, args.jobs) for _ in range(args.runs)]
    wall = statistics.median(r["wall"] for r in runs)  # type: ignore[misc]
    clean_wall = statistics.median(r["wall"] for r in clean)  # type: ignore[misc]
    stages = _median_stages(runs)
    check = statistics.median(c[0] for c in checks)
    print(
        f"  {args.reject_share:.0%} rejected ({runs[0]['returned']} returned copies, "
        f"{runs[0]['graded']} graded, {runs[0]['notices']} notices): median wall {wall:.2f} s "
        f"= {wall / clean_wall:.2f}x the clean batch ({clean_wall:.2f} s)"
    )
    print("  median stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(
        f"  check: median {check:.2f} s = {check / stages['read+validate']:.2f}x the rejected "
        f"run's read+validate ({stages['read+validate']:.2f} s)"
    )
    print(
        "  peak RSS (rejected run / check): main "
        f"{max(r['peaks']['main'] for r in runs):.0f} / {max(c[1]['main'] for c in checks):.0f} MiB, "  # type: ignore[index]
        f"largest worker {max(r['peaks']['worker'] for r in runs):.0f} / "  # type: ignore[index]
        f"{max(c[1]['worker'] for c in checks):.0f} MiB"
    )
    floor = floors(folder, runs[0]["out"])  # type: ignore[arg-type]
    cores = args.jobs or os.cpu_count() or 1
    print(
        "  floors: calamine open+parse {:.2f} ms/sheet, zip write {:.2f} ms/notice, "
        "xlsxwriter {:.3f} ms/row; returned copy {:.2f} ms/copy".format(
            floor["read"] * 1e3,
            floor.get("notice", 0) * 1e3,
            floor["row"] * 1e3,
            floor.get("copy", 0) * 1e3,
        )
    )
    ratios = [
        f"read+validate {stages['read+validate'] / (floor['read'] * count / cores):.1f}x"
        f" (calamine x {count} sheets / {cores} processes)",
        f"summary {stages.get('summary', 0) / (floor['row'] * int(runs[0]['graded'])):.1f}x"  # type: ignore[call-overload]
        f" (xlsxwriter x {runs[0]['graded']} rows)",
    ]
    if floor.get("notice") and runs[0]["notices"]:
        notices = int(runs[0]["notices"])  # type: ignore[call-overload]
        ratios.append(
            f"notices {stages.get('notices', 0) / (floor['notice'] * notices / cores):.1f}x"
            f" (zip write x {notices} / {cores} processes)"
        )
    if floor.get("copy"):
        ratios.append(f"a returned copy {floor['copy'] / floor['read']:.1f}x reading its sheet")
    print("  ratio to floor: " + "; ".join(ratios))


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
    parser.add_argument(
        "--reject-share",
        type=float,
        default=0.0,
        help="also run the same batch with this share of the sheets bad (e.g. 0.2), and "
        "check on it; print the floors and each stage's ratio to its floor",
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
        if args.reject_share:
            compare_rejected(count, args, runs)
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
