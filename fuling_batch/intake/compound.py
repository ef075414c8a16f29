"""Bounding legacy .xls files (and encrypted OOXML) before they are parsed: the OLE compound
file's own directory, then a walk of the BIFF records for cell positions and error cells.
The limits are ``safety``'s: one place for them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from .safety import Refusal, Scan, column_letter, corrupt, too_big

__all__ = ["cfb_streams", "scan_biff", "scan_cfb"]

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


def _chain(fat: list[int], start: int) -> Iterator[int]:
    seen = 0
    sector = start
    while sector < 0xFFFFFFFA and sector < len(fat):
        yield sector
        seen += 1
        if seen > len(fat):
            raise ValueError("扇区链存在循环")
        sector = fat[sector]


def cfb_streams(data: bytes) -> dict[str, bytes | None]:
    """Stream names of a compound file; the content of ``Workbook``/``Book`` (else None).

    Only what intake needs: the directory, and the workbook stream when it lives in the
    regular FAT (any real .xls workbook is far above the 4 KB mini-stream cutoff).
    """
    if len(data) < 512:
        raise ValueError("复合文档头不完整")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("复合文档扇区大小无效")
    size = 1 << shift
    n_sectors = (len(data) - size) // size + 1

    def sector(n: int) -> bytes:
        return data[(n + 1) * size : (n + 2) * size]

    difat = [x for x in struct.unpack_from("<109I", data, 0x4C) if x != _FREE]
    next_difat, per = struct.unpack_from("<I", data, 0x44)[0], size // 4
    guard = 0
    while next_difat < 0xFFFFFFFA and guard <= n_sectors:
        entries = struct.unpack(f"<{per}I", sector(next_difat))
        difat.extend(x for x in entries[:-1] if x != _FREE)
        next_difat, guard = entries[-1], guard + 1
    fat: list[int] = []
    for fat_sector in difat[: n_sectors + 1]:
        chunk = sector(fat_sector)
        fat.extend(struct.unpack(f"<{len(chunk) // 4}I", chunk[: len(chunk) // 4 * 4]))
    directory = b"".join(sector(s) for s in _chain(fat, struct.unpack_from("<I", data, 0x30)[0]))
    cutoff = struct.unpack_from("<I", data, 0x38)[0]
    streams: dict[str, bytes | None] = {}
    root: tuple[int, int] | None = None  # the mini stream's first sector and length
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        name_len = min(struct.unpack_from("<H", entry, 64)[0], 64)
        kind = entry[66]
        start = struct.unpack_from("<I", entry, 116)[0]
        length = struct.unpack_from("<I", entry, 120)[0]
        if kind == 5 and root is None:
            root = (start, length)
        if kind != 2 or name_len < 2:
            continue
        name = entry[: name_len - 2].decode("utf-16-le", "replace")
        content = None
        if name in ("Workbook", "Book"):
            if length >= cutoff:
                content = b"".join(sector(s) for s in _chain(fat, start))[:length]
            else:
                # A small stream lives in the mini stream: still a workbook calamine reads,
                # and a few hundred bytes of it can ask for millions of cells.
                content = _mini_stream(data, fat, sector, root, start)[:length]
        streams[name] = content
    return streams


def _mini_stream(
    data: bytes,
    fat: list[int],
    sector: Callable[[int], bytes],
    root: tuple[int, int] | None,
    start: int,
) -> bytes:
    """A stream held in the mini stream (64-byte sectors chained by the mini FAT)."""
    if root is None:
        raise ValueError("复合文档缺少根目录项")
    container = b"".join(sector(s) for s in _chain(fat, root[0]))[: root[1]]
    mini_fat_start = struct.unpack_from("<I", data, 0x3C)[0]
    raw = b"".join(sector(s) for s in _chain(fat, mini_fat_start))
    mini_fat = list(struct.unpack(f"<{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))
    return b"".join(container[n * 64 : (n + 1) * 64] for n in _chain(mini_fat, start))


_BIFF_CELLS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00BD, 0x00BE}
_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
}


def scan_biff(stream: bytes) -> Scan:
    """Bound the used area of each sheet of a BIFF8 workbook stream; find error cells.

    A FILEPASS record means the workbook is password-protected (RC4/XOR encryption).
    """
    sheets_at: dict[int, str] = {}
    current = ""
    rows = cols = cells = 0
    scan = Scan()
    formulas: dict[str, set[str]] = {}
    pos = 0
    while pos + 4 <= len(stream):
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if rtype == 0x002F:
            return Scan(
                Refusal("FILE_ENCRYPTED", "文件已加密（设置了打开密码），请取消密码后重新保存提交")
            )
        if rtype == 0x0085 and len(body) >= 8:  # BOUNDSHEET: stream offset of the sheet's BOF
            cch, high = body[6], body[7] & 1
            raw = body[8 : 8 + cch * (2 if high else 1)]
            sheets_at[struct.unpack_from("<I", body, 0)[0]] = raw.decode(
                "utf-16-le" if high else "latin-1", "replace"
            )
        elif rtype == 0x0809:  # BOF: a new substream starts
            current = sheets_at.get(pos, current)
        elif rtype in _BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body, 0)
            if rtype in (0x00BD, 0x00BE) and len(body) >= 6:
                col = max(col, struct.unpack_from("<H", body, len(body) - 2)[0])
            if rtype in (0x0201, 0x00BE):  # blanks carry formatting only: not read
                pos += 4 + length
                continue
            cells += 1
            rows, cols = max(rows, row + 1), max(cols, col + 1)
            if rtype == 0x0006:
                formulas.setdefault(current, set()).add(f"{column_letter(col)}{row + 1}")
            if rtype == 0x0205 and len(body) >= 8 and body[7] == 1:
                address = f"{column_letter(col)}{row + 1}"
                scan.error_cells.setdefault(current, {})[address] = _BIFF_ERRORS.get(
                    body[6], "#错误"
                )
            elif (
                rtype == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff"
            ):
                address = f"{column_letter(col)}{row + 1}"
                scan.error_cells.setdefault(current, {})[address] = _BIFF_ERRORS.get(
                    body[8], "#错误"
                )
        pos += 4 + length
    refusal = too_big(rows, cols, cells, current or "?")
    scan.formula_cells = {sheet: frozenset(found) for sheet, found in formulas.items()}
    return Scan(refusal) if refusal else scan


def scan_cfb(data: bytes) -> Scan:
    """Encrypted OOXML, password-protected .xls, or a compound file that is not a workbook."""
    try:
        streams = cfb_streams(data)
    except (ValueError, struct.error, IndexError) as exc:
        return Scan(corrupt(exc))
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return Scan(
            Refusal("FILE_ENCRYPTED", "文件已加密（设置了打开密码），请取消密码后重新保存提交")
        )
    workbook = streams.get("Workbook", streams.get("Book"))
    if "Workbook" not in streams and "Book" not in streams:
        return Scan(
            Refusal(
                "NOT_SPREADSHEET",
                "文件不是 Excel 工作簿（可能是 Word 等其他文件），请用 Excel/WPS 另存为 .xlsx 后重新提交",
            )
        )
    return scan_biff(workbook) if workbook else Scan()
