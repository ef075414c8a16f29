"""Commands for the forms: the score template, the notice template and the sample input."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..console import (
    out,
    print_findings,
)
from ..errors import UsageError
from ..rules.standard import load_standard
from .app import YEAR, handle_errors, main, output_folder


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
@click.option("--year", type=YEAR, default=None, help="预填的考核年度。")
@handle_errors
def template(out_path: Path | None, roster: Path | None, year: int | None) -> None:
    """生成评分表模板，或按企业名册批量生成预填评分表。"""
    from ..forms.roster import write_prefilled
    from ..forms.template import write_template

    standard = load_standard()
    if roster is None:
        target = out_path or Path("templates") / "score_template.xlsx"
        header = {"考核年度": year} if year else None
        write_template(target, standard, header=header)
        out.print(f"已生成评分表模板：{target}")
        return
    if not roster.is_file():
        raise UsageError(f"找不到企业名册：{roster}")
    folder = output_folder(out_path or Path("output") / "预填评分表")
    outcome = write_prefilled(roster, folder, year, standard)
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
    from ..notices.template import build_notice_template

    target = out_path or Path("templates") / "notice.docx.j2"
    build_notice_template(target)
    out.print(f"已生成通知书模板：{target}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("input"))
@click.option(
    "--template",
    "template_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="评分表模板，默认 templates/score_template.xlsx。",
)
@click.option(
    "--force", is_flag=True, help="文件夹中已有表格文件时仍写入（同名文件会被示例覆盖）。"
)
@handle_errors
def sample(folder: Path, template_path: Path | None, force: bool) -> None:
    """生成演示用的示例评分表（虚构企业，涵盖各种考核结果）及上年度结果。"""
    from ..forms.samples import LAST_YEAR_FILE, sheets_in, write_last_year, write_sample_input

    if not force and (found := sheets_in(folder)):
        raise UsageError(
            f"文件夹 {folder} 中已有 {len(found)} 个表格文件（如 {found[0].relative_to(folder)}）："
            "示例评分表是虚构企业的，不应与真实评分表混在一起，同名文件还会被覆盖。"
            "请指定一个新的文件夹（如 fuling-batch sample 示例评分表）；确需写入请加 --force"
        )

    template_path = template_path or Path("templates") / "score_template.xlsx"
    if not template_path.is_file():
        raise UsageError(
            f"找不到评分表模板：{template_path}（可先运行 fuling-batch template 生成）"
        )
    written = write_sample_input(folder, template_path)
    last = write_last_year(folder / LAST_YEAR_FILE)
    out.print(f"已生成示例评分表 {len(written)} 份：{folder}；上年度结果：{last}")
