"""One finding per defect: a row's slip once, not once per cell; the same sentence in two fields
once; a draft-wide habit once with its count; rows declared not to apply draw no row finding;
a facility word many projects speak of is no one project's subject. Examples are invented."""

from __future__ import annotations

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import parse_value

RULESET = load_rules()


def audit(rule_ids: list[str], fragment: dict, scope: str = "document"):
    doc = document_from(fragment, scope, parse_value)
    return doc, Engine([RULESET.resolve(r) for r in rule_ids]).audit(doc).findings


def test_the_same_sentence_in_purpose_and_goals_is_one_finding():
    project = {"purpose": "2022年底前完成村道硬化5公里", "goals": ["2022年底前完成村道硬化5公里", "群众出行更便利"]}
    _, found = audit(["year-mismatch"], {"year": 2023, "projects": [project]})
    assert len(found) == 1 and found[0].field == "purpose"


def test_different_sentences_with_the_same_slip_stay_two_findings():
    project = {"purpose": "2022年底前完成村道硬化", "goals": ["2022年底前完成路灯安装"]}
    _, found = audit(["year-mismatch"], {"year": 2023, "projects": [project]})
    assert [f.field for f in found] == ["purpose", "goals[0]"]


def test_a_rows_description_and_value_showing_one_slip_are_one_finding():
    row = {"level2": "时效指标", "level3": "完工时间", "description": "2022年12月底前完工", "value": "2022年12月底"}
    _, found = audit(["year-mismatch"], {"year": 2023, "projects": [{"indicators": [row]}]})
    assert len(found) == 1 and found[0].field.startswith("indicators[0].")


def test_two_rows_with_the_same_slip_are_two_defects():
    rows = [
        {"level2": "时效指标", "level3": "开工时间", "value": "2022年3月底"},
        {"level2": "时效指标", "level3": "完工时间", "value": "2022年3月底"},
    ]
    _, found = audit(["year-mismatch"], {"year": 2023, "projects": [{"indicators": rows}]})
    assert sorted(f.field for f in found) == ["indicators[0].value", "indicators[1].value"]


def test_no_operator_is_a_habit_reported_once_per_draft_with_its_count():
    rows = [
        {"level2": "数量指标", "level3": "改造路灯数", "value": "240盏"},
        {"level2": "数量指标", "level3": "培训场次", "value": "6场"},
        {"level2": "质量指标", "level3": "验收合格率", "value": "≥98%"},
    ]
    other = [{"level2": "数量指标", "level3": "维修水井数", "value": "12眼"}]
    _, found = audit(["value-syntax"], {"projects": [{"indicators": rows}, {"indicators": other}]})
    (habit,) = found
    assert habit.case == "no_operator" and habit.data["count"] == 3
    assert habit.message["zh"].startswith("本文本有3个指标值未写比较符号")
    assert habit.field == "indicators[*].value"


def test_other_cases_of_the_same_rule_stay_one_per_row():
    rows = [
        {"level2": "数量指标", "level3": "改造路灯数", "value": "240盏"},
        {"level2": "质量指标", "level3": "验收合格率", "value": "≥98"},
        {"level2": "质量指标", "level3": "群众知晓率", "value": "≥90"},
    ]
    _, found = audit(["value-syntax"], {"projects": [{"indicators": rows}]})
    assert sorted(f.case for f in found) == ["no_operator", "no_unit", "no_unit"]


def not_applicable_rows(doc):
    for project in doc.projects:
        for row in project.indicators:
            row.not_applicable = row.value.raw.strip() == "不适用"


def test_rows_declared_not_to_apply_draw_no_row_finding():
    declared = [
        {"level1": "效益指标", "level2": "经济效益指标", "level3": "不适用", "description": "不适用", "value": "不适用"},
        {"level1": "效益指标", "level2": "生态效益指标", "level3": "不适用", "description": "不适用", "value": "不适用"},
    ]
    works = ["改造路灯数", "维修水井数", "硬化村道长度", "清理河道长度"]
    projects = [
        {"code": f"P-{i}", "indicators": [{"level1": "产出指标", "level2": "数量指标", "level3": work, "value": "≥12个"}, *declared]}
        for i, work in enumerate(works)
    ]
    doc = document_from({"projects": projects}, "document", parse_value)
    rules = ["indicator-placeholder", "description-copy", "boilerplate-indicator", "value-from-other-row", "value-syntax"]
    engine = Engine([RULESET.resolve(r) for r in rules])
    assert "boilerplate-indicator" in {f.rule for f in engine.audit(doc).findings}  # unmarked, 不适用 rows recur
    not_applicable_rows(doc)
    assert engine.audit(doc).findings == []


def test_a_common_facility_word_is_no_projects_own_subject():
    projects = [
        {"name": "党群服务中心社工服务经费", "goals": ["为社区居民提供社工服务"]},
        {"name": "东岭社区工作站物业保洁经费", "goals": ["保障东岭社区工作站和党群服务中心环境整洁"]},
        {"name": "西岭社区工作站食堂经费", "goals": ["保障西岭社区工作站和党群服务中心工作人员用餐"]},
        {"name": "南岭社区工作站安保经费", "goals": ["保障党群服务中心安全"]},
    ]
    _, found = audit(["foreign-subject"], {"projects": projects})
    assert found == []


def test_a_distinctive_subject_of_another_project_is_still_found():
    projects = [
        {"name": "退役军人服务站运行经费", "goals": ["提高人民武装部规范化建设水平"]},
        {"name": "人民武装部规范化建设经费", "goals": ["完成民兵整组"]},
        {"name": "村道硬化工程", "goals": ["完成村道硬化5公里"]},
    ]
    _, found = audit(["foreign-subject"], {"projects": projects})
    assert [f.project.index for f in found] == [1] and found[0].evidence.startswith("武装部")


def test_a_template_placeholder_is_one_placeholder_finding():
    rows = [{"level2": "质量指标", "level3": "目标人群接种率", "value": "≥XX%"}, {"level2": "数量指标", "level3": "新建公厕数量", "value": "XX个"}]
    _, found = audit(["indicator-placeholder", "value-syntax"], {"projects": [{"indicators": rows}]})
    assert sorted((f.rule, f.case) for f in found) == [("indicator-placeholder", "template")] * 2
