"""The history database: import earlier years' results, show what is stored."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ..console import (
    out,
    print_findings,
)
from ..errors import UsageError
from ..rules.standard import fmt_number
from .app import (
    YEAR,
    F,
    handle_errors,
    history_file,
    history_option,
    main,
    out_option,
    output_folder,
)


@main.group()
def history() -> None:
    """历年考核数据库：导入往年结果、查看已存记录。"""


def history_location(func: F) -> F:
    """``--history FILE`` / ``--out DIR`` → the command gets one ``database: Path``."""

    @history_option
    @out_option
    @functools.wraps(func)
    def wrapper(*args: Any, history_path: Path | None, out_dir: Path, **kwargs: Any) -> Any:
        from ..history.store import default_history_path

        database = history_path or default_history_path(output_folder(out_dir))
        return func(*args, database=history_file(database), **kwargs)

    return wrapper  # type: ignore[return-value]


@history.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--year", type=YEAR, required=True, help="该文件所属的考核年度。")
@handle_errors
@history_location
def history_import(file: Path, year: int, database: Path) -> None:
    """从表格导入往年考核结果（需含 统一社会信用代码或企业名称、总分、等次 列）。"""
    from ..history.importer import import_results
    from ..history.store import History

    if not file.is_file():
        raise UsageError(f"找不到要导入的文件：{file}")
    with History(database) as store:
        outcome = import_results(store, file, year)
    print_findings(outcome.issues)
    out.print(
        f"已导入 {outcome.year} 年度考核结果 {outcome.imported} 条，问题 {len(outcome.issues)} 条。"
    )
    sys.exit(1 if any(i.is_error for i in outcome.issues) else 0)


@history.command("show")
@click.option("--year", type=YEAR, default=None, help="只看某一年度。")
@click.option("--code", default=None, help="只看某一统一社会信用代码。")
@handle_errors
@history_location
def history_show(year: int | None, code: str | None, database: Path) -> None:
    """列出数据库中已存的考核结果。"""
    from ..history.store import History

    if not database.is_file():
        raise UsageError(f"找不到历年考核数据库：{database}（请先运行 run 或 history import）")
    with History(database) as store:
        records = store.records(year=year, code=code)
    if not records:
        out.print("没有符合条件的记录。")
        return
    table = Table(title="历年考核记录")
    for name in ("年度", "统一社会信用代码", "企业名称", "总分", "等次"):
        table.add_column(name, overflow="fold")
    for rec in records:
        table.add_row(
            str(rec.year),
            rec.credit_code or "—",
            rec.enterprise,
            fmt_number(rec.total),
            str(rec.grade),
        )
    out.print(table)
