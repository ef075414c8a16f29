"""The standard as data matches the annex of the seed document, and the loader refuses bad data."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from fuling_batch.errors import StandardError
from fuling_batch.rules.standard import load_standard

SEED = Path(__file__).parents[1] / "data" / "seed_annex.txt"
PACKAGED = Path(__file__).parents[2] / "fuling_batch" / "rules" / "data" / "standard.toml"


def annex_rows() -> list[tuple[str, int]]:
    """(criterion text as printed, value) in annex order: a table cell followed by a number cell."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = max(
        i
        for i, line in enumerate(lines)
        if line.strip() == "涪陵区国有企业党组织规范化建设评分标准"
    )
    cells = [line.strip().strip("\u3000").strip() for line in lines[start:]]
    cells = [c for c in cells if c]
    rows = []
    for prev, cur in itertools.pairwise(cells):
        if (
            re.fullmatch(r"\d+", cur)
            and not re.search(r"分\)$|分）$", prev)
            and prev != "合        计"
        ):
            rows.append((prev, int(cur)))
    return rows


def test_counts_caps_and_key_items():
    standard = load_standard()
    assert len(standard.items) == 55
    assert len(standard.key_items) == 35
    assert [s.cap for s in standard.sections] == [8, 13, 20, 18, 12, 15, 8, 6]
    assert [sum(i.value for i in s.items) for s in standard.sections] == [
        8,
        13,
        20,
        18,
        12,
        15,
        8,
        6,
    ]
    assert standard.total == 100
    assert len(standard.lines) == 58
    assert [line.code for line in standard.lines if line.code.startswith("4.1")] == [
        "4.1.1",
        "4.1.2",
        "4.1.3",
        "4.1.4",
    ]
    assert [line.value for line in standard.lines if line.code.startswith("4.1.")] == [4, 3, 2, 2]


def test_every_criterion_matches_the_annex_verbatim():
    standard = load_standard()
    rows = annex_rows()
    assert len(rows) == 55
    for item, (text, value) in zip(standard.items, rows, strict=True):
        assert item.text + ("▲" if item.key else "") == text.rstrip(), item.code
        assert item.value == value, item.code


def test_section_names_match_the_annex():
    seed = SEED.read_text(encoding="utf-8")
    for section in load_standard().sections:
        assert re.search(rf"{section.name}[（(]{int(section.cap)}分[)）]", seed), section.name


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('code = "1.2"', 'code = "1.1"', "编号重复"),
        ("cap = 8\n", "cap = 9\n", "各项分值之和"),
        (
            'code = "4.1.4"\nname = "党课"\nvalue = 2',
            'code = "4.1.4"\nname = "党课"\nvalue = 3',
            "各分项之和",
        ),
        ("total = 100", "total = 101", "各部分满分之和"),
        ('code = "8.4"', 'code = "8.5"', "应为8.4"),
    ],
)
def test_loader_refuses_a_standard_that_does_not_add_up(tmp_path, old, new, message):
    text = PACKAGED.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "standard.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(StandardError, match=message):
        load_standard(bad)


def test_objects_are_immutable():
    item = load_standard().items[0]
    with pytest.raises(AttributeError):
        item.value = 5  # type: ignore[misc]
