"""The command group, the options its commands share, and the error boundary."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .. import __version__
from ..config import Config, load_config
from ..console import err, labelled
from ..errors import FulingError, UsageError
from ..oserrors import output_error
from .chinese import ChineseGroup

F = TypeVar("F", bound=Callable[..., Any])


EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 4


def handle_errors(func: F) -> F:
    """The one error boundary: every failure becomes one Chinese message and an exit status.

    The program's own errors carry their status (2 usage, 3 output); an operating-system
    error on an output is 3; Ctrl+C is 130; anything else is a bug of ours: 4, with the
    traceback in a log file under the output folder, never on the operator's screen.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FulingError as exc:
            err.print(labelled("错误：", "red", exc))
            sys.exit(exc.exit_code)
        except OSError as exc:
            folder = kwargs.get("out_dir")
            year = kwargs.get("year")
            where = (
                getattr(exc, "filename2", None)
                or exc.filename
                or (folder / str(year) if folder and year else folder)
                or ""
            )
            failure = output_error(exc, str(where))
            err.print(labelled("错误：", "red", failure))
            sys.exit(failure.exit_code)
        except KeyboardInterrupt:
            err.print("已中断：未完成的输出已清除，历年数据库未改动。", style="yellow")
            sys.exit(EXIT_INTERRUPTED)
        except Exception:
            log = write_crash_log(Path(kwargs.get("out_dir") or "output"))
            err.print(
                labelled(
                    "程序内部错误",
                    "red",
                    f"，操作未完成，历年数据库未改动。详细信息已记录在 {log}，请把该文件发给维护人员。",
                )
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def write_crash_log(folder: Path) -> Path:
    """The current exception's traceback in a log file under ``folder`` (else the temp folder)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = f"fuling-batch {__version__}  {dt.datetime.now().isoformat()}\n{' '.join(sys.argv)}\n\n"
    text += traceback.format_exc()
    for where in (folder, Path(tempfile.gettempdir())):
        target = where / f"fuling-batch-错误日志-{stamp}.txt"
        try:
            where.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            return target
        except OSError:
            continue
    return Path("（无法写入日志文件）")


def _config(path: Path | None) -> Config:
    return load_config(path)


def _input_dir(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(
            f"找不到评分表文件夹：{path}（请确认路径，或先用 fuling-batch template 生成评分表）"
        )
    return path


class YearType(click.ParamType):
    """A 考核年度: four digits, 2000–2099 (what every command that takes ``--year`` accepts)."""

    name = "年度"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2099):
            self.fail(
                f"“{value}”不是有效的考核年度，请填写2000至2099之间的四位年份，如 2026", param, ctx
            )
        return int(text)


YEAR = YearType()


def output_folder(path: Path) -> Path:
    """``--out``: a folder, or a place one can be made; a file there is a usage error."""
    for where in (path, *path.parents):
        if where.exists() and not where.is_dir():
            raise UsageError(
                f"输出文件夹 {path} 无法使用：{where} 是一个文件而不是文件夹。请用 --out 指定一个文件夹"
            )
        if where.exists():
            break
    return path


def history_file(path: Path) -> Path:
    """``--history``: a file in a folder (or where one can be made), not a folder itself."""
    if path.is_dir():
        raise UsageError(f"历年数据库 {path} 是一个文件夹，请用 --history 指定数据库文件")
    for where in path.parents:
        if where.exists() and not where.is_dir():
            raise UsageError(
                f"历年数据库 {path} 无法使用：{where} 是一个文件而不是文件夹。请用 --history 指定正确的位置"
            )
        if where.exists():
            break
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
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="输出文件夹，各年度的结果写入其下的“年度”子文件夹，历年数据库也在其中。",
)
history_option = click.option(
    "--history",
    "history_path",
    type=click.Path(path_type=Path),
    default=None,
    help="历年考核数据库（SQLite），默认 输出文件夹/history.sqlite3。",
)
notice_template_option = click.option(
    "--notice-template",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="通知书模板（.docx.j2），默认使用 templates/notice.docx.j2。",
)
date_type = click.DateTime(formats=["%Y-%m-%d"])
jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数，默认自动。"
)


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    prog_name="fuling-batch",
    help="显示版本号并退出。",
    message="%(prog)s 版本 %(version)s",
)
def main() -> None:
    """涪陵区国有企业党组织规范化建设考核：评分表批量校验、评级、汇总与通知书生成。"""


def entry() -> NoReturn:
    """The ``fuling-batch`` program: the console set up, then the command."""
    _utf8_file_names()
    configure_streams()
    try:
        main()
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        sys.exit(exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1))
    sys.exit(0)


def configure_streams() -> None:
    """The one place the console streams are set up: text the console's encoding cannot
    show (an emoji name on a GBK console) is replaced, never fatal."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="replace")


def _utf8_file_names() -> None:
    """Start again in UTF-8 mode when the locale leaves Python with ASCII file names.

    Under ``LC_ALL=C`` with ``PYTHONUTF8=0`` every Chinese file name (each notice, the
    summary) would fail to be created; the file names on the disk are UTF-8 whatever the
    locale says, so the program runs as in UTF-8 mode (``-X utf8`` takes precedence).
    """
    if sys.flags.utf8_mode or sys.getfilesystemencoding().lower() not in (
        "ascii",
        "ansi_x3.4-1968",
    ):
        return
    if os.environ.get("FULING_BATCH_REEXEC") or not sys.executable:
        return
    os.environ["FULING_BATCH_REEXEC"] = "1"
    with contextlib.suppress(OSError):
        os.execv(
            sys.executable, [sys.executable, "-X", "utf8", "-m", "fuling_batch", *sys.argv[1:]]
        )
