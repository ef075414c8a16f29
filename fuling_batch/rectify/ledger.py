"""整改台账 operations: status, receive a report, close (销号), reopen.

Each change is checked in full first and then made in one transaction, so a bad input records
nothing (docs/规则说明.md, 整改). Attachments are copied under ``output/Y/整改材料/<企业>/``
with their SHA-256; the inspectors' files are only read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..history import History
from ..history import rectifications as store
from ..rules.identity import identity_key
from ..rules.rectification import Rectification, RectifyState
from ..runtime.fileio import safe_filename, write_atomic

__all__ = [
    "MATERIALS_DIR",
    "StatusRow",
    "close",
    "find",
    "receive",
    "reopen",
    "status",
]

MATERIALS_DIR = "整改材料"


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One line of ``rectify status``: the contract of ``--json``."""

    entry: Rectification
    state: RectifyState
    overdue_days: int

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "credit_code": e.credit_code,
            "enterprise": e.enterprise,
            "notice_number": e.doc_number,
            "kind": e.kind,
            "due": e.due.isoformat(),
            "state": str(self.state),
            "received": e.received.isoformat() if e.received else None,
            "closed": e.closed.isoformat() if e.closed else None,
            "overdue_days": self.overdue_days,
        }


def status(history: History, year: int, today: dt.date) -> list[StatusRow]:
    """Every entry of the year with its state today: overdue first, then by deadline."""
    rows = [
        StatusRow(e, e.state(today), e.overdue_days(today)) for e in store.entries(history, year)
    ]
    rows.sort(key=lambda r: (r.state.order, -r.overdue_days, r.entry.due, r.entry.doc_number))
    return rows


def find(history: History, year: int, code: str) -> Rectification:
    """The year's entry for an enterprise, by its credit code (or, lacking one, its name)."""
    key = identity_key(code.strip(), code.strip())
    entries = store.entries(history, year)
    for entry in entries:
        if entry.key == key or (entry.credit_code and entry.credit_code == key):
            return entry
    if not entries:
        raise UsageError(
            f"{year}年度还没有已印发的通知书，没有整改记录（请先运行 fuling-batch issue）"
        )
    raise UsageError(
        f"{year}年度的整改记录中没有统一社会信用代码为“{code}”的企业；"
        "请核对代码（可用 fuling-batch rectify status 查看全部）"
    )


def _stamp(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def receive(
    history: History,
    year_dir: Path,
    year: int,
    code: str,
    *,
    day: dt.date,
    files: Sequence[Path] = (),
    now: dt.datetime | None = None,
) -> Rectification:
    """Record that the enterprise's 整改 report came in on ``day``, with its files."""
    entry = find(history, year, code)
    if day < entry.issued:
        raise UsageError(
            f"报送日期 {day.isoformat()} 早于通知书 {entry.doc_number} 的印发日期 "
            f"{entry.issued.isoformat()}，请核对日期"
        )
    if entry.closed is not None:
        raise UsageError(
            f"{entry.enterprise}的整改已于 {entry.closed.isoformat()} 销号；如需更改，请先 reopen"
        )
    sources = [Path(f) for f in files]
    for source in sources:
        if not source.is_file():
            raise UsageError(f"找不到附件 {source}（请确认文件路径；未记录任何内容）")
    folder = year_dir / MATERIALS_DIR / safe_filename(entry.enterprise)
    copied: list[tuple[Path, str, str, bool]] = []  # (target, original, sha256, written now)
    stamp = _stamp(now)
    try:
        for source in sources:
            data = source.read_bytes()
            target, fresh = _place(folder, source.name, data)
            copied.append((target, source.name, _sha256(data), fresh))
        with history.transaction() as conn:
            store.update(conn, entry, "报送", stamp, received=day)
            for target, original, sha256, _ in copied:
                rel = target.relative_to(year_dir).as_posix()
                store.add_file(conn, entry, rel, original, sha256, stamp)
    except BaseException:
        for target, _, _, fresh in copied:
            if fresh:  # only what this call wrote: the operator's files are never deleted
                target.unlink(missing_ok=True)
        raise
    return find(history, year, code)


def _place(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Where an attachment goes (a same-named different file gets （2）…); whether it is new."""
    stem, suffix = Path(name).stem, Path(name).suffix
    target = folder / f"{safe_filename(stem)}{suffix}"
    n = 1
    while target.exists():
        if target.read_bytes() == data:
            return target, False
        n += 1
        target = folder / f"{safe_filename(stem)}（{n}）{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(target, lambda tmp: tmp.write_bytes(data))
    return target, True


def close(
    history: History,
    year: int,
    code: str,
    *,
    by: str,
    day: dt.date,
    note: str = "",
    now: dt.datetime | None = None,
) -> Rectification:
    """销号: the report was reviewed and the rectification closed by ``by`` on ``day``."""
    entry = find(history, year, code)
    if entry.received is None:
        raise UsageError(
            f"{entry.enterprise}尚未报送整改情况，不能销号；请先用 rectify receive 记录报送"
        )
    if entry.closed is not None:
        raise UsageError(f"{entry.enterprise}的整改已于 {entry.closed.isoformat()} 销号")
    if day < entry.received:
        raise UsageError(
            f"销号日期 {day.isoformat()} 早于报送日期 {entry.received.isoformat()}，请核对日期"
        )
    if not by.strip():
        raise UsageError("请用 --by 写明审核人（销号人）")
    with history.transaction() as conn:
        store.update(conn, entry, "销号", _stamp(now), closed=day, reviewer=by.strip(), note=note)
    return find(history, year, code)


def reopen(
    history: History, year: int, code: str, *, note: str = "", now: dt.datetime | None = None
) -> Rectification:
    """Undo a 销号 (the review is kept in the log)."""
    entry = find(history, year, code)
    if entry.closed is None:
        raise UsageError(f"{entry.enterprise}的整改尚未销号，无需撤销")
    with history.transaction() as conn:
        store.update(
            conn, entry, "撤销销号", _stamp(now), closed=None, reviewer="", note=note or entry.note
        )
    return find(history, year, code)
