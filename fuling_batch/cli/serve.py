"""``fuling-batch serve``: the operator's local web page (docs/web.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .app import config_option, handle_errors, main


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
    from ..web import serve as serve_web

    serve_web(data_dir, host=host, port=port, open_browser=not no_browser, config_path=config_path)
