"""Rows declared not to apply (不适用): a state of the row, judged once per project by
`indicator-not-applicable`; on the real Shenzhen 申报表 workbook and on invented tables."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

WORKBOOK = Path(__file__).parent / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"
RULESET = load_rules()
RULE = RULESET.resolve("indicator-not-applicable")


@pytest.fixture(scope="module")
def workbook_findings():
    out = io.StringIO()
    main(["check", str(WORKBOOK), "--format", "json", "-q", "--fail-on", "never"], out=out, err=io.StringIO())
    (doc,) = json.loads(out.getvalue())["documents"]
    return doc["findings"]


def test_no_row_finding_quotes_a_not_applicable_marker(workbook_findings):
    quoting = [f for f in workbook_findings if f["evidence"].strip() in ("不适用", "不涉及", "无")]
    assert {f["rule"] for f in quoting} <= {"indicator-not-applicable"}


def test_required_categories_left_not_applicable_are_found_once_per_project(workbook_findings):
    found = [(f["project"]["index"], f["location"]["ref"].split("!")[1], f["evidence"])
             for f in workbook_findings if f["rule"] == "indicator-not-applicable"]
    # 19: its 时效 row is named (提供服务期限) but its target is 不适用; 1, 3 and 5 serve residents
    # and leave 服务对象满意度 不适用. 7, 8, 11 … (物业后勤 in the name) and 9, 10, 15 (a 测算依据 of
    # canteen, dormitory, car rental, office space for the station's staff) are internal support.
    assert sorted(found) == [
        (1, "D20", "服务对象满意度指标：不适用"),
        (3, "D20", "服务对象满意度指标：不适用"),
        (5, "D24", "服务对象满意度指标：不适用"),
        (19, "D16", "时效指标：不适用"),
    ]


def audit_table(rows: list[dict], name: str = "村道路灯改造工程") -> list:
    doc = document_from({"name": name, "year": 2024, "indicators": rows}, "project", parse_value)
    complete_document(doc)
    return Engine([RULE]).audit(doc).findings


def row(level1: str, level2: str, level3: str, value: str) -> dict:
    return {"level1": level1, "level2": level2, "level3": level3, "value": value}


OUTPUTS = [
    row("产出指标", "数量指标", "改造路灯数量", "≥240盏"),
    row("产出指标", "质量指标", "验收合格率", "=100%"),
    row("产出指标", "时效指标", "完工时间", "2024年10月底前"),
    row("产出指标", "成本指标", "改造成本", "≤96万元"),
]


def test_optional_categories_may_be_not_applicable():
    rows = [*OUTPUTS, row("效益指标", "经济效益指标", "不涉及", "不涉及"), row("效益指标", "生态效益指标", "—", "—"),
            row("效益指标", "社会效益指标", "夜间出行事故起数", "≤2起"), row("满意度指标", "服务对象满意度指标", "沿线居民满意度", "≥90%"),
            row("满意度指标", "其他满意度指标", "不适应", "不适应")]
    assert audit_table(rows) == []


def test_every_outcome_category_not_applicable_is_one_finding():
    rows = [*OUTPUTS, *(row("效益指标", f"{kind}指标", "不适用", "不适用") for kind in ("经济效益", "社会效益", "生态效益", "可持续影响")),
            row("满意度指标", "服务对象满意度指标", "沿线居民满意度", "≥90%")]
    (finding,) = audit_table(rows)
    assert finding.case == "any" and "效益" in finding.message["zh"]


def test_a_named_row_whose_target_is_not_applicable_leaves_its_category_unset():
    rows = [OUTPUTS[0], OUTPUTS[1], row("产出指标", "时效指标", "完工时间", "不适用"), OUTPUTS[3],
            row("效益指标", "社会效益指标", "夜间出行事故起数", "≤2起"), row("满意度指标", "服务对象满意度指标", "沿线居民满意度", "≥90%")]
    (finding,) = audit_table(rows)
    assert finding.data["missing"] == "时效指标" and finding.evidence == "时效指标：不适用"


@pytest.mark.parametrize(("name", "expected"), [("街道办公楼物业管理服务费", 0), ("编外人员工资", 0), ("社区居家养老服务", 1)])
def test_satisfaction_may_be_not_applicable_only_where_no_one_outside_is_served(name, expected):
    rows = [*OUTPUTS, row("效益指标", "社会效益指标", "服务覆盖率", "≥95%"), row("满意度指标", "服务对象满意度指标", "不适用", "不适用")]
    assert len(audit_table(rows, name)) == expected


def test_two_required_categories_not_applicable_are_two_findings():
    rows = [OUTPUTS[0], OUTPUTS[1], row("产出指标", "时效指标", "不适用", "不适用"), row("产出指标", "成本指标", "不适用", "不适用"),
            row("效益指标", "社会效益指标", "夜间出行事故起数", "≤2起"), row("满意度指标", "服务对象满意度指标", "沿线居民满意度", "≥90%")]
    assert sorted(f.data["missing"] for f in audit_table(rows)) == ["成本指标", "时效指标"]
