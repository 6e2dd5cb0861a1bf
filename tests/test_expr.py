"""The rule expression language (auditor/expr.py, grammar/expression.lark)."""

from __future__ import annotations

import dataclasses
import decimal
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import expr
from auditor.expr import (
    DEFAULT_FUNCTIONS,
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    Expression,
    ExpressionError,
    compile_expression,
    operand,
    truthy,
)
from auditor.model import (
    Amount,
    Budget,
    Document,
    Indicator,
    IndicatorValue,
    Location,
    Project,
    SpendingPlan,
    SpendingPoint,
)


def ev(source: str, **env: Any) -> Any:
    return compile_expression(source).evaluate(env)


def error_of(source: str, **kwargs: Any) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, **kwargs)
    return info.value


# ---- model objects built by hand ----------------------------------------------------------------

def amount(raw: str) -> Amount:
    return Amount(raw, Decimal(raw) if raw else None, Location(line=7))


VALUE = IndicatorValue(
    raw="≥80成本控制", kind="quantity", op="≥", number=Decimal(80), tail="成本控制"
)
INDICATOR = Indicator(
    level1="产出指标",
    level2="成本指标",
    level3="成本控制率",
    description="",
    value=VALUE,
    basis="",
    loc=Location(line=12),
)
POINTS = [
    SpendingPoint("3月底", "30", Decimal(30)),
    SpendingPoint("6月底", "", None),
    SpendingPoint("12月底", "100", Decimal(100)),
]
PROJECT = Project(
    index=1,
    heading="1、道路维修项目支出绩效目标表",
    code="441002001",
    budget=Budget(total=amount("28.20"), fiscal=amount("20.2"), other=amount("8")),
    spending_plan=SpendingPlan(header="资金支出计划（%）", unit="%", points=POINTS),
    indicators=[INDICATOR],
)
DOCUMENT = Document(path="x.txt", source_format="text", year=2023, projects=[PROJECT])


# ---- precedence and associativity ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("(1 + 2) * 3", Decimal(9)),
        ("10 - 4 - 3", Decimal(3)),  # left-associative
        ("24 / 4 / 2", Decimal(3)),
        ("2 * 3 - 4 / 2", Decimal(4)),
        ("-2 * 3", Decimal(-6)),
        ("- -2", Decimal(2)),
        ("2 - -2", Decimal(4)),
        ("true or false and false", True),  # and binds tighter than or
        ("(true or false) and false", False),
        ("not true or true", True),  # not binds tighter than or
        ("not (true or true)", False),
        ("not 1 == 2", True),  # comparison binds tighter than not
        ("1 + 1 == 2 and 3 > 2", True),
        ("1 + 2 in [3, 4]", True),
        ("'a' if false else 'b' if false else 'c'", "c"),  # conditional is right-associative
        ("'a' if true else 'b' if false else 'c'", "a"),
        ("1 + 1 if 2 > 1 else 0", Decimal(2)),
        ("not false and false", False),
    ],
)
def test_precedence(source, expected):
    result = ev(source)
    assert result == expected
    assert type(result) is type(expected)


def test_comparisons_do_not_chain():
    err = error_of("1 < 2 < 3")
    assert err.column == 7
    assert "chain" in err.message


def test_and_or_short_circuit_and_return_booleans():
    calls: list[Any] = []

    def spy(x: Any) -> Any:
        calls.append(x)
        return x

    fns = {"spy": spy}
    assert compile_expression("false and spy(1)", fns).evaluate({}) is False
    assert compile_expression("'x' or spy(2)", fns).evaluate({}) is True
    assert calls == []
    assert compile_expression("spy('x') and spy(3)", fns).evaluate({}) is True
    assert compile_expression("spy(0) or spy('')", fns).evaluate({}) is False
    assert calls == ["x", 3, 0, ""]
    assert ev("a or b or c", c=[1]) is True
    assert ev("a and b and c and d", a=1, b=1, c=1, d=1) is True
    assert ev("a and b and c", a=1, b=0, c=1) is False
    assert ev("a and b and c", a=1, b=1, c=1) is True
    assert ev("a or b", a=0, b=[]) is False
    assert ev("a and b and c and d", a=1, b=1, c=1, d=0) is False


def test_conditional_evaluates_one_branch():
    calls: list[Any] = []
    fns = {"spy": lambda x: calls.append(x) or x}
    e = compile_expression("spy('yes') if flag else spy('no')", fns)
    assert e.evaluate({"flag": 1}) == "yes"
    assert e.evaluate({"flag": None}) == "no"
    assert calls == ["yes", "no"]


# ---- literals ------------------------------------------------------------------------------------

def test_literals():
    assert ev("28.20") == Decimal("28.20") and type(ev("28.20")) is Decimal
    assert ev('"成本指标"') == "成本指标"
    assert ev("'单引号'") == "单引号"
    assert ev(r'"a\"b\\c\nd"') == 'a"b\\c\nd'
    assert ev(r"'it\'s'") == "it's"
    assert ev(r'"\d+%"') == r"\d+%"  # unknown escapes are kept for regexes
    assert ev("true") is True and ev("false") is False and ev("null") is None
    assert ev('["%", "百分比"]') == ("%", "百分比")
    assert ev("[]") == ()
    assert ev("[1, x,]", x=2) == (Decimal(1), 2)


# ---- null semantics ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("missing", None),
        ("missing.a.b.c", None),
        ("missing[0].x", None),
        ("null + 1", None),
        ("1 - null", None),
        ("null * 2", None),
        ("2 / null", None),
        ("-null", None),
        ("1 / 0", None),
        ("null < 1", False),
        ("null >= 0", False),
        ("1 > null", False),
        ("null <= null", False),
        ("null == null", True),
        ("missing == null", True),
        ("missing != null", False),
        ("0 == null", False),
        ("'' == null", False),
        ("not null", True),
        ("not missing.x", True),
        ("null in [1, null]", True),
        ("null in 'abc'", False),
        ("1 in null", False),
        ("1 not in null", True),
        ("null matches 'a'", False),
    ],
)
def test_null_semantics(source, expected):
    assert ev(source) is expected


def test_type_mismatches_are_false_or_null():
    assert ev("'80' == 80") is False
    assert ev("'80' < 90") is False
    assert ev("'a' + 1") is None
    assert ev("'a' * 2") is None
    assert ev("true == 1") is False  # booleans are not numbers
    assert ev("true + 1") is None
    assert ev("[1] < [2]") is False
    assert ev("x > 1", x=object()) is False


# ---- numbers -------------------------------------------------------------------------------------

def test_division_by_zero_is_null_whatever_the_decimal_context():
    e = compile_expression("a / b")
    with decimal.localcontext() as ctx:
        ctx.traps[decimal.DivisionByZero] = False
        ctx.traps[decimal.InvalidOperation] = False
        assert e.evaluate({"a": 1, "b": 0}) is None
        assert e.evaluate({"a": 0, "b": Decimal("0.00")}) is None
    assert e.evaluate({"a": 1, "b": 4}) == Decimal("0.25")


def test_decimal_equality():
    assert ev("28.2 == 28.20") is True
    assert ev("0.1 + 0.2 == 0.3") is True
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("28.2 != 28.20") is False
    assert ev("[1, 2.0] == [1.00, 2]") is True
    assert ev("x == y", x=[0.1, "a"], y=[Decimal("0.1"), "a"]) is True  # element-wise, as Decimal
    assert ev("x == y", x=[1], y=[1, 2]) is False
    assert ev("x in [0.1, 0.2]", x=0.1) is True
    assert ev("x in [1]", x=True) is False


def test_env_ints_and_floats_become_decimals():
    assert ev("x == 0.1", x=0.1) is True  # the float's shortest repr, not its binary value
    assert ev("x + y", x=0.1, y=0.2) == Decimal("0.3")
    assert ev("x + 1", x=1) == Decimal(2) and type(ev("x + 1", x=1)) is Decimal
    assert ev("x == 28.20", x=28.2) is True
    assert ev("x < 1", x=float("nan")) is False
    assert ev("x == x", x=float("nan")) is False
    assert ev("x > 1", x=float("inf")) is True


def test_strings_order_and_concatenate():
    assert ev("'a' < 'b'") is True
    assert ev("'b' <= 'a'") is False
    assert ev("'成本' + '指标'") == "成本指标"
    assert ev("[1] + [2]") == (Decimal(1), Decimal(2))
    assert ev("xs + ['%']", xs=["人"]) == ("人", "%")


# ---- model objects -------------------------------------------------------------------------------

def test_amount_unwrapping():
    env = {"budget": PROJECT.budget, "project": PROJECT}
    assert ev("budget.total == budget.fiscal + budget.other", **env) is True
    assert ev("project.budget.total == 28.2", **env) is True
    assert ev("budget.total > 28 and budget.total < 29", **env) is True
    assert ev("budget.total - budget.fiscal", **env) == Decimal("8.00")
    assert ev("budget.total.raw", **env) == "28.20"  # fields stay reachable
    assert ev("budget.total.loc.line", **env) == 7
    broken = Budget(total=amount("10"), fiscal=amount(""), other=amount("3"))
    assert ev("budget.fiscal + budget.other", budget=broken) is None
    assert ev("budget.total == budget.fiscal + budget.other", budget=broken) is False
    assert ev("budget.fiscal > 0", budget=broken) is False
    assert ev("budget.fiscal == null", budget=broken) is True
    assert ev("budget.total != null", budget=broken) is True
    assert ev("not budget.fiscal", budget=broken) is True
    assert ev("budget.total in [10, 20]", budget=broken) is True
    assert operand(amount("5")) == Decimal(5)
    assert operand(POINTS[0]) == Decimal(30)
    assert operand("x") == "x"


def test_spending_points_unwrap():
    env = {"points": POINTS}
    assert ev("points[0] < points[-1]", **env) is True
    assert ev("points[-1] == 100", **env) is True
    assert ev("points[-1].label", **env) == "12月底"
    assert ev("points[1] + 1", **env) is None


def test_field_access_on_model_dataclasses():
    env = {"indicator": INDICATOR, "value": VALUE, "project": PROJECT, "document": DOCUMENT}
    assert ev("indicator.level3", **env) == "成本控制率"
    assert ev("indicator.value.number >= 80", **env) is True
    typical = "value.kind == 'quantity' and value.unit == null and value.tail != null"
    assert ev(typical, **env) is True
    assert ev("project.indicators[0].level2", **env) == "成本指标"
    assert ev("project.spending_plan.points[-1].value", **env) == Decimal(100)
    assert ev("project.purpose.text", **env) is None  # purpose is None
    assert ev("project.display_name", **env) == "道路维修"  # a property
    assert ev("document.year == 2023", **env) is True
    assert ev("document.projects[0].budget.other", **env) is PROJECT.budget.other
    assert ev("project.no_such_field", **env) is None
    assert ev("project['code']", **env) == "441002001"
    assert ev("project[k]", k="heading", **env) == PROJECT.heading
    assert ev("project[k]", k="__class__", **env) is None
    assert ev("indicator.loc_of", **env) is None  # methods are not values
    assert ev("document.section_items", **env) is None


def test_field_access_on_dicts_and_indexing():
    env = {"params": {"threshold": 80, "units": ["%", "人"], "nested": {"a": {"b": 1}}}}
    assert ev("params.threshold", **env) == 80
    assert ev("params.nested.a.b == 1", **env) is True
    assert ev("params.missing", **env) is None
    assert ev("params['threshold'] + 1", **env) == Decimal(81)
    assert ev("params.units[0]", **env) == "%"
    assert ev("params.units[-1]", **env) == "人"
    assert ev("params.units[2]", **env) is None
    assert ev("params.units[-3]", **env) is None
    assert ev("params.units[0.5]", **env) is None
    assert ev("params.units[i]", i=1, **env) == "人"
    assert ev("params.units['x']", **env) is None
    assert ev("'成本指标'[0]") == "成本"[0]
    assert ev("params.threshold.x", **env) is None


def test_properties_that_fail_read_as_null():
    @dataclasses.dataclass
    class Odd:
        ok: int = 1

        @property
        def broken(self) -> int:
            raise RuntimeError("boom")

    assert ev("o.broken", o=Odd()) is None
    assert ev("o.ok", o=Odd()) == 1


def test_private_fields_are_unreachable_even_by_computed_keys():
    @dataclasses.dataclass
    class Secretive:
        _token: str = "secret"
        public: str = "ok"

        @property
        def _hidden(self) -> str:
            return "secret"

    obj = Secretive()
    e = compile_expression("o[k]")
    assert e.evaluate({"o": obj, "k": "public"}) == "ok"
    assert e.evaluate({"o": obj, "k": "_token"}) is None
    assert e.evaluate({"o": obj, "k": "_hidden"}) is None
    assert ev("values(xs, k)", xs=[obj], k="_token") == [None]
    assert ev("values(xs, k)", xs=[obj], k="public") == ["ok"]


# ---- operators -----------------------------------------------------------------------------------

def test_in_and_not_in():
    assert ev('unit in ["%", "百分比"]', unit="%") is True
    assert ev('unit in ["%", "百分比"]', unit="人") is False
    assert ev('unit not in ["%", "百分比"]', unit="人") is True
    assert ev("x in [1, 2.50]", x=Decimal("2.5")) is True
    assert ev("x in [1, 2]", x=2.0) is True
    assert ev("'成本' in level2", level2="成本指标") is True
    assert ev("'质量' not in level2", level2="成本指标") is True
    assert ev("1 in '123'") is False  # a number is not a substring
    assert ev("'a' in params", params={"a": 1}) is True
    assert ev("'b' in params", params={"a": 1}) is False
    assert ev("x in xs", x=None, xs=[1, None]) is True
    assert ev("budget.total in [28.2]", budget=PROJECT.budget) is True
    # A constant list of strings is a set lookup; other needles still compare safely.
    assert ev("x in ['a', 'b']", x=["a"]) is False  # unhashable needle
    assert ev("x in ['1', 'b']", x=1) is False
    assert ev("x not in ['a', 'b']", x={"a": 1}) is True


def test_matches_with_chinese_regexes():
    assert ev('level3 matches "率$|度$"', level3="满意度") is True
    assert ev('level3 matches "率$|度$"', level3="成本控制率") is True
    assert ev('level3 matches "率$|度$"', level3="完成数量") is False
    assert ev('x matches "^[一二三四五六七八九十]+、"', x="三、保障措施") is True
    assert ev(r'raw matches "\d+%"', raw="≥95%") is True
    assert ev("x matches '满意'", x=None) is False
    assert ev("x matches '1'", x=1) is False
    assert ev("x matches p", x="abc", p="b") is True
    assert ev("x matches p", x="abc", p="(") is False  # a bad regex from data: false
    assert ev("not (x matches 'a')", x="b") is True


def test_regexes_are_compiled_once_per_pattern():
    e = compile_expression("x matches p")
    before = expr._regex.cache_info()
    for _ in range(5):
        assert e.evaluate({"x": "满意度", "p": "度$(?#unique-pattern)"}) is True
    after = expr._regex.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 4


def test_truthy():
    falsy = (None, False, 0, Decimal(0), "", [], {}, amount(""), amount("0"))
    assert [truthy(v) for v in falsy] == [False] * len(falsy)
    true = (True, 1, Decimal("0.1"), "x", [0], {"a": 1}, amount("3"), VALUE)
    assert [truthy(v) for v in true] == [True] * len(true)


# ---- functions -----------------------------------------------------------------------------------

FUNCTION_CASES = [
    ("len(x)", {"x": "成本指标"}, 4),
    ("len(x)", {"x": [1, 2]}, 2),
    ("len(x)", {"x": None}, 0),
    ("len(x)", {"x": {"a": 1}}, 1),
    ("len(x)", {"x": Decimal(5)}, None),
    ("first(x)", {"x": [3, 4]}, 3),
    ("first(x)", {"x": []}, None),
    ("first(x)", {"x": None}, None),
    ("last(x)", {"x": [3, 4]}, 4),
    ("last(x)", {"x": ()}, None),
    ("sum(x)", {"x": [1, None, Decimal("2.5")]}, Decimal("3.5")),
    ("sum(x)", {"x": POINTS}, Decimal(130)),
    ("sum(x)", {"x": [amount("1.5"), amount(""), amount("2")]}, Decimal("3.5")),
    ("sum(x)", {"x": []}, Decimal(0)),
    ("sum(x)", {"x": None}, Decimal(0)),
    ("sum(x)", {"x": [1, "a"]}, None),
    ("min(x)", {"x": [3, 1, None, 2]}, Decimal(1)),
    ("max(x)", {"x": [3, 1, None, 2]}, Decimal(3)),
    ("max(x)", {"x": POINTS}, Decimal(100)),
    ("min(x)", {"x": []}, None),
    ("min(x)", {"x": [1, "a"]}, None),
    ("max(x)", {"x": ["a", "c", "b"]}, "c"),
    ("max(1, 5, 3)", {}, Decimal(5)),
    ("min(7)", {}, Decimal(7)),
    ("abs(x)", {"x": -2.5}, Decimal("2.5")),
    ("abs(x)", {"x": "a"}, None),
    ("abs(x)", {"x": amount("-3")}, Decimal(3)),
    ("round(2.345, 2)", {}, Decimal("2.35")),  # half up, not banker's rounding
    ("round(2.5)", {}, Decimal(3)),
    ("round(-2.5)", {}, Decimal(-3)),
    ("round(1234, -2)", {}, Decimal(1200)),
    ("round(x, 1)", {"x": None}, None),
    ("round(1, 0.5)", {}, None),
    ("lower(x)", {"x": "ABC成本"}, "abc成本"),
    ("lower(x)", {"x": 1}, None),
    ("norm(x)", {"x": " 成本，控制。Ｒａｔｅ (A-1) "}, "成本控制ratea1"),
    ("norm(x)", {"x": "“满意度”：≥95％"}, "满意度≥95"),
    ("norm(x)", {"x": None}, None),
    ("similar(a, b)", {"a": "成本控制率", "b": "成本 控制率。"}, Decimal(1)),
    ("similar(a, b)", {"a": "abcd", "b": "abxy"}, Decimal("0.5")),
    ("similar(a, b)", {"a": "成本", "b": None}, Decimal(0)),
    ("similar(a, b)", {"a": "成本", "b": "质量"}, Decimal(0)),
    ("contains(x, '成本')", {"x": "成本指标"}, True),
    ("contains(x, 2)", {"x": [1, 2]}, True),
    ("contains(x, 3)", {"x": [1, 2]}, False),
    ("contains(x, 'a')", {"x": None}, False),
    ("startswith(x, '产出')", {"x": "产出指标"}, True),
    ("startswith(x, ['效益', '产出'])", {"x": "产出指标"}, True),
    ("startswith(x, '效益')", {"x": "产出指标"}, False),
    ("startswith(x, 'a')", {"x": None}, False),
    ("endswith(x, '率')", {"x": "完成率"}, True),
    ("endswith(x, ['率', '度'])", {"x": "满意度"}, True),
    ("endswith(x, 1)", {"x": "1"}, False),
    ("matches(x, '率$')", {"x": "完成率"}, True),
    ("matches(x, '^率')", {"x": "完成率"}, False),
    ("number(x)", {"x": "≥95%"}, Decimal(95)),
    ("number(x)", {"x": "约１,234.5万元"}, Decimal("1234.5")),
    ("number(x)", {"x": "-3.5度"}, Decimal("-3.5")),
    ("number(x)", {"x": "较上年提高"}, None),
    ("number(x)", {"x": 7}, Decimal(7)),
    ("number(x)", {"x": None}, None),
    ("coalesce(a, b, 3)", {"a": None, "b": "x"}, "x"),
    ("coalesce(a, 0)", {"a": amount("")}, Decimal(0)),  # an empty Amount counts as null
    ("coalesce(a, b)", {"a": None, "b": None}, None),
    ("count(x, 1)", {"x": [1, 1.0, Decimal("1.00"), 2, None]}, 3),
    ("count(x, null)", {"x": [1, None, None]}, 2),
    ("count(x, '成本')", {"x": "成本、成本"}, 2),
    ("count(x, 1)", {"x": None}, 0),
    ("distinct(x)", {"x": [1, Decimal("1.0"), "a", "a", 2, None, None]}, [1, "a", 2, None]),
    ("distinct(x)", {"x": [[1], [1.0], [2]]}, [[1], [2]]),
    ("distinct(x)", {"x": None}, []),
    ("len(distinct(x))", {"x": ["%", "%", "人"]}, 2),
    ("values(x, 'value')", {"x": POINTS}, [Decimal(30), None, Decimal(100)]),
    ("values(x, 'label')", {"x": POINTS}, ["3月底", "6月底", "12月底"]),
    ("values(x, 'value.unit')", {"x": [INDICATOR, {"value": {"unit": "%"}}]}, [None, "%"]),
    ("values(x, 'a')", {"x": [{"a": 1}, None, {"b": 2}]}, [1, None, None]),
    ("values(x, f)", {"x": [INDICATOR], "f": "__class__"}, [None]),
    ("values(x, 'a')", {"x": None}, []),
]


@pytest.mark.parametrize(("source", "env", "expected"), FUNCTION_CASES)
def test_functions(source, env, expected):
    result = compile_expression(source).evaluate(env)
    assert result == expected
    assert type(result) is type(expected)


def test_every_default_function_is_tested():
    tested = {source.split("(")[0] for source, _, _ in FUNCTION_CASES}
    assert set(DEFAULT_FUNCTIONS) <= tested


def test_similar_is_between_zero_and_one():
    e = compile_expression("similar(a, b)")
    score = e.evaluate({"a": "加强项目资金管理", "b": "加强资金管理工作"})
    assert Decimal("0.5") < score < 1


def test_caller_functions_extend_and_override():
    fns = {"double": lambda x: x * 2, "len": lambda x: -1}
    e = compile_expression("double(x) + len('abc')", fns)
    assert e.evaluate({"x": Decimal(4)}) == Decimal(7)
    assert compile_expression("len('abc')").evaluate({}) == 3  # the default table is untouched
    assert "double" not in DEFAULT_FUNCTIONS
    with pytest.raises(TypeError):
        DEFAULT_FUNCTIONS["x"] = len  # type: ignore[index]


def test_constant_calls_are_folded_but_caller_functions_are_not():
    calls: list[Any] = []
    fns = {"tick": lambda: calls.append(1) or len(calls)}
    e = compile_expression("tick()", fns)
    assert [e.evaluate({}), e.evaluate({})] == [1, 2]
    assert compile_expression("len('成本') + 1").evaluate({}) == Decimal(3)


# ---- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("value.unit ==", 14, "unexpected end"),
        ("len(", 5, "unexpected end"),
        ("foo bar", 5, "unexpected name 'bar'"),
        ("value.unit = '%'", 12, "'=='"),
        ("a && b", 3, "'and'"),
        ("a || b", 3, "'or'"),
        ("!a", 1, "'not'"),
        ("a ** 2", 3, "'**'"),
        ("(a", 3, "unexpected end"),
        ("a)", 2, "unexpected ')'"),
        ("[1, 2", 6, "unexpected end"),
        ("x == 'abc", 6, "unterminated string"),
        ("x.1", 3, "unexpected"),
        ("a $ b", 3, "unexpected character '$'"),
        ("   ", 1, "empty expression"),
        ("a in", 5, "expected a value"),
        ("x.y()", 4, "unexpected '('"),  # only plain names can be called
        ("成本 == 1", 1, "unexpected character"),
    ],
)
def test_syntax_errors(source, column, fragment):
    err = error_of(source)
    assert isinstance(err, ValueError)
    assert err.column == column
    assert fragment in err.message
    assert err.source == source
    assert f"column {column}" in str(err)


def test_error_caret_points_at_the_column():
    err = error_of("foo bar")
    assert err.caret() == "foo bar\n    ^"


@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("nope(1)", 1, "unknown function 'nope'"),
        ("x and eval('1')", 7, "unknown function 'eval'"),
        ("len(1, 2)", 1, "len() takes (x), got 2 arguments"),
        ("round()", 1, "round() takes (x, digits=0), got 0 arguments"),
        ("a == similar(b)", 6, "similar()"),
        ("coalesce()", 1, "coalesce()"),
        ("x matches '('", 11, "invalid regex"),
        ("matches(x, '[')", 12, "invalid regex"),
        ("values(x, '_secret')", 11, "private"),
        ("None", 1, "'null'"),
        ("x == True", 6, "'true'"),
    ],
)
def test_compile_time_errors(source, column, fragment):
    err = error_of(source)
    assert err.column == column
    assert fragment in err.message


def test_arity_of_caller_functions_is_checked():
    fns = {"pair": lambda a, b: (a, b)}
    assert compile_expression("pair(1, 2)", fns).evaluate({}) == (Decimal(1), Decimal(2))
    assert "pair()" in error_of("pair(1)", functions=fns).message


@pytest.mark.parametrize(
    "source",
    [
        "__class__",
        "_private",
        '__import__("os")',
        "x.__class__",
        "x.__class__.__mro__",
        "x._private",
        "x['__class__']",
        "len.__self__",
        "x.__dict__",
        "_len(x)",
    ],
)
def test_private_names_are_refused(source):
    err = error_of(source)
    assert "private" in err.message


def test_no_python_builtins_are_reachable():
    # Names that are Python builtins are just env names (null here), not callables.
    assert ev("open") is None and ev("eval") is None and ev("len") is None
    for source in ("open('x')", "eval('1')", "exec('1')", "getattr(x, 'y')", "type(x)", "print(1)"):
        assert "unknown function" in error_of(source).message
    # Methods of strings and objects are not fields.
    assert ev("'abc'.upper") is None
    assert ev("x.upper", x="abc") is None
    assert ev("x.real", x=Decimal(1)) is None
    assert ev("x.index", x=[1]) is None
    assert ev("x.items", x={"a": 1}) is None
    assert ev("x[k]", x=INDICATOR, k="_private") is None
    assert ev("x.f", x=type("Plain", (), {"f": 1})()) is None  # plain objects expose nothing


def test_source_length_and_depth_are_capped():
    long_source = "x + " * (MAX_SOURCE_LENGTH // 4) + "1"
    err = error_of(long_source)
    assert "too long" in err.message and err.column == MAX_SOURCE_LENGTH + 1
    deep = MAX_DEPTH + 1
    assert "nested too deeply" in error_of("(" * deep + "x" + ")" * deep).message
    assert "nested too deeply" in error_of("not " * (MAX_DEPTH + 1) + "x").message
    assert "nested too deeply" in error_of("-" * (MAX_DEPTH + 1) + "1").message
    assert ev("(" * 20 + "x" + ")" * 20, x=1) == 1
    # Flat chains do not nest, however long.
    assert ev(" + ".join(["1"] * 400)) == Decimal(400)
    assert ev(" or ".join(["x"] * 300), x=1) is True


def test_non_string_source_is_a_type_error():
    with pytest.raises(TypeError):
        compile_expression(42)  # type: ignore[arg-type]


# ---- the Expression object ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("value.kind == 'quantity' and value.unit == null", {"value"}),
        ("level3 matches '率$' or len(points) > params.min", {"level3", "points", "params"}),
        ("project.budget.total == budget.fiscal", {"project", "budget"}),
        ("values(points, 'value')[0]", {"points"}),
        ("a if b else c", {"a", "b", "c"}),
        ("x[i].y", {"x", "i"}),
        ("1 + 2", set()),
        ("len('x')", set()),
    ],
)
def test_names(source, names):
    assert compile_expression(source).names == frozenset(names)


def test_expression_is_a_frozen_dataclass():
    e = compile_expression("x + 1")
    assert isinstance(e, Expression)
    assert e.source == "x + 1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.source = "y"  # type: ignore[misc]
    assert e == compile_expression("x + 1")
    assert e.evaluate({"x": 1}) == 2 and e.evaluate({"x": 2}) == 3  # compiled once, reused


def test_constant_lists_cannot_be_mutated_between_evaluations():
    fns = {"grab": lambda xs: xs}
    e = compile_expression("grab([1, 2])", fns)
    first = e.evaluate({})
    assert isinstance(first, tuple)
    assert e.evaluate({}) == (Decimal(1), Decimal(2))


# ---- fuzzing -------------------------------------------------------------------------------------

TOKENS = [
    "x", "value", ".", "unit", "kind", "[", "]", "(", ")", ",", "0", "-1", "28.20", "'%'", '"率$"',
    "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "and", "or", "not", "in", "matches",
    "if", "else", "true", "false", "null", "len", "sum", "first", "values", "similar", "norm",
    "number", "round", "coalesce", "distinct", "count", "min", "max", "points", "budget", "total",
    "'\\'", "\"", "__class__", "_x", "=", "&&",
]
FUZZ_ENV = {
    "x": [Decimal(1), None, "成本"],
    "value": VALUE,
    "points": POINTS,
    "budget": PROJECT.budget,
    "project": PROJECT,
    "unit": "%",
}


def _check(source: str) -> None:
    try:
        compiled = compile_expression(source)
    except ExpressionError as err:
        assert 1 <= err.column <= max(len(source), MAX_SOURCE_LENGTH) + 1
        assert err.source == source
        return
    assert isinstance(compiled, Expression)
    compiled.evaluate(FUZZ_ENV)  # evaluation never raises on data
    compiled.evaluate({})


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_compiles_or_raises_expression_error(source):
    _check(source)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
def test_token_soup_compiles_or_raises_expression_error(source):
    _check(source)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(DEFAULT_FUNCTIONS)),
    st.lists(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(),
            st.decimals(),
            st.text(max_size=10),
            st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=4),
            st.sampled_from([amount(""), amount("2"), POINTS[0], VALUE, {"a": 1}]),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_builtin_functions_never_raise_on_data(name, args):
    env = {f"a{i}": arg for i, arg in enumerate(args)}
    for count in range(1, len(args) + 1):
        source = f"{name}({', '.join(f'a{i}' for i in range(count))})"
        try:
            compiled = compile_expression(source)
        except ExpressionError as err:
            assert "takes" in err.message
            continue
        compiled.evaluate(env)  # must not raise, whatever the data


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "matches", "+", "-", "*", "/"]
    ),
    st.one_of(
        st.none(), st.integers(), st.floats(), st.decimals(), st.text(max_size=5), st.booleans()
    ),
    st.one_of(st.none(), st.integers(), st.floats(), st.decimals(), st.text(max_size=5),
              st.lists(st.integers(), max_size=3)),
)
def test_operators_never_raise_on_data(op, a, b):
    result = compile_expression(f"a {op} b").evaluate({"a": a, "b": b})
    if op in {"==", "!=", "<", "<=", ">", ">=", "in", "not in", "matches"}:
        assert isinstance(result, bool)
    else:
        assert result is None or isinstance(result, (Decimal, str, tuple))
