"""An OOXML package (a zip of XML parts) read from bytes and written again with a few parts
replaced or added, every other part copied as it was stored: its compressed bytes are not
even inflated. That keeps what the program does not understand (data validation, protection,
images, macros, print setup, extensions) exactly as the inspector's Excel or WPS saved it.

Only public ``zipfile`` data is used (each member's :class:`zipfile.ZipInfo`); the zip is
written here, by the format's published layout (APPNOTE 4.3), without ZIP64: the inputs are
bounded far below 4 GiB before this is reached.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib

from lxml import etree

__all__ = ["CT_NS", "PKG_REL_NS", "Package", "parse_xml", "rels_name", "resolve", "xml_bytes"]

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8_FLAG = 0x800
_DESCRIPTOR_FLAG = 0x08
# No DTD is ever loaded (intake refused any DOCTYPE), no entity expanded, nothing fetched.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_xml(data: bytes) -> etree._Element:
    """The root element of an XML part."""
    return etree.fromstring(data, _PARSER)


def xml_bytes(root: etree._Element) -> bytes:
    """An XML part as Office writes it: UTF-8 with a standalone declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def rels_name(part: str) -> str:
    """The relationships part of ``part`` (``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(source: str, target: str) -> str:
    """The part a relationship of ``source`` points at (a zip member name, no leading slash)."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    y, mo, d, h, mi, s = info.date_time
    return (h << 11) | (mi << 5) | (s // 2), (max(y, 1980) - 1980) << 9 | (mo << 5) | d


def _name_bytes(name: str, flags: int) -> tuple[bytes, int]:
    if flags & _UTF8_FLAG:
        return name.encode("utf-8"), flags
    try:
        return name.encode("cp437"), flags
    except UnicodeEncodeError:
        return name.encode("utf-8"), flags | _UTF8_FLAG


class Package:
    """The parts of one package; :meth:`save` writes it with the parts set by :meth:`put`."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._zip = zipfile.ZipFile(io.BytesIO(data))
        self._infos = self._zip.infolist()
        self._by_name = {info.filename: info for info in self._infos}
        self._new: dict[str, bytes] = {}
        self._trees: dict[str, etree._Element] = {}
        self._dirty: set[str] = set()
        # Parts added, in the order they were first made: the zip lists them so (the same
        # bytes in every process, whatever its hash seed).
        self._added: dict[str, None] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._new or name in self._by_name or name in self._trees

    @property
    def names(self) -> list[str]:
        return [*self._by_name, *self._added]

    def read(self, name: str) -> bytes:
        """A part's bytes (as set by :meth:`put`, else as stored)."""
        if name in self._dirty:
            return xml_bytes(self._trees[name])
        if name in self._new:
            return self._new[name]
        return self._zip.read(self._by_name[name])

    def xml(self, name: str, default: bytes | None = None) -> etree._Element:
        """A part's XML, parsed once (``default`` when there is no such part yet); changes
        to it are saved when the part is :meth:`touch`-ed."""
        if name not in self._trees:
            source = self.read(name) if name in self else default
            if source is None:
                raise KeyError(name)
            self._trees[name] = parse_xml(source)
            if name not in self._by_name:
                self._added.setdefault(name)
        return self._trees[name]

    def touch(self, name: str) -> None:
        """Save the changes made to the XML of ``name`` (as given by :meth:`xml`)."""
        self._dirty.add(name)
        self._new.pop(name, None)

    def put(self, name: str, data: bytes) -> None:
        """Replace a part, or add one (added parts follow the stored ones)."""
        self._new[name] = data
        if name not in self._by_name:
            self._added.setdefault(name)
        self._dirty.discard(name)
        self._trees.pop(name, None)

    def unused(self, pattern: str) -> str:
        """The first ``pattern.format(n)`` (n = 1, 2, …) that names no part, in any case."""
        taken = {name.casefold() for name in self.names}
        n = 1
        while pattern.format(n).casefold() in taken:
            n += 1
        return pattern.format(n)

    def save(self) -> bytes:
        """The package as zip bytes: each stored part copied compressed as it was, in its
        place; replaced parts in their place and added parts at the end, deflated."""
        for name in self._dirty:
            self._new[name] = xml_bytes(self._trees[name])
        self._dirty.clear()
        out = io.BytesIO()
        central: list[bytes] = []
        when = self._infos[0] if self._infos else zipfile.ZipInfo()
        for info in self._infos:
            if info.filename in self._new:
                self._write_new(out, central, info.filename, self._new[info.filename], info)
            else:
                self._copy(out, central, info)
        for name in self._added:
            if name in self._new:  # (a part's XML asked for but never changed is not made)
                self._write_new(out, central, name, self._new[name], when)
        start = out.tell()
        for entry in central:
            out.write(entry)
        size = out.tell() - start
        out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
        return out.getvalue()

    def _copy(self, out: io.BytesIO, central: list[bytes], info: zipfile.ZipInfo) -> None:
        head = _LOCAL.unpack_from(self._data, info.header_offset)
        begin = info.header_offset + _LOCAL.size + head[9] + head[10]
        raw = self._data[begin : begin + info.compress_size]
        flags = info.flag_bits & ~_DESCRIPTOR_FLAG
        self._entry(out, central, info, info.filename, flags, info.compress_type, raw)

    def _write_new(
        self,
        out: io.BytesIO,
        central: list[bytes],
        name: str,
        data: bytes,
        like: zipfile.ZipInfo,
    ) -> None:
        # Level 1: a third of level 6's time on these parts, for files about 15% larger.
        packer = zlib.compressobj(1, zlib.DEFLATED, -15)
        raw = packer.compress(data) + packer.flush()
        info = zipfile.ZipInfo(name, like.date_time)
        info.CRC, info.file_size, info.compress_size = zlib.crc32(data), len(data), len(raw)
        info.external_attr, info.create_system = like.external_attr, like.create_system
        self._entry(out, central, info, name, 0, zipfile.ZIP_DEFLATED, raw)

    @staticmethod
    def _entry(
        out: io.BytesIO,
        central: list[bytes],
        info: zipfile.ZipInfo,
        name: str,
        flags: int,
        method: int,
        raw: bytes,
    ) -> None:
        encoded, flags = _name_bytes(name, flags)
        time, date = _dos_time(info)
        version = max(info.extract_version, 20)
        offset = out.tell()
        sizes = (info.CRC, len(raw), info.file_size)
        out.write(
            _LOCAL.pack(b"PK\x03\x04", version, flags, method, time, date, *sizes, len(encoded), 0)
        )
        out.write(encoded)
        out.write(raw)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                version,
                info.create_system,  # how external_attr is to be read
                version,
                0,
                flags,
                method,
                time,
                date,
                *sizes,
                len(encoded),
                0,
                0,
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + encoded
        )
