"""Configuration: the defaults (docs/规则说明.md, 配置项一览) in one object, overridable by TOML.

``fuling_batch.toml`` in the working folder is read if present; ``--config FILE`` replaces it.
Example::

    [grading]
    pass_min = 80          # 合格：总分 >= 80
    basic_min = 60         # 基本合格：60 <= 总分 < 80
    triangle_rule = "below_full"   # ▲未达标：below_full（低于满分）| zero（得0分）| share（低于满分的一定比例）
    triangle_share = 0.6   # triangle_rule = "share" 时的比例
    score_step = 0.5       # 得分步长，其他步长给出警告

    [notices]
    authority = "中共重庆市涪陵区国有资产监督管理委员会委员会"
    number_prefix = "涪国资党委"
    first_number = 1
    rectify_days = 30
    quote = "title"        # ▲未达标项目在通知书中：title（引标题和得分）| full（引评分标准全文）
    cadre_authority = "区委组织部"   # 调整建议函的主送机关（干部管理权限）
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import tomllib
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_type_hints

from .errors import ConfigError
from .oserrors import read_reason

__all__ = ["DEFAULT_CONFIG_NAME", "Config", "GradingConfig", "NoticeConfig", "load_config"]

DEFAULT_CONFIG_NAME = "fuling_batch.toml"

TriangleRule = Literal["below_full", "zero", "share"]
QuoteStyle = Literal["title", "full"]


@dataclass(frozen=True)
class GradingConfig:
    """Grade thresholds, the ▲ rule and the score step (docs/规则说明.md, 计分 and 评级规则)."""

    pass_min: float = 80.0
    basic_min: float = 60.0
    triangle_rule: TriangleRule = "below_full"
    triangle_share: float = 0.6
    score_step: float = 0.5

    def __post_init__(self) -> None:
        for name in ("pass_min", "basic_min", "triangle_share", "score_step"):
            if not math.isfinite(getattr(self, name)):
                raise ConfigError(f"配置项 grading.{name} 须为有限的数字（不能是 nan 或 inf）")
        if not 0 <= self.basic_min <= self.pass_min <= 100:
            raise ConfigError(
                "配置项 grading.basic_min / grading.pass_min 须满足 0 <= basic_min <= pass_min <= 100"
            )
        if not 0 < self.triangle_share <= 1:
            raise ConfigError("配置项 grading.triangle_share 须在 0（不含）到 1 之间")
        if not 0 < self.score_step <= 10:
            raise ConfigError("配置项 grading.score_step 须大于 0、不超过 10（通常为 0.5）")


@dataclass(frozen=True)
class NoticeConfig:
    """What the notices say about who issues them, and how they are numbered."""

    authority: str = "中共重庆市涪陵区国有资产监督管理委员会委员会"
    authority_short: str = "区国资委党委"
    number_prefix: str = "涪国资党委"
    first_number: int = 1
    rectify_days: int = 30
    issue_date: dt.date | None = None  # None: the day of the run
    copy_to: str = "区委组织部"
    # How a notice quotes a ▲ criterion not met: its short title, or the annex's full text.
    quote: QuoteStyle = "title"
    # Who holds 干部管理权限 over the enterprises' leaders: the 调整 proposal (函) goes there.
    cadre_authority: str = "区委组织部"

    def __post_init__(self) -> None:
        if self.quote not in get_args(QuoteStyle):
            raise ConfigError('配置项 notices.quote 须为 "title"（只引标题）或 "full"（引全文）')
        if not self.cadre_authority.strip():
            raise ConfigError("配置项 notices.cadre_authority（干部管理机关）不能为空")
        if not 1 <= self.first_number <= 999_999:
            raise ConfigError("配置项 notices.first_number 须为 1 至 999999 的整数")
        if not 1 <= self.rectify_days <= 3650:
            raise ConfigError("配置项 notices.rectify_days 须为 1 至 3650 的整数（天）")
        if not self.authority.strip() or not self.number_prefix.strip():
            raise ConfigError("配置项 notices.authority 与 notices.number_prefix 不能为空")


@dataclass(frozen=True)
class Config:
    grading: GradingConfig = field(default_factory=GradingConfig)
    notices: NoticeConfig = field(default_factory=NoticeConfig)


def load_config(path: str | Path | None = None, cwd: str | Path | None = None) -> Config:
    """Read ``path``, else ``fuling_batch.toml`` in ``cwd`` if present, else the defaults."""
    if path is None:
        candidate = Path(cwd or Path.cwd()) / DEFAULT_CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到配置文件 {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"配置文件 {path} 格式有误：{_where(exc)}。请对照 README 中的示例改正"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码的文本，请另存为 UTF-8 后重试") from exc
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{read_reason(exc)}") from exc
    return config_from_dict(raw, source=str(path))


def _where(exc: tomllib.TOMLDecodeError) -> str:
    """Where a TOML error is, in Chinese: tomllib says "… (at line 3, column 7)"."""
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    if found:
        return f"第{found.group(1)}行第{found.group(2)}列附近不符合 TOML 格式（如缺少引号、等号或括号）"
    return "不符合 TOML 格式（如缺少引号、等号或括号）"


def config_from_dict(raw: dict[str, Any], source: str = "配置") -> Config:
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in {f.name for f in dataclasses.fields(Config)}:
            raise ConfigError(f"{source}：未知的配置节 [{name}]（可用：grading、notices）")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}：[{name}] 应为一个配置节")
        cls = get_type_hints(Config)[name]
        sections[name] = _build(cls, value, f"{source}：{name}")
    return Config(**sections)


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(cls)
    kwargs = {}
    for key, value in values.items():
        if key not in hints:
            raise ConfigError(f"{where}.{key}：未知的配置项（可用：{'、'.join(hints)}）")
        kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        raise ConfigError(f"{where}：{exc}") from exc


def _coerce(value: Any, hint: Any, where: str) -> Any:
    args = get_args(hint)
    if isinstance(hint, types.UnionType):  # only ``X | None`` is used
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
        args = get_args(hint)
    if args and all(isinstance(a, str) for a in args):  # Literal
        if value not in args:
            raise ConfigError(f"{where}：取值 {value!r} 无效，可用：{'、'.join(args)}")
        return value
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            # TOML allows nan and inf; no threshold, share or step can be either.
            raise ConfigError(f"{where}：取值 {value!r} 无效，应为有限的数字")
        return float(value)
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is str and isinstance(value, str):
        return value
    if hint is dt.date and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    expected = {float: "数字", int: "整数", str: "文字", dt.date: "日期（如 2026-12-01）"}.get(
        hint, str(hint)
    )
    raise ConfigError(f"{where}：取值 {value!r} 无效，应为{expected}")
