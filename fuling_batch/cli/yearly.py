"""The yearly job: check the sheets, run the year, issue its notices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..console import (
    RUN_TABLE_ROWS,
    err,
    labelled,
    out,
    print_file_counts,
    print_issues,
    print_results,
    print_run_issues,
    print_skipped,
    print_warnings,
    progress_bar,
)
from ..rules.models import FileStatus
from ..rules.standard import load_standard
from .app import (
    YEAR,
    _config,
    _input_dir,
    config_option,
    date_type,
    handle_errors,
    history_file,
    history_option,
    input_argument,
    jobs_option,
    main,
    notice_template_option,
    out_option,
    output_folder,
)


@main.command()
@input_argument
@click.option("--year", type=YEAR, default=None, help="考核年度；给出时核对每张评分表的考核年度。")
@config_option
@jobs_option
@handle_errors
def check(input_dir: Path, year: int | None, config_path: Path | None, jobs: int | None) -> None:
    """只校验评分表，列出每个问题所在的文件、工作表和单元格。"""
    from ..intake.check import check_folder

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
@click.option("--year", type=YEAR, required=True, help="考核年度，如 2026。")
@out_option
@history_option
@config_option
@notice_template_option
@jobs_option
@click.option("--pdf", is_flag=True, help="同时将通知书转换为 PDF（需安装 LibreOffice）。")
@click.option(
    "--timings", is_flag=True, help="在标准错误输出中打印各阶段耗时（JSON，供性能测试使用）。"
)
@click.option(
    "--amend",
    is_flag=True,
    help="更正已印发的通知书：原通知书作废，另发新文号的更正通知书（仅在结果改变时使用）。",
)
@click.option(
    "--first-year", is_flag=True, help="本年度是首次考核（没有上年度结果可比对，不再提示）。"
)
@click.option(
    "--force",
    is_flag=True,
    help="输出文件看似正在 Excel/WPS/Word 中打开（有锁定文件）时仍然运行。",
)
@click.option(
    "--replace",
    is_flag=True,
    help="确认以本次结果替换该年度的记录（本次通过校验的企业不到已记录的一半时需要）。",
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
    amend: bool,
    first_year: bool,
    force: bool,
    replace: bool,
) -> None:
    """校验、评级、记入历年数据库，并生成汇总表、通知书和 report.json。"""
    from ..notices.pages import sheets
    from ..pipeline import run as run_job

    config = _config(config_path)
    with progress_bar("处理评分表") as progress:
        outcome = run_job(
            _input_dir(input_dir),
            year,
            output_folder(out_dir),
            history_path=history_file(history_path) if history_path else None,
            config=config,
            notice_template=notice_template,
            processes=jobs,
            pdf=pdf,
            progress=progress,
            amend=amend,
            first_year=first_year,
            force=force,
            replace=replace,
        )
    print_issues(outcome.reports, errors_only=True, limit=RUN_TABLE_ROWS)
    print_results(outcome.results)
    print_warnings(outcome.reports)
    print_skipped(outcome.reports)
    print_file_counts(outcome.reports)
    out.print(f"输出文件夹：{outcome.year_dir}")
    if outcome.summary:
        out.print(f"  汇总表：{outcome.summary.name}")
    out.print(
        f"  通知书：{len(outcome.notices)} 份；退回修改：{len(outcome.returned)} 份；report.json"
    )
    if outcome.print_pages:
        out.print(
            f"  合并打印版：约 {outcome.print_pages} 页，双面打印约需 "
            f"{sheets(outcome.print_pages)} 张 A4 纸（每份通知书从单页起印、在双页结束）"
        )
    if missing := outcome.missing_returned:
        err.print(
            labelled(
                "注意：",
                "red",
                f"{len(missing)} 份被退回的评分表未能生成退回修改副本："
                + "、".join(missing[:5])
                + ("等" if len(missing) > 5 else "")
                + "；原因见 report.json，需修改的问题见汇总表“校验问题”工作表",
            )
        )
    print_run_issues(outcome.run_issues)
    if timings:
        import json
        import resource

        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures = {"stages": outcome.timings, "peak_rss_mib": round(peak_kib / 1024, 1)}
        print(json.dumps(figures, ensure_ascii=False), file=sys.stderr)
    sys.exit(outcome.exit_code)


@main.command("issue")
@click.option("--year", type=YEAR, required=True, help="考核年度，如 2026。")
@click.option(
    "--date",
    "day",
    type=date_type,
    default=None,
    help="签发日期（成文日期），如 2026-12-10，默认今天。",
)
@click.option(
    "--due",
    type=date_type,
    default=None,
    help="整改期限，默认为签发日期加配置中的整改天数（rectify_days）。",
)
@out_option
@history_option
@config_option
@notice_template_option
@handle_errors
def issue_command(
    year: int,
    day: Any,
    due: Any,
    out_dir: Path,
    history_path: Path | None,
    config_path: Path | None,
    notice_template: Path | None,
) -> None:
    """签发（印发）本年度的通知书草稿：以签发日期为成文日期，存入“已印发”文件夹并记入发文登记。"""
    from ..issuing import issue_year

    outcome = issue_year(
        year,
        output_folder(out_dir),
        day=day.date() if day else None,
        due=due.date() if due else None,
        history_path=history_file(history_path) if history_path else None,
        config=_config(config_path),
        notice_template=notice_template,
    )
    for entry, path in outcome.issued:
        out.print(f"已印发 {entry.doc_number}　{entry.enterprise}　{entry.kind}：{path.name}")
    for entry in outcome.edited:
        err.print(
            labelled(
                "提示：",
                "yellow",
                f"{entry.doc_number}（{entry.enterprise}）在生成后被手工修改过，"
                "已按修改后的文件印发，成文日期未自动更新，请核对",
            )
        )
    for entry, why in outcome.left:
        err.print(labelled("未印发：", "yellow", f"{entry.doc_number}（{entry.enterprise}）{why}"))
    folder = out_dir / str(year) / "已印发"
    out.print(
        f"共印发 {len(outcome.issued)} 份，签发日期 {outcome.day.isoformat()}；存放于 {folder}"
    )
