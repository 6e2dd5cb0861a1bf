"""Suggestions' example targets fit the indicator they are about: a rate gets ``%``, a count its
own measure word, money ``万元`` within the project's budget, a deadline the draft's year, a
duration working days, the direction the vocabulary gives — and a name the vocabulary does not
know gets the generic forms, each labelled, never one specific wrong unit. On an invented draft
(indicators of our own) and on the real Shenzhen 2023 申报表 workbook."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

WORKBOOK = Path("/work/shared/corpus-forms/shenzhen_2023_project_form_workbook.xlsx")
RULES = load_rules().rules

# An invented 2024 project: 河道综合治理 with a budget of 126.61万元.
ROWS = [
    {"level2": "数量指标", "level3": "疫苗接种人份", "value": "≥500"},
    {"level2": "数量指标", "level3": "河道保洁频次", "value": "≥XX"},
    {"level2": "数量指标", "level3": "帮扶困难家庭户数", "value": "12户"},
    {"level2": "数量指标", "level3": "走访慰问户数", "value": "12"},
    {"level2": "数量指标", "level3": "专项资金项目", "value": "03 专项资金项目"},
    {"level2": "数量指标", "level3": "河道巡查覆盖面", "value": "有所扩大"},
    {"level2": "质量指标", "level3": "设备验收合格率", "value": "每季度检查三次为优，两次为良"},
    {"level2": "质量指标", "level3": "群众投诉率", "value": "3%"},
    {"level2": "时效指标", "level3": "项目完工时间", "value": "XX"},
    {"level2": "时效指标", "level3": "投诉处理时长", "value": "≤3"},
    {"level2": "成本指标", "level3": "设备采购金额", "value": "≥XX万元"},
    {"level2": "成本指标", "level3": "项目总投资", "value": "每日巡查三次为优"},
    {"level2": "成本指标", "level3": "人均培训成本", "value": "按标准执行"},
    {"level2": "成本指标", "level3": "河道治理成本", "value": "严格控制"},
    {"level2": "社会效益指标", "level3": "河道环境改善", "value": "XX"},
    {"level2": "满意度指标", "level3": "培训参与度", "value": "≥95"},
    {"level2": "满意度指标", "level3": "沿河居民满意度", "value": "基本满意"},
]


def audit(rows: list[dict], year: int | None = 2024) -> dict[tuple[str, str, str | None], dict[str, str]]:
    """Each finding's suggestion (zh and en) by (indicator, rule, case), each row audited in a
    draft of its own (so that no rule folds several rows into one finding)."""
    found = {}
    for row in rows:
        draft = {"year": year, "projects": [{"name": "河道综合治理", "budget": 126.61, "money_unit": "万元", "indicators": [row]}]}
        doc = document_from(draft, "document", parse_value)
        complete_document(doc)
        for finding in Engine(RULES).audit(doc).findings:
            if finding.indicator is not None:
                found[(finding.indicator[1], finding.rule, finding.case)] = {"zh": finding.suggestion["zh"], "en": finding.suggestion["en"]}
    return found


@pytest.fixture(scope="module")
def suggestions() -> dict[tuple[str, str, str | None], dict[str, str]]:
    return audit(ROWS)


def examples(text: str, drafted: str = "") -> list[str]:
    """The quoted example targets of a suggestion (those with a figure or a deadline), but for
    the draft's own value the suggestion quotes."""
    return [q for q in re.findall(r"“([^”]*)”", text) if re.search(r"\d|X|月底前", q) and q != drafted]


@pytest.mark.parametrize(
    ("level3", "rule", "case", "wanted"),
    [
        ("疫苗接种人份", "value-syntax", "no_unit", "≥500人份"),  # the name's own measure word
        ("河道保洁频次", "indicator-placeholder", "template", "≥90次"),
        ("走访慰问户数", "value-syntax", "no_unit", "≥12户"),
        ("帮扶困难家庭户数", "value-syntax", "no_operator", "≥12户"),
        ("设备验收合格率", "value-syntax", "grading", "≥90%"),
        ("群众投诉率", "value-syntax", "no_operator", "≤3%"),  # a ceiling, not a floor
        ("项目完工时间", "indicator-placeholder", "template", "2024年12月底前"),
        ("投诉处理时长", "value-syntax", "no_unit", "≤3个工作日"),
        ("设备采购金额", "indicator-placeholder", "template", "≤126.61万元"),  # the budget
        ("项目总投资", "value-syntax", "grading", "≤126.61万元"),  # not ≥3次/日
        ("人均培训成本", "indicator-not-quantified", None, "≤X元/人"),  # a unit cost, not the budget
        ("河道治理成本", "indicator-not-quantified", None, "≤126.61万元"),
        ("培训参与度", "value-syntax", "no_unit", "≥95%"),
        ("沿河居民满意度", "value-not-measurable", None, "≥90%"),
    ],
)
def test_the_example_fits_the_indicator(suggestions, level3, rule, case, wanted):
    suggestion = suggestions[(level3, rule, case)]
    drafted = next(row["value"] for row in ROWS if row["level3"] == level3)
    assert examples(suggestion["zh"], drafted)[0] == wanted, suggestion["zh"]
    assert wanted in examples(suggestion["en"], drafted), suggestion["en"]


def test_one_example_per_known_name_and_no_other_family_s_unit(suggestions):
    rates = {"设备验收合格率", "群众投诉率", "培训参与度", "沿河居民满意度"}
    money = {"设备采购金额", "项目总投资", "河道治理成本"}
    for (level3, rule, case), suggestion in suggestions.items():
        drafted = next(row["value"] for row in ROWS if row["level3"] == level3)
        shown = [q for q in examples(suggestion["zh"], drafted) if level3 not in q]
        if rule in ("value-not-measurable",):
            shown = shown[:1]  # then the generic forms, each named (合格率≥98%…)
        for example in shown:
            if level3 in rates:
                assert example.endswith("%"), (level3, rule, case, suggestion["zh"])
            if level3 in money:
                assert "%" not in example and "次" not in example, (level3, rule, case, suggestion["zh"])


@pytest.mark.parametrize(("level3", "rule", "case"), [("专项资金项目", "indicator-placeholder", "name_as_unit"), ("河道环境改善", "indicator-placeholder", "template")])
def test_a_name_the_vocabulary_does_not_know_gets_the_labelled_generic_forms(suggestions, level3, rule, case):
    suggestion = suggestions[(level3, rule, case)]
    assert "“≥90%”（比率）或“≥90个”（数量）" in suggestion["zh"], suggestion["zh"]
    assert "“≥90%” (for a rate) or “≥90个” (for a count)" in suggestion["en"], suggestion["en"]
    assert "≥3%" not in suggestion["zh"]  # 03 is a code, not a figure to reuse


def test_a_deadline_without_a_year_in_the_draft_names_no_year():
    found = audit([{"level2": "时效指标", "level3": "项目完工时间", "value": "按计划完成"}], year=None)
    text = found[("项目完工时间", "timeliness-no-deadline", None)]["zh"]
    assert "“12月底前”" in text and "None" not in text and "“年" not in text


RATE_NAME = re.compile(r"(率|满意度|参与度|知晓度|认可度)$")
MONEY_NAME = re.compile(r"(金额|经费|成本|费|投资)$")


@pytest.mark.skipif(not WORKBOOK.exists(), reason="shared corpus not mounted")
def test_no_suggestion_in_the_shenzhen_workbook_pairs_a_rate_with_a_count_or_money_with_a_percentage():
    run = subprocess.run(
        [sys.executable, "-m", "auditor.cli", "check", str(WORKBOOK), "--format", "json"],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[1],
    )
    report = json.loads(run.stdout)
    checked = 0
    for document in report["documents"]:
        for finding in document["findings"]:
            level3 = re.sub(r"[（(][^）)]*[）)]$", "", (finding.get("indicator") or {}).get("level3") or "")
            suggestion = finding["suggestion"] if isinstance(finding["suggestion"], str) else finding["suggestion"]["zh"]
            shown = [q for q in examples(suggestion, finding.get("evidence") or "") if level3 and level3 not in q and not re.search(r"合格率|投诉率", q)]
            if not level3 or not shown:
                continue
            checked += 1
            if RATE_NAME.search(level3):
                assert all(q.endswith("%") or "月底前" in q or "工作日" in q for q in shown), (level3, suggestion)
            if MONEY_NAME.search(level3):
                assert not any(q.endswith("%") for q in shown[:1]), (level3, suggestion)
                assert "10,000.00万元" not in suggestion  # a budget written in 元 is shown as it reads
    assert checked >= 5
