"""value-not-measurable: a target that is only words (良好, 明显, 得到提升, 基本满意) in a category
where a number, rate or standard is expected; one opinion per project listing the rows, as the
初审 sends back 指标值不具量化易评性. On invented rows, the corpus and the real Shenzhen 申报表
workbook (every finding there read by hand)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import parse_value

WORKBOOK = Path(__file__).parent / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"
RULESET = load_rules()
RULE_ID = "value-not-measurable"


def audit(rule_ids, rows, name="社区文化活动经费"):
    doc = document_from({"year": 2024, "projects": [{"name": name, "indicators": rows}]}, "document", parse_value)
    return Engine([RULESET.resolve(r) for r in rule_ids]).audit(doc).findings


def row(level2, level3, value, description=None):
    return {"level1": "满意度指标" if "满意" in level2 else "产出指标", "level2": level2, "level3": level3,
            "value": value, "description": description}


@pytest.mark.parametrize("level2,level3,value", [
    ("质量指标", "讲座组织质量", "较好"),
    ("质量指标", "器材验收", "达标"),
    ("数量指标", "宣传覆盖面", "逐步扩大"),
    ("社会效益指标", "群众文化获得感", "有所增强"),
    ("经济效益指标", "带动周边消费", "效果明显"),
    ("服务对象满意度指标", "参与群众满意度", "满意"),
])
def test_words_where_a_measure_is_expected_are_found(level2, level3, value):
    (finding,) = audit([RULE_ID], [row(level2, level3, value)])
    assert finding.evidence == value and f"“{value}”只是定性文字" in finding.message["zh"]


@pytest.mark.parametrize("level2,level3,value", [
    ("质量指标", "讲座满意率", "≥90%"),
    ("社会效益指标", "安全责任事故", "零事故"),
    ("社会效益指标", "有效投诉", "无有效投诉"),
    ("数量指标", "行政村覆盖", "全覆盖"),
    ("质量指标", "场馆消防", "达到国家消防安全标准"),
    ("质量指标", "场馆评级", "一级"),
    ("生态效益指标", "周边环境", "有所改善"),  # may be qualitative
    ("可持续影响指标", "长效运行机制", "逐步完善"),  # may be qualitative
    ("数量指标", "文艺演出", "全年演出12场"),  # a number: value-syntax's, not a word-only target
])
def test_measures_standards_and_qualitative_categories_pass(level2, level3, value):
    assert audit([RULE_ID], [row(level2, level3, value)]) == []


def test_what_other_rules_say_is_not_repeated():
    rows = [
        row("时效指标", "活动开展及时性", "及时"),  # timeliness-no-deadline
        row("成本指标", "活动成本", "控制在预算内"),  # indicator-not-quantified
        row("社会效益指标", "文化氛围提升", "文化氛围提升"),  # indicator-placeholder: repeats the name
        row("质量指标", "演出评比", "三次为优"),  # a scoring grade: value-syntax
    ]
    found = audit([RULE_ID, "timeliness-no-deadline", "indicator-not-quantified", "indicator-placeholder"], rows)
    assert sorted(f.rule for f in found) == ["indicator-not-quantified", "indicator-placeholder", "timeliness-no-deadline"]


def test_rows_declared_not_to_apply_are_not_judged():
    assert audit([RULE_ID], [row("社会效益指标", "不适用", "不适用")]) == []


def test_several_rows_of_a_project_are_one_opinion_listing_them():
    rows = [row("质量指标", "讲座组织质量", "良好"), row("社会效益指标", "群众文化获得感", "明显"),
            row("服务对象满意度指标", "参与群众满意度", "基本满意")]
    (finding,) = audit([RULE_ID], rows)
    assert finding.data["count"] == 3
    assert finding.message["zh"].startswith("项目“社区文化活动经费”有3个指标的指标值只是定性文字，不具量化易评性")
    assert finding.field == "indicators[*].value"


def test_corpus_findings_are_word_only_targets(audits):
    # every finding on the corpus was read by hand: 提高/提升/改善/健全/减少 and sentences of intent
    got = {key: [f.line for f in audits[key].findings if f.rule == RULE_ID] for key in audits}
    assert got["000"] == [203] and got["001"] == [] and len(got["002"]) == 14 and len(got["003"]) == 34
    # 004's other word-only targets only repeat the indicator's name: indicator-placeholder's
    assert got["004"] == [280, 947]


@pytest.fixture(scope="module")
def workbook_findings():
    out = io.StringIO()
    main(["check", str(WORKBOOK), "--format", "json", "-q", "--fail-on", "never", "--select", RULE_ID],
         out=out, err=io.StringIO())
    (doc,) = json.loads(out.getvalue())["documents"]
    return doc["findings"]


def test_the_shenzhen_workbook(workbook_findings):
    by_project = {f["project"]["index"]: f for f in workbook_findings}
    # 16 of 20 projects hold 良好, 明显, 稳定, 得到提升/提高, 基本满意, 合格, 舒适 … in 质量, 社会效益
    # or 满意度 rows; 5, 6, 8 and 16 hold word-only targets only in 时效 and 成本 rows (or none)
    assert sorted(by_project) == [1, 2, 3, 4, 7, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20]
    assert "如“党群服务中心运营”为“良好”" in by_project[1]["message"]
    assert "有3个指标" in by_project[12]["message"] and "“保证日常工作运营”" in by_project[12]["message"]
    assert "“稳定”" in by_project[3]["message"] and "“明显”" in by_project[7]["message"]
    # a target with a number in it (指派13个执业律师驻点13个社区) is not a word-only target
    assert all("执业律师驻点" not in f["message"] for f in workbook_findings)
