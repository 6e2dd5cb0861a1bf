"""A magnitude (十 百 千 万 十万 百万 千万 亿) before any unit the value grammar knows reads as that
unit multiplied (48万毫升, 28.8万小时, 3千人, 1.5亿立方米), not as placeholder words; a pure number
(系数, 指数, 倍数, 比值) and a zero need no unit; suggestions never ask for a bound no figure can
pass (≥100%, ≤0). Rows a blind review of real targets found misread, and invented ones."""

from __future__ import annotations

from decimal import Decimal

import pytest

from auditor.domain import vocabulary_functions
from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import load_rules
from auditor.values import base_unit, parse_value, unit_magnitude
from auditor.vocabulary import load_vocabulary

RULESET = load_rules()
VALUE_RULES = ("indicator-placeholder", "value-syntax", "unit-mismatch", "percent-range")
FUNCTIONS = vocabulary_functions(load_vocabulary())


def audit(level3: str, value: str, level2: str = "数量指标", rules: tuple[str, ...] = VALUE_RULES):
    row = {"level1": "产出指标", "level2": level2, "level3": level3, "value": value}
    doc = document_from({"year": 2024, "projects": [{"name": "动物防疫与社区服务", "indicators": [row]}]},
                        "document", parse_value)
    return Engine([RULESET.resolve(rule) for rule in rules]).audit(doc).findings


@pytest.mark.parametrize("raw,number,unit,base,magnitude", [
    ("48万毫升", "48", "万毫升", "毫升", 10_000),
    ("28.8万小时", "28.8", "万小时", "小时", 10_000),
    ("≥1.5亿立方米", "1.5", "亿立方米", "立方米", 100_000_000),
    ("≥3千人", "3", "千人", "人", 1_000),
    ("≥35万羽", "35", "万羽", "羽", 10_000),
    ("≥50万尾", "50", "万尾", "尾", 10_000),
    ("≥120万千瓦时", "120", "万千瓦时", "千瓦时", 10_000),
    ("≥2万平米", "2", "万平方米", "平方米", 10_000),
    ("≥3百公里", "3", "百公里", "公里", 100),
    ("≥1.2十万亩", "1.2", "十万亩", "亩", 100_000),
    ("三十万吨", "30", "万吨", "吨", 10_000),  # the numeral ends before 万
    ("≥9.8万户", "9.8", "万户", "户", 10_000),
    ("≥10万人次", "10", "万人次", "人次", 10_000),
    # units of their own that start like a magnitude stay whole
    ("≥5千米", "5", "公里", "公里", 1),
    ("≥5千克", "5", "公斤", "公斤", 1),
    ("≤2千瓦时", "2", "千瓦时", "千瓦时", 1),
    ("≤3.5万元", "3.5", "万元", "万元", 1),
    ("≤200千万元", "200", "千万元", "千万元", 1),
    # units the grammar learned
    ("≥500毫升", "500", "毫升", "毫升", 1),
    ("≥20升", "20", "升", "升", 1),
    ("≥500工日", "500", "工日", "工日", 1),
    ("≥2000枚", "2000", "枚", "枚", 1),
])
def test_a_magnitude_before_a_unit_reads_as_that_unit_multiplied(raw, number, unit, base, magnitude):
    value = parse_value(raw)
    assert (value.kind, value.number, value.unit, value.tail) == ("quantity", Decimal(number), unit, None)
    assert base_unit(value.unit) == base and unit_magnitude(value.unit) == magnitude


def test_a_bare_magnitude_still_takes_its_unit_from_the_row():
    assert (parse_value("35万").unit, base_unit("万")) == ("万", "万")


@pytest.mark.parametrize("level3,value", [
    ("口蹄疫疫苗采购量", "≥48万毫升"),
    ("上门服务总时长", "≥28.8万小时"),
    ("农田灌溉水有效利用系数", "≥0.60"),
    ("安全事故发生率", "=0"),
    ("安全事故次数", "=0"),
    # invented
    ("再生水利用量", "≥1.5亿立方米"),
    ("社区志愿服务时长", "≥3千小时"),
    ("禽流感疫苗免疫数量", "≥35万羽"),
    ("鱼苗增殖放流数量", "≥50万尾"),
    ("光伏年发电量", "≥120万千瓦时"),
    ("城市道路综合养护指数", "≥85"),
    ("财政资金带动社会投资倍数", "≥2.5"),
    ("税收弹性系数", "≤1.2"),
    ("农村公路养护里程", "≥3百公里"),
    ("投入产出比", "≥3"),
])
def test_valid_targets_get_no_finding(level3, value):
    assert audit(level3, value) == []


@pytest.mark.parametrize("level3,value", [("口蹄疫疫苗采购量", "48万毫升"), ("上门服务总时长", "28.8万小时")])
def test_the_reviewed_targets_only_lack_an_operator(level3, value):
    """As the blind review read them: not placeholder text, no unit missing; only ≥ or = is."""
    assert [f.case for f in audit(level3, value)] == ["no_operator"]


@pytest.mark.parametrize("level3,value", [
    ("农田灌溉水有效利用系数", "0.60"),
    ("安全事故发生率", "0"),
    ("校舍安全事故次数", "0"),
    ("投入产出比", "3"),
])
def test_a_pure_number_or_a_zero_is_not_asked_for_a_unit(level3, value):
    """No unit is missing; a bare figure still lacks its operator (an info of its own)."""
    findings = audit(level3, value)
    assert all(f.case != "no_unit" for f in findings)
    assert [f.rule for f in findings] == ["value-syntax"] and findings[0].case == "no_operator"


@pytest.mark.parametrize("level3,value,tail", [
    ("成本控制", "≥80成本控制", "成本控制"),
    ("植物成活率", "≥95园区成活的植物占比", "园区成活的植物占比"),
    ("疫苗采购量", "≥48万支疫苗采购", "万支疫苗采购"),
])
def test_real_placeholders_are_still_found(level3, value, tail):
    placeholder = [f for f in audit(level3, value) if f.rule == "indicator-placeholder"]
    assert len(placeholder) == 1 and f"“{tail}”" in placeholder[0].message["zh"]


@pytest.mark.parametrize("level3,value,case", [
    ("病媒消杀覆盖率", "100", "no_unit"),
    ("管网漏损检测次数", "0-3", "no_unit"),  # a range from zero is not a zero
])
def test_figures_that_need_a_unit_still_lack_it(level3, value, case):
    assert case in {f.case for f in audit(level3, value)}


@pytest.mark.parametrize("level3,value", [
    ("志愿服务总时长", "≥2万人次"),
    ("绿化种植面积", "≥1.5万立方米"),
    ("鱼苗放流数量", "≥3千公斤"),
])
def test_a_magnified_unit_of_the_wrong_kind_is_a_mismatch(level3, value):
    (finding,) = audit(level3, value, rules=("unit-mismatch",))
    assert finding.rule == "unit-mismatch"


@pytest.mark.parametrize("level3,raw,expected", [
    ("工程验收合格率", "100%", "“=100%”"),  # a share cannot pass 100%
    ("某项工作指标", "100%", "“=100%”"),  # nor when the direction is unknown
    ("群众投诉率", "0", "“=0”"),  # nothing is below zero
    ("群众投诉率", "3%", "“≤3%”"),
    ("接待外来客商洽谈次数", "70次", "“≥70次”"),
])
def test_operator_examples_never_ask_past_what_a_figure_can_be(level3, raw, expected):
    assert FUNCTIONS["operator_example"](level3, parse_value(raw)) == expected


@pytest.mark.parametrize("level3,raw,expected", [
    ("病媒消杀覆盖率", "100", "“=100%”"),
    ("培训参与度", "95", "“≥95%”"),
    ("农田灌溉水有效利用系数", "0.60", "“0.60”"),  # no unit to add to a pure number
])
def test_unit_examples_agree_with_what_the_name_measures(level3, raw, expected):
    assert FUNCTIONS["unit_example"](level3, parse_value(raw)) == expected


def test_example_targets_of_unknown_names_do_not_ask_for_more_than_all():
    example = FUNCTIONS["example_target"]("某项工作指标", parse_value("100%"))
    assert "≥100%" not in example and "“=100%”" in example
    assert FUNCTIONS["example_target"]("农田灌溉水有效利用系数", parse_value("0.60")) == "“≥0.6”"


def test_coefficients_indices_and_multiples_are_dimensionless():
    family = FUNCTIONS["family"]
    assert [family(n) for n in ("农田灌溉水有效利用系数", "空气质量综合指数", "带动投资倍数", "收支比值")] == ["dimensionless"] * 4
    assert family("群众满意度指数") == "rate"  # a satisfaction index stays a satisfaction


def test_a_magnified_unit_belongs_to_its_units_family():
    from auditor.domain import expression_functions

    unit_family = expression_functions()["unit_family"]
    assert (unit_family("万小时"), unit_family("千人"), unit_family("十万亩")) == ("duration", "people", "area")
    assert unit_family("万元") == "money"
