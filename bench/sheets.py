"""Generate N realistic filled score sheets from the real template, fast.

The template is filled once through openpyxl (as ``fuling_batch.forms.samples`` does) with sentinel
values and, by default, saved again by LibreOffice: inspectors' files come from Excel/WPS, which
store text in a shared-string table as plain UTF-8, whereas openpyxl writes inline strings with
every Chinese character escaped, a sheet three times larger to parse (``--writer openpyxl``
keeps that form). Each generated sheet then only swaps the sentinels in the sheet XML and the
shared strings.
That keeps 10,000 sheets to seconds while every file is a genuine Excel workbook made from the
real template. Scores vary per sheet (seeded, so runs are comparable): about 60% 合格, 25%
基本合格 (by total or by a ▲ shortfall) and 15% 不合格, so about 40% need notices.

``reject_share`` makes that share of the sheets bad (chosen with their own seed, so the other
sheets are exactly those of the clean batch of the same size), each in one of the ways
inspectors get a sheet wrong (:data:`SPOILS`): a score over its cap, a blank score, a credit
code with a wrong check character, or a negative score beside a deduction without its
扣分说明 (an error and a warning).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from fuling_batch.forms.samples import REASONS, fictional_code, fill_score_sheet
from fuling_batch.forms.template import write_template
from fuling_batch.rules.standard import Line, Standard, load_standard

YEAR = 2026
SENTINEL = 900_000  # score of line i is written as SENTINEL + i, then replaced


def _prototype(
    workdir: Path, standard: Standard, writer: str
) -> tuple[dict[str, bytes], list[str]]:
    """The filled prototype's zip members, and the members that hold sentinels."""
    template = write_template(workdir / "template.xlsx", standard)
    header = {
        "企业名称": "@@NAME@@",
        "统一社会信用代码": "@@CODE@@",
        "考核年度": YEAR,
        "党组织名称": "@@ORG@@",
        "党组织书记": "@@SEC@@",
        "行政主要负责人": "@@HEAD@@",
        "考核日期": f"{YEAR}-11-20",
        "考核组成员": "基准考核组甲、基准考核组乙",
    }
    scores = {line.code: SENTINEL + i for i, line in enumerate(standard.lines)}
    remarks = {line.code: f"@@R{i}@@" for i, line in enumerate(standard.lines)}
    proto = fill_score_sheet(template, workdir / "proto.xlsx", header, scores, remarks)
    if writer == "office":
        if not shutil.which("soffice"):
            raise SystemExit(
                "--writer office needs LibreOffice (soffice); or use --writer openpyxl"
            )
        office = workdir / "office"
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(office), str(proto)],
            check=True,
            capture_output=True,
        )
        proto = office / proto.name
    with zipfile.ZipFile(proto) as z:
        members = {name: z.read(name) for name in z.namelist()}
    for name, data in members.items():
        if name.startswith("xl/worksheets/"):
            # Saved totals would be sums of sentinels: drop them, as a sheet filled by a
            # program and never recalculated has none.
            members[name] = _CACHED.sub(rb"\1", data)
    patched = [
        n for n, b in members.items() if b"900001" in b or b"@@NAME@@" in b or b"@@R0@@" in b
    ]
    return members, patched


_CACHED = re.compile(rb"(<f[^>]*>[^<]*</f>)<v>[^<]*</v>")


def _score_xml(value: float | None) -> str:
    return "" if value is None else f"<v>{value:g}</v>"


def _deductions(rng: random.Random, lines: tuple[Line, ...]) -> dict[str, float]:
    """Points off per line code, drawn to give the outcome mix described above."""
    plain = [line for line in lines if not line.key]
    keyed = [line for line in lines if line.key]
    roll = rng.random()
    off: dict[str, float] = {}
    if roll < 0.60:  # 合格: a few deductions on items without ▲
        picks, pool = rng.randint(0, 6), plain
    elif roll < 0.75:  # 基本合格 by a ▲ shortfall
        picks, pool = rng.randint(1, 3), keyed
    elif roll < 0.85:  # 基本合格 by total: whole items without ▲ until 21–30 points are gone
        target = rng.randint(21, 30)
        for line in rng.sample(plain, len(plain)):
            if sum(off.values()) + line.value <= target:
                off[line.code] = line.value
        return off
    else:  # 不合格
        picks, pool = rng.randint(20, 30), lines
    for line in rng.sample(pool, min(picks, len(pool))):
        steps = int(line.value / 0.5)
        off[line.code] = 0.5 * rng.randint(1, steps)
    if roll >= 0.85:  # make sure 不合格 lands below 60
        for line in sorted(lines, key=lambda ln: -ln.value):
            if sum(off.values()) > 42:
                break
            off[line.code] = line.value
    return off


# How a rejected sheet is spoiled, in turn: the codes intake reports for each.
SPOILS = (
    ("over its cap", "SCORE_OUT_OF_RANGE"),
    ("blank score", "SCORE_BLANK"),
    ("bad credit code", "CREDIT_CODE_INVALID"),
    ("negative score, a deduction without 扣分说明", "SCORE_OUT_OF_RANGE+REMARK_MISSING"),
)


def _bad_code(code: str) -> str:
    """``code`` with its check character changed: no longer valid (GB 32100-2015)."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def _spoil(
    kind: int,
    rng: random.Random,
    lines: tuple[Line, ...],
    values: list[float | None],
    reasons: list[str],
) -> bool:
    """Spoil one sheet's scores in the ``kind``-th way; True if its credit code goes bad."""
    i = rng.randrange(len(lines))
    if kind == 0:
        values[i] = lines[i].value + rng.choice((0.5, 1, 5))
    elif kind == 1:
        values[i] = None
    elif kind == 3:
        j = (i + 1) % len(lines)
        values[i], values[j], reasons[j] = -1, lines[j].value - 0.5, ""
    return kind == 2


def generate(
    folder: Path,
    count: int,
    seed: int = 7,
    standard: Standard | None = None,
    writer: str = "office",
    reject_share: float = 0.0,
) -> list[Path]:
    """Write ``count`` filled sheets into ``folder`` and return their paths; ``reject_share``
    of them are spoiled (one of :data:`SPOILS` each, in turn)."""
    standard = standard or load_standard()
    folder.mkdir(parents=True, exist_ok=True)
    work = folder.parent / f".{folder.name}-proto"
    work.mkdir(parents=True, exist_ok=True)
    members, patched = _prototype(work, standard, writer)
    texts = {name: members[name].decode("utf-8") for name in patched}
    lines = standard.lines
    score_re = re.compile(r"<v>(9\d{5})</v>")
    remark_re = re.compile(r"@@R(\d+)@@")
    rng = random.Random(seed)
    spoiler = random.Random(seed + 1)  # its own stream: the other sheets stay the clean batch's
    rejected = sorted(spoiler.sample(range(count), round(count * reject_share)))
    spoil = {n: k % len(SPOILS) for k, n in enumerate(rejected)}
    paths = []
    for n in range(count):
        off = _deductions(rng, lines)
        values: list[float | None] = [line.value - off.get(line.code, 0) for line in lines]
        name = f"基准测试第{n:05d}号企业有限公司"
        reasons = [
            f"{REASONS[(n + i) % len(REASONS)]}，扣{off[line.code]:g}分" if line.code in off else ""
            for i, line in enumerate(lines)
        ]
        code = fictional_code(100_000 + n)
        if n in spoil and _spoil(spoil[n], spoiler, lines, values, reasons):
            code = _bad_code(code)
        changed = {}
        for member, text in texts.items():
            text = score_re.sub(lambda m, v=values: _score_xml(v[int(m.group(1)) - SENTINEL]), text)
            text = (
                text.replace("@@NAME@@", escape(name))
                .replace("@@CODE@@", code)
                .replace("@@ORG@@", escape(f"中共{name}委员会"))
                .replace("@@SEC@@", f"书记{n:05d}")
                .replace("@@HEAD@@", f"经理{n:05d}")
            )
            changed[member] = remark_re.sub(lambda m, r=reasons: escape(r[int(m.group(1))]), text)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for member, data in members.items():
                z.writestr(member, changed[member].encode("utf-8") if member in changed else data)
        path = folder / f"{YEAR}年度评分表_{name}.xlsx"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys
    import time

    target, count = Path(sys.argv[1]), int(sys.argv[2])
    writer = sys.argv[3] if len(sys.argv) > 3 else "office"
    share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    start = time.perf_counter()
    generate(target, count, writer=writer, reject_share=share)
    print(f"generated {count} sheets in {time.perf_counter() - start:.1f} s")
