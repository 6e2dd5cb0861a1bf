"""description-missing: an empty 指标解释 / 绩效指标描述 on a real row, one finding per project;
a form without the column is not checkable, never clean. On invented rows, the corpus and the
real Shenzhen 申报表 workbook (every row there is explained)."""

from __future__ import annotations

from pathlib import Path

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.readers import read_document
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

WORKBOOK = Path(__file__).parent / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"
RULESET = load_rules()
RULE_ID = "description-missing"


def audit_rows(rows, drop_description=False):
    doc = document_from({"projects": [{"name": "村道修缮", "indicators": rows}]}, "document", parse_value)
    if drop_description:  # the form has no such column
        for row in doc.projects[0].indicators:
            row.description = None
    complete_document(doc)
    return Engine([RULESET.resolve(RULE_ID)]).audit(doc)


def test_empty_explanations_of_a_project_are_one_finding_and_not_applicable_rows_are_skipped():
    rows = [
        {"level2": "数量指标", "level3": "修缮村道长度", "value": "≥3公里", "description": ""},
        {"level2": "质量指标", "level3": "验收合格率", "value": "≥98%", "description": "  "},
        {"level2": "时效指标", "level3": "完工时间", "value": "2024年10月底前", "description": "全部路段完工的时间"},
        {"level2": "生态效益指标", "level3": "不适用", "value": "不适用", "description": ""},
    ]
    result = audit_rows(rows)
    (finding,) = result.findings
    assert finding.data["count"] == 2 and finding.field == "indicators[*].description"
    assert finding.message["zh"].startswith("项目“村道修缮”有2个指标未填写指标解释")


def test_one_empty_explanation_names_its_row():
    rows = [{"level2": "数量指标", "level3": "修缮村道长度", "value": "≥3公里", "description": ""}]
    (finding,) = audit_rows(rows).findings
    assert finding.message["zh"] == "指标“修缮村道长度”（指标值“≥3公里”）未填写指标解释"


def test_a_form_without_the_column_is_not_checkable_not_clean():
    rows = [{"level2": "数量指标", "level3": "修缮村道长度", "value": "≥3公里"}]
    result = audit_rows(rows, drop_description=True)
    outcome = result.outcomes[RULE_ID]
    assert result.findings == [] and outcome.checked == 0 and outcome.not_checkable == 1


def test_corpus_and_workbook_explain_every_row(audits):
    for key in audits:
        assert [f for f in audits[key].findings if f.rule == RULE_ID] == []
        assert audits[key].outcomes[RULE_ID].not_checkable == 0
    doc = read_document(WORKBOOK, parse_value)
    complete_document(doc)
    result = Engine([RULESET.resolve(RULE_ID)]).audit(doc)
    outcome = result.outcomes[RULE_ID]
    assert result.findings == [] and outcome.not_checkable == 0 and outcome.checked > 0
