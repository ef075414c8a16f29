"""Build ``templates/notice.docx.j2``: the notice template, laid out per GB/T 9704-2012.

The template is a real .docx (editable in Word or WPS) holding docxtpl/Jinja tags; this module
makes it from python-docx so that it is reproducible: ``fuling-batch notice-template``
rewrites the committed file, and the same code always yields the same bytes (fixed dates, fixed
zip timestamps). The page is ``layout.py``'s; the text is ``body.py``'s, with the 版记 (抄送,
印发机关 and 印发日期) at the foot of the last page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject

from ..runtime.fileio import write_atomic
from .body import add_body
from .layout import apply_section, apply_styles, drop_default_parts

__all__ = [
    "build_notice_template",
    "build_template",
    "default_notice_template",
    "resolve_template",
    "template_bytes",
]


# Fixed so the built file is byte-for-byte reproducible.
_FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

TEMPLATE_NAME = "notice.docx.j2"
# The templates committed beside the package in a source checkout (absent when installed).
SHIPPED_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def resolve_template(name: str, build: Callable[[], bytes], cwd: Path | None = None) -> Path:
    """The template ``name`` to use when none is named.

    The office's own ``templates/<name>`` in the working folder wins (that is the copy they
    edit in Word/WPS); then the source checkout's. An installed package has neither, so the
    template is built from code (it is deterministic) into a file in the temp folder.
    """
    for candidate in (Path(cwd or Path.cwd()) / "templates" / name, SHIPPED_TEMPLATES / name):
        if candidate.is_file():
            return candidate
    data = build()
    digest = hashlib.sha256(data).hexdigest()[:16]
    # Not a folder named "fuling_batch": run from the temp folder, it would shadow the package.
    stem = name.split(".")[0]
    built = Path(tempfile.gettempdir()) / "fuling-batch-templates" / f"{stem}-{digest}.docx.j2"
    if not built.is_file():
        write_atomic(built, lambda tmp: tmp.write_bytes(data))
    return built


def default_notice_template(cwd: Path | None = None) -> Path:
    """The notice template to use when none is named (see :func:`resolve_template`)."""
    return resolve_template(TEMPLATE_NAME, template_bytes, cwd)


def build_notice_template(path: Path) -> Path:
    """Write the notice template to ``path`` (atomically) and return ``path``."""
    data = template_bytes()
    return write_atomic(Path(path), lambda tmp: tmp.write_bytes(data))


def template_bytes() -> bytes:
    """The notice template as bytes; equal on every call (a reproducibility test relies on it)."""
    return build_template(add_body, "国有企业党组织规范化建设考核通知书模板")


def build_template(body: Callable[[DocumentObject], None], title: str) -> bytes:
    """A GB/T 9704 document template: ``layout.py``'s page and styles, ``body``'s text."""
    doc = Document()
    _clean_package(doc, title)
    apply_styles(doc)
    apply_section(doc)
    body(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())


# --- package and styles -------------------------------------------------------------------


def _clean_package(doc: DocumentObject, title: str) -> None:
    drop_default_parts(doc)
    props = doc.core_properties
    props.title = title
    props.author = "fuling_batch"
    props.comments = "由 fuling_batch 生成；可在 Word/WPS 中修改文字，请保留双花括号与百分号标签。"
    props.last_modified_by = "fuling_batch"
    props.created = props.modified = _FIXED_TIME
    props.revision = 1


# --- section: page, grid, footers ---------------------------------------------------------


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps so the same build gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    print(build_notice_template(default_notice_template()))
