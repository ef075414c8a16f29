"""click's own words in Chinese: usage lines, help headings, and the usage errors it raises.

click writes its messages in English ("Error: Missing option '--year'.", "No such command",
"Show this message and exit.", "Aborted!"). The operator reads Chinese everywhere, so the
group and its commands are of the classes below: they lay out help with Chinese headings, and
the group's ``main`` reports click's errors itself, worded from the exception's own fields
(which option, which value), not by translating click's sentences.
"""

from __future__ import annotations

import errno
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import click
from click.exceptions import (
    Abort,
    BadParameter,
    ClickException,
    Exit,
    MissingParameter,
    NoSuchOption,
    UsageError,
)

__all__ = ["HELP_TEXT", "ChineseCommand", "ChineseGroup", "usage_message"]

HELP_TEXT = "显示本帮助并退出。"
_OPTIONS_METAVAR = "[选项]"

# click's help extras ("[default: output]") and the names of its types in metavars.
_EXTRAS = (("default: ", "默认："), ("required", "必填"), ("env var: ", "环境变量："))
_METAVARS = (("INTEGER RANGE", "整数"), ("INTEGER", "整数"), ("FLOAT", "数字"), ("PATH", "路径"),
             ("TEXT", "文本"), ("FILENAME", "文件"), ("FILE", "文件"), ("DIRECTORY", "文件夹"),
             ("[%Y-%m-%d]", "日期"))  # fmt: skip

# Usage errors click raises as plain UsageError, by the sentence it uses (its gettext ids).
_SENTENCES = (
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), "多余的参数：{0}"),
    (re.compile(r"Option '(.+)' requires an argument\."), "选项 {0} 后面需要填写一个值"),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\."), "选项 {0} 后面需要填写 {1} 个值"),
    (re.compile(r"Option '(.+)' does not take a value\."), "选项 {0} 后面不能填写值"),
    (re.compile(r"Missing command\."), "缺少命令"),
)
# Values click's own types refuse ("'x' is not a valid integer." …).
_VALUES = (
    (re.compile(r"'?(.*?)'? is not a valid integer( range)?\."), "“{0}”不是整数"),
    (re.compile(r"'?(.*?)'? is not a valid float( range)?\."), "“{0}”不是数字"),
    (re.compile(r"'?(.*?)'? does not match the formats? '(.*)'\."), "“{0}”不是日期，格式应为 2026-12-10"),
    (re.compile(r"(.*) is not in the range (.*)\."), "{0} 超出允许范围（{1}）"),
    (re.compile(r"'?(.*?)'? is not one of (.*)\."), "“{0}”不是可选的值（可选：{1}）"),
    (re.compile(r"(?:File|Directory|Path) '(.*)' does not exist\."), "{0} 不存在"),
    (re.compile(r"(?:File|Path) '(.*)' is a directory\."), "{0} 是文件夹，不是文件"),
)  # fmt: skip


def _match(text: str, table: Sequence[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, words in table:
        found = pattern.fullmatch(text.strip())
        if found:
            return words.format(*(g or "" for g in found.groups()))
    return None


def _param_name(param: click.Parameter | None, hint: Any = None) -> str:
    if hint:
        return hint if isinstance(hint, str) else " / ".join(hint)
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return (param.human_readable_name or param.name or "").upper()


def usage_message(exc: UsageError) -> str:
    """What a usage error says, in Chinese."""
    if isinstance(exc, NoSuchOption):
        words = f"没有 {exc.option_name} 这个选项"
        if exc.possibilities:
            words += f"，是否想输入 {' 或 '.join(sorted(exc.possibilities))}？"
        return words
    if isinstance(exc, MissingParameter):
        name = _param_name(exc.param, exc.param_hint)
        if exc.param_type == "argument" or isinstance(exc.param, click.Argument):
            return f"缺少参数 {name}"
        return f"缺少选项 {name}"
    if isinstance(exc, BadParameter):
        name = _param_name(exc.param, exc.param_hint)
        reason = _match(exc.message, _VALUES) or exc.message
        return f"{name} 的值无效：{reason}"
    return _match(exc.message, _SENTENCES) or exc.message


def _translate_record(record: tuple[str, str]) -> tuple[str, str]:
    names, text = record
    for english, chinese in _METAVARS:
        names = names.replace(f" {english}", f" {chinese}")
    for english, chinese in _EXTRAS:
        text = text.replace(f"[{english}", f"[{chinese}").replace(f"; {english}", f"；{chinese}")
    return names, text


def _display_width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Formatter(click.HelpFormatter):
    """Headings with a Chinese colon; definition lists aligned by display width (click counts
    characters, and its wrapping only breaks at spaces, which Chinese text has none of)."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        if not rows:
            return
        first = min(max(_display_width(name) for name, _ in rows), col_max)
        indent = " " * self.current_indent
        for name, text in rows:
            pad = first - _display_width(name)
            if pad >= 0:
                self.write(f"{indent}{name}{' ' * (pad + col_spacing)}{text}\n")
            else:
                self.write(f"{indent}{name}\n{indent}{' ' * (first + col_spacing)}{text}\n")


class _Context(click.Context):
    formatter_class = _Formatter


class ChineseCommand(click.Command):
    """A command whose help reads in Chinese."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", _OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            _translate_record(rv)
            for p in self.get_params(ctx)
            if isinstance(p, click.Option) and (rv := p.get_help_record(ctx))
        ]
        if records:
            with formatter.section("选项"):
                formatter.write_dl(records)


class ChineseGroup(ChineseCommand, click.Group):
    """The command group: Chinese help, and click's errors reported in Chinese."""

    command_class = ChineseCommand
    group_class = type  # subgroups are of this class too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ChineseCommand.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            known = "、".join(self.list_commands(ctx))
            raise UsageError(f"没有“{name}”这个命令。可用的命令：{known}", ctx)
        return super().resolve_command(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            done = super().main(args, prog_name, complete_var, False, **extra)
        except Exit as exc:  # pragma: no cover - click returns these when not standalone
            sys.exit(exc.exit_code)
        except Abort:
            click.echo("已取消。", err=True)
            sys.exit(1)
        except UsageError as exc:
            _show_usage_error(exc)
        except ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # output piped into a program that stopped reading
                sys.exit(1)
            raise
        sys.exit(done if isinstance(done, int) else 0)


def _show_usage_error(exc: UsageError) -> NoReturn:
    ctx = exc.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        names = ctx.help_option_names
        if ctx.command.get_help_option(ctx) is not None and names:
            click.echo(f"运行 {ctx.command_path} {names[-1]} 查看帮助。", err=True)
        click.echo("", err=True)
    click.echo(f"错误：{usage_message(exc)}", err=True)
    sys.exit(exc.exit_code)
