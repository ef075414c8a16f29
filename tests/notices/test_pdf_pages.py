"""The printed pages, through the tool's own PDF path (LibreOffice): never a page holding
only the 落款; the 发文机关标志 and each line of the title on one printed line."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fuling_batch.config import NoticeConfig
from fuling_batch.notices.context import (
    KIND_ADJUST,
    KIND_ADMONISH,
    KIND_REMIND,
    notice_title_lines,
    plan_notices,
)
from fuling_batch.notices.letters import letter_title_lines, write_letters
from fuling_batch.notices.pdf import convert_to_pdf
from fuling_batch.notices.render import write_notices
from fuling_batch.rules.models import Grade, GradeResult, PreviousRecord
from tests.factories import STANDARD, make_result


def _chinese_fonts() -> bool:
    """Whether fontconfig, which LibreOffice lays text out with, has a Chinese font. Without
    one it lays CJK text out with stand-in widths, and the pages measured here are not the
    pages any desktop prints (.ci/run installs fonts-noto-cjk)."""
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


pytestmark = [
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="LibreOffice and poppler-utils not installed",
    ),
    pytest.mark.skipif(not _chinese_fonts(), reason="no Chinese font (fonts-noto-cjk) installed"),
]

DAY = dt.date(2026, 11, 24)
DATE = "2026年11月24日"
AUTHORITY = NoticeConfig().authority
_KEYS = [line for line in STANDARD.lines if line.key and not line.label]


def _results() -> dict[str, GradeResult]:
    """One notice of each kind, of the lengths that (without keep-with-next, in LibreOffice
    with the fonts of the test machine) leave the 署名 and 成文日期 alone on a page."""
    fail = {line.code: 0 for line in STANDARD.lines if line.section in (3, 4)}

    def keys(k: int) -> dict[str, float]:
        return {line.code: 0 for line in _KEYS[:k]}

    return {
        KIND_REMIND: make_result(keys(1), enterprise="提醒企业有限公司", serial=1),
        KIND_ADMONISH: make_result(fail | keys(7), enterprise="诫勉企业有限公司", serial=2),
        KIND_ADJUST: make_result(
            fail | keys(3),
            enterprise="调整企业有限公司",
            serial=3,
            previous=PreviousRecord(2025, 50, Grade.FAIL),
        ),
    }


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's lines, white space removed (LibreOffice spaces CJK from digits)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return [[re.sub(r"\s+", "", line) for line in page.splitlines() if line.strip()]
            for page in pages if page.strip()]  # fmt: skip


def _signature_page(pages: list[list[str]]) -> tuple[int, list[str]]:
    [(number, lines)] = [(i, p) for i, p in enumerate(pages, 1) if DATE in p]
    return number, lines


def _body_lines(lines: list[str]) -> list[str]:
    closing = {AUTHORITY, DATE, "附件：考核扣分明细"}
    return [line for line in lines if line not in closing and not re.fullmatch(r"—\d+—", line)]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, GradeResult]]:
    out = tmp_path_factory.mktemp("pdf")
    results = _results()
    records = write_notices(
        out, 2026, list(results.values()), STANDARD, NoticeConfig(), pdf=True, issue_date=DAY
    )
    pdf = {r.kind: (r.path.with_suffix(".pdf"), results[r.kind]) for r in records}
    plans = plan_notices([results[KIND_ADJUST]], 2026, NoticeConfig())
    [letter] = write_letters(out / "letters", plans, NoticeConfig(), DAY, pdf=True)
    pdf["函"] = (letter.with_suffix(".pdf"), results[KIND_ADJUST])
    return pdf


@pytest.mark.parametrize("kind", [KIND_ADJUST, KIND_ADMONISH, KIND_REMIND, "函"])
def test_the_page_with_the_signature_also_holds_body_text(pdfs: dict, kind: str) -> None:
    pages = _pages(pdfs[kind][0])
    number, lines = _signature_page(pages)
    assert number > 1  # these notices are longer than a page
    assert AUTHORITY in lines
    body = _body_lines(lines)
    assert body, f"page {number} holds only the 落款: {lines}"
    last = "以上建议，请予研究。" if kind == "函" else "书面报送区国资委党委。"
    assert any(line.endswith(last) for line in body), lines
    if kind != "函":  # the annex follows on pages of its own
        assert pages[number][0] == "附件" and "考核扣分明细" in pages[number]


@pytest.mark.parametrize("kind", [KIND_ADJUST, KIND_ADMONISH, KIND_REMIND, "函"])
def test_mark_and_title_lines_print_on_one_line_each(pdfs: dict, kind: str) -> None:
    path, result = pdfs[kind]
    first = _pages(path)[0]
    assert first[0] == AUTHORITY  # the long name fits one line at its size
    if kind == "函":
        title = letter_title_lines(result.enterprise)
    else:
        title = notice_title_lines(result.enterprise, kind)
    at = first.index(title[0])
    assert first[at : at + len(title)] == title


def test_the_sign_off_prints_across_the_page(pdfs: dict) -> None:
    # The 呈批表 beside the notices converts too, on pages A4 across.
    folder = pdfs[KIND_REMIND][0].parent
    [signoff] = convert_to_pdf([next(folder.glob("*呈批表.docx"))])
    info = subprocess.run(["pdfinfo", str(signoff)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height
    assert _pages(signoff)[0][0] == "2026年度国有企业党组织规范化建设考核通知书呈批表"


# The text block on the printed page (GB/T 9704-2012, 5.2.2): 37 mm from the top, 225 mm high.
_PT_PER_MM = 72 / 25.4
_BLOCK_TOP, _BLOCK_BOTTOM = 37 * _PT_PER_MM, (37 + 225) * _PT_PER_MM


def _words(pdf: Path) -> list[list[tuple[float, float, str]]]:
    """Each page's words as (yMin, yMax, text), read with ``pdftotext -bbox``."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = re.compile(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)">([^<]*)</word>')
    return [
        [(float(a), float(b), text) for a, b, text in word.findall(page)]
        for page in xml.split("<page ")[1:]
    ]


@pytest.mark.parametrize("kind", [KIND_ADJUST, KIND_ADMONISH, KIND_REMIND, "函"])
def test_the_record_is_at_the_foot_of_the_last_page_which_is_even(pdfs: dict, kind: str) -> None:
    pages = _words(pdfs[kind][0])
    held = [i for i, words in enumerate(pages, 1) if any(t.endswith("日印发") for *_, t in words)]
    assert held == [len(pages)]  # the 版记 is on the last page, and only there
    assert len(pages) % 2 == 0  # an even page: the back of the last sheet
    words = pages[-1]
    [(_, printed_bottom, _)] = [w for w in words if w[2].endswith("日印发")]
    # Its last line sits on the bottom edge of the text block, in the block's bottom part.
    assert _BLOCK_BOTTOM - 6 <= printed_bottom <= _BLOCK_BOTTOM + 1
    for _, bottom, text in words:
        if text.startswith("抄送："):  # the 函 has none when 抄送 is its addressee
            assert _BLOCK_TOP + 0.85 * (_BLOCK_BOTTOM - _BLOCK_TOP) < bottom < printed_bottom
    # Nothing but the page number below it.
    assert not [w for w in words if w[0] > printed_bottom and not re.fullmatch(r"[—\d\s]+", w[2])]


def test_a_record_page_of_its_own_has_no_page_number(pdfs: dict) -> None:
    # Of these notices, those whose text ends on an odd page give the 版记 the next page.
    own = 0
    for path, _ in pdfs.values():
        last = [line for line in _pages(path)[-1] if not re.fullmatch(r"—\d+—", line)]
        if all(line.startswith("抄送：") or line.endswith("日印发") for line in last):
            own += 1
            assert last == _pages(path)[-1], "a page holding only the 版记 is not numbered"
    assert own  # the fixture exercises the case
