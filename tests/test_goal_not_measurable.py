"""``goal-not-measurable``: a 年度目标 with no measurable result that names nothing its indicators
measure — on invented projects, on the real Shenzhen 2023 申报表 workbook (every project gets
a verdict, each read by hand) and on corpus drafts."""

from __future__ import annotations


import pytest

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.goals import goal_text, shared_subject
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value

RULESET = load_rules()
RULE = "goal-not-measurable"
ROWS = [
    {"level2": "数量指标", "level3": "修缮农村公路里程", "value": "≥12公里", "description": "全年完成修缮的村道长度"},
    {"level2": "质量指标", "level3": "工程验收合格率", "value": "100%", "description": "验收合格的工程占完工工程的比率"},
]


def case(goals: list[str], rows: list[dict] = ROWS) -> str | None:
    doc = document_from({"projects": [{"goals": goals, "indicators": rows}]}, "document", parse_value)
    complete_document(doc)
    found = [f.case or "vague" for f in Engine([RULESET.resolve(RULE)]).audit(doc).findings]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize(
    "goal",
    [
        "全年修缮农村公路12公里，工程验收合格率100%",  # figures
        "年内完成村道修缮并通过验收",  # a deadline
        "10月底前完成全部村道修缮",
        "改善村民出行条件，重点做好农村公路的修缮",  # names the indicators' subject (公路, 修缮)
        "实现辖区行政村道路养护全覆盖",
        "确保全年零事故",
    ],
)
def test_a_goal_with_a_result_or_the_indicators_subject_is_clean(goal):
    assert case([goal]) is None


@pytest.mark.parametrize(
    "goal",
    ["通过日常服务居民，使得居民问题得到及时解决。", "保障单位正常运转，提高工作效率", "促进经济发展，提升群众满意度", "按照上级要求开展各项工作"],
)
def test_a_goal_that_says_nothing_checkable_is_reported(goal):
    assert case([goal]) == "vague"


def test_a_background_is_its_own_case_even_when_it_shares_words():
    assert case(["一、项目背景：本街道农村公路修缮任务重"]) == "background"
    assert case(["项目概况：", "辖区村道年久失修"]) == "background"


def test_not_checked_without_goals_or_real_indicators():
    assert case([]) is None  # project-empty's
    assert case(["保障单位正常运转"], [{"level2": "数量指标", "level3": "不适用", "value": "不适用"}]) is None


def test_subjects_leave_out_measuring_and_generic_words():
    generic = RULESET.resolve(RULE).params["generic"]
    measuring = RULESET.resolve(RULE).params["measuring"]
    rows = document_from({"projects": [{"indicators": [
        {"level3": "保障社区公共用车", "value": "稳定"}, {"level3": "工作人员伙食保障及时性", "value": "半小时内"},
    ]}]}, "document", parse_value).projects[0].indicators
    # 保障 is taken off the name: 保障社区工作 shares no cross-word term with it
    assert shared_subject("通过保障社区工作正常运转", rows, generic, measuring) is None
    assert shared_subject("为工作人员提供伙食", rows, generic, measuring) == "伙食"


def test_the_projects_own_topic_is_no_shared_subject():
    rows = [{"level2": "数量指标", "level3": "改造老旧小区数量", "value": "4个", "description": "完成改造的小区"}]
    doc = document_from({"projects": [{"name": "老旧小区微改造配套项目", "goals": ["推进辖区老旧小区改造，提升群众获得感"],
                                       "indicators": rows}]}, "document", parse_value)
    complete_document(doc)
    assert [f.case or "vague" for f in Engine([RULESET.resolve(RULE)]).audit(doc).findings] == ["vague"]
    doc.projects[0].name = "城市更新配套项目"  # now 小区 is what the goal and the table share
    assert Engine([RULESET.resolve(RULE)]).audit(doc).findings == []


def test_goal_text_prefers_the_annual_goal_field():
    doc = document_from({"projects": [{"annual_goal": "完成12公里", "goals": ["别的"]}]}, "document", parse_value)
    assert goal_text(doc.projects[0]) == "完成12公里"
    assert goal_text(None) is None


@pytest.fixture(scope="module")
def workbook_audit(form_workbook):
    return Engine([RULESET.resolve(RULE)]).audit(form_workbook)


def test_workbook_every_project_gets_a_verdict(workbook_audit):
    # read by hand: 6 and 13 give the 项目背景 paragraphs; 3 (保障设工作证常运转…), 9 (保障社区工作
    # 正常运转…), 12, 17 and 19 (通过日常服务居民，使得居民问题得到及时解决) state no result and
    # nothing the indicators measure (车辆, 食材, 下沉工作人员 …); 2 cites a policy and aims to
    # 调动社会力量参与养老服务 — 养老 is only the project's own topic. Clean: 5 and 14 give figures
    # (45%, 98%, 11月前); the others name what their indicators measure (伙食, 保洁, 宿舍, 法律,
    # 养老, 治理, 整治队 …). 11 is the edge: its goal says 伙食 and 绿化养护, its indicators 饭堂,
    # 用餐 and 厨师 — related in meaning, not in words; reported.
    findings = {f.project.index: f.case or "vague" for f in workbook_audit.findings}
    assert findings == {
        6: "background", 13: "background", 2: "vague", 3: "vague", 9: "vague", 11: "vague", 12: "vague", 17: "vague",
        19: "vague",
    }
    outcome = workbook_audit.outcomes[RULE]
    assert (outcome.checked, outcome.not_checkable) == (20, 0)
    for finding in workbook_audit.findings:  # at the 年度目标 cell
        assert finding.ref.endswith("'!B9"), finding.ref


def test_corpus_goals_without_a_result_are_reported(audits):
    # 001 has goals such as 付各项目服务费 and 保障机关正常运行 beside indicators on other things
    found = {(key, f.project.name) for key, result in audits.items() for f in result.findings if f.rule == RULE}
    assert any("项目服务费" in name for _, name in found)
    for key, result in audits.items():
        outcome = result.outcomes[RULE]
        assert outcome.checked + outcome.not_checkable > 0, key
