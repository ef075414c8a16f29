"""Issue codes of hostile or odd input (intake/safety.py, reader.py, texts.py, duplicates.py):
part of the one registry, ``rules/codes.CODES``, which imports them; kept apart only so that
``codes.py`` stays a readable size."""

from __future__ import annotations

from .issues import Severity

__all__ = ["HOSTILE_INPUT_CODES"]

ERROR, WARNING = Severity.ERROR, Severity.WARNING
FILE, HEADER, ITEMS, SCORES, DUPLICATE = (
    "文件格式",
    "表头信息",
    "评分项与模板",
    "得分填写",
    "重复评分表",
)


# (code, severity, category, meaning), made IssueCodes by rules/codes.py.
HOSTILE_INPUT_CODES: tuple[tuple[str, Severity, str, str], ...] = (
    (
        "XML_DOCTYPE",
        ERROR,
        FILE,
        "文件内部的 XML 含有文档类型（DOCTYPE）或实体声明，可被用来读取本机文件或耗尽内存，Excel/WPS 保存的文件不会含有，未读取；请用 Excel/WPS 打开后另存为 .xlsx 重新提交。",
    ),
    (
        "SHEET_AMBIGUOUS",
        ERROR,
        FILE,
        "一个文件中有两个或以上评分表（常见于隐藏的工作表），无法确定以哪一个为准，未评分；请只保留一个评分表（删除多余的工作表，不要只是隐藏）后重新提交。",
    ),
    (
        "SHEET_HIDDEN",
        WARNING,
        ITEMS,
        "评分表所在的工作表是隐藏的，已按该表评分；请确认这是要提交的评分表，并取消隐藏。",
    ),
    (
        "TEXT_TOO_LONG",
        WARNING,
        HEADER,
        "表头或扣分说明的文字超过 Excel 单元格能容纳的长度，输出中只保留前面部分并注明“已截断”；请精简后重新提交。",
    ),
    (
        "TEXT_HIDDEN_CHARS",
        WARNING,
        HEADER,
        "单元格文字中含有看不见的控制字符或文字方向控制符（可使文字显示得与实际不同，或使文件名被伪装），已删除；请核对该单元格。",
    ),
    (
        "FORMULA_IN_SCORE",
        WARNING,
        SCORES,
        "得分单元格是公式，已按文件中保存的计算结果评分；请改为直接填写分数。",
    ),
    (
        "FORMULA_NO_VALUE",
        ERROR,
        SCORES,
        "得分单元格是公式，但文件中没有保存计算结果（常见于其他程序生成的文件），无法评分；请直接填写分数。",
    ),
    (
        "SAME_NAME_OTHER_CODE",
        WARNING,
        DUPLICATE,
        "两份评分表的企业名称相同，但统一社会信用代码不同，已按不同企业分别评级；请核对是否填错了信用代码。",
    ),
    (
        "SIMILAR_NAME",
        WARNING,
        DUPLICATE,
        "两份评分表的企业名称只有“有限公司/有限责任公司”之别，已按不同企业分别评级；如为同一企业，请统一名称并填写统一社会信用代码。",
    ),
)
