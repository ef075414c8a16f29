"""Every issue code the program can emit, declared once: its severity, category and meaning.

An :class:`~fuling_batch.rules.issues.Issue` carries a stable ``code`` (tests and other programs
match on it) and a Chinese ``message`` written where the problem is found. This module is the
one list of those codes: for each, whether it is an error (the file or row is not used) or a
warning, a short Chinese category an office worker understands, and one Chinese sentence saying
what it means and what to do. ``docs/规则说明.md`` shows the same list as a table, produced by
:func:`markdown_table`; ``tests/rules/test_codes.py`` checks that the source emits exactly these
codes and that the document holds exactly that table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .codes_hostile import HOSTILE_INPUT_CODES
from .issues import Severity

__all__ = ["CATEGORIES", "CODES", "IssueCode", "category", "markdown_table"]

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# The categories, in the order the table lists them (roughly the order an operator meets them).
FILE = "文件格式"
SKIPPED = "跳过的文件"
PROGRAM = "程序内部错误"
HEADER = "表头信息"
ITEMS = "评分项与模板"
SCORES = "得分填写"
DUPLICATE = "重复评分表"
HISTORY = "历史记录"
IMPORT = "往年结果导入"
OUTPUT = "输出文件"
ROSTER = "企业名册"
LEDGER = "整改台账导入"
CATEGORIES: tuple[str, ...] = (
    FILE,
    SKIPPED,
    PROGRAM,
    HEADER,
    ITEMS,
    SCORES,
    DUPLICATE,
    HISTORY,
    IMPORT,
    OUTPUT,
    ROSTER,
    LEDGER,
)


@dataclass(frozen=True, slots=True)
class IssueCode:
    """One issue code: how bad it is, its category, and what it means with what to do."""

    code: str
    severity: Severity
    category: str
    meaning: str


def _registry(codes: Iterable[IssueCode]) -> Mapping[str, IssueCode]:
    """The codes by name; a code declared twice, or an unknown category, is a bug here."""
    out: dict[str, IssueCode] = {}
    for entry in codes:
        if entry.code in out:
            raise ValueError(f"issue code {entry.code} declared twice")
        if entry.category not in CATEGORIES:
            raise ValueError(f"issue code {entry.code}: unknown category {entry.category}")
        if any(ch in field for field in (entry.category, entry.meaning) for ch in "|\n"):
            raise ValueError(f"issue code {entry.code}: '|' or a line break breaks the table")
        out[entry.code] = entry
    return MappingProxyType(out)


CODES: Mapping[str, IssueCode] = _registry(
    (
        # -- the file as a whole (intake/check.py, safety.py, compound.py, discover.py) ------
        IssueCode(
            "FILE_EMPTY",
            ERROR,
            FILE,
            "文件为空（0字节），无法读取；请在 Excel/WPS 中重新保存评分表后再提交。",
        ),
        IssueCode(
            "FILE_TOO_LARGE",
            ERROR,
            FILE,
            "文件超过评分表的大小上限（20 MB），未读取；请只保留评分表内容，另存为 .xlsx 后重新提交。",
        ),
        IssueCode(
            "FILE_UNREADABLE",
            ERROR,
            FILE,
            "文件无法读取（如正被其他程序占用，或没有读取权限）；请关闭占用该文件的程序、确认权限后重新运行。",
        ),
        IssueCode(
            "FILE_CORRUPT",
            ERROR,
            FILE,
            "文件已损坏或格式不受支持；请用 Excel/WPS 打开后另存为 .xlsx 重新提交。",
        ),
        IssueCode(
            "FILE_ENCRYPTED",
            ERROR,
            FILE,
            "文件设置了打开密码，程序无法读取；请取消密码后重新保存提交。",
        ),
        IssueCode(
            "NOT_SPREADSHEET",
            ERROR,
            FILE,
            "文件实际上不是 Excel 工作簿（如网页、CSV 或 Word 文件改了扩展名）；请用 Excel/WPS 另存为 .xlsx 后重新提交。",
        ),
        IssueCode(
            "ZIP_BOMB",
            ERROR,
            FILE,
            "文件内部结构异常（部件过多或解压后过大，疑似压缩炸弹），未读取；请用标准模板重新填写后提交。",
        ),
        IssueCode(
            "SHEET_TOO_LARGE",
            ERROR,
            FILE,
            "工作表的数据区域超过评分表上限（5000行、200列），或读取时内存不足；请删除评分表以外的内容后重新提交。",
        ),
        IssueCode(
            "SHEET_NOT_FOUND",
            ERROR,
            FILE,
            "各工作表中都找不到“编号、分值、得分、扣分说明”表头行，不是评分表；请使用标准评分表模板填写。",
        ),
        IssueCode(
            "FILE_CRASHED",
            ERROR,
            PROGRAM,
            "程序处理该文件时出错（程序自身的问题，评分表本身可能没有问题），该文件未能处理；请勿因此修改评分表，把 report.json 发给维护人员。",
        ),
        IssueCode(
            "FILE_SKIPPED",
            WARNING,
            SKIPPED,
            "该文件不是评分表，已跳过（Office/WPS 锁定文件、隐藏文件、非表格文件，或误放入的考核结果表），或该文件夹无法打开；一般无需处理，往年结果表请用 fuling-batch history import 导入，无法打开的文件夹请检查权限。",
        ),
        # -- the header block (intake/validate.py) ------------------------------------------
        IssueCode(
            "HEADER_LABEL_MISSING",
            ERROR,
            HEADER,
            "表头缺少必填项（企业名称、考核年度、党组织书记、行政主要负责人）的标签单元格；请使用标准模板并填写该项。",
        ),
        IssueCode(
            "HEADER_MISSING",
            ERROR,
            HEADER,
            "必填的表头项（企业名称、考核年度、党组织书记、行政主要负责人）未填写；请在该标签右侧的单元格中填写。",
        ),
        IssueCode(
            "YEAR_INVALID",
            ERROR,
            HEADER,
            "考核年度无法识别；请填写四位年份，如 2026。",
        ),
        IssueCode(
            "YEAR_MISMATCH",
            ERROR,
            HEADER,
            "评分表的考核年度与本次处理的年度（--year）不同；请核对年度，或换用本年度的评分表。",
        ),
        IssueCode(
            "CREDIT_CODE_MISSING",
            WARNING,
            HEADER,
            "未填写统一社会信用代码，程序改按企业名称识别该企业（企业更名后无法跨年对应）；请补填18位代码。",
        ),
        IssueCode(
            "PARTY_ORG_MISSING",
            WARNING,
            HEADER,
            "未填写党组织名称，通知书只能以企业名称作为主送机关；请补填党组织全称（如“中共××有限公司委员会”）。",
        ),
        IssueCode(
            "CREDIT_CODE_INVALID",
            ERROR,
            HEADER,
            "统一社会信用代码的位数、字符或校验位不正确（GB 32100-2015）；请对照营业执照改正。",
        ),
        # -- the item table as the template made it (intake/validate.py) ----------------------
        IssueCode(
            "CODE_MISSING",
            ERROR,
            ITEMS,
            "评分表缺少某个评分项（“编号”列中找不到该编号）；请使用标准模板，补齐该项并评分。",
        ),
        IssueCode(
            "CODE_UNKNOWN",
            ERROR,
            ITEMS,
            "编号不在评分标准中（评分项被增加或改动）；请使用标准模板，不要增删评分项。",
        ),
        IssueCode(
            "CODE_REPEATED",
            ERROR,
            ITEMS,
            "同一编号出现了不止一次；每项只能评分一次，请删除多余的行。",
        ),
        IssueCode(
            "CODE_AMBIGUOUS",
            ERROR,
            ITEMS,
            "编号以数字录入，无法区分（如 3.1 与 3.10）；请将编号单元格设为文本并按模板填写。",
        ),
        IssueCode(
            "CODE_NUMERIC",
            WARNING,
            ITEMS,
            "编号以数字录入，程序已按该编号识别；请将编号单元格设为文本格式。",
        ),
        IssueCode(
            "VALUE_CHANGED",
            ERROR,
            ITEMS,
            "某项的分值与评分标准不同，评分表被改动过；请使用标准模板重新填写。",
        ),
        IssueCode(
            "KEY_CHANGED",
            ERROR,
            ITEMS,
            "某项的▲重点项标记与评分标准不同，评分表被改动过；请使用标准模板重新填写。",
        ),
        # -- the scores (intake/validate.py) -------------------------------------------------
        IssueCode(
            "SCORE_BLANK",
            ERROR,
            SCORES,
            "某项未评分（得分为空，程序不会当作0分）；请填写0至该项分值之间的分数，不得分请填0。",
        ),
        IssueCode(
            "SCORE_ERROR_VALUE",
            ERROR,
            SCORES,
            "得分单元格为错误值（如 #REF!，公式或引用失效）；请改为填写数字。",
        ),
        IssueCode(
            "SCORE_NOT_NUMBER",
            ERROR,
            SCORES,
            "得分不是数字（如“五”、日期）；请填写0至该项分值之间的数字。",
        ),
        IssueCode(
            "SCORE_OUT_OF_RANGE",
            ERROR,
            SCORES,
            "得分小于0或超过该项分值；请改为0至该项分值之间的分数。",
        ),
        IssueCode(
            "SCORE_TEXT",
            WARNING,
            SCORES,
            "得分以文本录入（如“4.5”“４.５”“4分”），程序已按数字读取；请核对后改为数字格式。",
        ),
        IssueCode(
            "SCORE_STEP",
            WARNING,
            SCORES,
            "得分不是得分步长（默认0.5分）的整数倍，程序仍按所填分数计分；请核对该分数。",
        ),
        IssueCode(
            "REMARK_MISSING",
            WARNING,
            SCORES,
            "该项有扣分但未写扣分说明；请在“扣分说明”单元格中写明扣分原因。",
        ),
        IssueCode(
            "TOTAL_MISMATCH",
            WARNING,
            SCORES,
            "表中的小计、合计或4.1合计与各项得分重新相加的结果不一致，以程序重新计算的为准；请核对表中的公式或数字。",
        ),
        # -- two sheets for one enterprise (intake/validate.py) ------------------------------
        IssueCode(
            "DUPLICATE_ENTERPRISE",
            ERROR,
            DUPLICATE,
            "同一企业（同一统一社会信用代码，无代码时同一企业名称）有两份以上评分表，均不予采用；请确认保留哪一份，删除或更正其余的后重新运行。",
        ),
        # -- last year's record (history/store.py; the year as a whole: year_record.py) -------
        IssueCode(
            "HISTORY_BY_NAME",
            WARNING,
            HISTORY,
            "评分表未填写统一社会信用代码，已按企业名称查找上年度结果（找不到或找到多条时视为上年度无记录）；请补填代码，以便跨年度准确比对。",
        ),
        IssueCode(
            "HISTORY_NAME_MATCH",
            WARNING,
            HISTORY,
            "上年度记录没有统一社会信用代码，已按企业名称与本年度评分表对应；请核对两者是否为同一企业。",
        ),
        IssueCode(
            "PREVIOUS_YEAR_MISSING",
            WARNING,
            HISTORY,
            "历史数据库中没有上一年度的考核结果（或没有本年度某些不合格企业的上年度结果），无法判断是否连续两年不合格，可能漏掉调整建议；请用 fuling-batch history import 导入上年度结果后重新运行，确为首次考核的请加 --first-year。",
        ),
        # -- fuling-batch history import (history/importer.py) -------------------------------
        IssueCode(
            "IMPORT_UNREADABLE",
            ERROR,
            IMPORT,
            "要导入的文件无法读取，未导入任何结果；请另存为 .xlsx 后重新导入。",
        ),
        IssueCode(
            "IMPORT_NO_HEADER",
            ERROR,
            IMPORT,
            "前10行中找不到表头（需有“统一社会信用代码”或“企业名称”、“总分”、“等次”或“最终等次”列），未导入任何结果；请补上表头后重新导入。",
        ),
        IssueCode(
            "IMPORT_EMPTY",
            ERROR,
            IMPORT,
            "表头下没有可导入的数据行；请检查是否选错了文件或工作表。",
        ),
        IssueCode(
            "IMPORT_BAD_CODE",
            ERROR,
            IMPORT,
            "该行的统一社会信用代码无效，该行未导入；请改正代码后重新导入。",
        ),
        IssueCode(
            "IMPORT_NO_IDENTITY",
            ERROR,
            IMPORT,
            "该行既没有统一社会信用代码也没有企业名称，该行未导入；请补填后重新导入。",
        ),
        IssueCode(
            "IMPORT_BAD_TOTAL",
            ERROR,
            IMPORT,
            "该行总分不是0至100之间的数字，该行未导入；请改正后重新导入。",
        ),
        IssueCode(
            "IMPORT_BAD_GRADE",
            ERROR,
            IMPORT,
            "该行等次不是“合格”“基本合格”“不合格”之一，该行未导入；请改正后重新导入。",
        ),
        IssueCode(
            "IMPORT_WRONG_YEAR",
            ERROR,
            IMPORT,
            "该行的考核年度与导入时指定的年度（--year）不符，该行未导入；请核对年度。",
        ),
        IssueCode(
            "IMPORT_DUPLICATE",
            ERROR,
            IMPORT,
            "同一企业在表中已有一行，这一行未导入；请删除重复的行。",
        ),
        IssueCode(
            "IMPORT_KEPT_RUN",
            WARNING,
            IMPORT,
            "该年度已有根据评分表处理得出的该企业结果，程序保留该结果，不用导入的行覆盖；一般无需处理。",
        ),
        IssueCode(
            "IMPORT_TITLE_YEAR",
            WARNING,
            IMPORT,
            "导入文件的标题（或工作表名）写的是另一年度，与 --year 不符；请确认年度，填错时用正确的 --year 重新导入（重新导入会替换该年度的导入结果）。",
        ),
        # -- the output folder (forms/returned.py, pipeline.py) ------------------------------
        IssueCode(
            "RETURNED_COPY_FAILED",
            WARNING,
            OUTPUT,
            "被退回的评分表未能生成退回修改副本（如原文件已被移动或改动，或副本无法写入）；需修改的问题见汇总表“校验问题”工作表和 report.json。",
        ),
        IssueCode(
            "OUTPUT_FILE_KEPT",
            WARNING,
            OUTPUT,
            "输出文件夹中有不是本程序生成（或生成后被修改过）的文件，重新运行时没有删除，已移到该年度的“备份”文件夹；需要时请从那里取回。",
        ),
        # -- fuling-batch rectify import (rectify/importer.py) -------------------------------
        IssueCode(
            "LEDGER_UNKNOWN_ENTERPRISE",
            ERROR,
            LEDGER,
            "台账中的企业不在该年度已印发通知书的企业中；请核对统一社会信用代码或企业名称，或删除该行。",
        ),
        IssueCode(
            "LEDGER_DUPLICATE",
            ERROR,
            LEDGER,
            "同一企业在台账中出现多次；请只保留一行。",
        ),
        IssueCode(
            "LEDGER_BAD_DATE",
            ERROR,
            LEDGER,
            "报送日期或销号日期不是日期；请填写如 2027-01-15 的日期。",
        ),
        IssueCode(
            "LEDGER_DATE_ORDER",
            ERROR,
            LEDGER,
            "日期先后不对：报送日期早于通知书印发日期，或销号日期早于报送日期；请核对日期。",
        ),
        IssueCode(
            "LEDGER_CLOSED_UNRECEIVED",
            ERROR,
            LEDGER,
            "有销号日期但没有报送日期：尚未报送的整改不能销号；请补填报送日期。",
        ),
        IssueCode(
            "LEDGER_NO_REVIEWER",
            WARNING,
            LEDGER,
            "已填销号日期但没有审核人；建议在“审核人”列写明销号人。",
        ),
        # -- fuling-batch template --roster (forms/roster.py) --------------------------------
        IssueCode(
            "ROSTER_UNREADABLE",
            ERROR,
            ROSTER,
            "企业名册无法读取，未生成评分表；请用 Excel/WPS 另存为 .xlsx 后重试。",
        ),
        IssueCode(
            "ROSTER_NO_HEADER",
            ERROR,
            ROSTER,
            "名册第一个工作表的前10行中找不到含“企业名称、统一社会信用代码”的表头行，未生成评分表；请在数据上方加一行表头。",
        ),
        IssueCode(
            "ROSTER_MISSING_NAME",
            ERROR,
            ROSTER,
            "名册某行缺少企业名称，未生成该行的评分表；请补填企业全称。",
        ),
        IssueCode(
            "ROSTER_MISSING_CREDIT_CODE",
            WARNING,
            ROSTER,
            "名册某行缺少统一社会信用代码，评分表已生成但代码为空；请补填18位代码，否则历年结果只能按企业名称对应。",
        ),
        IssueCode(
            "ROSTER_BAD_CREDIT_CODE",
            ERROR,
            ROSTER,
            "名册某行的统一社会信用代码无效，未生成该行的评分表；请对照营业执照改正（数字格式的列请先设为文本）。",
        ),
        IssueCode(
            "ROSTER_DUPLICATE_CREDIT_CODE",
            ERROR,
            ROSTER,
            "名册中两行的统一社会信用代码相同，后一行未生成评分表；请核对是否为同一企业，删除重复行或改正代码。",
        ),
        *(IssueCode(*fields) for fields in HOSTILE_INPUT_CODES),
    )
)


def category(code: str) -> str:
    """The Chinese category of an issue code, e.g. ``category("SCORE_BLANK") == "得分填写"``."""
    try:
        return CODES[code].category
    except KeyError:
        raise KeyError(f"unknown issue code {code!r}: declare it in rules/codes.py") from None


def markdown_table() -> str:
    """The code table of ``docs/规则说明.md``, grouped by category (a test compares the two)."""
    lines = ["| 代码 | 类别 | 严重程度 | 含义与处理 |", "| --- | --- | --- | --- |"]
    for name in CATEGORIES:
        for entry in CODES.values():
            if entry.category == name:
                severity = entry.severity.label
                lines.append(f"| `{entry.code}` | {name} | {severity} | {entry.meaning} |")
    return "\n".join(lines) + "\n"
