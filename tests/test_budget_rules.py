"""The budget rules on invented drafts: amounts in the text against the budget (cost rows as
parts, rates, 万 magnitudes, one finding per amount), a budget of 0 or blank, and a budget written
in 元 under a 万元 label (confirmed by the project's own amounts, or the draft's habit)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from auditor.domain import StatedAmount, figure_unit, money_mentions, rounding_slack, wan_text
from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.model import Amount, Document
from auditor.rules import load_rules
from auditor.values import parse_value

RULESET = load_rules()
BUDGET_RULES = ("budget-text-mismatch", "budget-missing", "budget-unit", "budget-sum")


def cost(level3: str, value: str) -> dict[str, str]:
    return {"level1": "产出指标", "level2": "成本指标", "level3": level3, "value": value, "description": f"反映{level3}"}


def count(level3: str, value: str) -> dict[str, str]:
    return {"level1": "产出指标", "level2": "数量指标", "level3": level3, "value": value, "description": f"反映{level3}"}


def draft(*projects: dict, form_label: bool = False) -> Document:
    """A draft of the given projects. ``form_label``: as the 申报表 reads it — the amount's own
    label declares 万元 and the table names no money unit."""
    doc = document_from({"projects": list(projects)}, "document", parse_value)
    if form_label:
        for project in doc.projects:
            project.money_unit = None
            if project.budget is not None:
                project.budget.total.unit = "万元"
    return doc


def audit(doc: Document, *ids: str):
    rules = [RULESET.resolve(i) for i in ids or BUDGET_RULES]
    return Engine(rules).audit(doc)


def found(doc: Document, rule: str):
    return [f for f in audit(doc).findings if f.rule == rule]


# --- money in text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "per", "rate"),
    [
        ("人员经费1.2万元/人·年", "人·年", True),
        ("保洁员每人每月3000元", "月", True),
        ("路灯单价500元", "单价", True),
        ("巡查补贴80元/次", "次", True),
        ("每平方米120元", "平方米", True),
        ("不超过35万一年", "年", False),
        ("每年不超过3.5万元", "年", False),
        ("项目资金40万元一次性拨付", None, False),
        ("合计96万元", None, False),
    ],
)
def test_a_mention_knows_what_it_is_per(text, per, rate):
    (mention,) = money_mentions(text)
    assert (mention.per, mention.is_rate) == (per, rate)


def test_a_bare_wan_before_a_non_unit_is_money():
    (mention,) = money_mentions("总成本不超过35万，按季度支付")
    assert (mention.unit, mention.yuan) == ("万元", Decimal(350000))
    assert money_mentions("服务35万人次") == ()


def test_rounding_slack_counts_only_figures_of_three_digits_or_more():
    assert rounding_slack(Decimal("16.23"), "万元") == Decimal(50)
    assert rounding_slack(Decimal("35"), "万元") == 0
    assert rounding_slack(Decimal("1.2"), "万元") == 0


def test_figure_unit_prefers_the_declared_reading_and_needs_a_confirmation():
    ten_thousand = [StatedAmount(Decimal(450000), Decimal(0), "45万元")]
    assert figure_unit(Decimal("45.00"), "万元", ten_thousand) == ("万元", 0)
    assert figure_unit(Decimal(450000), "万元", ten_thousand) == ("元", 0)
    assert figure_unit(Decimal(450000), "万元", []) is None  # a large figure alone proves nothing
    assert figure_unit(Decimal(460000), "万元", ten_thousand) is None  # round figures are not "near"
    rounded = [StatedAmount(Decimal(162300), Decimal(50), "16.23万元")]
    assert figure_unit(Decimal(162339), "万元", rounded) == ("元", 0)
    assert figure_unit(Decimal(0), "万元", ten_thousand) is None


def test_wan_text():
    assert wan_text(Decimal(714800)) == "71.48万元"
    assert wan_text(Decimal(355297)) == "35.5297万元"


# --- cost rows as parts of the budget ----------------------------------------------------------


def test_cost_rows_that_add_up_to_the_budget_are_parts():
    doc = draft({"budget": "46.00", "indicators": [cost("绿化养护成本", "不超过28万一年"), cost("设备维修成本", "≤12万元"), cost("水电成本", "≤6万元")]})
    assert found(doc, "budget-text-mismatch") == []


def test_equal_parts_count_twice():
    doc = draft({"budget": "70.00", "indicators": [cost("保安成本", "≤35万元"), cost("保洁成本", "≤35万元")]})
    assert found(doc, "budget-text-mismatch") == []


def test_parts_that_do_not_add_up_are_one_finding_naming_the_rows_and_the_sum():
    doc = draft({"budget": "64.00", "indicators": [cost("保安服务成本", "不超过30万一年"), cost("食堂服务成本", "不超过40万一年")]})
    (finding,) = found(doc, "budget-text-mismatch")
    zh = finding.message["zh"]
    assert "“保安服务成本”30万" in zh and "“食堂服务成本”40万" in zh and "合计70.00万元" in zh and "64.00万元" in zh
    assert finding.field == "indicators[0].value"
    assert "add up to 70.00万元" in finding.message["en"]


def test_a_row_equal_to_the_budget_states_the_total_and_the_others_are_its_parts():
    doc = draft({"budget": "80.00", "indicators": [cost("项目总成本", "≤80万元"), cost("其中人员成本", "≤50万元"), cost("运维成本", "≤20万元")]})
    assert found(doc, "budget-text-mismatch") == []


def test_a_slipped_copy_of_the_budget_beside_the_total_is_still_found():
    doc = draft({"budget": "126.61", "indicators": [cost("预算控制数", "≤126.61万元"), count("资金执行数", "12.61万元")]})
    doc.projects[0].indicators[1].level3 = "资金执行数"
    (finding,) = found(doc, "budget-text-mismatch")
    assert finding.evidence == "12.61万元" and "漏写" in finding.message["zh"]


def test_one_total_restated_in_two_rows_is_one_finding_on_that_amount():
    doc = draft({"budget": "576.00", "indicators": [cost("预算控制数", "≤567万元"), count("资金执行数", "567万元")]})
    (finding,) = found(doc, "budget-text-mismatch")
    assert finding.evidence == "567万元" and "合计" not in finding.message["zh"]


def test_a_single_cost_row_equal_to_the_budget_is_fine_and_a_different_one_is_found():
    assert found(draft({"budget": "35.00", "indicators": [cost("保洁成本", "不超过35万")]}), "budget-text-mismatch") == []
    (finding,) = found(draft({"budget": "36.00", "indicators": [cost("保洁总成本", "不超过35万")]}), "budget-text-mismatch")
    assert finding.evidence == "35万"


def test_a_lone_cost_row_naming_one_item_is_a_part_unless_above_the_budget():
    assert found(draft({"budget": "64.47", "indicators": [cost("厨师厨工成本", "≤63万元")]}), "budget-text-mismatch") == []
    (above,) = found(draft({"budget": "60.00", "indicators": [cost("厨师厨工成本", "≤63万元")]}), "budget-text-mismatch")
    assert above.evidence == "63万元"
    for whole in ("总成本", "项目成本", "宿舍及煤气成本"):  # the whole, or several items
        assert len(found(draft({"budget": "64.47", "indicators": [cost(whole, "≤63万元")]}), "budget-text-mismatch")) == 1


# --- rates, periods, the multi-year total ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "聘用网格员8名，人员经费1.2万元/人·年",
        "保洁员每人每月3000元",
        "路灯维护单价500元",
        "巡查补贴80元/次",
        "绿地养护每平方米120元",
    ],
)
def test_unit_rates_are_never_compared_with_the_budget(text):
    assert found(draft({"budget": "100.00", "purpose": text, "goals": [text]}), "budget-text-mismatch") == []
    rows = draft({"budget": "100.00", "indicators": [cost("人员成本", text)]})
    assert found(rows, "budget-text-mismatch") == []


def test_a_years_amount_is_the_years_budget():
    assert found(draft({"budget": "3.50", "goals": ["路灯维护每年不超过3.5万元"]}), "budget-text-mismatch") == []
    (finding,) = found(draft({"budget": "4.50", "goals": ["路灯维护每年不超过3.5万元"]}), "budget-text-mismatch")
    assert finding.evidence == "3.5万元"


def test_the_whole_multi_year_amount_agrees():
    doc = draft({"budget": "30.00", "purpose": "三年共需资金90万元，本年度安排30万元", "goals": ["三年总投入90万元"]})
    doc.projects[0].budget.total_all_years = Amount("90.00", Decimal("90.00"), unit="万元")
    assert found(doc, "budget-text-mismatch") == []


# --- one finding per amount ----------------------------------------------------------------------


def test_the_same_amount_in_purpose_and_goals_is_one_finding_naming_both():
    doc = draft({"budget": "88.00", "purpose": "用于河道清淤工程80万元", "goals": ["年内完成河道清淤工程，投入资金80万元"]})
    (finding,) = found(doc, "budget-text-mismatch")
    assert finding.field == "purpose"
    assert "资金用途、绩效目标" in finding.message["zh"] and "purpose and goals" in finding.message["en"]


def test_the_same_amount_in_a_text_and_a_cost_row_is_one_finding():
    doc = draft({"budget": "88.00", "purpose": "用于河道清淤工程80万元", "indicators": [cost("清淤成本", "≤80万元")]})
    (finding,) = found(doc, "budget-text-mismatch")
    assert "资金用途、绩效指标“清淤成本”" in finding.message["zh"]


def test_a_text_amount_that_is_one_of_the_parts_is_judged_with_the_rows():
    doc = draft({"budget": "46.00", "purpose": "其中绿化养护28万元", "goals": ["设备维修18万元"], "indicators": [cost("绿化养护成本", "≤28万元"), cost("设备维修成本", "≤18万元")]})
    assert found(doc, "budget-text-mismatch") == []
    wrong = draft({"budget": "50.00", "goals": ["设备维修18万元"], "indicators": [cost("绿化养护成本", "≤28万元"), cost("设备维修成本", "≤18万元")]})
    (finding,) = found(wrong, "budget-text-mismatch")
    assert "合计46.00万元" in finding.message["zh"] and "50.00万元" in finding.message["zh"]


def test_two_different_wrong_amounts_are_two_findings():
    doc = draft({"budget": "88.00", "purpose": "用于河道清淤工程80万元", "goals": ["投入资金60万元"]})
    assert sorted(f.evidence for f in found(doc, "budget-text-mismatch")) == ["60万元", "80万元"]


# --- budget-missing --------------------------------------------------------------------------------


def test_a_zero_budget_with_indicators_is_said_once_and_not_compared():
    doc = draft({"budget": 0, "purpose": "法律顾问服务费146.79万元", "indicators": [count("服务社区数", "≥13个"), cost("法律服务成本", "≤146.79万元")]})
    result = audit(doc)
    (finding,) = [f for f in result.findings if f.rule == "budget-missing"]
    assert "预算数为0" in finding.message["zh"] and "2个绩效指标" in finding.message["zh"]
    assert [f.rule for f in result.findings] == ["budget-missing"]
    assert result.outcomes["budget-text-mismatch"].checked == 0


@pytest.mark.parametrize(("written", "words"), [("", "未填写"), ("待定", "“待定”，不是金额")])
def test_a_blank_or_unreadable_budget_is_said_as_such(written, words):
    doc = draft({"budget": written, "indicators": [count("培训人次", "≥200人次")]})
    (finding,) = found(doc, "budget-missing")
    assert words in finding.message["zh"]


def test_no_budget_missing_without_indicators_or_without_a_budget_field():
    assert found(draft({"budget": 0}), "budget-missing") == []
    assert found(draft({"indicators": [count("培训人次", "≥200人次")]}), "budget-missing") == []


def test_rows_declared_not_to_apply_are_no_indicators_set():
    doc = draft({"budget": 0, "indicators": [cost("不适用", "不适用")]})
    doc.projects[0].indicators[0].not_applicable = True
    assert found(doc, "budget-missing") == []


# --- budget-unit -----------------------------------------------------------------------------------


def test_a_budget_in_yuan_confirmed_by_a_cost_row_is_one_finding_and_compared_in_yuan():
    doc = draft({"budget": 450000, "indicators": [cost("服务总成本", "≤45万元")]}, form_label=True)
    result = audit(doc)
    (finding,) = [f for f in result.findings if f.rule == "budget-unit"]
    assert finding.evidence == "450000"
    assert "按元" in finding.message["zh"] and "45万元" in finding.message["zh"]
    assert [f for f in result.findings if f.rule == "budget-text-mismatch"] == []


def test_a_budget_in_yuan_confirmed_by_the_sum_of_its_parts():
    doc = draft({"budget": 714800, "indicators": [cost("保洁成本", "不超过35万一年"), cost("卫生成本", "不超过36.48万一年")]}, form_label=True)
    assert len(found(doc, "budget-unit")) == 1
    assert found(doc, "budget-text-mismatch") == []


def test_a_large_budget_alone_is_not_called_yuan():
    doc = draft({"budget": 2500000, "purpose": "新建综合文化中心"}, form_label=True)
    assert found(doc, "budget-unit") == []
    big = draft({"budget": 2500000, "indicators": [cost("工程总成本", "≤250万元")]})
    assert len(found(big, "budget-unit")) == 1  # 250万元 agrees only in 元


def test_a_budget_that_agrees_as_declared_is_not_reported():
    doc = draft({"budget": "35.00", "purpose": "用于社区保洁服务35万元"}, form_label=True)
    assert found(doc, "budget-unit") == []


def test_a_draft_habit_is_one_finding_and_reads_unconfirmed_projects_in_yuan():
    doc = draft(
        {"name": "甲", "budget": 450000, "indicators": [cost("服务总成本", "≤45万元")]},
        {"name": "乙", "budget": 128800, "purpose": "社区工作站运转经费12.88万元"},
        {"name": "丙", "budget": 297400, "indicators": [cost("工作站总成本", "不超过9.74万元")]},
        form_label=True,
    )
    result = audit(doc)
    (unit,) = [f for f in result.findings if f.rule == "budget-unit"]
    assert unit.message["zh"].startswith("本表3个项目的预算数按元填写，而栏目单位为万元")
    assert "甲" in unit.message["zh"] and "45万元" in unit.message["zh"]
    (mismatch,) = [f for f in result.findings if f.rule == "budget-text-mismatch"]
    assert mismatch.project.name == "丙" and mismatch.evidence == "9.74万元"
    assert "29.74万元" in mismatch.message["zh"] and "漏写" in mismatch.message["zh"]


def test_no_habit_when_another_project_confirms_the_declared_unit():
    doc = draft(
        {"name": "甲", "budget": 450000, "indicators": [cost("服务总成本", "≤45万元")]},
        {"name": "乙", "budget": "30.00", "indicators": [cost("服务总成本", "≤30万元")]},
        {"name": "丙", "budget": 297400, "purpose": "用于宣传活动"},
        form_label=True,
    )
    (unit,) = found(doc, "budget-unit")
    assert unit.project.name == "甲" and unit.message["zh"].startswith("项目“甲”预算数填450000")


def unlabelled(*projects: dict) -> Document:
    """A draft whose amount column declares no unit (a flat export's bare 本年金额)."""
    doc = draft(*projects)
    for project in doc.projects:
        project.money_unit = None
    return doc


def test_an_unlabelled_column_in_yuan_is_read_so_and_is_no_defect():
    doc = unlabelled(
        {"name": "甲", "budget": 8640000, "calculation_basis": "1800人×400元×12个月=864万元"},
        {"name": "乙", "budget": 4404000, "purpose": "残疾人两项补贴440.4万元"},
        # its own cost row is the slip (327000万元); most of the column is in 元, so is it
        {"name": "丙", "budget": 327000, "indicators": [cost("年度运维及专线费用", "≤327000万元")]},
        {"name": "丁", "budget": 3168000, "purpose": "特困人员供养"},
    )
    result = audit(doc)
    assert [f for f in result.findings if f.rule == "budget-unit"] == []
    (mismatch,) = [f for f in result.findings if f.rule == "budget-text-mismatch"]
    assert mismatch.project.name == "丙" and "32.70万元（表中填327000，未标单位，按元计）" in mismatch.message["zh"]


def test_an_unlabelled_column_of_mixed_habits_is_not_guessed():
    doc = unlabelled(
        {"name": "甲", "budget": 8640000, "purpose": "低保金864万元"},
        {"name": "乙", "budget": "12.50", "purpose": "宣传费12.5万元"},
        {"name": "丙", "budget": 3168000, "purpose": "特困人员供养"},
    )
    assert found(doc, "budget-unit") == [] and found(doc, "budget-text-mismatch") == []


def test_a_figure_in_yuan_in_an_unlabelled_column_of_wan_is_found():
    doc = unlabelled(
        {"name": "甲", "budget": "864", "purpose": "低保金864万元"},
        {"name": "乙", "budget": "12.50", "purpose": "宣传费12.5万元"},
        {"name": "丙", "budget": 3200000, "calculation_basis": "改造户厕3200户×1000元/户=320万元"},
    )
    (unit,) = found(doc, "budget-unit")
    assert unit.project.name == "丙" and unit.case == "column"
    assert "本栏未标单位，其他项目都按万元填写" in unit.message["zh"]


def test_a_years_figure_a_thousand_times_the_whole_is_in_yuan():
    doc = draft({"name": "甲", "budget": {"total": 3200000, "total_all_years": 320}, "purpose": "户厕改造奖补"})
    (unit,) = found(doc, "budget-unit")
    assert unit.case == "whole" and "320.00万元" in unit.message["zh"]
    assert [f.rule for f in audit(doc, "multi-year-amount").findings] == []  # budget-unit's, said once


def test_a_budget_in_wan_under_a_yuan_label_is_found_too():
    doc = draft({"budget": "28.20", "money_unit": "元", "purpose": "用于园区广告宣传费28.2万元"})
    (finding,) = found(doc, "budget-unit")
    assert "按万元" in finding.message["zh"]
    assert "28.20应填为282,000元" in finding.suggestion["zh"]  # in the label's unit
    assert found(doc, "budget-text-mismatch") == []


def test_the_shared_form_workbook_reads_its_budgets_in_yuan():
    from pathlib import Path

    from auditor.readers import read_document

    from auditor.values import complete_document

    doc = read_document(Path(__file__).parent / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx", parse_value)
    complete_document(doc)
    result = audit(doc)
    by_rule: dict[str, list] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    assert len(by_rule["budget-unit"]) == 1 and "19个项目" in by_rule["budget-unit"][0].message["zh"]
    assert [f.project.index for f in by_rule["budget-missing"]] == [4]
    mismatches = by_rule["budget-text-mismatch"]
    assert all("10,185,500.00万元" not in f.message["zh"] for f in mismatches)
    # 11's lone 厨师厨工成本 (≤63万 of 64.47万) is one item's cost, a part: not a contradiction
    assert {f.project.index for f in mismatches} == {7, 10, 13, 14, 16, 18, 19}
    assert len(mismatches) == 7  # one per project: 7 and 10 name their cost rows' sum


def test_a_lone_total_beside_a_unit_rate_row_is_a_part():
    rows = [cost("保洁员劳务补助标准", "1.2万元/人·年"), cost("保洁工具及垃圾桶购置", "不超过6万元")]
    assert found(draft({"budget": "150.00", "indicators": rows}), "budget-text-mismatch") == []
    rows = [cost("疫苗采购配套成本", "≤82万元"), cost("免疫耗材及防疫员劳务补助", "≤22万元")]  # a 成本 row by category
    (finding,) = found(draft({"budget": "96.00", "indicators": rows}), "budget-text-mismatch")
    assert "合计104.00万元" in finding.message["zh"]
