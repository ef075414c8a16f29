"""Titles broken into lines by phrase (GB/T 9704-2012, 7.3.1): the pure function."""

from __future__ import annotations

import pytest

from fuling_batch.notices.context import (
    KIND_ADJUST,
    KIND_ADMONISH,
    KIND_REMIND,
    notice_title_lines,
)
from fuling_batch.notices.letters import letter_title_lines
from fuling_batch.notices.titles import (
    BREAK_BAD,
    BREAK_WEAK,
    TITLE_WIDTH,
    Phrase,
    is_trapezoid_or_diamond,
    name_phrases,
    text_width,
    title_lines,
)

NAMES = [
    "中化",
    "涪陵示例能源有限公司",
    "涪陵示例供应链集团有限公司",
    "涪陵示例农业发展集团有限公司",
    "重庆市涪陵区城市建设投资集团有限公司",  # 18: with 关于对 wider than a line
    'A&B<建设>"集团"',  # ASCII counts half
    "重庆市涪陵区国有资本运营管理集团有限责任公司",  # 22: wider than a line by itself
]
TERMS = ("书记", "行政主要负责人", "谈话提醒", "组织诫勉", "调整建议", "进行调整", "通知")
KINDS = (KIND_ADJUST, KIND_ADMONISH, KIND_REMIND)


def _split_inside(lines: list[str], term: str) -> bool:
    """Whether a line break falls inside an occurrence of ``term``."""
    text = "".join(lines)
    breaks = set()
    at = 0
    for line in lines[:-1]:
        at += len(line)
        breaks.add(at)
    start = text.find(term)
    while start >= 0:
        if any(start < b < start + len(term) for b in breaks):
            return True
        start = text.find(term, start + 1)
    return False


def _titles() -> list[tuple[str, list[str]]]:
    out = [(name, notice_title_lines(name, kind)) for name in NAMES for kind in KINDS]
    return out + [(name, letter_title_lines(name)) for name in NAMES]


@pytest.mark.parametrize(("name", "lines"), _titles())
def test_titles_break_by_phrase_in_a_trapezoid_or_diamond(name: str, lines: list[str]) -> None:
    assert all(text_width(line) <= TITLE_WIDTH for line in lines), lines
    assert is_trapezoid_or_diamond([text_width(line) for line in lines]), lines
    assert "".join(lines).startswith("关于") and name in "".join(lines)
    for term in TERMS:
        assert not _split_inside(lines, term), (term, lines)
    if text_width(name) <= TITLE_WIDTH:
        assert not _split_inside(lines, name), lines  # the name on one line
    assert not any(line.startswith(("的", "、")) for line in lines), lines


def test_the_sample_titles_read_as_phrases() -> None:
    assert notice_title_lines("涪陵示例供应链集团有限公司", KIND_ADJUST) == [
        "关于对涪陵示例供应链集团有限公司",
        "党组织书记、行政主要负责人予以组织诫勉",
        "并提出调整建议的通知",
    ]
    # The weak break 党组织 | 书记 is taken only when two lines need it.
    assert notice_title_lines("涪陵示例农业发展集团有限公司", KIND_REMIND) == [
        "关于对涪陵示例农业发展集团有限公司党组织",
        "书记、行政主要负责人予以谈话提醒的通知",
    ]
    assert notice_title_lines("涪陵示例能源有限公司", KIND_REMIND) == [
        "关于对涪陵示例能源有限公司党组织书记、",
        "行政主要负责人予以谈话提醒的通知",
    ]
    assert letter_title_lines("涪陵示例机械制造有限公司") == [
        "关于建议对涪陵示例机械制造有限公司",
        "党组织书记或行政主要负责人进行调整的函",
    ]


def test_a_name_wider_than_a_line_is_cut_where_names_are_cut() -> None:
    name = "重庆市涪陵区国有资本运营管理集团有限责任公司"
    parts = [p.text for p in name_phrases(name)]
    assert parts == ["重庆市涪陵区", "国有资本运营管理", "集团", "有限责任公司"]
    lines = notice_title_lines(name, KIND_REMIND)
    # The one cut falls between two of those parts, never inside one.
    cuts = {len("".join(lines[: i + 1])) for i in range(len(lines) - 1)}
    starts = {len("".join(parts[:i])) for i in range(1, len(parts))}
    offset = len("关于对")
    inside = [c for c in cuts if offset < c < offset + len(name)]
    assert len(inside) == 1 and inside[0] - offset in starts


def test_an_hourglass_gives_way_to_a_trapezoid_or_diamond() -> None:
    # By break costs alone 8 / 2 / 8 (an hourglass) would win; the shape comes first.
    phrases = [
        Phrase("甲" * 6, BREAK_BAD),
        Phrase("乙" * 2),
        Phrase("丙" * 2),
        Phrase("丁" * 2, BREAK_BAD),
        Phrase("戊" * 6),
    ]
    assert title_lines(phrases, width=8) == ["甲" * 6, "乙乙丙丙丁丁", "戊" * 6]


def test_fewest_lines_then_the_strongest_breaks() -> None:
    phrases = [Phrase("甲" * 5), Phrase("乙" * 3, BREAK_WEAK), Phrase("丙" * 5)]
    assert title_lines(phrases, width=10) == ["甲" * 5, "乙" * 3 + "丙" * 5]
    phrases = [Phrase("甲" * 5, BREAK_WEAK), Phrase("乙" * 3), Phrase("丙" * 5)]
    assert title_lines(phrases, width=10) == ["甲" * 5 + "乙" * 3, "丙" * 5]
    assert len(title_lines(phrases, width=13)) == 1


def test_widths_and_shapes() -> None:
    assert text_width("涪陵") == 2 and text_width("AB12") == 2 and text_width("A&B") == 1.5
    assert is_trapezoid_or_diamond([10, 14, 18])  # 正梯形
    assert is_trapezoid_or_diamond([18, 14, 10])  # 倒梯形
    assert is_trapezoid_or_diamond([12, 19, 10])  # 菱形
    assert not is_trapezoid_or_diamond([18, 10, 18])  # 沙漏
    assert title_lines(["关于对", "中化", "的通知"]) == ["关于对中化的通知"]
    assert title_lines([]) == []


@pytest.mark.parametrize("name", ["涪" * 50 + "有限公司", "重庆" * 400, "A" * 300 + "集团"])
def test_a_name_of_any_length_gives_lines_that_fit(name: str) -> None:
    # Far beyond any real title the search is cut short: lines are filled in order.
    for lines in (notice_title_lines(name, KIND_ADJUST), letter_title_lines(name)):
        assert all(text_width(line) <= TITLE_WIDTH for line in lines)
        assert name in "".join(lines)
