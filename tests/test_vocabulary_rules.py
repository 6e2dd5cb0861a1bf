"""The rules that read the indicator vocabulary, on invented rows: unit-mismatch, percent-range,
category-misfiled, input-as-output, satisfaction-subject and timeliness-no-deadline. Values are
built as the value grammar gives them (``IndicatorValue``), so these tests judge the rules, not
the grammar."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.model import IndicatorValue, ValueDate
from auditor.rules import load_rules
from auditor.values import parse_value

RULES = ("unit-mismatch", "percent-range", "category-misfiled", "input-as-output", "satisfaction-subject", "timeliness-no-deadline")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine([r for r in load_rules().rules if r.id in RULES])


def quantity(raw: str, op: str | None, number: str, unit: str | None, **more: Any) -> IndicatorValue:
    return IndicatorValue(raw=raw, kind="quantity", op=op, number=Decimal(number), unit=unit, unit_raw=unit, **more)


def text(raw: str) -> IndicatorValue:
    return IndicatorValue(raw=raw, kind="text")


def audit(engine: Engine, value: IndicatorValue, level3: str, level2: str = "数量指标", level1: str = "产出指标",
          description: str = "", project: str | None = None, purpose: str | None = None) -> Counter:
    """The rules' findings (rule → count) on one row of a project."""
    shell: dict[str, Any] = {"name": project} if project else {}
    if purpose is not None:
        shell["purpose"] = purpose
    fragment = {"level1": level1, "level2": level2, "level3": level3, "description": description or level3, "project": shell}
    doc = document_from(fragment, "indicator", parse_value)
    doc.projects[0].indicators[-1].value = value
    return Counter(f.rule for f in engine.audit(doc).findings)


# unit-mismatch and percent-range (class 10) ---------------------------------------------------


def test_a_count_written_with_a_percent_sign_is_a_unit_mismatch_only(engine):
    got = audit(engine, quantity("≥120%", "≥", "120", "%"), "改造老旧电梯数量")
    assert got == {"unit-mismatch": 1}
    got = audit(engine, quantity("=100%", "=", "100", "%"), "入户核查户数")
    assert got == {"unit-mismatch": 1}


def test_counting_words_outside_the_list_fit_a_count(engine):
    assert audit(engine, quantity("13个社区", None, "13", "个", counted="社区"), "服务社区个数") == {}
    assert audit(engine, quantity("240盏", None, "240", "盏"), "更换路灯数量") == {}
    assert audit(engine, quantity("3批次", None, "3", "批次"), "抽检数量") == {}


def test_people_counted_in_times_and_rates_in_money_do_not_fit(engine):
    assert audit(engine, quantity("≥8次", "≥", "8", "次"), "护林员人数") == {"unit-mismatch": 1}
    assert audit(engine, quantity("≥90万元", "≥", "90", "万元"), "设备完好率", level2="质量指标") == {"unit-mismatch": 1}


def test_a_unit_taken_from_the_name_is_not_judged_against_it(engine):
    value = quantity("95", None, "95", "%", unit_from="name")
    assert "unit-mismatch" not in audit(engine, value, "入学儿童人数（%）")


def test_percent_range_on_rates_and_unknown_names(engine):
    assert audit(engine, quantity("108%", None, "108", "%"), "垃圾清运率", level2="质量指标") == {"percent-range": 1}
    assert audit(engine, quantity("108%", None, "108", "%"), "示范点创建情况", level2="质量指标") == {"percent-range": 1}
    assert audit(engine, quantity("≥150%", "≥", "150", "%"), "接待游客人次同比增长", level1="效益指标", level2="经济效益指标") == {}


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        (quantity("≥100%", "≥", "100", "%", op_raw="≥"), True),
        (quantity("≥100%", "≥", "100", "%"), True),  # no op_raw recorded
        (quantity("不低于100%", "≥", "100", "%", op_raw="不低于"), True),
        (quantity("达到100%", "≥", "100", "%", op_raw="达到"), False),  # a target of 100, not more
        (quantity("达到100%", "=", "100", "%", op_raw="达到"), False),
        (quantity("=100%", "=", "100", "%", op_raw="="), False),
        (quantity("100%", None, "100", "%"), False),
    ],
)
def test_at_least_all_is_what_asks_for_more_than_all(engine, value, reported):
    got = audit(engine, value, "防疫物资配送覆盖率", level2="质量指标")
    assert (got.get("percent-range", 0) == 1) is reported


# category-misfiled ----------------------------------------------------------------------------


def test_a_completion_rate_under_quantity_is_where_the_framework_puts_it(engine):
    assert audit(engine, quantity("≥95%", "≥", "95", "%"), "年度绿化养护完成率") == {}
    assert audit(engine, quantity("≥95%", "≥", "95", "%"), "年度绿化养护完成率", level2="质量指标") == {}


def test_funds_execution_and_timeliness_out_of_place(engine):
    assert audit(engine, quantity("=100%", "=", "100", "%"), "补助资金到位率", level2="质量指标") == {"category-misfiled": 1}
    assert audit(engine, quantity("≥98%", "≥", "98", "%"), "报修处置及时率") == {"category-misfiled": 1}
    assert audit(engine, quantity("≥10%", "≥", "10", "%"), "运维成本节约率", level1="效益指标", level2="生态效益指标") == {"category-misfiled": 1}
    assert audit(engine, quantity("≥10%", "≥", "10", "%"), "运维成本节约率", level2="成本指标") == {}


def test_funds_execution_under_quantity_is_one_finding(engine):
    # an input counted as output: input-as-output says so, category-misfiled does not repeat it
    assert audit(engine, quantity("=100%", "=", "100", "%"), "补助资金到位率") == {"input-as-output": 1}


def test_a_heading_outside_the_framework_is_not_judged(engine):
    assert audit(engine, quantity("=100%", "=", "100", "%"), "补助资金到位率", level2="其他指标") == {}


# input-as-output (class 8) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level3", "value"),
    [
        ("享受居家照护服务人数", quantity("≥260人", "≥", "260", "人")),
        ("受益群众人数", quantity("≥1.2万人", "≥", "1.2", "万人")),
        ("重阳节慰问老人人数", quantity("=85人", "=", "85", "人")),
        ("技能培训人数", quantity("≥120人", "≥", "120", "人")),
        ("服务困境儿童人员", quantity("≥40人", "≥", "40", "人")),
        ("入户走访次数", quantity("≥24次", "≥", "24", "次")),
        ("心理咨询服务人次", quantity("≥300人次", "≥", "300", "人次")),
    ],
)
def test_people_served_and_service_visits_are_outputs(engine, level3, value):
    assert audit(engine, value, level3, project="社区养老服务") == {}


def test_staff_and_money_are_inputs_of_a_public_service(engine):
    assert audit(engine, quantity("=6人", "=", "6", "人"), "聘用护河员人数", project="河道日常巡护") == {"input-as-output": 1}
    assert audit(engine, quantity("86万元", None, "86", "万元"), "专项资金执行数", project="河道日常巡护") == {"input-as-output": 1}


def test_the_people_a_personnel_project_pays_are_its_output(engine):
    value = quantity("=18人", "=", "18", "人")
    assert audit(engine, value, "编外聘用人员数", project="2025年编外聘用人员经费") == {}
    assert audit(engine, value, "保障人数", project="机关在编人员工资福利") == {}
    # the money it spends is still an input
    assert audit(engine, quantity("210万元", None, "210", "万元"), "工资发放金额", project="机关在编人员工资福利") == {"input-as-output": 1}


def test_the_staff_an_internal_support_project_serves_are_its_users(engine):
    value = quantity("=140人", "=", "140", "人")
    assert audit(engine, value, "保障人数", project="办公楼物业管理服务") == {}
    assert audit(engine, value, "就餐职工人数", project="机关食堂运行经费") == {}
    assert audit(engine, value, "保障人数", project="综合经费", purpose="用于本单位办公用品购置和办公设备维护") == {}


# satisfaction-subject (class 7) ---------------------------------------------------------------


SATISFACTION = {"level1": "满意度指标", "level2": "服务对象满意度指标"}


def test_the_respondent_is_who_comes_before_dui(engine):
    value = quantity("≥90%", "≥", "90", "%")
    assert audit(engine, value, "居民对服务中心工作人员服务态度的满意度", project="社区综合服务", **SATISFACTION) == {}
    assert audit(engine, value, "家长对校车驾驶员的满意度", project="校车接送服务", **SATISFACTION) == {}


def test_staff_asked_about_a_public_service_is_a_finding(engine):
    value = quantity("≥90%", "≥", "90", "%")
    assert audit(engine, value, "工作人员满意度", project="全民健身赛事", **SATISFACTION) == {"satisfaction-subject": 1}
    got = audit(engine, value, "活动满意度", description="本单位干部职工对读书活动组织的满意程度", project="全民阅读推广", **SATISFACTION)
    assert got == {"satisfaction-subject": 1}


def test_staff_are_the_right_respondents_where_they_are_the_users(engine):
    value = quantity("≥90%", "≥", "90", "%")
    assert audit(engine, value, "干部职工就餐满意度", project="机关食堂运行经费", **SATISFACTION) == {}
    assert audit(engine, value, "单位人员满意度", description="单位人员对工资发放的满意程度", project="在职人员工资福利", **SATISFACTION) == {}


def test_workers_of_the_companies_served_are_not_the_units_staff(engine):
    value = quantity("≥90%", "≥", "90", "%")
    assert audit(engine, value, "入驻企业员工满意度", project="创业园区运营补贴", **SATISFACTION) == {}


# timeliness-no-deadline -----------------------------------------------------------------------


TIMELINESS = {"level2": "时效指标"}


@pytest.mark.parametrize(
    "value",
    [
        quantity("半小时内", "≤", "0.5", "小时", op_raw="内"),
        quantity("3个小时内", "≤", "3", "小时", op_raw="内"),
        quantity("5个工作日内", "≤", "5", "工作日", op_raw="内"),
        quantity("≥95%", "≥", "95", "%"),
        quantity("每季度不少于2次", "≥", "2", "次", per="季度", op_raw="不少于"),
        IndicatorValue(raw="每月10日前", kind="date", date=ValueDate(None, None, 10, "前", every="月")),
        IndicatorValue(raw="年底前", kind="date", date=ValueDate(None, 12, None, "前")),
    ],
)
def test_deadlines_durations_frequencies_and_on_time_rates(engine, value):
    assert audit(engine, value, "报修处理时限", **TIMELINESS) == {}


@pytest.mark.parametrize("raw", ["及时", "按计划推进", "按规定时间完成"])
def test_qualitative_timeliness_is_a_finding(engine, raw):
    assert audit(engine, text(raw), "报修处理时限", **TIMELINESS) == {"timeliness-no-deadline": 1}


def test_a_count_is_not_a_deadline(engine):
    assert audit(engine, quantity("≥3个", "≥", "3", "个"), "报修处理时限", **TIMELINESS) == {"timeliness-no-deadline": 1}


# the lexicon check kind stays for the user's own rules -----------------------------------------


def test_a_users_lexicon_rule_still_works(tmp_path):
    from auditor.rules import load_rule_file

    path = tmp_path / "local.yaml"
    path.write_text("""
rules:
  - id: local-lamp-unit
    title: {zh: 路灯以盏计, en: Street lamps counted in 盏}
    severity: info
    scope: indicator
    dimension: 可测性
    where: value.kind == "quantity" and value.unit != null
    check: lexicon
    params:
      subject: level3
      object: value.unit
      field: value
      entries:
        - {name: 路灯, when: 路灯, expect: [盏]}
    message: {zh: "“{level3}”应以盏计", en: "“{level3}” is counted in 盏"}
    suggestion: {zh: 改用盏。, en: Use 盏.}
    source: 本地口径
    basis: 审核实践
    rationale: 本地口径。
    examples:
      pass:
        - {level3: 更换路灯数量, value: =240盏}
      fail:
        - {level3: 更换路灯数量, value: =240个}
""", encoding="utf-8")
    (rule,) = load_rule_file(path)
    doc = document_from({"level3": "更换路灯数量", "project": {}}, "indicator", parse_value)
    doc.projects[0].indicators[-1].value = quantity("=240个", "=", "240", "个")
    assert [f.rule for f in Engine([rule]).audit(doc).findings] == ["local-lamp-unit"]


def test_a_ratio_of_two_amounts_may_exceed_all(engine):
    assert audit(engine, quantity("≥300%", "≥", "300", "%"), "带动社会投资比", level1="效益指标", level2="经济效益指标") == {}
    assert audit(engine, quantity("≥3倍", "≥", "3", "倍"), "带动社会投资比", level1="效益指标", level2="经济效益指标") == {}
    assert audit(engine, quantity("≥105%", "≥", "105", "%"), "已办结件数占受理件数的比", level2="质量指标") == {"percent-range": 1}


# Cases found on held-out drafts written by a reviewer who had not seen the vocabulary ---------


def test_incidents_counted_in_qi_and_scaled_counts_fit(engine):
    assert audit(engine, quantity("0起", None, "0", "起"), "食品安全事故发生次数", "质量指标") == {}
    assert audit(engine, quantity("≥28万头", "≥", "28", "万头"), "生猪免疫数量") == {}
    assert audit(engine, quantity("≥9.8万户", "≥", "9.8", "万户"), "补贴发放农户数") == {}


def test_a_lasting_period_may_be_a_sustainability_indicator(engine):
    lasting = quantity("不少于1年", "≥", "1", "年")
    assert audit(engine, lasting, "学员跟踪服务期限", "可持续影响指标", "效益指标") == {}
    assert audit(engine, lasting, "设施管护年限", "时效指标") == {}


@pytest.mark.parametrize(
    ("project", "expected"),
    [("在职人员绩效奖励经费", {}), ("离退休人员慰问经费", {}), ("高龄老人津贴发放", {"input-as-output": 1})],
)
def test_the_people_a_personnel_project_pays_are_its_output_but_allowance_recipients_are_not_staff(engine, project, expected):
    assert audit(engine, quantity("62人", None, "62", "人"), "保障在职在编人员人数", project=project) == expected


def test_a_scaled_compound_count_fits_and_a_pass_rate_may_be_an_outcome(engine):
    assert audit(engine, quantity("≥2.3万台件", "≥", "2.3", "万台件"), "强制检定计量器具数量") == {}
    assert audit(engine, quantity("≥98%", "≥", "98", "%"), "食品抽检合格率", "社会效益指标", "效益指标") == {}
    assert audit(engine, quantity("≥98%", "≥", "98", "%"), "设备验收合格率", "时效指标") == {"category-misfiled": 1}


def test_money_put_in_counted_as_an_output(engine):
    assert audit(engine, quantity("48万元", None, "48", "万元"), "培训经费投入", project="执法人员业务培训") == {"input-as-output": 1}


def test_placeholder_suggestions_give_an_example_in_the_indicators_own_unit():
    from auditor.engine import Engine
    from auditor.fragments import document_from
    from auditor.rules import load_rules
    from auditor.values import complete_document, parse_value

    rule = load_rules().resolve("indicator-placeholder")
    rows = [{"level2": "数量指标", "level3": "引进项目数量", "value": "≥20引进项目数量"},
            {"level2": "质量指标", "level3": "工程验收合格率", "value": "≥95工程验收合格率"}]
    doc = document_from({"projects": [{"indicators": rows}]}, "document", parse_value)
    complete_document(doc)
    suggestions = [f.suggestion["zh"] for f in Engine([rule]).audit(doc).findings]
    assert any("如“≥20个”，" in s for s in suggestions) and any("如“≥95%”，" in s for s in suggestions)
    assert not any("≥20%" in s for s in suggestions)  # a count is not given a rate's example
