"""Tests for auditor.values: the 指标值 parser.

The pinned values are real, taken from the drafts in ``samples/`` (copies of the shared corpus);
``test_pinned_values_are_real`` checks that each still occurs there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.model import IndicatorValue, ValueDate
from auditor.values import (
    _UNIT_ALIASES,
    _parser,
    is_money_unit,
    is_percent_unit,
    money_to_yuan,
    normalize_unit,
    parse_value,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


# ---- corpus helper ------------------------------------------------------------------------------

def _rows(text: str) -> list[list[str] | None]:
    """Table rows of a text export (None for a paragraph line between tables).

    A cell is a line starting with a tab; a line without the tab continues the cell above; a blank
    line ends the row.
    """
    rows: list[list[str] | None] = []
    row: list[str] = []
    for line in text.splitlines():
        if line.startswith("\t"):
            row.append(line[1:])
        elif not line.strip():
            if row:
                rows.append(row)
            row = []
        elif row:
            row[-1] += "\n" + line
        else:
            rows.append(None)
    if row:
        rows.append(row)
    return rows


def corpus_values(path: Path) -> list[str]:
    """Every 指标值 cell of a draft: the cell under the header cell 指标值 of each indicator table.

    003's department table splits the value into 符号/值/单位 columns; they are joined (符号
    文字描述 is dropped).
    """
    values: list[str] = []
    col: int | None = None
    split = False
    for row in _rows(path.read_text(encoding="utf-8")):
        if row is None:
            col = None
            continue
        cells = [c.strip() for c in row]
        if "指标值" in cells:
            col, split = cells.index("指标值"), False
        elif col is None or len(row) <= col:
            continue
        elif cells[col:col + 3] == ["符号", "值", "单位"]:
            split = True
        elif split:
            values.append(("" if cells[col] == "文字描述" else row[col]) + row[col + 1] + row[col + 2])
        else:
            values.append(row[col])
    return values


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    """Distinct 指标值 of all sample drafts."""
    return sorted({v for path in SAMPLES for v in corpus_values(path)})


# ---- pinned real values -------------------------------------------------------------------------

# (raw, op, number, unit, tail): all kind "quantity".
QUANTITIES: list[tuple[str, str | None, str, str | None, str | None]] = [
    ('100%', None, "100", '%', None),
    ('100万元', None, "100", '万元', None),
    ('10万吨', None, "10", '万吨', None),
    ('110万元', None, "110", '万元', None),
    ('150万元', None, "150", '万元', None),
    ('150人', None, "150", '人', None),
    ('17\u3000个', None, "17", '个', None),
    ('17个', None, "17", '个', None),
    ('1台', None, "1", '台', None),
    ('1年', None, "1", '年', None),
    ('1次', None, "1", '次', None),
    ('200.53万元', None, "200.53", '万元', None),
    ('2112万元', None, "2112", '万元', None),
    ('2686.52万元', None, "2686.52", '万元', None),
    ('268万元', None, "268", '万元', None),
    ('2个', None, "2", '个', None),
    ('322.38万元', None, "322.38", '万元', None),
    ('365天', None, "365", '天', None),
    ('3条', None, "3", '条', None),
    ('50次', None, "50", '次', None),
    ('5345.87万元', None, "5345.87", '万元', None),
    ('70次', None, "70", '次', None),
    ('8个', None, "8", '个', None),
    ('98%', None, "98", '%', None),
    ('<=45万元', '≤', "45", '万元', None),
    ('=100%', '=', "100", '%', None),
    ('=100.00%', '=', "100.00", '%', None),
    ('=100％', '=', "100", '%', None),
    ('=17个', '=', "17", '个', None),
    ('=1人', '=', "1", '人', None),
    ('=24人', '=', "24", '人', None),
    ('=71人', '=', "71", '人', None),
    ('>100人', '>', "100", '人', None),
    ('>2%', '>', "2", '%', None),
    ('>5%', '>', "5", '%', None),
    ('>=4人', '≥', "4", '人', None),
    ('>=95%', '≥', "95", '%', None),
    ('>=98%', '≥', "98", '%', None),
    ('>=98％', '≥', "98", '%', None),
    ('≤126.61万元', '≤', "126.61", '万元', None),
    ('≤150万元', '≤', "150", '万元', None),
    ('≤1年', '≤', "1", '年', None),
    ('≤254万元', '≤', "254", '万元', None),
    ('≤28.2万元', '≤', "28.2", '万元', None),
    ('≤399.47万元', '≤', "399.47", '万元', None),
    ('≤4%', '≤', "4", '%', None),
    ('≤542.13万元', '≤', "542.13", '万元', None),
    ('≤567万元', '≤', "567", '万元', None),
    ('≤57.21万元', '≤', "57.21", '万元', None),
    ('≤5万元', '≤', "5", '万元', None),
    ('≤98家', '≤', "98", '家', None),
    ('≥100%', '≥', "100", '%', None),
    ('≥10000份', '≥', "10000", '份', None),
    ('≥10000元', '≥', "10000", '元', None),
    ('≥100本', '≥', "100", '本', None),
    ('≥100百分比', '≥', "100", '%', None),
    ('≥10次', '≥', "10", '次', None),
    ('≥12条', '≥', "12", '条', None),
    ('≥15次', '≥', "15", '次', None),
    ('≥1个', '≥', "1", '个', None),
    ('≥200人数', '≥', "200", '人', None),
    ('≥200辆', '≥', "200", '辆', None),
    ('≥20百分比', '≥', "20", '%', None),
    ('≥2次', '≥', "2", '次', None),
    ('≥2种', '≥', "2", '种', None),
    ('≥30家', '≥', "30", '家', None),
    ('≥30次', '≥', "30", '次', None),
    ('≥3个', '≥', "3", '个', None),
    ('≥3次', '≥', "3", '次', None),
    ('≥40.00件', '≥', "40.00", '件', None),
    ('≥40个', '≥', "40", '个', None),
    ('≥4500亩', '≥', "4500", '亩', None),
    ('≥500万吨', '≥', "500", '万吨', None),
    ('≥50家', '≥', "50", '家', None),
    ('≥50百分比', '≥', "50", '%', None),
    ('≥5次', '≥', "5", '次', None),
    ('≥60人', '≥', "60", '人', None),
    ('≥6次', '≥', "6", '次', None),
    ('≥7天', '≥', "7", '天', None),
    ('≥80%', '≥', "80", '%', None),
    ('≥80百分比', '≥', "80", '%', None),
    ('≥90%', '≥', "90", '%', None),
    ('≥90百分比', '≥', "90", '%', None),
    ('≥95', '≥', "95", None, None),
    ('≥95%', '≥', "95", '%', None),
    ('≥95万元', '≥', "95", '万元', None),
    ('≥95百分比', '≥', "95", '%', None),
    ('≥95％', '≥', "95", '%', None),
    ('≥98%', '≥', "98", '%', None),
    ('≥98.00%', '≥', "98.00", '%', None),
    ('≥98百分比', '≥', "98", '%', None),
    ('≥98％', '≥', "98", '%', None),
    ('≥99%', '≥', "99", '%', None),
    ('≥80成本控制', '≥', "80", None, '成本控制'),
    ('≥90服务对象满意度', '≥', "90", None, '服务对象满意度'),
    ('≥95园区成活的植物占总植物的百分比.', '≥', "95", None, '园区成活的植物占总植物的百分比.'),
    ('≥90完成的百分比', '≥', "90", None, '完成的百分比'),
    ('≥5000000大于500万元为优\n低于500万为差', '≥', "5000000", None, '大于500万元为优\n低于500万为差'),
    ('100严格按照合同约定按时拨付合同约定工程款的100%', None, "100", None, '严格按照合同约定按时拨付合同约定工程款的100%'),
    ('≥99实际达标率%', '≥', "99", None, '实际达标率%'),
    ('≥90本单位的正常运转及时性', '≥', "90", None, '本单位的正常运转及时性'),
    ('≥90保障人数', '≥', "90", None, '保障人数'),
    ('≥8涉及企业数量', '≥', "8", None, '涉及企业数量'),
    ('≥20引进项目数量', '≥', "20", None, '引进项目数量'),
    ('≥80按期完成率（%）', '≥', "80", None, '按期完成率（%）'),
    ('≥95完成总绿化面积的%', '≥', "95", None, '完成总绿化面积的%'),
    ('≥85企业职工和村民好评胡数占总数胡百分比', '≥', "85", None, '企业职工和村民好评胡数占总数胡百分比'),
    ('≥90来访客商好评占总评价的占比。', '≥', "90", None, '来访客商好评占总评价的占比。'),
    ('≥90统一规划，美化环境', '≥', "90", None, '统一规划，美化环境'),
    ('≥80数量', '≥', "80", None, '数量'),
    ('≥80预算数', '≥', "80", None, '预算数'),
    ('≥90不超出预算指标', '≥', "90", None, '不超出预算指标'),
    ('≥80成本低', '≥', "80", None, '成本低'),
    ('≥60带动社会资金投资比', '≥', "60", None, '带动社会资金投资比'),
    ('≥90预算控制数', '≥', "90", None, '预算控制数'),
    ('≥80完成率', '≥', "80", None, '完成率'),
    ('大于50次洽谈为优\n20次至50次为良\n低于20次为差', '>', "50", None, '次洽谈为优\n20次至50次为良\n低于20次为差'),
    ('≥80对象满意度', '≥', "80", None, '对象满意度'),
    ('≥90控制成本', '≥', "90", None, '控制成本'),
    ('≥90是否按时完成', '≥', "90", None, '是否按时完成'),
]

# (raw, op, date, tail): all kind "date".
DATES: list[tuple[str, str | None, ValueDate, str | None]] = [
    ("2023年12月底", None, ValueDate(2023, 12, None, "底"), None),
    ("2022年12月底", None, ValueDate(2022, 12, None, "底"), None),
    ("2023年12月", None, ValueDate(2023, 12, None, None), None),
    ("12月底", None, ValueDate(None, 12, None, "底"), None),
]

TEXTS = [
    "按工作计划及时完成", "较上一年进一步提升", "元按照规定标准控制", "每月按时征收", "全部按时下达",
    "健全", "健全\u3000", "按照规定标准控制", "及时拨付", "提升", "进一步提高", "足额收取",
    "每日打扫园区三次为优\n两次为良，一次为差",
    "指标1：新建工业给水网5906米，阀门井17座\n指标2：新建生活给水网7317米，旧管拆除工程11831米\n"
    "指标3：重建雨水管网11831米，更新雨水检查井875口、雨水口710个\n指标4：雨水管网清淤23661米\n"
    "指标5：路面恢复工程72152平方米、绿化恢复工程10000平方米",
]


@pytest.mark.parametrize(("raw", "op", "number", "unit", "tail"), QUANTITIES)
def test_real_quantities(raw: str, op: str | None, number: str, unit: str | None,
                         tail: str | None) -> None:
    value = parse_value(raw)
    assert (value.kind, value.op, value.number, value.unit, value.tail, value.date) == (
        "quantity", op, Decimal(number), unit, tail, None)
    assert (value.unit_raw is None) == (unit is None)


@pytest.mark.parametrize(("raw", "op", "date", "tail"), DATES)
def test_real_dates(raw: str, op: str | None, date: ValueDate, tail: str | None) -> None:
    assert parse_value(raw) == IndicatorValue(raw=raw, kind="date", op=op, tail=tail, date=date)


@pytest.mark.parametrize("raw", TEXTS)
def test_real_texts(raw: str) -> None:
    assert parse_value(raw) == IndicatorValue(raw=raw, kind="text")


@pytest.mark.parametrize(("raw", "unit_raw"), [
    ("=100％", "％"), ("≥95百分比", "百分比"), ("≥200人数", "人数"), ("17\u3000个", "个"),
    ("≥40.00件", "件"), (">=98％", "％"), ("<=45万元", "万元"), ("≥500万吨", "万吨"),
])
def test_unit_raw_is_the_unit_as_written(raw: str, unit_raw: str) -> None:
    assert parse_value(raw).unit_raw == unit_raw


def test_pinned_values_are_real(corpus: list[str]) -> None:
    pinned = [q[0] for q in QUANTITIES] + [d[0] for d in DATES] + TEXTS
    assert len(set(pinned)) >= 80
    assert [v for v in pinned if v not in corpus] == []


def test_empty() -> None:
    assert parse_value("") == IndicatorValue(raw="", kind="empty")
    assert parse_value(" \t\u3000\n") == IndicatorValue(raw=" \t\u3000\n", kind="empty")


# ---- synthetic cases ----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "op", "number", "unit", "unit_raw", "tail"), [
    # Chinese numerals before a unit
    ("两座", None, "2", "座", "座", None),
    ("三次", None, "3", "次", "次", None),
    ("不少于三次", "≥", "3", "次", "次", None),
    ("一年内", "≤", "1", "年", "年", None),
    ("十万吨", None, "10", "万吨", "万吨", None),
    ("一万二千元", None, "12000", "元", "元", None),
    ("三点五万元", None, "3.5", "万元", "万元", None),
    ("百分百", None, "100", "%", "百分", None),
    ("百分之百", None, "100", "%", "百分之", None),
    ("百分之九十五", None, "95", "%", "百分之", None),
    ("达到百分之95以上", "≥", "95", "%", "百分之", None),
    # suffix operators; a prefix wins, except 控制在
    ("200人以上", "≥", "200", "人", "人", None),
    ("1年内", "≤", "1", "年", "年", None),
    ("3个工作日内", "≤", "3", "工作日", "个工作日", None),
    ("5万元以内", "≤", "5", "万元", "万元", None),
    ("95%及以上", "≥", "95", "%", "%", None),
    ("30天内完成", "≤", "30", "天", "天", "完成"),
    ("≥95%以下", "≥", "95", "%", "%", None),
    ("控制在95%以上", "≥", "95", "%", "%", None),
    ("控制在5万元", "≤", "5", "万元", "万元", None),
    # operator words and signs
    ("不低于95%", "≥", "95", "%", "%", None),
    ("不超过5万元", "≤", "5", "万元", "万元", None),
    ("大于等于90%", "≥", "90", "%", "%", None),
    ("大于90%", ">", "90", "%", "%", None),
    ("低于5%", "<", "5", "%", "%", None),
    ("至少2次", "≥", "2", "次", "次", None),
    ("≧ 10 家", "≥", "10", "家", "家", None),
    ("＞＝９８％", "≥", "98", "%", "％", None),
    ("约100人", None, "100", "人", "人", None),
    # units
    ("1,000元", None, "1000", "元", "元", None),
    ("≥2次/年", "≥", "2", "次/年", "次/年", None),
    ("5平方米/人", None, "5", "平方米/人", "平方米/人", None),
    ("120㎡", None, "120", "平方米", "㎡", None),
    ("120m²", None, "120", "平方米", "m²", None),
    ("≥2个百分点", "≥", "2", "百分点", "个百分点", None),
    ("≥7日", "≥", "7", "天", "日", None),
    ("6个月", None, "6", "个月", "个月", None),
    ("≥90分", "≥", "90", "分", "分", None),
    # a unit needs a boundary; punctuation after it is dropped
    ("≥95%。", "≥", "95", "%", "%", None),
    ("≥95%，按时完成", "≥", "95", "%", "%", "按时完成"),
    ("≥95%（含）", "≥", "95", "%", "%", "（含）"),
    ("100%完成", None, "100", "%", "%", "完成"),
    ("100人左右", None, "100", "人", "人", "左右"),
    ("5项内容", None, "5", "项", "项", "内容"),
    ("≥90本单位", "≥", "90", None, None, "本单位"),
    ("≥5次数据", "≥", "5", None, None, "次数据"),
    ("5tons", None, "5", None, None, "tons"),
])
def test_synthetic_quantities(raw: str, op: str | None, number: str, unit: str | None,
                              unit_raw: str | None, tail: str | None) -> None:
    value = parse_value(raw)
    assert (value.kind, value.op, value.number, value.unit, value.unit_raw, value.tail, value.date) == (
        "quantity", op, Decimal(number), unit, unit_raw, tail, None)


@pytest.mark.parametrize(("raw", "op", "date", "tail"), [
    ("2023年12月31日前", "≤", ValueDate(2023, 12, 31, "前"), None),
    ("2023年底", None, ValueDate(2023, None, None, "底"), None),
    ("2022年12月底前完成", "≤", ValueDate(2022, 12, None, "底前"), "完成"),
    ("2023年内", "≤", ValueDate(2023, None, None, "内"), None),
    ("2023年度", None, ValueDate(2023, None, None, "度"), None),
    ("12月中旬", None, ValueDate(None, 12, None, "中旬"), None),
    ("6月30日之前", "≤", ValueDate(None, 6, 30, "之前"), None),
    ("≤2023年12月", "≤", ValueDate(2023, 12, None, None), None),
    ("截至2023年12月底", "≤", ValueDate(2023, 12, None, "底"), None),
    ("在2023年底前", "≤", ValueDate(2023, None, None, "底前"), None),
    ("2023-12-31", None, ValueDate(2023, 12, 31, None), None),
    ("２０２３年１２月底", None, ValueDate(2023, 12, None, "底"), None),
])
def test_synthetic_dates(raw: str, op: str | None, date: ValueDate, tail: str | None) -> None:
    value = parse_value(raw)
    assert (value.kind, value.op, value.tail, value.date, value.number, value.unit) == (
        "date", op, tail, date, None, None)


@pytest.mark.parametrize("raw", [
    "一是加强管理", "一般", "十分", "十分满意", "一次性", "不低于上年", "达到预期", "较上年提高",
    "二〇二三年", "三五天", "百分比", "不使用",
])
def test_synthetic_texts(raw: str) -> None:
    assert parse_value(raw) == IndicatorValue(raw=raw, kind="text")


@pytest.mark.parametrize("raw", [
    "≥", "≥≥5", "=", "1:1000", "≥95%-98%", "5-3个工作日",
    "≥95%，≥98%", "2023年13月", "不低于5:1", "6=>年", "4-元",
])
def test_unparsed(raw: str) -> None:
    assert parse_value(raw) == IndicatorValue(raw=raw, kind="unparsed")


def test_multiline_raw_is_kept_whole() -> None:
    raw = "≥5000000大于500万元为优\n低于500万为差"
    assert parse_value(raw).raw == raw
    assert parse_value(raw).tail == "大于500万元为优\n低于500万为差"


# ---- helpers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("unit", "canonical"), [
    ("%", "%"), ("％", "%"), ("百分比", "%"), ("百分率", "%"), ("个百分点", "百分点"),
    ("人数", "人"), ("次数", "次"), ("个数", "个"), ("天数", "天"), ("日", "天"),
    ("个工作日", "工作日"), ("㎡", "平方米"), ("m²", "平方米"), ("平米", "平方米"), ("KM", "公里"),
    ("次/日", "次/天"), (" 万元 ", "万元"), ("亩", "亩"), ("不是单位", "不是单位"),
])
def test_normalize_unit(unit: str, canonical: str) -> None:
    assert normalize_unit(unit) == canonical


def test_every_unit_alias_is_lexed_as_a_unit() -> None:
    """The grammar's unit lexicon and the Python alias table agree."""
    for variant, canonical in _UNIT_ALIASES.items():
        value = parse_value("5" + variant)
        assert (value.unit, value.tail) == (canonical, None), variant


@pytest.mark.parametrize(("number", "unit", "yuan"), [
    ("1", "万元", "10000"), ("10000", "元", "10000"), ("2.5", "亿元", "250000000"),
    ("3", "千元", "3000"), ("3", "仟元", "3000"), ("126.61", "万元", "1266100"),
])
def test_money_to_yuan(number: str, unit: str, yuan: str) -> None:
    assert money_to_yuan(Decimal(number), unit) == Decimal(yuan)


def test_money_to_yuan_compares_spellings() -> None:
    a, b = parse_value("≥1万元"), parse_value("≥10000元")
    assert a.number is not None and b.number is not None
    assert money_to_yuan(a.number, a.unit) == money_to_yuan(b.number, b.unit)


@pytest.mark.parametrize("unit", [None, "%", "人", "万吨", "元/人"])
def test_money_to_yuan_none_for_other_units(unit: str | None) -> None:
    assert money_to_yuan(Decimal(5), unit) is None


def test_is_percent_unit() -> None:
    assert is_percent_unit("％") and is_percent_unit("百分比") and is_percent_unit("%")
    assert not is_percent_unit("百分点") and not is_percent_unit(None) and not is_percent_unit("人")


def test_is_money_unit() -> None:
    assert is_money_unit("万元") and is_money_unit(" 仟元") and is_money_unit("亿元")
    assert not is_money_unit("元/人") and not is_money_unit(None) and not is_money_unit("万吨")


# ---- corpus-wide --------------------------------------------------------------------------------

PLAIN_QUANTITY = re.compile(r"[≥≤<>=]{0,2}\s*\d+(?:\.\d+)?\s*(?:%|％|[\u4e00-\u9fff]{1,3})")


def test_corpus_parses_fast_and_plain_quantities_are_quantities(corpus: list[str]) -> None:
    _parser.cache_clear()
    parse_value.cache_clear()
    start = time.perf_counter()
    values = [parse_value(v) for v in corpus]
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, elapsed  # cold: includes building the parser (~0.2 s in all)
    start = time.perf_counter()
    parse_value.cache_clear()
    values = [parse_value(v) for v in corpus]
    assert time.perf_counter() - start < 0.25  # warm parser, empty cache (~0.02 s)
    assert len(corpus) > 200
    assert [v.raw for v in values if v.kind == "unparsed"] == []
    plain = [v for v in values if PLAIN_QUANTITY.fullmatch(v.raw)
             and not re.search(r"(?:19|20)\d\d年|月", v.raw)]
    assert len(plain) > 50
    assert [v.raw for v in plain if v.kind != "quantity" or v.number is None] == []


def test_corpus_kinds(corpus: list[str]) -> None:
    kinds = [parse_value(v).kind for v in corpus]
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "quantity": 178, "text": 84, "date": 4, "empty": 1}


# ---- robustness and wiring ----------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec=None), max_size=200),
    st.text(alphabet="≥≤<>=＞＝％%0123456789０１.,，:：/-至以上下内前底年月日个人次万元百分之比两三十 \t\n\u3000\x00\x1f",
            max_size=40),
    st.builds(lambda piece, n: piece * n, st.text(min_size=1, max_size=30),
              st.integers(min_value=100, max_value=3000)),  # long strings, cheaply
))
def test_never_raises_and_keeps_raw(raw: str) -> None:
    value = parse_value(raw)
    assert value.raw == raw
    assert value.kind in {"quantity", "date", "text", "empty", "unparsed", "not_applicable"}
    if value.kind == "quantity":
        assert value.number is not None
    if value.kind == "date":
        assert value.date is not None
    for part in (value.unit_raw, value.tail, value.lead, value.counted):
        assert part is None or part in raw


def test_parser_is_lalr_and_built_once() -> None:
    assert _parser().options.parser == "lalr"
    assert _parser() is _parser()


def test_results_are_cached() -> None:
    assert parse_value("≥95%") is parse_value("≥95%")


def test_cn2an_is_imported_only_for_chinese_numerals() -> None:
    code = (
        "import sys; from auditor.values import parse_value\n"
        "parse_value('≥95%'); parse_value('健全'); parse_value('2023年12月底')\n"
        "assert 'cn2an' not in sys.modules\n"
        "assert parse_value('三次').number == 3 and 'cn2an' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
