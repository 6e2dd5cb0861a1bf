"""``multi-year-amount`` (this year's amount above the multi-year total) and ``multi-year-goal``
(a multi-year project whose 长期目标 is blank or repeats its 年度目标) — on invented projects, on
the real Shenzhen 2023 申报表 workbook (every project gets a verdict, each read by hand) and on
the corpus drafts, whose template has none of these fields (not checkable, never clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.readers import read_document
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

RULESET = load_rules()
RULES = ("multi-year-amount", "multi-year-goal")
WORKBOOK = Path(__file__).parent / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"


def audit(*projects: dict):
    doc = document_from({"projects": list(projects)}, "document", parse_value)
    return Engine([RULESET.resolve(r) for r in RULES]).audit(doc)


def found(result, rule: str) -> list[tuple[int, str | None]]:
    return [(f.project.index, f.case) for f in result.findings if f.rule == rule]


def test_this_year_above_the_total_in_the_declared_units():
    result = audit(
        {"budget": {"total": 300, "total_all_years": 900}},
        {"budget": {"total": 900, "total_all_years": 300}},
        {"budget": {"total": 900, "total_all_years": 900}},
        # 元 under one label, 万元 under the other: compared in 元
        {"budget": {"total": 3000000, "total_all_years": 900, "units": {"total": "元", "total_all_years": "万元"}}},
        {"budget": {"total": 30000000, "total_all_years": 900, "units": {"total": "元", "total_all_years": "万元"}}},
    )
    assert found(result, "multi-year-amount") == [(2, None), (5, None)]
    message = next(f for f in result.findings if f.rule == "multi-year-amount").message["zh"]
    assert "900万元" in message and "300万元" in message


def test_amount_not_checkable_without_a_multi_year_total_or_a_number():
    result = audit({"budget": {"total": 300}}, {"budget": {"total": 300, "total_all_years": ""}}, {"budget": {"total": "", "total_all_years": 900}})
    outcome = result.outcomes["multi-year-amount"]
    assert (outcome.checked, outcome.findings, outcome.not_checkable) == (0, 0, 3)


def test_long_term_goal_blank_or_repeating_the_annual_one():
    annual = "完成辖区12个公园的绿化养护，绿化完好率不低于95%"
    result = audit(
        {"duration_years": 3, "annual_goal": annual, "long_term_goal": ""},
        {"duration_years": 3, "annual_goal": annual, "long_term_goal": annual + "。"},
        {"duration_years": 3, "annual_goal": annual, "long_term_goal": "三年内建成覆盖全街道的公园养护体系，市民游园满意度稳定在90%以上"},
        {"duration_years": 1, "annual_goal": annual, "long_term_goal": annual},  # one year: one goal may serve
        {"duration_years": 2, "annual_goal": annual},  # the form has no 长期目标: not checkable
        {"annual_goal": annual, "long_term_goal": annual},  # nor 实施期限
    )
    assert found(result, "multi-year-goal") == [(1, "long_term_empty"), (2, "repeats")]
    outcome = result.outcomes["multi-year-goal"]
    assert (outcome.checked, outcome.not_checkable) == (4, 2)
    repeat = next(f for f in result.findings if f.case == "repeats")
    assert repeat.field == "annual_goal" and "相似度100%" in repeat.message["zh"]


@pytest.fixture(scope="module")
def workbook_audit():
    doc = read_document(WORKBOOK, parse_value)
    complete_document(doc)
    return Engine([RULESET.resolve(r) for r in RULES]).audit(doc)


def test_workbook_every_project_gets_a_verdict(workbook_audit):
    # read by hand: every project runs 3 years; this year's amount is a third of the total in all
    # 20 (project 4: 0 and 0) — clean. 7 and 15 give the same text twice; 14 changes only
    # “2023年11月前” into “每年11月前”. 1 (0.71) and 3 (0.78) add a clause to the other goal but
    # say something of their own, and stay clean.
    assert found(workbook_audit, "multi-year-amount") == []
    assert found(workbook_audit, "multi-year-goal") == [(7, "repeats"), (14, "repeats"), (15, "repeats")]
    for rule in RULES:
        outcome = workbook_audit.outcomes[rule]
        assert (outcome.checked, outcome.not_checkable) == (20, 0), rule


def test_corpus_drafts_have_none_of_these_fields(audits, drafts):
    for key, result in audits.items():
        for rule in RULES:
            outcome = result.outcomes[rule]
            assert outcome.checked == 0 and outcome.findings == 0, (key, rule)
            # 002's empty project table has no budget either: it too is not checkable
            assert outcome.not_checkable == len(drafts[key].projects), (key, rule)


@pytest.mark.parametrize(
    ("written", "years"),
    [("3", 3), ("3年", 3), ("2023-2025", 3), ("2024年—2026年", 3), ("2024年1月—2026年12月", 3),
     ("2024年1月—2026年12月（3年）", 3), ("2023.1.1-2025.12.31", 3), ("2025年1月-2025年12月", 1), ("2025年", 1),
     ("长期", None)],
)
def test_the_ways_a_form_writes_its_implementation_period(written, years):
    from auditor.readers.fields import duration_years

    assert duration_years(written) == years
