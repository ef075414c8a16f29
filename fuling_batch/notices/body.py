"""The body of the notice template: 版头, title, 主送机关, 正文, 署名, 成文日期 and 版记.

Every Jinja tag is written inside one run (docxtpl can only join tags that Word split, not
ones this builder would split), and every paragraph-level tag uses docxtpl's ``{%p %}`` form
so the paragraph holding it disappears from the output. The variables used here are exactly
``notices.CONTEXT_KEYS``; a test keeps the two in step.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from .layout import (
    FONT_H1,
    LINE_PITCH,
    TEXT_H,
    TEXT_W,
    TEXT_W_PT,
    indent,
    keep_with_next,
    mark_fit,
    ppr_child,
    set_fonts,
)

__all__ = [
    "add_body",
    "add_closing",
    "add_head",
    "add_record",
    "add_signature",
    "mark_bands",
    "paragraph",
    "set_column_widths",
    "tag",
]

# 附件 (the list of every deduction): columns in mm, 156 in all.
_ANNEX_WIDTHS_MM = (16, 60, 13, 13, 54)
ANNEX_TITLE = "考核扣分明细"
_BASIS = "根据《涪陵区国有企业党组织工作活动基本规范》"
# The longest 发文机关标志 given its own size; a longer one takes the last size.
_MARK_LONGEST = 40


def add_body(doc: DocumentObject) -> None:
    """Append the whole notice body to ``doc`` (which has the notice styles and section)."""
    first = doc.paragraphs[0] if doc.paragraphs else None
    if first is not None and not first.text:  # python-docx's blank starter paragraph
        first._p.getparent().remove(first._p)
    add_head(doc)
    _title(doc)
    _text(doc)
    add_signature(doc, annex="{% if annex_items %}附件：" + ANNEX_TITLE + "{% endif %}")
    _annex(doc)
    add_record(doc)


def paragraph(doc: DocumentObject, text: str = "", style: str | None = None) -> Paragraph:
    """One paragraph with one run: tags never straddle runs."""
    p = doc.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def tag(doc: DocumentObject, statement: str) -> None:
    """A paragraph holding only a docxtpl ``{%p … %}`` tag (it vanishes when rendered)."""
    paragraph(doc, "{%p " + statement + " %}")


def mark_bands(longest: int = _MARK_LONGEST) -> list[tuple[int, float, int]]:
    """(longest name, size in pt, scale in %) of each branch of the 发文机关标志: a name of up to
    that many characters is set at that size and scale, and fills 90 % to 100 % of the line
    (:func:`~fuling_batch.notices.layout.mark_fit`); the paragraph is distributed to fill."""
    bands: list[tuple[int, float, int]] = []
    low = 1
    for top in range(1, longest + 1):
        fit = mark_fit(top)
        wider = mark_fit(top + 1)
        if top == longest or (wider != fit and not _fills(low, wider)):
            bands.append((top, *fit))
            low = top + 1
    return bands


def _fills(chars: int, fit: tuple[float, int]) -> bool:
    return chars * fit[0] * fit[1] / 100 >= 0.9 * TEXT_W_PT


def add_head(doc: DocumentObject) -> None:
    """发文机关标志 (red 小标宋 filling one line, 35 mm below the top of the block), 发文字号
    two lines below it, the red rule 4 mm under the 发文字号 (GB/T 9704-2012, 7.2)."""
    bands = mark_bands()
    for i, (top, size, scale) in enumerate(bands):
        if i == len(bands) - 1:
            tag(doc, "else")
        else:
            tag(doc, f"{'if' if i == 0 else 'elif'} authority|length <= {top}")
        p = paragraph(doc, "{{ authority }}", "发文机关标志")
        run = p.runs[0]
        run.font.size = Pt(size)
        if scale != 100:
            rpr = run._r.get_or_add_rPr()
            rpr.insert_element_before(
                OxmlElement("w:w", attrs={qn("w:val"): str(scale)}), *_AFTER_W
            )
    tag(doc, "endif")
    paragraph(doc, style="发文字号")
    paragraph(doc, style="发文字号")
    number = paragraph(doc, "{{ number }}", "发文字号")
    border = ppr_child(number._p.get_or_add_pPr(), "pBdr")
    border.append(
        OxmlElement(
            "w:bottom",
            attrs={
                qn("w:val"): "single",
                qn("w:sz"): "12",
                qn("w:space"): "11",  # pt: 4 mm from the 发文字号 to the rule
                qn("w:color"): "FF0000",
            },
        )
    )
    paragraph(doc, style="公文标题")
    paragraph(doc, style="公文标题")


# w:rPr children after w:w (schema order).
_AFTER_W = tuple(
    f"w:{t}"
    for t in ("kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd",
              "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout")
)  # fmt: skip


def _title(doc: DocumentObject) -> None:
    """The title, one paragraph per line: the lines are the context's ``title_lines``, broken
    by phrase for the enterprise's name (``notices/titles.py``)."""
    add_title(doc, "title_lines")
    paragraph(doc)
    paragraph(doc, "{{ addressee }}：", "主送机关")


def add_title(doc: DocumentObject, key: str) -> None:
    """A 公文标题 of one paragraph per line of the context's list ``key``."""
    tag(doc, f"for line in {key}")
    paragraph(doc, "{{ line }}", "公文标题")
    tag(doc, "endfor")


def _text(doc: DocumentObject) -> None:
    paragraph(
        doc,
        _BASIS + "和《{{ standard_title }}》，{{ authority_short }}"
        "{% if assessed_on %}于{{ assessed_on }}{% endif %}对你单位党组织{{ year }}年度"
        "规范化建设情况进行了实地考核评分。现将考核结果及处理决定通知如下。",
    )
    paragraph(doc, "一、考核结果", "一级标题")
    paragraph(
        doc,
        "你单位党组织{{ year }}年度规范化建设考核得分为{{ total }}分"
        "{% if downgraded %}，按总分应评定为“{{ raw_grade }}”；因标▲的重点项目未达标，"
        "根据评分标准“标▲的项目没有达标，即为不合格或者基本合格”的规定，"
        "考核等次确定为“{{ final_grade }}”{% else %}，考核等次为“{{ final_grade }}”{% endif %}。"
        "{% if prev_rectification %}上年度整改情况：{{ prev_rectification }}。{% endif %}",
    )
    tag(doc, "if triangle_items")
    paragraph(doc, "（一）标▲重点项目未达标情况", "二级标题")
    # By title (the default), one paragraph; quoting the criteria in full, one per item.
    tag(doc, "if quote_full")
    tag(doc, "for t in triangle_items")
    paragraph(
        doc,
        "{{ loop.index }}．第{{ t.code }}项（▲，{{ t.value }}分，得{{ t.score }}分）：{{ t.text }}"
        "{% if t.parts %}其中{{ t.parts }}。{% endif %}",
    )
    tag(doc, "endfor")
    tag(doc, "else")
    paragraph(
        doc,
        "标▲的重点项目中，共{{ triangle_items|length }}项未达标："
        "{% for t in triangle_items %}第{{ t.code }}项“{{ t.text }}”（{{ t.value }}分，得{{ t.score }}分"
        "{% if t.parts %}，其中{{ t.parts }}{% endif %}）{% if loop.last %}。{% else %}；{% endif %}"
        "{% endfor %}",
    )
    tag(doc, "endif")
    tag(doc, "endif")
    tag(doc, "if annex_items")
    paragraph(doc, "{% if triangle_items %}（二）{% else %}（一）{% endif %}扣分情况", "二级标题")
    paragraph(
        doc,
        "本次考核共{{ deduction_count }}项扣分，合计扣{{ deducted_total }}分。"
        "各扣分项目及考核组的扣分说明见附件。",
    )
    tag(doc, "endif")

    paragraph(doc, "二、处理决定", "一级标题")
    leaders = (
        "你单位党组织书记{% if secretary %}{{ secretary }}同志{% endif %}、"
        "行政主要负责人{% if admin_head %}{{ admin_head }}同志{% endif %}"
    )
    tag(doc, "if is_remind")
    paragraph(
        doc,
        _BASIS
        + "“强化监督考核”的规定，经{{ authority_short }}研究，决定对"
        + leaders
        + "予以谈话提醒。"
        "谈话提醒的时间、地点另行通知。",
    )
    tag(doc, "else")
    paragraph(
        doc,
        _BASIS
        + "“强化监督考核”的规定，经{{ authority_short }}研究，决定对"
        + leaders
        + "予以组织诫勉，"
        "并将你单位党组织纳入后进党组织进行重点整顿。",
    )
    tag(doc, "endif")
    tag(doc, "if is_adjust")
    paragraph(
        doc,
        "你单位党组织{{ prev_year }}年度考核得分为{{ prev_total }}分、等次为“{{ prev_grade }}”，"
        "{{ year }}年度考核得分为{{ total }}分、等次为“{{ final_grade }}”，{{ fail_streak_text }}考核不合格。"
        "按照干部管理权限，{{ authority_short }}将向"
        "{{ cadre_authority }}提出对你单位党组织书记{% if secretary %}{{ secretary }}同志{% endif %}"
        "或行政主要负责人{% if admin_head %}{{ admin_head }}同志{% endif %}进行调整的建议。",
    )
    tag(doc, "endif")

    paragraph(doc, "三、整改要求", "一级标题")
    paragraph(
        doc,
        "请你单位党组织对照考核发现的问题，深入剖析原因，逐项制定整改措施，明确整改责任人和完成时限"
        "{% if not is_remind %}，按照后进党组织重点整顿的要求制定整顿方案{% endif %}，"
        "于{{ deadline }}前将整改情况书面报送{{ authority_short }}。",
    )


def _annex(doc: DocumentObject) -> None:
    """附件：考核扣分明细, on its own page after the 成文日期: every deduction, whole."""
    tag(doc, "if annex_items")
    paragraph(doc, "附件", "附件标识")
    keep_with_next(paragraph(doc), lines=False)
    paragraph(doc, ANNEX_TITLE, "公文标题")
    keep_with_next(paragraph(doc), lines=False)
    paragraph(
        doc,
        "{{ enterprise }}党组织{{ year }}年度规范化建设考核共{{ deduction_count }}项扣分，"
        "合计扣{{ deducted_total }}分（标▲的为重点项目）。",
    )
    _annex_table(doc)
    tag(doc, "endif")


def _annex_table(doc: DocumentObject) -> None:
    table = doc.add_table(rows=4, cols=len(_ANNEX_WIDTHS_MM))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = (
        ("编号", "评分内容", "分值", "扣分", "考核组扣分说明"),
        ("{%tr for d in annex_items %}", "", "", "", ""),
        ("{{ d.code }}", "{{ d.item }}{{ d.key }}", "{{ d.value }}", "{{ d.points }}",
         "{{ d.remark }}"),
        ("{%tr endfor %}", "", "", "", ""),
    )  # fmt: skip
    centred = {0, 2, 3}
    set_column_widths(table, [round(mm * 1440 / 25.4) for mm in _ANNEX_WIDTHS_MM])
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            p = table.cell(r, c).paragraphs[0]
            p.style = doc.styles["表格文字"]
            if c in centred or r == 0:
                ppr_child(p._p.get_or_add_pPr(), "jc", val="center")
            if value:
                run = p.add_run(value)
                if r == 0:
                    set_fonts(run._r.get_or_add_rPr(), FONT_H1)
    _repeat_header(table)


def set_column_widths(table: Table, widths: list[int]) -> None:
    """Fix column widths (twips) in the grid, the cells and the table: LibreOffice reads the grid."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Twips(width)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:w"), str(sum(widths)))
        tbl_w.set(qn("w:type"), "dxa")


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def add_closing(doc: DocumentObject) -> None:
    """署名, 成文日期 and the 版记 (a document without annex: the 催办通知)."""
    add_signature(doc)
    add_record(doc)


def add_signature(doc: DocumentObject, annex: str = "") -> None:
    """附件说明 (when ``annex``), 署名 and 成文日期 (right, 2 and 4 characters in), kept on the
    page of the body's last lines: the last paragraph so far and every line down to the
    成文日期 keep with the next (GB/T 9704-2012, 7.3.5: never a page holding only the 落款)."""
    body = [p for p in doc.paragraphs if p.text and not p.text.startswith("{%p")]
    if body:
        keep_with_next(body[-1], lines=False)
    if annex:
        keep_with_next(paragraph(doc), lines=False)
        tag(doc, "if annex_items")
        paragraph(doc, annex, "附件说明")
        tag(doc, "endif")
    for _ in range(2):  # room for the seal
        keep_with_next(paragraph(doc), lines=False)
    paragraph(doc, "{{ authority }}", "发文机关署名")
    date = paragraph(doc, "{{ issue_date }}", "成文日期")
    ppr_child(date._p.get_or_add_pPr(), "keepLines")


def add_record(doc: DocumentObject) -> None:
    """The 版记 (抄送, 印发机关 and 印发日期): one frame per line at the foot of the text block,
    its last rule on the block's bottom edge (GB/T 9704-2012, 7.4). Frames at a fixed place are
    what Word, WPS and LibreOffice all honour; :func:`~fuling_batch.notices.pages.place_record`
    then puts them on the notice's last, even page (after an even-page section break when the
    text does not leave room on an even page)."""
    paragraph(doc, style="版记位置")
    tag(doc, "if copy_to")
    _record_line(doc, "抄送：{{ copy_to }}。", rows_below=1, top=RECORD_RULE_THICK)
    tag(doc, "endif")
    p = _record_line(doc, "{{ print_authority }}", rows_below=0, top=RECORD_RULE_THIN)
    p.add_run("\t")
    p.add_run("{{ issue_date }}印发")
    tab = OxmlElement("w:tab", attrs={qn("w:val"): "right", qn("w:pos"): str(TEXT_W - 2 * 14 * 20)})
    ppr_child(p._p.get_or_add_pPr(), "tabs").append(tab)
    last = paragraph(doc)
    indent(last._p.get_or_add_pPr(), firstLine=0)


# The 版记's rules (GB/T 9704-2012, 7.4.1): first and last 0.35 mm, those between 0.25 mm
# (eighths of a point).
RECORD_RULE_THICK, RECORD_RULE_THIN = "8", "6"


def _record_line(doc: DocumentObject, text: str, rows_below: int, top: str) -> Paragraph:
    """One line of the 版记 as a frame of one grid line, ``rows_below`` lines above the
    block's bottom edge; the last line also carries the closing rule."""
    p = paragraph(doc, text, "版记")
    ppr = p._p.get_or_add_pPr()
    ppr_child(
        ppr,
        "framePr",
        w=str(TEXT_W),
        h=str(LINE_PITCH),
        hRule="exact",
        wrap="notBeside",
        vAnchor="margin",
        hAnchor="margin",
        xAlign="center",
        y=str(TEXT_H - (rows_below + 1) * LINE_PITCH),
    )
    border = ppr_child(ppr, "pBdr")
    sides = [("top", top)] + ([("bottom", RECORD_RULE_THICK)] if rows_below == 0 else [])
    for side, size in sides:
        border.append(
            OxmlElement(
                f"w:{side}",
                attrs={
                    qn("w:val"): "single",
                    qn("w:sz"): size,
                    qn("w:space"): "0",
                    qn("w:color"): "000000",
                },
            )
        )
    return p
