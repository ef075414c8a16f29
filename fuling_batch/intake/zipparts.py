"""A zip member as stored, and its content checked against what the directory declares; and
the refusal of XML parts that declare a DOCTYPE (entities: XXE, billion laughs).

Office, WPS and LibreOffice never write a DOCTYPE in a package's XML. One that does is
refused before any parser sees it, whatever that parser would do with its entities.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["XML_SUFFIXES", "Stored", "declares_doctype", "inflate", "stored"]

# Members that are XML: every part of an OOXML or ODF package except media and .bin parts.
XML_SUFFIXES = (".xml", ".rels", ".vml")
_PROLOG_CHUNK = 4096
# The root element's start tag: where a DOCTYPE can no longer appear.
_ROOT_START = re.compile(rb"<[A-Za-z_]")


class Stored(NamedTuple):
    """A member as stored in the zip: how, its (compressed) bytes, and the declared content."""

    name: str
    method: int
    raw: bytes
    size: int
    crc: int


def stored(data: bytes, info: zipfile.ZipInfo) -> Stored:
    """A member's bytes as stored, sliced from the file without decompressing them."""
    at = info.header_offset
    if data[at : at + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename} 的本地文件头损坏")
    if info.flag_bits & 0x1:
        raise zipfile.BadZipFile(f"{info.filename} 已加密")
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} 数据不完整")
    return Stored(info.filename, info.compress_type, raw, info.file_size, info.CRC)


def inflate(stored: Stored) -> bytes:
    """A member's content, which must be exactly its declared size and CRC.

    Stored or deflated only (what Excel, WPS and LibreOffice write; other methods could expand
    without bound). The deflate stream must end there: a stream cut short could still hold
    output that the check would not see but calamine would parse.
    """
    if stored.method == zipfile.ZIP_STORED:
        content = stored.raw
    elif stored.method == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        content = inflater.decompress(stored.raw, stored.size + 1)
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
            raise zipfile.BadZipFile(f"{stored.name} 的压缩数据与声明的大小不符")
    else:
        raise zipfile.BadZipFile(f"{stored.name} 使用了不支持的压缩方式（{stored.method}）")
    if len(content) != stored.size or zlib.crc32(content) != stored.crc:
        raise zipfile.BadZipFile(f"{stored.name} 校验失败")
    return content


def declares_doctype(member: Stored) -> bool:
    """Whether an XML member's prolog (before its root element) holds ``<!DOCTYPE``.

    Only the prolog is inflated, a few KB at a time (an attacker may pad it with comments).
    Zero bytes are dropped before looking, so that a UTF-16 part is seen as well.
    """
    chunks: Iterator[bytes]
    if member.method == zipfile.ZIP_STORED:
        chunks = (
            member.raw[i : i + _PROLOG_CHUNK] for i in range(0, len(member.raw), _PROLOG_CHUNK)
        )
    elif member.method == zipfile.ZIP_DEFLATED:
        chunks = _inflated_chunks(member)
    else:
        raise zipfile.BadZipFile(f"{member.name} 使用了不支持的压缩方式（{member.method}）")
    prolog = b""
    for chunk in chunks:
        prolog += chunk.replace(b"\x00", b"")
        text = _strip_comments(prolog)
        if b"<!doctype" in text.lower() or b"<!entity" in text.lower():
            return True
        if _ROOT_START.search(text):
            return False
    return False


def _strip_comments(prolog: bytes) -> bytes:
    """The prolog without complete comments (a root-like ``<a`` inside one is not the root)."""
    return re.sub(rb"<!--.*?-->", b"", prolog, flags=re.DOTALL)


def _inflated_chunks(member: Stored) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-15)
    data = member.raw
    produced = 0
    while produced <= member.size:
        try:
            chunk = inflater.decompress(data, _PROLOG_CHUNK)
        except zlib.error as exc:
            raise zipfile.BadZipFile(f"{member.name} 的压缩数据已损坏") from exc
        if not chunk:
            return
        produced += len(chunk)
        yield chunk
        data = inflater.unconsumed_tail
