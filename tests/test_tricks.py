"""The kept speed tricks against their supported-API fallbacks, on real files.

Each trick (``fuling_batch/runtime/tricks.py``) is switched off with ``FULING_BATCH_WITHOUT``
as a user of an untested library version would have it off; the outputs must not change.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.context import build_context, plan_notices
from fuling_batch.notices.prepare import check_template, compiling, render_notice
from fuling_batch.notices.template import default_notice_template
from fuling_batch.pipeline import run
from fuling_batch.runtime import tricks
from tests.factories import STANDARD, make_result

ISSUE_DAY = dt.date(2026, 12, 1)


def _c14n(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name) for name in zf.namelist()}


def _context() -> dict:
    result = make_result({"6.1": 1.0, "2.1": 0.0}, enterprise="A&B<建设>“集团”{{x}}")
    plan = plan_notices([result], 2026, NoticeConfig())[0]
    return build_context(plan, STANDARD, NoticeConfig(), ISSUE_DAY)


@pytest.mark.parametrize("version", ["0.16.9", "0.21.0", "1.0", ""])
def test_an_untested_docxtpl_renders_every_notice_itself(version: str) -> None:
    assert compiling("0.20.2") and not compiling(version)


def test_docxtpls_own_render_gives_the_same_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = check_template(default_notice_template())
    monkeypatch.setenv(tricks.ENV, "compiled-template")
    stock = check_template(default_notice_template())
    assert compiled.compiled and not stock.compiled
    assert compiled.variables == stock.variables
    context = _context()
    ours, theirs = (
        _members(render_notice(compiled, context)),
        _members(render_notice(stock, context)),
    )
    assert list(ours) == list(theirs)
    for name in ours:
        if name in compiled.tagged:
            assert _c14n(ours[name]) == _c14n(theirs[name]), name
        else:
            assert ours[name] == theirs[name], name


def test_zipfile_writes_the_same_package_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    assembled = check_template(default_notice_template())
    monkeypatch.setenv(tricks.ENV, "zip-writer")
    zipped = check_template(default_notice_template())
    assert assembled.assembling and not zipped.assembling
    context = _context()
    assert render_notice(assembled, context) == render_notice(zipped, context)


def test_a_misspelt_variable_is_refused_by_either_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = Document(str(default_notice_template()))
    doc.add_paragraph("{{ leader_phone }}")
    bad = tmp_path / "bad.docx"
    doc.save(str(bad))
    from fuling_batch.errors import TemplateError

    with pytest.raises(TemplateError, match="leader_phone"):
        check_template(bad)
    monkeypatch.setenv(tricks.ENV, "compiled-template")
    with pytest.raises(TemplateError, match="leader_phone"):
        check_template(bad)


def _outputs(year_dir: Path) -> dict[str, object]:
    """Every notice's parts (XML canonicalised), and every summary cell with its look."""
    found: dict[str, object] = {}
    for path in sorted((year_dir / "notices").glob("*.docx")):
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
            for name in zf.namelist():
                data = zf.read(name)
                found[f"{path.name}/{name}"] = _c14n(data) if name.endswith(".xml") else data
    for path in sorted(year_dir.glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        for ws in book.worksheets:
            found[f"{path.name}/{ws.title}"] = [
                (c.coordinate, c.value, c.number_format, c.font.b, c.fill.fgColor.rgb)
                for row in ws.iter_rows()
                for c in row
            ]
    return found


def test_a_whole_run_without_any_trick_writes_the_same_outputs(
    sample_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_tricks = run(sample_input, 2026, tmp_path / "a", history_path=tmp_path / "a.db")
    monkeypatch.setenv(tricks.ENV, "all")
    without = run(sample_input, 2026, tmp_path / "b", history_path=tmp_path / "b.db")
    assert len(with_tricks.notices) == len(without.notices) > 0
    ours, theirs = _outputs(with_tricks.year_dir), _outputs(without.year_dir)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key
