"""The .docx package of a notice: every constant member compressed once, rendered parts swapped in.

A kept speed trick (``runtime/tricks.py``, name ``zip-writer``): at 10,000 sheets it saves
4.4 s of the run, 21.5 % (``bench/bench_e2e.py 10000 --compare zip-writer``;
docs/architecture.md). A notice is not rebuilt as a zip per file: ``zip_entry`` lets
``zipfile`` write each template member once, and ``assemble`` copies those records, patching in
the CRC and sizes of the parts rendered for this notice. :func:`assembles_like_zipfile` checks,
once per template, that the assembled package is byte for byte what ``zipfile`` writes
(:func:`zip_package`); where it is not (another Python's ``zipfile``), or with the trick
switched off, every package is written by ``zipfile`` itself.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import OutputError, TemplateError

__all__ = [
    "DOCUMENT",
    "NOTICE_LEVEL",
    "TEMPLATED",
    "ZIP32_LIMIT",
    "Deflated",
    "ZipEntry",
    "assemble",
    "assembles_like_zipfile",
    "compressed_parts",
    "deflate",
    "zip_entry",
    "zip_package",
]


# Parts of a .docx that may hold template tags; the rest of the package is copied as is.
TEMPLATED = (
    "word/document.xml",
    "word/header",
    "word/footer",
    "word/footnotes.xml",
    "word/endnotes.xml",
)


DOCUMENT = "word/document.xml"


ZIP32_LIMIT = 0xFFFFFFFF


# zlib level of a notice's rendered parts: level 6 (zipfile's default) took 40% more time for
# a document.xml 10% smaller (6 KB instead of 5.5 KB of a 27 KB notice).
NOTICE_LEVEL = 1


# Fixed zip timestamps: the same notice gives the same bytes whichever process wrote it.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class Deflated(NamedTuple):
    """A part's bytes compressed as a zip member holds them (raw deflate), with CRC and size."""

    data: bytes
    crc: int
    size: int


def deflate(data: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> Deflated:
    """Compress ``data`` exactly as ``zipfile`` does for a ZIP_DEFLATED member."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Deflated(comp.compress(data) + comp.flush(), zlib.crc32(data), len(data))


def compressed_parts(
    encoded: Mapping[str, bytes], before: dict[str, tuple[bytes, Deflated]]
) -> dict[str, Deflated]:
    """Each rendered part compressed for the package. A part that renders as it did for the
    notice before (kept in ``before``: the footers, usually) is not compressed again: starting
    a compressor alone costs about as much as compressing it."""
    parts = {}
    for name, raw in encoded.items():
        seen = before.get(name)
        if seen is None or seen[0] != raw:
            seen = before[name] = (raw, deflate(raw, NOTICE_LEVEL))
        parts[name] = seen[1]
    return parts


@dataclass(frozen=True)
class ZipEntry:
    """One package member as ``zipfile`` writes it: local record and central-directory record."""

    local: bytes  # local header, then the compressed data (the template's own, for constants)
    central: bytes  # its offset field is set when a package is assembled
    header_len: int


def zip_entry(name: str, data: bytes) -> ZipEntry:
    """Let ``zipfile`` write the member once, so every package has zipfile's exact bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    raw = buf.getvalue()
    (directory_at,) = struct.unpack_from("<L", raw, len(raw) - 6)  # end record, no comment
    (flags,) = struct.unpack_from("<H", raw, 6)
    name_len, extra_len = struct.unpack_from("<HH", raw, 26)
    if flags & 0x08 or extra_len:  # sizes after the data or in a ZIP64 field: not patchable
        raise TemplateError(f"通知书模板的 {name} 过大（超过 4 GB），无法使用")
    return ZipEntry(raw[:directory_at], raw[directory_at:-22], 30 + name_len + extra_len)


def assemble(entries: Sequence[tuple[str, ZipEntry]], parts: Mapping[str, Deflated]) -> bytes:
    """A .docx: constant members copied compressed, ``parts`` replacing their members."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, entry in entries:
        local, record = entry.local, entry.central
        part = parts.get(name)
        if part is not None:
            if max(len(part.data), part.size) >= ZIP32_LIMIT:
                raise OutputError(f"{name} 超过 4 GB，无法写入 Word 文档，请分批处理")
            sizes = struct.pack("<LLL", part.crc, len(part.data), part.size)
            local = local[:14] + sizes + local[26 : entry.header_len] + part.data
            record = record[:16] + sizes + record[28:]
        central.append(record[:42] + struct.pack("<L", offset) + record[46:])
        out.append(local)
        offset += len(local)
    if offset >= ZIP32_LIMIT:
        raise OutputError("Word 文档超过 4 GB，无法写入，请分批处理")
    directory = b"".join(central)
    count = len(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    out += (directory, end)
    return b"".join(out)


def zip_package(
    members: Sequence[tuple[str, bytes]],
    encoded: Mapping[str, bytes | Iterable[bytes]],
    level: int = NOTICE_LEVEL,
) -> bytes:
    """The package written by ``zipfile`` alone: ``encoded`` parts in place of the template's
    members (bytes compressed at ``level``; a part given in pieces is streamed in at zlib's
    default level), every other member as the template has it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            part = encoded.get(name, data)
            if isinstance(part, bytes):
                zf.writestr(info, part, zipfile.ZIP_DEFLATED, level if name in encoded else None)
                continue
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as dest:
                for piece in part:
                    dest.write(piece)
    return buf.getvalue()


def assembles_like_zipfile(
    members: Sequence[tuple[str, bytes]], entries: Sequence[tuple[str, ZipEntry]]
) -> bool:
    """Whether :func:`assemble` gives exactly :func:`zip_package`'s bytes for this template
    (its tagged members rendered as a notice would change them: here, emptied)."""
    encoded = {name: b"" for name, _ in members if name.startswith(TEMPLATED)}
    parts = {name: deflate(raw, NOTICE_LEVEL) for name, raw in encoded.items()}
    try:
        return assemble(entries, parts) == zip_package(members, encoded)
    except (OutputError, struct.error):
        return False
