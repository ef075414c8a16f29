"""Command line: parses options, calls the library, turns errors into messages and exit codes.

Exit status (SPEC): 0 every sheet accepted; 1 some sheet rejected (the others are still
processed); 2 usage error (missing folder, bad option, unreadable configuration).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.table import Table

from . import __version__
from .config import Config, load_config
from .console import (
    RUN_TABLE_ROWS,
    err,
    out,
    print_file_counts,
    print_findings,
    print_issues,
    print_results,
    progress_bar,
)
from .errors import FulingError, UsageError
from .rules.models import FileStatus
from .rules.standard import fmt_number, load_standard

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn the program's own errors into a Chinese message and the SPEC's exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FulingError as exc:
            err.print(f"[red]错误：[/red]{exc}")
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _config(path: Path | None) -> Config:
    return load_config(path)


def _input_dir(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(
            f"找不到评分表文件夹：{path}（请确认路径，或先用 fuling-batch template 生成评分表）"
        )
    return path


# Options shared by `check` and `run`, declared once.
input_argument = click.argument("input_dir", type=click.Path(path_type=Path), default=Path("input"))
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="配置文件（TOML），默认读取当前目录下的 fuling_batch.toml。",
)
jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数，默认自动。"
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fuling-batch")
def main() -> None:
    """涪陵区国有企业党组织规范化建设考核：评分表批量校验、评级、汇总与通知书生成。"""


@main.command()
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=None,
    help="输出路径：单个模板的文件路径，或配合 --roster 使用的输出文件夹。",
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="企业名册（xlsx/xls），为每家企业生成预填的评分表。",
)
@click.option("--year", type=int, default=None, help="预填的考核年度。")
@handle_errors
def template(out_path: Path | None, roster: Path | None, year: int | None) -> None:
    """生成评分表模板，或按企业名册批量生成预填评分表。"""
    from .forms.roster import write_prefilled
    from .forms.template import write_template

    standard = load_standard()
    if roster is None:
        target = out_path or Path("templates") / "score_template.xlsx"
        header = {"考核年度": year} if year else None
        write_template(target, standard, header=header)
        out.print(f"已生成评分表模板：{target}")
        return
    if not roster.is_file():
        raise UsageError(f"找不到企业名册：{roster}")
    outcome = write_prefilled(roster, out_path or Path("output") / "预填评分表", year, standard)
    print_findings(outcome.issues)
    out.print(f"已生成预填评分表 {len(outcome.written)} 份，名册问题 {len(outcome.issues)} 条。")
    sys.exit(1 if any(i.is_error for i in outcome.issues) else 0)


@main.command("notice-template")
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=None,
    help="输出路径，默认 templates/notice.docx.j2。",
)
@handle_errors
def notice_template(out_path: Path | None) -> None:
    """重新生成通知书模板（GB/T 9704-2012 版式，含 Jinja 标签的 .docx）。"""
    from .notices.template import build_notice_template

    target = out_path or Path("templates") / "notice.docx.j2"
    build_notice_template(target)
    out.print(f"已生成通知书模板：{target}")


@main.command()
@input_argument
@click.option("--year", type=int, default=None, help="考核年度；给出时核对每张评分表的考核年度。")
@config_option
@jobs_option
@handle_errors
def check(input_dir: Path, year: int | None, config_path: Path | None, jobs: int | None) -> None:
    """只校验评分表，列出每个问题所在的文件、工作表和单元格。"""
    from .intake.check import check_folder

    config = _config(config_path)
    with progress_bar("校验评分表") as progress:
        reports = check_folder(
            _input_dir(input_dir), year, load_standard(), config.grading, jobs, progress
        )
    print_issues(reports)
    print_file_counts(reports)
    sys.exit(1 if any(r.status is FileStatus.REJECTED for r in reports) else 0)


@main.command()
@input_argument
@click.option("--year", type=int, required=True, help="考核年度，如 2026。")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="输出文件夹，结果写入其下的“年度”子文件夹。",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(path_type=Path),
    default=None,
    help="历年考核数据库（SQLite），默认 输出文件夹/history.sqlite3。",
)
@config_option
@click.option(
    "--notice-template",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="通知书模板（.docx.j2），默认使用 templates/notice.docx.j2。",
)
@jobs_option
@click.option("--pdf", is_flag=True, help="同时将通知书转换为 PDF（需安装 LibreOffice）。")
@click.option(
    "--timings", is_flag=True, help="在标准错误输出中打印各阶段耗时（JSON，供性能测试使用）。"
)
@handle_errors
def run(
    input_dir: Path,
    year: int,
    out_dir: Path,
    history_path: Path | None,
    config_path: Path | None,
    notice_template: Path | None,
    jobs: int | None,
    pdf: bool,
    timings: bool,
) -> None:
    """校验、评级、记入历年数据库，并生成汇总表、通知书和 report.json。"""
    from .pipeline import run as run_job

    config = _config(config_path)
    with progress_bar("处理评分表") as progress:
        outcome = run_job(
            _input_dir(input_dir),
            year,
            out_dir,
            history_path=history_path,
            config=config,
            notice_template=notice_template,
            processes=jobs,
            pdf=pdf,
            progress=progress,
        )
    print_issues(outcome.reports, errors_only=True, limit=RUN_TABLE_ROWS)
    print_results(outcome.results)
    print_file_counts(outcome.reports)
    out.print(f"输出文件夹：{outcome.year_dir}")
    if outcome.summary:
        out.print(f"  汇总表：{outcome.summary.name}")
    out.print(
        f"  通知书：{len(outcome.notices)} 份；退回修改：{len(outcome.returned)} 份；report.json"
    )
    if missing := outcome.missing_returned:
        err.print(
            f"[red]注意：[/red]{len(missing)} 份被退回的评分表未能生成退回修改副本："
            + "、".join(missing[:5])
            + ("等" if len(missing) > 5 else "")
            + "；原因见 report.json，需修改的问题见汇总表“校验问题”工作表"
        )
    if timings:
        import json
        import resource

        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures = {"stages": outcome.timings, "peak_rss_mib": round(peak_kib / 1024, 1)}
        print(json.dumps(figures, ensure_ascii=False), file=sys.stderr)
    sys.exit(outcome.exit_code)


@main.group()
def history() -> None:
    """历年考核数据库：导入往年结果、查看已存记录。"""


def history_location(func: F) -> F:
    """``--history FILE`` / ``--out DIR`` → the command gets one ``database: Path``."""

    @click.option(
        "--history",
        "history_path",
        type=click.Path(path_type=Path),
        default=None,
        help="历年考核数据库，默认 输出文件夹/history.sqlite3。",
    )
    @click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("output"),
        show_default=True,
        help="输出文件夹（决定默认数据库位置）。",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, history_path: Path | None, out_dir: Path, **kwargs: Any) -> Any:
        from .history.store import default_history_path

        return func(*args, database=history_path or default_history_path(out_dir), **kwargs)

    return wrapper  # type: ignore[return-value]


@history.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--year", type=int, required=True, help="该文件所属的考核年度。")
@history_location
@handle_errors
def history_import(file: Path, year: int, database: Path) -> None:
    """从表格导入往年考核结果（需含 统一社会信用代码或企业名称、总分、等次 列）。"""
    from .history.importer import import_results
    from .history.store import History

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
@click.option("--year", type=int, default=None, help="只看某一年度。")
@click.option("--code", default=None, help="只看某一统一社会信用代码。")
@history_location
@handle_errors
def history_show(year: int | None, code: str | None, database: Path) -> None:
    """列出数据库中已存的考核结果。"""
    from .history.store import History

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


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("input"))
@click.option(
    "--template",
    "template_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="评分表模板，默认 templates/score_template.xlsx。",
)
@handle_errors
def sample(folder: Path, template_path: Path | None) -> None:
    """生成演示用的示例评分表（虚构企业，涵盖各种考核结果）及上年度结果。"""
    from .forms.samples import LAST_YEAR_FILE, write_last_year, write_sample_input

    template_path = template_path or Path("templates") / "score_template.xlsx"
    if not template_path.is_file():
        raise UsageError(
            f"找不到评分表模板：{template_path}（可先运行 fuling-batch template 生成）"
        )
    written = write_sample_input(folder, template_path)
    last = write_last_year(folder / LAST_YEAR_FILE)
    out.print(f"已生成示例评分表 {len(written)} 份：{folder}；上年度结果：{last}")


@main.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="监听地址；默认只允许本机访问。"
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="端口；0 表示自动选择空闲端口。",
)
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("fuling-data"),
    show_default=True,
    help="工作文件夹：上传的评分表、处理结果和历年数据库都保存在这里。",
)
@config_option
@handle_errors
def serve(host: str, port: int, no_browser: bool, data_dir: Path, config_path: Path | None) -> None:
    """打开本机网页工作台：上传评分表、校验、处理、下载结果、查看历年记录。"""
    from .web import serve as serve_web

    serve_web(data_dir, host=host, port=port, open_browser=not no_browser, config_path=config_path)


def entry() -> NoReturn:
    """The ``fuling-batch`` program: run the command, then exit without tearing down the heap.

    After a province-sized run, freeing every read sheet one by one costs ~0.3 s on the way
    out. The command has closed everything it wrote (files, the history database, worker
    pools); the exit handlers still run (multiprocessing removes its socket folder there) and
    the console streams are flushed, then the process ends.
    """
    try:
        main()
    except SystemExit as exc:
        # Leave from here: the exception still holds the finished command's frames (and every
        # sheet it read); once it is released, they would be freed one by one.
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        _leave(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
    _leave(0)


def _leave(code: int) -> NoReturn:
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is not None:
        run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe (| head) or no console at all
            stream.flush()
    os._exit(code)
