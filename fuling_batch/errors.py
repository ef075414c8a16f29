"""The program's own failures. Problems found in inspectors' sheets are data (see issues.py)."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "FewerResults",
    "FulingError",
    "OutputError",
    "StandardError",
    "TemplateError",
    "UsageError",
]


class FulingError(Exception):
    """Base class for errors the command line turns into a message and an exit status."""

    exit_code = 2


class UsageError(FulingError):
    """The command was called wrongly: a missing folder, a bad option."""


class ConfigError(UsageError):
    """The configuration file is unreadable, has an unknown key or a bad value."""


class StandardError(FulingError):
    """The scoring-standard data file is malformed or does not add up."""


class TemplateError(UsageError):
    """A notice template uses a variable the tool does not provide, or does not parse."""


class OutputError(FulingError):
    """An output file could not be written (permission, disk full, held open by Office)."""

    exit_code = 3


class FewerResults(UsageError):
    """A run would replace the year's recorded results with far fewer; ``replace`` confirms.

    Raised before anything is written. ``recorded`` enterprises are in history for ``year``,
    ``accepted`` sheets passed this run's checks (``pipeline.REPLACE_SHARE`` says how few is
    too few). The message tells the command line's user to add ``--replace``; other callers
    (the web page) word their own from the numbers.
    """

    def __init__(self, year: int, recorded: int, accepted: int) -> None:
        self.year, self.recorded, self.accepted = year, recorded, accepted
        why = "没有一份评分表通过校验" if accepted == 0 else f"只有{accepted}份评分表通过校验"
        super().__init__(
            f"历年数据库中已记录{year}年度{recorded}家企业的结果，本次运行{why}，"
            "不到已记录的一半；为防止误删，本次未写入任何文件，数据库未改动。"
            "请核对评分表文件夹和 --year 年度；"
            f"如确需以本次结果替换{year}年度的记录，请加 --replace 重新运行"
        )
