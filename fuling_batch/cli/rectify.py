"""整改: the rectification ledger from the command line (``fuling-batch rectify …``)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ..console import err, out, print_findings
from ..rules.rectification import RectifyState
from .app import (
    YEAR,
    F,
    _config,
    config_option,
    date_type,
    handle_errors,
    history_option,
    main,
    out_option,
)

_STATE_STYLE = {
    RectifyState.OVERDUE: "bold red",
    RectifyState.PENDING: "yellow",
    RectifyState.RECEIVED: "cyan",
    RectifyState.CLOSED: "green",
}


@main.group()
def rectify() -> None:
    """整改台账：查看状态、登记报送、销号、导入导出台账、生成催办通知。"""


def ledger_options(func: F) -> F:
    """``--year``, ``--out`` and ``--history``: the command gets ``year``, ``year_dir`` and
    ``database``."""

    @click.option("--year", type=YEAR, required=True, help="考核年度，如 2026。")
    @out_option
    @history_option
    @functools.wraps(func)
    def wrapper(*args: Any, history_path: Path | None, **kwargs: Any) -> Any:
        from ..history.store import default_history_path

        out_dir = kwargs["out_dir"]
        return func(*args, database=history_path or default_history_path(out_dir), **kwargs)

    return wrapper  # type: ignore[return-value]


def _with_history(database: Path, work: Callable[[Any], Any]) -> Any:
    from ..history import History

    with History(database) as history:
        return work(history)


def _day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


@rectify.command("status")
@ledger_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供其他程序读取）。")
@click.option("--today", type=date_type, default=None, help="按该日期计算是否逾期，默认今天。")
@handle_errors
def status_command(
    year: int, out_dir: Path, database: Path, as_json: bool, today: dt.datetime | None
) -> None:
    """列出本年度每份通知书的整改状态，逾期的排在最前。"""
    from ..rectify import status

    rows = _with_history(database, lambda h: status(h, year, _day(today)))
    if as_json:
        sys.stdout.write(
            json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1) + "\n"
        )
        return
    if not rows:
        out.print(f"{year}年度没有整改记录（通知书签发后才会建立）。")
        return
    table = Table(title=f"{year}年度整改情况（{_day(today).isoformat()}）")
    for name in ("文号", "企业", "类别", "期限", "状态", "逾期天数"):
        table.add_column(name, overflow="fold")
    for r in rows:
        e = r.entry
        table.add_row(
            e.doc_number,
            e.enterprise,
            e.kind,
            e.due.isoformat(),
            Text(str(r.state), style=_STATE_STYLE[r.state]),
            str(r.overdue_days or ""),
        )
    out.print(table)


@rectify.command("receive")
@ledger_options
@click.option("--code", required=True, help="企业的统一社会信用代码（无代码的企业填企业名称）。")
@click.option("--date", "day", type=date_type, default=None, help="收到整改报告的日期，默认今天。")
@click.option(
    "--file",
    "files",
    type=click.Path(path_type=Path),
    multiple=True,
    help="整改报告等附件（可多次使用），复制到“整改材料”文件夹。",
)
@handle_errors
def receive_command(
    year: int,
    out_dir: Path,
    database: Path,
    code: str,
    day: dt.datetime | None,
    files: tuple[Path, ...],
) -> None:
    """登记企业已报送整改情况（可附整改报告）。"""
    from ..rectify import receive

    entry = _with_history(
        database,
        lambda h: receive(h, out_dir / str(year), year, code, day=_day(day), files=files),
    )
    out.print(f"已登记：{entry.enterprise}于 {entry.received} 报送整改情况；附件 {len(files)} 份")


@rectify.command("close")
@ledger_options
@click.option("--code", required=True, help="企业的统一社会信用代码（无代码的企业填企业名称）。")
@click.option("--by", "by", required=True, help="审核人（销号人）。")
@click.option("--note", default="", help="审核意见或备注。")
@click.option("--date", "day", type=date_type, default=None, help="销号日期，默认今天。")
@handle_errors
def close_command(
    year: int, out_dir: Path, database: Path, code: str, by: str, note: str, day: dt.datetime | None
) -> None:
    """销号：整改情况已审核通过。"""
    from ..rectify import close

    entry = _with_history(database, lambda h: close(h, year, code, by=by, day=_day(day), note=note))
    out.print(f"已销号：{entry.enterprise}（{entry.doc_number}），审核人 {entry.reviewer}")


@rectify.command("reopen")
@ledger_options
@click.option("--code", required=True, help="企业的统一社会信用代码（无代码的企业填企业名称）。")
@click.option("--note", default="", help="撤销销号的原因。")
@handle_errors
def reopen_command(year: int, out_dir: Path, database: Path, code: str, note: str) -> None:
    """撤销销号（误销号时使用）。"""
    from ..rectify import reopen

    entry = _with_history(database, lambda h: reopen(h, year, code, note=note))
    out.print(f"已撤销销号：{entry.enterprise}（{entry.doc_number}）")


@rectify.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@ledger_options
@handle_errors
def import_command(file: Path, year: int, out_dir: Path, database: Path) -> None:
    """导入办公室自己的整改台账（统一社会信用代码或企业名称、报送日期、销号日期、审核人、备注）。"""
    from ..rectify import LedgerRejected, import_ledger

    try:
        done = _with_history(database, lambda h: import_ledger(h, file, year))
    except LedgerRejected as exc:
        print_findings(exc.issues)
        raise
    print_findings(done.warnings)
    out.print(f"已导入：{len(done.changed)} 家企业的整改记录有更新")


@rectify.command("export")
@ledger_options
@click.option("--today", type=date_type, default=None, help="按该日期计算是否逾期，默认今天。")
@config_option
@handle_errors
def export_command(
    year: int, out_dir: Path, database: Path, today: dt.datetime | None, config_path: Path | None
) -> None:
    """生成整改台账（Excel，逾期的排在最前，可直接打印）。"""
    from ..history.rectifications import files_of
    from ..rectify import ledger_filename, status, write_ledger

    day = _day(today)

    def work(history: Any) -> Path:
        rows = status(history, year, day)
        files = {r.entry.id: len(files_of(history, r.entry.id)) for r in rows}
        target = out_dir / str(year) / ledger_filename(year)
        return write_ledger(target, year, rows, files, day, _config(config_path).notices)

    out.print(f"已生成整改台账：{_with_history(database, work)}")


@rectify.command("remind")
@ledger_options
@click.option("--today", type=date_type, default=None, help="催办日期（成文日期），默认今天。")
@config_option
@handle_errors
def remind_command(
    year: int, out_dir: Path, database: Path, today: dt.datetime | None, config_path: Path | None
) -> None:
    """为逾期未报送整改情况的企业生成整改催办通知，并列出清单。"""
    from ..rectify import send_reminders

    day = _day(today)
    reminders, listing = _with_history(
        database,
        lambda h: send_reminders(h, out_dir / str(year), year, day, _config(config_path)),
    )
    if not reminders:
        out.print(f"截至 {day.isoformat()}，{year}年度没有逾期未报送整改情况的企业。")
        return
    for r in reminders:
        out.print(
            f"{r.number}　{r.row.entry.enterprise}　逾期 {r.row.overdue_days} 天：{r.path.name}"
        )
    err.print(f"共生成催办通知 {len(reminders)} 份；清单：{listing}")
