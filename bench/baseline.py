"""The straightforward pipeline a competent engineer would write first, for comparison.

openpyxl reads each workbook, the same grading rules decide, pandas ``to_excel`` writes the
summary and docxtpl renders every notice afresh from the template file. One process, no
validation beyond what is needed to read the scores. It produces the same decisions and the
same notice text as fuling_batch, so the ratio measures only how the work is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path

import openpyxl
import pandas as pd
from docxtpl import DocxTemplate

from fuling_batch.config import Config
from fuling_batch.notices.context import build_context, plan_notices
from fuling_batch.notices.template import default_notice_template
from fuling_batch.rules.grading import grade
from fuling_batch.rules.models import HEADER_LABELS, GradeResult, Header, ItemScore, ScoreSheet
from fuling_batch.rules.standard import Standard, load_standard


def read_sheet(path: Path, standard: Standard) -> ScoreSheet | None:
    data = path.read_bytes()
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb.worksheets[0]
    header: dict[str, str] = {}
    columns: dict[str, int] = {}
    scores: dict[str, ItemScore] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in HEADER_LABELS:
                for right in row[cell.column :]:
                    if right.value not in (None, "") and right.value not in HEADER_LABELS:
                        header[str(cell.value)] = str(right.value)
                        break
            if cell.value == "编号":
                columns = {str(c.value): c.column - 1 for c in row if c.value}
        if columns and row[columns["编号"]].value in {line.code for line in standard.lines}:
            code = str(row[columns["编号"]].value)
            score = row[columns["得分"]].value
            remark = row[columns["扣分说明"]].value or ""
            if not isinstance(score, int | float):
                return None
            scores[code] = ItemScore(
                code, float(score), str(remark), row[columns["得分"]].coordinate
            )
    wb.close()
    head = Header(
        enterprise=header.get("企业名称", ""),
        credit_code=header.get("统一社会信用代码", ""),
        year=int(float(header.get("考核年度", "0"))),
        party_org=header.get("党组织名称", ""),
        secretary=header.get("党组织书记", ""),
        admin_head=header.get("行政主要负责人", ""),
        assessed_on=header.get("考核日期", ""),
        inspectors=header.get("考核组成员", ""),
    )
    ordered = tuple(scores[line.code] for line in standard.lines if line.code in scores)
    if len(ordered) != len(standard.lines):
        return None
    return ScoreSheet(path.name, hashlib.sha256(data).hexdigest(), ws.title, head, ordered)


def write_summary(target: Path, results: list[GradeResult], standard: Standard) -> None:
    ranked = sorted(results, key=lambda r: -r.total)
    overview = pd.DataFrame(
        [
            {
                "排名": i,
                "企业名称": r.enterprise,
                "统一社会信用代码": r.credit_code,
                **{
                    s.name: score
                    for s, score in zip(standard.sections, r.section_scores, strict=True)
                },
                "总分": r.total,
                "初评等次": str(r.raw_grade),
                "▲未达标项": "、".join(r.triangle_not_met),
                "最终等次": str(r.final_grade),
                "处理意见": "、".join(r.consequences),
            }
            for i, r in enumerate(ranked, 1)
        ]
    )
    items = pd.DataFrame(
        [{"企业名称": r.enterprise, **{s.code: s.score for s in r.sheet.scores}} for r in ranked]
    )
    deductions = pd.DataFrame(
        [
            {
                "企业名称": r.enterprise,
                "编号": s.code,
                "评分标准": standard.line(s.code).item.text,
                "分值": standard.line(s.code).value,
                "得分": s.score,
                "扣分": standard.line(s.code).value - s.score,
                "扣分说明": s.remark,
            }
            for r in ranked
            for s in r.sheet.scores
            if s.score < standard.line(s.code).value
        ]
    )
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        overview.to_excel(writer, sheet_name="汇总", index=False)
        items.to_excel(writer, sheet_name="分项得分", index=False)
        deductions.to_excel(writer, sheet_name="扣分明细", index=False)


def run(input_dir: Path, out_dir: Path, year: int = 2026) -> dict[str, float]:
    """Run the baseline; return seconds per stage."""
    standard, config = load_standard(), Config()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    sheets = [s for p in sorted(input_dir.rglob("*.xlsx")) if (s := read_sheet(p, standard))]
    timings["read"] = time.perf_counter() - start

    start = time.perf_counter()
    results = [grade(s, standard, config.grading, year) for s in sheets]
    timings["grade"] = time.perf_counter() - start

    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    write_summary(out_dir / "summary.xlsx", results, standard)
    timings["summary"] = time.perf_counter() - start

    start = time.perf_counter()
    template = default_notice_template()
    notices = out_dir / "notices"
    notices.mkdir(exist_ok=True)
    issued = config.notices.issue_date or dt.date(year, 12, 1)
    for n, plan in enumerate(plan_notices(results, year, config.notices)):
        doc = DocxTemplate(template)
        doc.render(build_context(plan, standard, config.notices, issued))
        doc.save(notices / f"{n:05d}.docx")
    timings["notices"] = time.perf_counter() - start
    timings["total"] = sum(timings.values())
    return timings


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False))
