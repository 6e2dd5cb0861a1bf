"""Tests for auditor.values: targets as people write them (issue 15).

Every example here is invented: comparison words before and after the number, words naming what
is measured, bare 万/亿 magnitudes, per-period rates and frequencies, counting classifiers with the
noun they count, durations with 内, recurring and relative deadlines, and rows declared not to
apply. The property tests check the grammar's regularities on generated values.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.model import ValueDate
from auditor.values import GRAMMAR_PATH, parse_value

GRAMMAR = Path(GRAMMAR_PATH).read_text(encoding="utf-8")


def fields(raw: str) -> dict[str, object]:
    """The fields of a parse that these tests pin (None fields left out)."""
    value = parse_value(raw)
    names = ("kind", "op", "op_raw", "number", "unit", "per", "counted", "lead", "tail", "date")
    return {name: getattr(value, name) for name in names if getattr(value, name) is not None}


# ---- comparison words --------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "op", "op_raw", "number", "unit"), [
    ("不超过12万元", "≤", "不超过", "12", "万元"),
    ("不超8万元", "≤", "不超", "8", "万元"),
    ("不高于3%", "≤", "不高于", "3", "%"),
    ("不低于97%", "≥", "不低于", "97", "%"),
    ("不少于40人", "≥", "不少于", "40", "人"),
    ("至少6场", "≥", "至少", "6", "场"),
    ("最多2次", "≤", "最多", "2", "次"),
    ("低于1%", "<", "低于", "1", "%"),
    ("高于85分", ">", "高于", "85", "分"),
    ("达到100%", "≥", "达到", "100", "%"),
    ("控制在7.5万元以内", "≤", "控制在…以内", "7.5", "万元"),
    ("控制在7.5万元之内", "≤", "控制在…之内", "7.5", "万元"),
    ("控制在2%以下", "≤", "控制在…以下", "2", "%"),
    ("控制在30万元", "≤", "控制在", "30", "万元"),
    ("85%以上", "≥", "以上", "85", "%"),
    ("120人以下", "≤", "以下", "120", "人"),
    ("约300户", None, "约", "300", "户"),
])
def test_comparison_words(raw: str, op: str | None, op_raw: str, number: str, unit: str) -> None:
    expected = {"kind": "quantity", "op": op, "op_raw": op_raw, "number": Decimal(number), "unit": unit}
    assert fields(raw) == {key: v for key, v in expected.items() if v is not None}


def test_reaching_all_is_told_from_more_than_all() -> None:
    reach, more = parse_value("达到100%"), parse_value("≥100%")
    assert (reach.op, more.op) == ("≥", "≥")
    assert (reach.op_raw, more.op_raw) == ("达到", "≥")


def test_the_operator_word_is_kept_as_written() -> None:
    assert parse_value("＞＝９８％").op_raw == "＞＝"
    assert parse_value("≧ 10 家").op_raw == "≧"


# ---- what is measured, named before the value --------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("总成本不超过28万", {"lead": "总成本", "op": "≤", "op_raw": "不超过", "number": Decimal(28), "unit": "万"}),
    ("维修成本不超过9.6万元", {"lead": "维修成本", "op": "≤", "op_raw": "不超过", "number": Decimal("9.6"), "unit": "万元"}),
    ("总费用控制在12万元以内", {"lead": "总费用", "op": "≤", "op_raw": "控制在…以内", "number": Decimal(12), "unit": "万元"}),
    ("网格员、协管员等共41人", {"lead": "网格员、协管员等", "op": "=", "op_raw": "共", "number": Decimal(41), "unit": "人"}),
    ("巡查次数不少于4次", {"lead": "巡查次数", "op": "≥", "op_raw": "不少于", "number": Decimal(4), "unit": "次"}),
    ("服务对象不满意率低于5%", {"lead": "服务对象不满意率", "op": "<", "op_raw": "低于", "number": Decimal(5), "unit": "%"}),
    ("公共厕所保洁率≥98%", {"lead": "公共厕所保洁率", "op": "≥", "op_raw": "≥", "number": Decimal(98), "unit": "%"}),
    ("成本节约率不低于5%", {"lead": "成本节约率", "op": "≥", "op_raw": "不低于", "number": Decimal(5), "unit": "%"}),
    ("验收合格率100%", {"lead": "验收合格率", "number": Decimal(100), "unit": "%"}),
    ("覆盖27个小区（含老旧小区）", {"lead": "覆盖", "number": Decimal(27), "unit": "个", "counted": "小区",
                               "tail": "（含老旧小区）"}),
    ("安装路灯240盏", {"lead": "安装路灯", "number": Decimal(240), "unit": "盏"}),
])
def test_lead_names_what_is_measured(raw: str, expected: dict[str, object]) -> None:
    assert fields(raw) == {"kind": "quantity", **expected}


@pytest.mark.parametrize("raw", [
    "较上年提高5%",  # a difference, not a level
    "比去年增长10%",
    "同比下降3个百分点",
    "增长8%",
    "编号3：新建围墙120米，大门2处",  # a numbered list item
    "派驻8名律师驻点8个村",  # two counts: not read as one
    "每日巡查3次为优，2次为良",  # a scoring text
    "不低于上年",
    "资金使用合规",
])
def test_qualitative_or_unsure_values_stay_text(raw: str) -> None:
    assert parse_value(raw).kind == "text"


@pytest.mark.parametrize(("raw", "tail"), [
    ("≥80成本控制", "成本控制"),
    ("≥95园区绿化覆盖率", "园区绿化覆盖率"),
    ("≥90处理率", "处理率"),
    ("≥1项目", "项目"),
    ("≥90所有工作", "所有工作"),
    ("≥90本单位", "本单位"),
])
def test_placeholders_keep_their_tail(raw: str, tail: str) -> None:
    """A number followed by the indicator's name is a placeholder; no classifier reads it."""
    value = parse_value(raw)
    assert (value.kind, value.unit, value.counted, value.tail) == ("quantity", None, None, tail)


# ---- magnitudes, rates and frequencies ----------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("35万", {"number": Decimal(35), "unit": "万"}),
    ("1.5亿", {"number": Decimal("1.5"), "unit": "亿"}),
    ("不超过12万", {"op": "≤", "op_raw": "不超过", "number": Decimal(12), "unit": "万"}),
    ("2万一年", {"number": Decimal(2), "unit": "万", "per": "年"}),
    ("不超过48万一年", {"op": "≤", "op_raw": "不超过", "number": Decimal(48), "unit": "万", "per": "年"}),
    ("每年不超过4.2万元", {"op": "≤", "op_raw": "不超过", "number": Decimal("4.2"), "unit": "万元", "per": "年"}),
    ("6万元每年", {"number": Decimal(6), "unit": "万元", "per": "年"}),
    ("每季度不少于3次", {"op": "≥", "op_raw": "不少于", "number": Decimal(3), "unit": "次", "per": "季度"}),
    ("每个月2次", {"number": Decimal(2), "unit": "次", "per": "月"}),
    ("每周至少1次", {"op": "≥", "op_raw": "至少", "number": Decimal(1), "unit": "次", "per": "周"}),
    ("≥4次/日", {"op": "≥", "op_raw": "≥", "number": Decimal(4), "unit": "次/天", "per": "天"}),
    ("2次/月", {"number": Decimal(2), "unit": "次/月", "per": "月"}),
    ("0.8万元/人·年", {"number": Decimal("0.8"), "unit": "万元/人·年", "per": "年"}),
    ("3000元/人/年", {"number": Decimal(3000), "unit": "元/人/年", "per": "年"}),
    ("6平方米/人", {"number": Decimal(6), "unit": "平方米/人"}),
])
def test_magnitudes_and_rates(raw: str, expected: dict[str, object]) -> None:
    assert fields(raw) == {"kind": "quantity", **expected}


# ---- counting classifiers ----------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "number", "unit", "counted"), [
    ("21个社区", "21", "个", "社区"),
    ("4个批次", "4", "个", "批次"),
    ("≥12家企业", "12", "家", "企业"),
    ("3套设备", "3", "套", "设备"),
    ("两栋", "2", "栋", None),
    ("一处", "1", "处", None),
    ("三个网格", "3", "个", "网格"),
    ("180盏", "180", "盏", None),
    ("7幅", "7", "幅", None),  # a measure word outside the lexicon, closing the value
    ("16樘", "16", "樘", None),
    ("5个社区以上", "5", "个", "社区"),
])
def test_classifiers_and_counted_nouns(raw: str, number: str, unit: str, counted: str | None) -> None:
    value = parse_value(raw)
    assert (value.kind, value.number, value.unit, value.counted, value.tail) == (
        "quantity", Decimal(number), unit, counted, None)


def test_a_suffix_after_a_counted_noun_still_sets_the_direction() -> None:
    assert parse_value("5个社区以上").op == "≥"


@pytest.mark.parametrize("raw", ["100余", "95优", "3前"])
def test_grading_and_placing_words_are_not_measure_words(raw: str) -> None:
    assert parse_value(raw).unit is None


# ---- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "number", "unit"), [
    ("两小时内", "2", "小时"),
    ("半小时内", "0.5", "小时"),
    ("4个小时内", "4", "小时"),
    ("7个工作日内", "7", "工作日"),
    ("一个半月内", "1.5", "个月"),
    ("2个半小时内", "2.5", "小时"),
    ("七天内", "7", "天"),
    ("半年内", "0.5", "年"),
])
def test_durations_with_nei_are_upper_bounds(raw: str, number: str, unit: str) -> None:
    value = parse_value(raw)
    assert (value.kind, value.op, value.number, value.unit) == ("quantity", "≤", Decimal(number), unit)


# ---- deadlines ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "op", "date", "tail"), [
    ("每月15日前", "≤", ValueDate(None, None, 15, "前", every="月"), None),
    ("每月5号之前", "≤", ValueDate(None, None, 5, "之前", every="月"), None),
    ("每天早上7点前到岗", "≤", ValueDate(None, None, None, "前", every="天", time="07:00"), "到岗"),
    ("每天上午八点半前", "≤", ValueDate(None, None, None, "前", every="天", time="08:30"), None),
    ("每天下午5点半前", "≤", ValueDate(None, None, None, "前", every="天", time="17:30"), None),
    ("每日18:00前", "≤", ValueDate(None, None, None, "前", every="天", time="18:00"), None),
    ("每季度末", None, ValueDate(None, None, None, "末", every="季度"), None),
    ("每月底前", "≤", ValueDate(None, None, None, "底前", every="月"), None),
    ("次月10日前", "≤", ValueDate(None, None, 10, "前", every="月"), None),
    ("每年11月底前", "≤", ValueDate(None, 11, None, "底前", every="年"), None),
    ("每年3月31日前报送", "≤", ValueDate(None, 3, 31, "前", every="年"), "报送"),
    ("年底前", "≤", ValueDate(None, None, None, "底前"), None),
    ("年末前完成", "≤", ValueDate(None, None, None, "末前"), "完成"),
    ("年内", "≤", ValueDate(None, None, None, "内"), None),
    ("上半年", None, ValueDate(None, None, None, "上半年"), None),
    ("下半年完成", None, ValueDate(None, None, None, "下半年"), "完成"),
    ("10月底前完成", "≤", ValueDate(None, 10, None, "底前"), "完成"),
    ("2024年1月至11月", None, ValueDate(2024, 11, None, None), None),
    ("2024.3.1-2026.2.28", None, ValueDate(2026, 2, 28, None), None),
])
def test_deadlines(raw: str, op: str | None, date: ValueDate, tail: str | None) -> None:
    value = parse_value(raw)
    assert (value.kind, value.op, value.date, value.tail) == ("date", op, date, tail)


def test_a_named_period_is_a_date_range_ending_on_its_last_day() -> None:
    assert fields("合同期限2024.1.1-2026.12.31") == {
        "kind": "date", "lead": "合同期限", "date": ValueDate(2026, 12, 31)}


def test_a_recurring_deadline_words_its_operator() -> None:
    assert parse_value("每月10日前").op_raw == "前"


# ---- not applicable ----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "不适用", "不涉及", "无", "暂无", "无此项", "—", "——", "-", "--", "/", "／", "N/A", "n/a", "NA",
    "不适用。", "（不适用）", "本项目不涉及", "此项不适用", " 不适用 ",
    "不适应", "不实用", "不试用",  # slips of 不适用 that mean nothing else in a target cell
])
def test_not_applicable_markers(raw: str) -> None:
    assert parse_value(raw).kind == "not_applicable"


@pytest.mark.parametrize("raw", ["不使用", "无重大安全事故", "无投诉", "不适用的设备全部更换"])
def test_statements_are_not_markers(raw: str) -> None:
    """不使用 ("not used") and 无… sentences are targets, not a row declared not to apply."""
    assert parse_value(raw).kind == "text"


def test_a_negative_number_is_not_a_dash() -> None:
    assert (parse_value("-5%").kind, parse_value("-5%").number) == ("quantity", Decimal(-5))


def test_the_marker_list_is_in_the_grammar() -> None:
    assert "不适用|不涉及" in GRAMMAR


# ---- properties --------------------------------------------------------------------------------

def _op_words() -> dict[str, str]:
    """Every word operator of the grammar's OP_* terminals → the sign it reads as."""
    sign = {"OP_GE": "≥", "OP_LE": "≤", "OP_GT": ">", "OP_LT": "<", "OP_EQ": "=", "OP_TOTAL": "=",
            "OP_CTRL": "≤", "OP_ABOUT": None}
    words: dict[str, str] = {}
    for name, body in re.findall(r"^(OP_[A-Z]+)\.\d+: (.*?) _SP$", GRAMMAR, re.M | re.S):
        for word in re.findall(r'"([^"]+)"', body):
            words[word] = sign[name]
    return words


OP_WORDS = _op_words()
UNITS = ["%", "人", "万元", "元", "个", "次", "天", "平方米", "公里", "户", "项"]
numbers = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)


def test_the_grammar_has_its_operator_words() -> None:
    assert len(OP_WORDS) > 40 and OP_WORDS["不超过"] == "≤" and OP_WORDS["达到"] == "≥"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(OP_WORDS)), numbers, st.sampled_from(UNITS))
def test_any_operator_number_and_unit_is_recovered(word: str, number: Decimal, unit: str) -> None:
    value = parse_value(f"{word}{number}{unit}")
    assert (value.kind, value.op, value.op_raw, value.number, value.unit) == (
        "quantity", OP_WORDS[word], word, number, unit)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["总成本", "服务人数", "巡查次数", "公共设施完好率", "网格员、协管员等"]),
       st.sampled_from(sorted(OP_WORDS)), numbers, st.sampled_from(UNITS))
def test_a_lead_before_any_operator_is_recovered(lead: str, word: str, number: Decimal, unit: str) -> None:
    """The grammar's LEAD stops at every operator word (its stop list repeats them)."""
    value = parse_value(f"{lead}{word}{number}{unit}")
    assert (value.kind, value.lead, value.op_raw, value.number, value.unit) == (
        "quantity", lead, word, number, unit)


@settings(max_examples=200, deadline=None)
@given(numbers, st.sampled_from(UNITS),
       st.sampled_from([("以上", "≥"), ("及以上", "≥"), ("以下", "≤"), ("以内", "≤"), ("之内", "≤")]))
def test_a_suffix_sets_the_direction(number: Decimal, unit: str, suffix: tuple[str, str]) -> None:
    value = parse_value(f"{number}{unit}{suffix[0]}")
    assert (value.op, value.op_raw, value.number, value.unit) == (suffix[1], suffix[0], number, unit)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1000, max_value=10**12), st.sampled_from(UNITS + [""]))
def test_thousands_separators_parse_the_same(number: int, unit: str) -> None:
    plain, grouped = parse_value(f"≥{number}{unit}"), parse_value(f"≥{number:,}{unit}")
    assert (grouped.number, grouped.unit, grouped.op) == (plain.number, plain.unit, plain.op)
    assert grouped.number == number


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["每年", "每季度", "每月", "每周", "每天"]), st.sampled_from(sorted(OP_WORDS)),
       numbers, st.sampled_from(UNITS))
def test_a_period_before_the_value_is_its_rate(every: str, word: str, number: Decimal, unit: str) -> None:
    value = parse_value(f"{every}{word}{number}{unit}")
    assert (value.per, value.op_raw, value.number) == (every.removeprefix("每"), word, number)


# Readings found missing on held-out drafts (written by a reviewer who had not seen the grammar)
@pytest.mark.parametrize(
    ("raw", "kind", "op", "number", "unit", "lead", "tail"),
    [
        ("约9.8万户", "quantity", None, "9.8", "万户", None, None),
        ("≥28万头", "quantity", "≥", "28", "万头", None, None),
        ("≥120万羽", "quantity", "≥", "120", "万羽", None, None),
        ("不超过52.5元/剂", "quantity", "≤", "52.5", "元/剂", None, None),
        ("≥10万元/亩", "quantity", "≥", "10", "万元/亩", None, None),
        ("接报后两小时内到场处置", "quantity", "≤", "2", "小时", "接报后", "到场处置"),
        ("0起", "quantity", None, "0", "起", None, None),
    ],
)
def test_scaled_counts_per_unit_prices_and_a_duration_after_words(raw, kind, op, number, unit, lead, tail):
    value = parse_value(raw)
    assert (value.kind, value.op, value.unit, value.lead, value.tail) == (kind, op, unit, lead, tail)
    assert value.number == Decimal(number)


@pytest.mark.parametrize(
    ("raw", "every", "day", "qualifier", "tail"),
    [("每季度首月完成采购", "季度", None, "首月", "完成采购"), ("每季度首月20日前", "季度", 20, "首月前", None), ("每月上旬5日前", "月", 5, "上旬前", None)],
)
def test_a_part_of_a_recurring_period_is_a_deadline(raw, every, day, qualifier, tail):
    value = parse_value(raw)
    assert value.kind == "date" and value.tail == tail
    assert (value.date.every, value.date.day, value.date.qualifier) == (every, day, qualifier)


@pytest.mark.parametrize(
    ("raw", "every", "time"), [("每个工作日11:30—13:00", "工作日", "13:00"), ("每日8:00-17:30", "天", "17:30")]
)
def test_a_daily_time_window_is_kept_by_its_end(raw, every, time):
    value = parse_value(raw)
    assert value.kind == "date" and (value.date.every, value.date.time) == (every, time)


@pytest.mark.parametrize(
    ("raw", "unit"),
    [("≥4.2批次/千人", "批次/千人"), ("≥2.3万台件", "万台件"), ("≤600元/户·月", "元/户·月"),
     # vaccine doses: per bird, per head of livestock, per person
     ("≥420万羽份", "万羽份"), ("≥36万头份", "万头份"), ("≥500人份", "人份")],
)
def test_rates_per_thousand_and_scaled_compound_counts(raw, unit):
    value = parse_value(raw)
    assert value.kind == "quantity" and value.unit == unit and value.tail is None


@pytest.mark.parametrize(
    ("raw", "op", "number", "upper", "unit"),
    [("15-20分钟", "~", "15", "20", "分钟"), ("90%~95%", "~", "90", "95", "%"), ("20次至50次", "~", "20", "50", "次"),
     ("3~5个工作日内", "≤", "5", "5", "工作日")],
)
def test_a_range_target_is_read_with_both_bounds(raw, op, number, upper, unit):
    value = parse_value(raw)
    assert (value.kind, value.op, value.unit) == ("quantity", op, unit)
    assert (value.number, value.upper) == (Decimal(number), Decimal(upper))


@pytest.mark.parametrize("raw", ["≥95%-98%", "5-3个工作日", "5次-3人"])
def test_a_range_with_an_operator_running_down_or_between_units_is_not_read(raw):
    assert parse_value(raw).kind == "unparsed"
