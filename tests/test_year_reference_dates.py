"""year-mismatch reports a deadline outside the budget year, not a date used as a reference (the
base of a count or comparison, a document's date) nor a date within the project's multi-year
实施期限 in a 可持续影响 row. Wordings are invented; the form cases edit a copy of the shared
Shenzhen workbook, whose true findings must stay."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from auditor.domain import implementation_years
from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.model import Location, Project
from auditor.readers import read_document
from auditor.readers.fields import set_field
from auditor.rules import load_rules
from auditor.values import parse_value

RULE = load_rules().resolve("year-mismatch")
WORKBOOK = Path("/work/shared/corpus-forms/shenzhen_2023_project_form_workbook.xlsx")
SAMPLE_002 = Path(__file__).parent.parent / "samples" / "002_5c6f3b5fd23eb4e3.txt"


def flagged(year: int, kind: str, text: str) -> list[str]:
    doc = document_from({"year": year, "kind": kind, "text": text}, "text", parse_value)
    return [finding.evidence for finding in Engine([RULE]).audit(doc).findings]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("description", "2024年底在册人数"),
        ("description", "分散供养特困人员以2024年12月底在册人数为准"),
        ("description", "2024年底基数上再减少5%"),
        ("goal", "与2024年底相比提高5个百分点"),
        ("description", "保持2024年底水平不下降"),
        ("description", "截至2024年底的存量问题全部清零"),
        ("description", "采用2024年12月底统计数据"),
        ("purpose", "依据2023年12月印发的实施方案发放补助"),
        ("description", "《中华人民共和国预算法》（2021年4月29日修正）"),
        ("purpose", "落实《关于2024年底前完成农村危房改造的通知》"),
        ("goal", "执行自2024年1月1日起施行的救助标准"),
    ],
)
def test_a_reference_date_is_not_a_deadline(kind: str, text: str) -> None:
    assert flagged(2025, kind, text) == []


@pytest.mark.parametrize(
    ("kind", "text", "evidence"),
    [
        ("value", "截至2024年底", "2024年底"),
        ("value", "2024年12月底前", "2024年12月"),
        ("goal", "2026年6月底前完成竣工验收", "2026年6月"),
        ("description", "确保2024年12月31日前完工并交付", "2024年12月31日"),
        ("goal", "力争2024年底全面完成改造", "2024年底"),
        ("description", "截至2026年底完成全部改造", "2026年底"),
        ("value", "2024.12.31", "2024.12.31"),
    ],
)
def test_a_deadline_outside_the_budget_year_is_reported(kind: str, text: str, evidence: str) -> None:
    assert flagged(2025, kind, text) == [evidence]


def test_implementation_years_read_the_written_span_else_the_years_a_period_may_cover() -> None:
    written = Project(index=1, heading="")
    set_field(written, "duration_years", "2024年1月—2026年12月", Location())  # as a form's reader sets it
    assert implementation_years(written, 2025) == [2024, 2025, 2026]
    assert implementation_years(Project(index=1, heading="", duration_years=3, is_new=True), 2025) == [2025, 2026, 2027]
    assert implementation_years(Project(index=1, heading="", duration_years=2, is_new=False), 2025) == [2024, 2025, 2026]
    assert implementation_years(Project(index=1, heading="", duration_years=1), 2025) == []
    assert implementation_years(None, 2025) == []


def edited_workbook(tmp_path: Path, cells: dict[str, str]) -> Path:
    """The shared workbook with cells of its first sheet (一项 2023 project, 实施期限 B4) rewritten."""
    book = openpyxl.load_workbook(WORKBOOK)
    sheet = book[book.sheetnames[0]]
    for ref, text in cells.items():
        sheet[ref] = text
    path = tmp_path / "form.xlsx"
    book.save(path)
    return path


def findings_of(path: Path) -> list[tuple[str, str]]:
    doc = read_document(path, parse_value)
    assert doc.year == 2023
    return [(f.evidence, f.field) for f in Engine([RULE]).audit(doc).findings if f.project is not None and f.project.index == 1]


SUSTAINED = {"C19": "社区服务长效机制", "D19": "建立", "E19": "2024年底前建成社区服务长效机制"}


def test_a_sustained_impact_date_within_the_written_period_passes(tmp_path: Path) -> None:
    path = edited_workbook(tmp_path, {"B4": "2022-2024", **SUSTAINED, "E12": "2022年底在册服务对象人数"})
    assert findings_of(path) == []


def test_a_sustained_impact_date_after_the_written_period_is_reported(tmp_path: Path) -> None:
    path = edited_workbook(tmp_path, {"B4": "2021-2023", **SUSTAINED})
    assert findings_of(path) == [("2024年底", "indicators[7].description")]


def test_a_timeliness_target_within_the_period_but_outside_the_year_is_reported(tmp_path: Path) -> None:
    path = edited_workbook(tmp_path, {"B4": "2022-2024", "D14": "2024年6月底前完成"})
    assert findings_of(path) == [("2024年6月", "indicators[2].value")]


def test_the_corpus_deadlines_are_still_reported() -> None:
    shenzhen = read_document(WORKBOOK, parse_value)
    assert [(f.project.index if f.project else None, f.evidence) for f in Engine([RULE]).audit(shenzhen).findings] == [(14, "2025.12.31")]
    sample = read_document(SAMPLE_002, parse_value)
    assert [f.evidence for f in Engine([RULE]).audit(sample).findings] == ["2022年12月"]


def test_an_outcome_of_a_multi_year_project_may_be_due_within_its_period(tmp_path: Path) -> None:
    """An outcome (社会效益 here) of a two-year project may be stated for the period's end; a
    deadline after the period, or a 时效 target in another year, is still reported."""
    outcome = {"C17": "居民服务覆盖率", "D17": "≥90%", "E17": "2023年末阶段目标80%，2024年末覆盖率达到90%以上"}
    assert findings_of(edited_workbook(tmp_path, {"B4": "2023-2024", **outcome})) == []
    assert findings_of(edited_workbook(tmp_path, {"B4": "2021-2023", **outcome})) == [("2024年末", "indicators[5].description")]
