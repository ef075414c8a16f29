"""Random inputs through the real code: enterprise names of any kind through a whole run, and
mutated bytes of a valid sheet through intake. Never a traceback, never a hang, always a
finding; every output name valid on Windows."""

from __future__ import annotations

import io
import json
import random
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuling_batch.config import GradingConfig
from fuling_batch.forms.samples import fictional_code, fill_score_sheet
from fuling_batch.forms.template import write_template
from fuling_batch.intake.check import check_file
from fuling_batch.intake.discover import Candidate
from fuling_batch.pipeline import run
from fuling_batch.rules.models import FileStatus
from fuling_batch.rules.standard import load_standard

STANDARD = load_standard()
TEMPLATE = write_template(Path(tempfile.mkdtemp()) / "score_template.xlsx", STANDARD)
# 基本合格 (a ▲ item short): the run writes a notice named after the enterprise.
ONE_SHORT = {line.code: line.value for line in STANDARD.lines} | {"2.1": 0}
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)
}

names = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)),  # any code point a file can hold
        min_size=1,
        max_size=90,
    ),
    st.sampled_from(["CON", "nul", "Aux.xlsx", "COM1", "lpt9", ".", "..", " ", "a/b", "a\\b"]),
    st.text(alphabet='涪陵𠀀𪚥😀\u202e\u200b\t\n/\\:*?"<>|. ', min_size=1, max_size=120),
)


def _as_excel_writes(text: str) -> str:
    """Control characters as Excel stores them (``_x0008_``): openpyxl refuses them raw, and
    readers turn the escapes back into the characters."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def _valid_on_windows(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (
        not WINDOWS_FORBIDDEN.search(name)
        and stem not in WINDOWS_RESERVED
        and not name.endswith((" ", "."))
        and len(name.encode("utf-8")) <= 255
        and len(name.encode("utf-16-le")) // 2 <= 255
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names)
def test_any_enterprise_name_runs_to_the_end_with_valid_file_names(name: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "input"
        folder.mkdir()
        name = _as_excel_writes(name)
        header = {
            "企业名称": name,
            "统一社会信用代码": fictional_code(3),
            "考核年度": 2026,
            "党组织名称": f"中共{name}委员会",
            "党组织书记": "张三",
            "行政主要负责人": "李四",
            "考核日期": "2026-11-20",
            "考核组成员": "王五",
        }
        fill_score_sheet(TEMPLATE, folder / "sheet.xlsx", header, ONE_SHORT, {"2.1": "资料不全"})
        outcome = run(folder, 2026, Path(work) / "out", processes=1, first_year=True)
        report = json.loads((outcome.year_dir / "report.json").read_text(encoding="utf-8"))
        assert report["year"] == 2026
        if outcome.results:  # graded 基本合格: its notice is named after the enterprise
            assert len(outcome.notices) == 1 and outcome.notices[0].is_file()
        for path in outcome.year_dir.rglob("*"):
            assert _valid_on_windows(path.name), repr(path.name)


def _frozen(data: bytes, stamp: str = "2026-01-01T00:00:00Z") -> bytes:
    """The same package with fixed timestamps: the mutants are then the same on every run."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp.encode(), body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), body)
    return out.getvalue()


def _mutants(data: bytes, count: int, seed: int) -> list[bytes]:
    """Byte-level damage to the package, and damage to the sheet's XML inside a valid zip."""
    rng = random.Random(seed)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    out = []
    for i in range(count):
        if i % 2:
            blob = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                kind = rng.random()
                at = rng.randrange(len(blob))
                if kind < 0.5:
                    blob[at] = rng.randrange(256)
                elif kind < 0.75:
                    del blob[at : at + rng.randint(1, 64)]
                else:
                    blob[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            if rng.random() < 0.1:
                blob = blob[: rng.randrange(len(blob))]
            out.append(bytes(blob))
        else:
            xml = bytearray(members[sheet])
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(xml))
                xml[at : at + rng.randint(0, 8)] = rng.choice(
                    [
                        b"<",
                        b">",
                        b"&",
                        b'"',
                        b"\x00",
                        b'r="XFD1048576"',
                        b'<c r="A1" t="s"><v>999999</v></c>',
                        b"",
                    ]
                )
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, body in members.items():
                    zf.writestr(name, bytes(xml) if name == sheet else body)
            out.append(buf.getvalue())
    return out


# (timestamp of the valid sheet, seed): 500 mutants each. The second found a cell placed at
# XFD1048576 by a second r="…" attribute, which aborted the process before the bound read
# positions as calamine does (tests/hostile/test_intake.py keeps that case).
FUZZ_RUNS = [("2026-01-01T00:00:00Z", 20261202), ("2026-03-03T03:03:03Z", 4)]


@pytest.mark.parametrize(("stamp", "seed"), FUZZ_RUNS)
def test_500_mutants_of_a_valid_sheet_are_each_accepted_or_rejected_with_a_finding(
    tmp_path: Path, stamp: str, seed: int
) -> None:
    valid = fill_score_sheet(
        TEMPLATE,
        tmp_path / "valid.xlsx",
        {
            "企业名称": "涪陵试验有限公司",
            "统一社会信用代码": fictional_code(5),
            "考核年度": 2026,
            "党组织书记": "张三",
            "行政主要负责人": "李四",
        },
        {line.code: line.value for line in STANDARD.lines},
    ).read_bytes()
    valid = _frozen(valid, stamp)
    outcomes = {FileStatus.ACCEPTED: 0, FileStatus.REJECTED: 0, FileStatus.SKIPPED: 0}
    target = tmp_path / "mutant.xlsx"
    for mutant in _mutants(valid, 500, seed=seed):
        target.write_bytes(mutant)
        report, _ = check_file(Candidate(target, target.name), 2026, STANDARD, GradingConfig())
        outcomes[report.status] += 1
        if report.status is not FileStatus.ACCEPTED:
            assert report.issues, "a file was turned away without saying why"
        assert all(i.message for i in report.issues)
        assert not any(i.code == "FILE_CRASHED" for i in report.issues), report.issues
    assert sum(outcomes.values()) == 500
    assert outcomes[FileStatus.REJECTED] > 100  # the mutations did damage
