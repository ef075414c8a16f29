"""The committed notice template is exactly what the builder makes now."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fuling_batch.notices.template import (
    build_notice_template,
    default_notice_template,
    template_bytes,
)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_committed_template_matches_builder() -> None:
    committed = _members(default_notice_template().read_bytes())
    built = _members(template_bytes())
    assert committed["word/document.xml"].decode() == built["word/document.xml"].decode()
    assert committed["word/styles.xml"].decode() == built["word/styles.xml"].decode()
    assert committed == built, "run: python -m fuling_batch.notices.template"


def test_builder_is_deterministic(tmp_path: Path) -> None:
    a = build_notice_template(tmp_path / "a.docx").read_bytes()
    b = build_notice_template(tmp_path / "b.docx").read_bytes()
    assert a == b
    assert b"2026-01-01T00:00:00Z" in _members(a)["docProps/core.xml"]


def test_default_template_prefers_the_office_copy_then_builds_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fuling_batch.notices.template as nt

    office = tmp_path / "office"
    (office / "templates").mkdir(parents=True)
    edited = office / "templates" / nt.TEMPLATE_NAME
    edited.write_bytes(nt.template_bytes())
    assert nt.default_notice_template(office) == edited

    # An installed package: no copy in the working folder, none beside the package.
    monkeypatch.setattr(nt, "SHIPPED_TEMPLATES", tmp_path / "missing")
    built = nt.default_notice_template(tmp_path / "elsewhere")
    assert built.is_file() and built.read_bytes() == nt.template_bytes()
