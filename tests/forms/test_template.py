"""The score-sheet template: written by the real code, read back with openpyxl and calamine."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from fuling_batch.forms.template import (
    GUIDE_SHEET,
    HEADER_LABELS,
    KEY_MARK,
    META_SHEET,
    SHEET_NAME,
    TABLE_HEADERS,
    TEMPLATE_VERSION,
    main_template_path,
    write_template,
)
from fuling_batch.rules.standard import Standard, fmt_number, load_standard
from tests.factories import credit_code

STANDARD = load_standard()


def header_cells(ws: Worksheet) -> dict[str, str]:
    """Label → coordinate of its value cell (first cell right of the label or its merged range)."""
    merged = {r.min_row * 10_000 + r.min_col: r for r in ws.merged_cells.ranges}
    out: dict[str, str] = {}
    for row in ws.iter_rows(max_row=12):
        for cell in row:
            if isinstance(cell, MergedCell) or cell.value not in HEADER_LABELS:
                continue
            rng = merged.get(cell.row * 10_000 + cell.column)
            col = (rng.max_col if rng else cell.column) + 1
            out[str(cell.value)] = f"{get_column_letter(col)}{cell.row}"
    return out


def table_layout(ws: Worksheet) -> tuple[int, dict[str, int]]:
    """The table header row and the column of each table heading."""
    for row in ws.iter_rows():
        values = [c.value for c in row]
        if "编号" in values and "得分" in values:
            return row[0].row, {str(v): i + 1 for i, v in enumerate(values) if v}
    raise AssertionError("no table header row")


def formula_rows(formula: str, column: str) -> list[int]:
    """Rows referenced in ``column`` by a ``=SUM(...)`` of cells and ranges (duplicates kept)."""
    assert formula.startswith("=SUM("), formula
    rows: list[int] = []
    for ref in formula[5:-1].split(","):
        a, _, b = ref.partition(":")
        (ca, ra), (cb, rb) = _split(a), _split(b or a)
        assert ca == cb == column, formula
        rows.extend(range(ra, rb + 1))
    return rows


def _split(ref: str) -> tuple[str, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref)
    assert m, ref
    return m.group(1), int(m.group(2))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "score_template.xlsx", STANDARD)


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


@pytest.fixture(scope="module")
def sheet(book: openpyxl.Workbook) -> Worksheet:
    return book[SHEET_NAME]


@pytest.fixture(scope="module")
def rows(sheet: Worksheet) -> dict[str, int]:
    """Item/line code → row, for every coded row of the table."""
    head, cols = table_layout(sheet)
    out: dict[str, int] = {}
    for r in range(head + 1, sheet.max_row + 1):
        value = sheet.cell(r, cols["编号"]).value
        if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)+", value):
            assert value not in out, f"code {value} twice"
            out[value] = r
    return out


def test_lines_codes_values_and_key_marks_follow_the_standard(
    sheet: Worksheet, rows: dict[str, int]
) -> None:
    _, cols = table_layout(sheet)
    assert set(TABLE_HEADERS) <= set(cols)
    codes = [line.code for line in STANDARD.lines]
    assert len(codes) == 58
    line_rows = [rows[c] for c in codes]
    assert line_rows == sorted(line_rows), "lines must follow annex order"
    assert "1.10" not in rows and "3.10" in rows
    for line in STANDARD.lines:
        r = rows[line.code]
        code_cell = sheet.cell(r, cols["编号"])
        assert code_cell.data_type == "s" and code_cell.value == line.code
        assert sheet.cell(r, cols["分值"]).value == line.value
        assert sheet.cell(r, cols["重点项"]).value == (KEY_MARK if line.key else None)
        assert line.key == line.item.key
        expected = line.label or line.item.text
        assert sheet.cell(r, cols["评分标准"]).value == expected
        assert sheet.cell(r, cols["得分"]).value is None


def test_item_scored_in_parts_has_its_own_summing_row(
    sheet: Worksheet, rows: dict[str, int]
) -> None:
    _, cols = table_layout(sheet)
    item = STANDARD.item("4.1")
    r = rows["4.1"]
    assert sheet.cell(r, cols["评分标准"]).value == item.text
    assert sheet.cell(r, cols["重点项"]).value == KEY_MARK
    assert sheet.cell(r, cols["分值"]).value == item.value == 11
    score = sheet.cell(r, cols["得分"])
    assert score.protection.locked
    letter = get_column_letter(cols["得分"])
    assert formula_rows(score.value, letter) == [rows[p.code] for p in item.parts]
    assert [sheet.cell(rows[p.code], cols["分值"]).value for p in item.parts] == [4, 3, 2, 2]
    assert sheet.cell(rows["4.1.1"], cols["评分标准"]).value == "党员大会（4分）"


def test_every_score_cell_has_a_range_validation_with_chinese_messages(
    sheet: Worksheet, rows: dict[str, int]
) -> None:
    _, cols = table_layout(sheet)
    letter = get_column_letter(cols["得分"])
    by_cell = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in sheet[rng.coord] if ":" in rng.coord else [[sheet[rng.coord]]]:
                for cell in row:
                    assert cell.coordinate not in by_cell
                    by_cell[cell.coordinate] = dv
    for line in STANDARD.lines:
        dv = by_cell[f"{letter}{rows[line.code]}"]
        assert dv.type == "decimal" and dv.operator in (None, "between")  # between is the default
        assert float(dv.formula1) == 0 and float(dv.formula2) == line.value
        assert dv.formula2 == fmt_number(line.value)
        assert dv.showErrorMessage and dv.showInputMessage and dv.errorStyle in (None, "stop")
        assert f"0至{fmt_number(line.value)}分" in dv.error and "得分" in dv.errorTitle
        assert line.code in dv.promptTitle and "扣分说明" in dv.prompt
    # 4.1 itself is computed, not typed
    assert f"{letter}{rows['4.1']}" not in by_cell


def test_subtotals_cover_exactly_their_section_and_total_covers_subtotals(
    sheet: Worksheet, rows: dict[str, int]
) -> None:
    head, cols = table_layout(sheet)
    letter = get_column_letter(cols["得分"])
    code_col, value_col = cols["编号"], cols["分值"]
    subtotal_rows: list[int] = []
    total_row = None
    for r in range(head + 1, sheet.max_row + 1):
        label = sheet.cell(r, code_col).value
        if label == "小计":
            subtotal_rows.append(r)
        elif label == "合计":
            total_row = r
    assert len(subtotal_rows) == len(STANDARD.sections) == 8
    titles = [sheet.cell(r, code_col).value for r in range(head + 1, sheet.max_row + 1)]
    for section, sub in zip(STANDARD.sections, subtotal_rows, strict=True):
        assert section.title in titles
        expected = [rows[line.code] for line in STANDARD.lines if line.section == section.number]
        formula = sheet.cell(sub, cols["得分"]).value
        assert sorted(formula_rows(formula, letter)) == expected, section.title
        assert sheet.cell(sub, value_col).value == section.cap
    assert total_row is not None and total_row > subtotal_rows[-1]
    total = sheet.cell(total_row, cols["得分"]).value
    assert formula_rows(total, letter) == subtotal_rows
    assert sheet.cell(total_row, value_col).value == STANDARD.total == 100


def test_protection_leaves_exactly_the_input_cells_unlocked(
    sheet: Worksheet, rows: dict[str, int]
) -> None:
    _, cols = table_layout(sheet)
    assert sheet.protection.sheet
    assert not sheet.protection.password
    assert sheet.protection.formatRows is False  # inspectors may grow rows for long reasons
    expected = set(header_cells(sheet).values())
    for line in STANDARD.lines:
        expected |= {
            f"{get_column_letter(cols[name])}{rows[line.code]}" for name in ("得分", "扣分说明")
        }
    assert len(expected) == 8 + 2 * 58
    unlocked = set()
    seen = 0
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column):
        for cell in row:
            if isinstance(cell, MergedCell) or not (cell.value is not None or cell.has_style):
                continue
            seen += 1
            if not cell.protection.locked:
                unlocked.add(cell.coordinate)
    assert seen > 400
    assert unlocked == expected


def test_header_labels_have_value_cells_to_their_right(sheet: Worksheet) -> None:
    cells = header_cells(sheet)
    assert set(cells) == set(HEADER_LABELS)
    labels = []
    for row in sheet.iter_rows(max_row=12):
        labels += [c.value for c in row if c.value in HEADER_LABELS]
    assert tuple(labels) == HEADER_LABELS  # reading order is the contract's order
    for coord in cells.values():
        assert sheet[coord].value is None and not sheet[coord].protection.locked
    head, _ = table_layout(sheet)
    assert all(int(re.sub(r"\D", "", c)) < head for c in cells.values())


def test_conditional_formats_flag_unexplained_deductions_and_key_items(
    sheet: Worksheet, rows: dict[str, int]
) -> None:
    _, cols = table_layout(sheet)
    score, remark = get_column_letter(cols["得分"]), get_column_letter(cols["扣分说明"])
    rules = [(str(cf.sqref), rule) for cf in sheet.conditional_formatting for rule in cf.rules]
    assert rules and all(rule.type == "expression" for _, rule in rules)
    unexplained = [(s, r) for s, r in rules if f"LEN(TRIM(${remark}" in r.formula[0]]
    key = [(s, r) for s, r in rules if f'="{KEY_MARK}"' in r.formula[0]]
    assert len(unexplained) == 1 and key
    covered = {c for s, _ in unexplained for c in _cells(s)}
    for line in STANDARD.lines:
        assert {f"{score}{rows[line.code]}", f"{remark}{rows[line.code]}"} <= covered
    key_covered = {c for s, _ in key for c in _cells(s)}
    for item in STANDARD.key_items:
        assert f"A{rows[item.code]}" in key_covered
    for _, rule in unexplained + key:
        assert rule.dxf is not None and (rule.dxf.fill is not None or rule.dxf.font is not None)


def _cells(sqref: str) -> set[str]:
    out = set()
    for rng in sqref.split():
        c1, r1, c2, r2 = range_boundaries(rng)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                out.add(f"{get_column_letter(c)}{r}")
    return out


def test_meta_is_very_hidden_and_guide_explains_the_rules(book: openpyxl.Workbook) -> None:
    assert book.sheetnames[0] == SHEET_NAME and book.active.title == SHEET_NAME
    meta = book[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    data = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert data == {
        "template_version": TEMPLATE_VERSION,
        "standard_version": STANDARD.version,
        "standard_title": STANDARD.title,
        "generator": "fuling_batch",
    }
    guide = "\n".join(str(c.value) for row in book[GUIDE_SHEET].iter_rows() for c in row if c.value)
    for needle in ("0.5分步长", "扣分说明", KEY_MARK, f"共{len(STANDARD.key_items)}项", ".xlsx"):
        assert needle in guide
    assert "80分及以上为合格" in guide and "60分以下为不合格" in guide


def test_print_setup(sheet: Worksheet) -> None:
    head, _ = table_layout(sheet)
    assert sheet.freeze_panes == f"A{head + 1}"
    assert sheet.print_title_rows == f"${head}:${head}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the OOXML default
    assert sheet.page_setup.fitToHeight == 0
    footer = sheet.oddFooter.center.text
    assert "&P" in footer and "&N" in footer and "页" in footer
    assert sheet.column_dimensions["B"].width > 60
    long_row = max(sheet.row_dimensions[r].height or 0 for r in range(1, sheet.max_row + 1))
    assert long_row > 100  # the longest criterion gets several lines


def test_codes_read_back_as_text_by_calamine(template: Path) -> None:
    with CalamineWorkbook.from_path(str(template)) as wb:
        data = wb.get_sheet_by_name(SHEET_NAME).to_python(skip_empty_area=False)
    codes = [row[0] for row in data if isinstance(row[0], str) and row[0][:1].isdigit()]
    assert codes[codes.index("3.9") + 1] == "3.10"
    assert len(codes) == len(STANDARD.lines) + 1  # plus 4.1's own row


def test_committed_template_is_what_the_code_writes(template: Path) -> None:
    committed = main_template_path()
    assert committed.is_file(), "run `fuling-batch template` and commit the file"
    old, new = _members(committed), _members(template)
    assert sorted(old) == sorted(new)
    changed = [name for name in new if old[name] != new[name]]
    assert not changed, f"{changed} differ: regenerate with `fuling-batch template` and commit"


def test_output_is_deterministic(template: Path, tmp_path: Path) -> None:
    again = write_template(tmp_path / "again.xlsx")
    assert again.read_bytes() == template.read_bytes()


def test_header_values_are_prefilled(tmp_path: Path) -> None:
    code = credit_code(7)
    path = write_template(
        tmp_path / "pre.xlsx",
        header={"企业名称": "涪陵示例有限公司", "统一社会信用代码": code, "考核年度": 2026},
    )
    ws = openpyxl.load_workbook(path)[SHEET_NAME]
    cells = header_cells(ws)
    assert ws[cells["企业名称"]].value == "涪陵示例有限公司"
    assert ws[cells["统一社会信用代码"]].value == code
    assert ws[cells["统一社会信用代码"]].data_type == "s"
    assert ws[cells["考核年度"]].value == 2026
    assert ws[cells["党组织书记"]].value is None
    assert not ws[cells["企业名称"]].protection.locked
    with pytest.raises(ValueError):
        write_template(tmp_path / "bad.xlsx", header={"企业": "x"})
    assert not (tmp_path / "bad.xlsx").exists()


def test_a_custom_standard_drives_the_layout(tmp_path: Path) -> None:
    data = Path(__file__).parents[2] / "fuling_batch" / "rules" / "data" / "standard.toml"
    text = data.read_text("utf-8").replace('version = "2017-86"', 'version = "test-9"')
    text = text.replace("有党建工作专题宣传片、工作汇报片等。", "有党建工作专题宣传片（测试）。")
    custom = tmp_path / "std.toml"
    custom.write_text(text, "utf-8")
    standard: Standard = load_standard(custom)
    book = openpyxl.load_workbook(write_template(tmp_path / "c.xlsx", standard))
    meta = {row[0]: row[1] for row in book[META_SHEET].iter_rows(values_only=True)}
    assert meta["standard_version"] == "test-9"
    texts = [c.value for row in book[SHEET_NAME].iter_rows() for c in row]
    assert "有党建工作专题宣传片（测试）。" in texts


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_it(template: Path, tmp_path: Path) -> None:
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(template)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "score_template.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_the_sheet_ends_with_the_inspectors_signature_and_date(sheet: Worksheet) -> None:
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    total = max(i for i, row in enumerate(rows) if row[0] == "合计")
    tail = [[v for v in row if v] for row in rows[total + 1 :]]
    assert [r for r in tail if r] == [["考核组成员签字："], ["日期：", "年　　月　　日"]]
    # On the printed page, and the reader passes them by (not a header label).
    assert sheet.print_area.endswith(f"$F${len(rows)}")


def test_the_guide_says_what_the_reader_tolerates(book: openpyxl.Workbook) -> None:
    guide = "\n".join(str(c.value) for row in book[GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "勿插入" not in guide and "勿重命名" not in guide
    assert "插入行或列" in guide and "重命名工作表都不影响汇总" in guide
    assert "不要修改“编号”“分值”“重点项”列" in guide
    assert "考核组成员签字" in guide
