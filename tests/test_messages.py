"""Message rendering: placeholders filled the same way whether or not the text was rendered
before (rendered texts are cached by the values they quote)."""

from decimal import Decimal

from auditor.messages import LazyDict, Message, render
from auditor.model import Location


def test_placeholders_are_filled_and_missing_ones_stay_visible():
    assert render("指标“{level3}”的值“{value}”{gone}", {"level3": "满意度", "value": "≥90%"}) == "指标“满意度”的值“≥90%”{gone}"


def test_equal_values_that_read_differently_are_not_confused_by_the_cache():
    template = "值为{x}"
    assert render(template, {"x": 1}) == "值为1"
    assert render(template, {"x": True}) == "值为是"
    assert render(template, {"x": 1.0}) == "值为1"
    assert render(template, {"x": Decimal("0")}) == "值为0"
    assert render(template, {"x": Decimal("-0")}) == "值为-0"
    assert render(template, {"x": Decimal("126.6100")}) == "值为126.61"


def test_places_render_per_language_and_lists_are_joined():
    template = "见{at}：{items}"
    data = {"at": Location(line=12, column=3), "items": ["甲", "乙"]}
    assert render(template, data, "zh") == "见第12行：甲、乙"
    assert render(template, data, "en") == "见line 12：甲、乙"
    assert render(template, {"at": Location(line=13, column=3), "items": ("甲",)}, "zh") == "见第13行：甲"


def test_a_message_renders_its_lazy_data_once_per_language():
    built = []

    def factory():
        built.append(1)
        return {"value": "≥80成本控制"}

    message = Message({"zh": "指标值“{value}”", "en": "target “{value}”"}, LazyDict(factory))
    assert message["zh"] == "指标值“≥80成本控制”"
    assert message["en"] == "target “≥80成本控制”"
    assert message["zh"] == "指标值“≥80成本控制”"
    assert built == [1]
