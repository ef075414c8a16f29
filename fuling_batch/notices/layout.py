"""The GB/T 9704-2012 page: sizes, fonts, paragraph styles and the section, as python-docx calls.

Shared by the notice template (``template.py`` and ``body.py``) and the documents made beside
the notices (the 呈批表 and the combined print file), so that every document uses one layout.
Layout (GB/T 9704-2012 党政机关公文格式): A4; top margin 37 mm, left 28 mm, text block
156 × 225 mm; 22 lines × 28 characters (document grid); title 2号 小标宋; body 3号 仿宋 with a
two-character first-line indent; headings 一、 黑体 and （一） 楷体; page numbers 4号 宋体
"— 1 —", odd pages right and even pages left.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

__all__ = [
    "BODY_PT",
    "FONT_BODY",
    "FONT_H1",
    "FONT_TITLE",
    "LANDSCAPE_TEXT_W",
    "LINE_PITCH",
    "TABLE_LINE",
    "TABLE_SMALL_PT",
    "TEXT_H",
    "TEXT_W",
    "apply_section",
    "apply_styles",
    "drop_default_parts",
    "indent",
    "keep_with_next",
    "mark_fit",
    "ppr_child",
    "set_fonts",
]


# GB/T 9704-2012, 5.2: A4, text block 156 × 225 mm, top 37 mm, left 28 mm.
_TWIPS_PER_MM = 1440 / 25.4


PAGE_W, PAGE_H = round(210 * _TWIPS_PER_MM), round(297 * _TWIPS_PER_MM)  # 11906 × 16838


MARGIN_TOP, MARGIN_LEFT = round(37 * _TWIPS_PER_MM), round(28 * _TWIPS_PER_MM)


TEXT_W, TEXT_H = round(156 * _TWIPS_PER_MM), round(225 * _TWIPS_PER_MM)


MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - TEXT_W


MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - TEXT_H


# Page number line 7 mm below the text block (7.5); the footer distance is to its baseline area.
FOOTER_DIST = round(21 * _TWIPS_PER_MM)


LINES_PER_PAGE, CHARS_PER_LINE = 22, 28


# A form laid across the page (the 呈批表): 25 mm all round, 247 mm of text across.
LANDSCAPE_MARGIN = round(25 * _TWIPS_PER_MM)
LANDSCAPE_TEXT_W = PAGE_H - 2 * LANDSCAPE_MARGIN


TABLE_SMALL_PT = 10.5  # 五号


# Table text (小四) on exact 18 pt lines: rows are as tall in every program, whatever font it has
# (the 版记's place is worked out from them, notices/pages.py).
TABLE_LINE = 360


BODY_PT = 16  # 3号


# Word's grid: line pitch in twips; character pitch = body size + charSpace/4096 pt. Floors so
# that 22 lines and 28 characters really fit in the block.
LINE_PITCH = TEXT_H // LINES_PER_PAGE


CHAR_SPACE = int(((TEXT_W / CHARS_PER_LINE / 20) - BODY_PT) * 4096) - 1


FONT_TITLE = "方正小标宋简体"


FONT_BODY = "仿宋_GB2312"


FONT_H1 = "黑体"


FONT_H2 = "楷体_GB2312"


FONT_PAGE = "宋体"


FONT_LATIN = "Times New Roman"


RED = RGBColor(0xFF, 0x00, 0x00)


# 发文机关标志 (7.2.4): its top edge 35 mm below the top of the text block, red 小标宋, as
# large as a line of the block allows. Long names are narrowed (w:w), never shrunk below
# _MARK_MIN_PT; a name so long that even half-width characters do not fit is made smaller.
MARK_SPACE_BEFORE = round(35 * _TWIPS_PER_MM)
_MARK_MAX_PT, _MARK_PT, _MARK_MIN_SCALE = 42, 36, 50
TEXT_W_PT = TEXT_W / 20


def mark_fit(chars: int) -> tuple[float, int]:
    """(size in pt, horizontal scale in %) at which ``chars`` characters fill one line of the
    156 mm block (the paragraph is distributed, so a line a little short is spread to fill)."""
    chars = max(chars, 1)
    if chars * _MARK_MAX_PT <= TEXT_W_PT:
        return _MARK_MAX_PT, 100
    if chars * _MARK_PT <= TEXT_W_PT:
        return float(int(TEXT_W_PT / chars)), 100
    scale = int(TEXT_W_PT * 100 / (chars * _MARK_PT))
    if scale >= _MARK_MIN_SCALE:
        return _MARK_PT, scale
    return float(int(TEXT_W_PT * 100 / (chars * _MARK_MIN_SCALE) * 2) / 2), _MARK_MIN_SCALE


# Schema order of w:pPr children (ECMA-376 CT_PPr).
_PPR_ORDER = tuple(
    f"w:{t}"
    for t in [
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)


_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def drop_default_parts(doc: DocumentObject) -> None:
    """Drop parts that would leak python-docx defaults: the thumbnail of its sample document
    (shown by file browsers), and theme-laden copies of the styles."""
    for rels, reltypes in (
        (doc.part.rels, {_STYLES_WITH_EFFECTS, RT.CUSTOM_XML}),
        (doc.part.package.rels, {RT.THUMBNAIL}),
    ):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in reltypes]:
            del rels[rid]


def set_fonts(rpr: CT_RPr, east_asia: str, latin: str = FONT_LATIN) -> None:
    """Name the font on every slot; the East Asian slot is the one Word uses for Chinese."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def ppr_child(ppr: CT_PPr, tag: str, **attrs: str) -> BaseOxmlElement:
    """Add (or replace) a pPr child in schema order; Word rejects out-of-order children."""
    for old in ppr.findall(qn(f"w:{tag}")):
        ppr.remove(old)
    el = OxmlElement(f"w:{tag}", attrs={qn(f"w:{k}"): v for k, v in attrs.items()})
    ppr.insert_element_before(el, *_PPR_ORDER[_PPR_ORDER.index(f"w:{tag}") + 1 :])
    return el


def keep_with_next(p: Paragraph, lines: bool = True) -> None:
    """Keep the paragraph on the page of the next one (and, with ``lines``, in one piece)."""
    ppr = p._p.get_or_add_pPr()
    ppr_child(ppr, "keepNext")
    if lines:
        ppr_child(ppr, "keepLines")


def indent(ppr: CT_PPr, **chars: int) -> None:
    """Indents in hundredths of a character (firstLineChars=200 is two characters)."""
    attrs = {}
    for side, hundredths in chars.items():
        attrs[f"{side}Chars"] = str(hundredths)
        attrs[side] = str(hundredths * BODY_PT * 20 // 100)  # twips fallback for old readers
    ppr_child(ppr, "ind", **attrs)


def apply_styles(doc: DocumentObject) -> None:
    styles_el = doc.styles.element
    # The default template routes every font through the theme (minorEastAsia …), which makes
    # Word pick the theme's CJK font: strip those references everywhere so explicit names win.
    for fonts in styles_el.iter(qn("w:rFonts")):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, FONT_BODY)
    rpr.find(qn("w:sz")).set(qn("w:val"), str(BODY_PT * 2))
    rpr.find(qn("w:szCs")).set(qn("w:val"), str(BODY_PT * 2))
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")

    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element.get_or_add_rPr(), FONT_BODY)
    ppr = normal.element.get_or_add_pPr()
    ppr_child(ppr, "jc", val="both")
    indent(ppr, firstLine=200)

    def style(sid: str, name: str, font: str, size: float, **opts: object) -> ParagraphStyle:
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        assert isinstance(st, ParagraphStyle)
        st.style_id = sid
        st.base_style = normal
        st.quick_style = True
        st.font.size = Pt(size)
        if opts.get("color"):
            st.font.color.rgb = opts["color"]
        set_fonts(st.element.get_or_add_rPr(), font)
        p = st.element.get_or_add_pPr()
        if opts.get("no_grid"):
            ppr_child(p, "snapToGrid", val="0")
        if "indent" in opts:
            indent(p, **opts["indent"])  # type: ignore[arg-type]
        if opts.get("jc"):
            ppr_child(p, "jc", val=str(opts["jc"]))
        if opts.get("keep_next"):
            ppr_child(p, "keepNext")
            ppr_child(p, "keepLines")
        if opts.get("page_break"):
            ppr_child(p, "pageBreakBefore")
        if "before" in opts:
            ppr_child(p, "spacing", before=str(opts["before"]), after="0")
        if "line" in opts:
            ppr_child(p, "spacing", before="0", after="0", line=str(opts["line"]),
                      lineRule="exact")  # fmt: skip
        return st

    style(
        "GwMark",
        "发文机关标志",
        FONT_TITLE,
        _MARK_PT,
        color=RED,
        no_grid=True,
        indent={"firstLine": 0},
        jc="distribute",
        before=MARK_SPACE_BEFORE,
    )
    style("GwNumber", "发文字号", FONT_BODY, BODY_PT, indent={"firstLine": 0}, jc="center")
    style(
        "GwTitle",
        "公文标题",
        FONT_TITLE,
        22,
        no_grid=True,
        indent={"firstLine": 0},
        jc="center",
        keep_next=True,
    )
    style("GwAddressee", "主送机关", FONT_BODY, BODY_PT, indent={"firstLine": 0}, jc="left")
    style("GwHeading1", "一级标题", FONT_H1, BODY_PT, keep_next=True)
    style("GwHeading2", "二级标题", FONT_H2, BODY_PT, keep_next=True)
    style("GwAnnexNote", "附件说明", FONT_BODY, BODY_PT, keep_next=True)
    # The 落款 is kept with the body's last lines: never a page holding only the signature.
    style(
        "GwSignature",
        "发文机关署名",
        FONT_BODY,
        BODY_PT,
        indent={"firstLine": 0, "right": 200},
        jc="right",
        keep_next=True,
    )
    style(
        "GwDate", "成文日期", FONT_BODY, BODY_PT, indent={"firstLine": 0, "right": 400}, jc="right"
    )
    # 附件 (7.3.7): on a new page, "附件" in 3号黑体 at the top left, then its own title.
    style("GwAnnex", "附件标识", FONT_H1, BODY_PT, indent={"firstLine": 0}, jc="left",
          keep_next=True, page_break=True)  # fmt: skip
    style("GwTable", "表格文字", FONT_BODY, 12, no_grid=True, indent={"firstLine": 0}, jc="left",
          line=TABLE_LINE)  # fmt: skip
    style("GwTableSmall", "表格五号", FONT_BODY, TABLE_SMALL_PT, no_grid=True,
          indent={"firstLine": 0}, jc="left")  # fmt: skip
    style(
        "GwRecord",
        "版记",
        FONT_BODY,
        14,
        no_grid=True,
        indent={"firstLine": 0, "left": 100, "right": 100},
        jc="left",
        line=LINE_PITCH,
    )
    # The empty paragraph before the 版记: where an even-page section break goes when needed.
    style("GwRecordAnchor", "版记位置", FONT_BODY, BODY_PT, indent={"firstLine": 0})
    style("GwPageNumber", "页码", FONT_PAGE, 14, no_grid=True, indent={"firstLine": 0})


def apply_section(doc: DocumentObject, landscape: bool = False) -> None:
    """The GB/T 9704 page; ``landscape`` for a form (the 呈批表): A4 across, 25 mm margins."""
    sect = doc.sections[0]
    sp = sect._sectPr
    pg_sz = sp.get_or_add_pgSz()
    pg_sz.set(qn("w:w"), str(PAGE_H if landscape else PAGE_W))
    pg_sz.set(qn("w:h"), str(PAGE_W if landscape else PAGE_H))
    if landscape:
        pg_sz.set(qn("w:orient"), "landscape")
    margins = (
        (LANDSCAPE_MARGIN,) * 4
        if landscape
        else (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT)
    )
    pg_mar = sp.get_or_add_pgMar()
    for side, value in (
        *zip(("top", "bottom", "left", "right"), margins, strict=True),
        ("header", 851),
        ("footer", round(12 * _TWIPS_PER_MM) if landscape else FOOTER_DIST),
        ("gutter", 0),
    ):
        pg_mar.set(qn(f"w:{side}"), str(value))
    grid = sp.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines" if landscape else "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    if not landscape:  # a form's tables have their own widths: no character grid
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    for key in ("rsidR", "rsidRPr", "rsidSect"):
        sp.attrib.pop(qn(f"w:{key}"), None)
    # Each document starts on an odd page with "— 1 —": so does each notice of the combined
    # print file, whose sections these are (duplex printing never puts two on one sheet).
    for old in sp.findall(qn("w:type")) + sp.findall(qn("w:pgNumType")):
        sp.remove(old)
    sp.insert(0, OxmlElement("w:type", attrs={qn("w:val"): "oddPage"}))
    cols = sp.find(qn("w:cols"))
    (cols if cols is not None else grid).addprevious(
        OxmlElement("w:pgNumType", attrs={qn("w:start"): "1"})
    )

    doc.settings.odd_and_even_pages_header_footer = True
    sect.footer.is_linked_to_previous = False
    sect.even_page_footer.is_linked_to_previous = False
    _page_number(doc, sect.footer.paragraphs[0], odd=True)
    _page_number(doc, sect.even_page_footer.paragraphs[0], odd=False)


def _page_number(doc: DocumentObject, p: Paragraph, odd: bool) -> None:
    """ "— 1 —": odd pages right with one character to spare, even pages left (7.5)."""
    p.style = doc.styles["页码"]
    ppr = p._p.get_or_add_pPr()
    ppr_child(ppr, "jc", val="right" if odd else "left")
    indent(ppr, firstLine=0, **({"right": 100} if odd else {"left": 100}))

    def run(text: str = "", fld: str | None = None, instr: str | None = None) -> None:
        r = p.add_run(text)
        set_fonts(r._r.get_or_add_rPr(), FONT_PAGE, FONT_PAGE)
        r.font.size = Pt(14)
        if fld:
            r._r.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): fld}))
        if instr:
            el = OxmlElement("w:instrText", attrs={qn("xml:space"): "preserve"})
            el.text = instr
            r._r.append(el)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")
