"""Tests for auditor.values.complete_document: values completed from their row, rows declared
not to apply, and a spreadsheet cell's number format as part of its value. Examples invented."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.model import Document, Indicator, Project
from auditor.readers import read_document
from auditor.values import complete_document, parse_value, unit_in_name

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "fixtures" / "formats"


def row(level3: str, value: str, level2: str = "数量指标", level1: str = "产出指标") -> Indicator:
    return Indicator(level1, level2, level3, "", parse_value(value), None)


def completed(*rows: Indicator, department: tuple[Indicator, ...] = ()) -> Document:
    doc = Document(path="<test>", source_format="example")
    doc.projects = [Project(index=1, heading="1.某项目绩效目标表", indicators=list(rows))]
    doc.department_indicators = list(department)
    complete_document(doc)
    return doc


# ---- a unit declared in the name ----------------------------------------------------------------

@pytest.mark.parametrize(("name", "value", "unit"), [
    ("新增就业人数（人）", "50000", "人"),
    ("设施完好率（%）", "95", "%"),
    ("设施完好率(%)", "≥95", "%"),
    ("培训场次（场）", "≥12", "场"),
    ("绿化面积（平方米）", "3,200", "平方米"),
    ("项目总投入（万元）", "≤48.5", "万元"),
])
def test_a_unit_in_the_name_completes_a_bare_number(name: str, value: str, unit: str) -> None:
    doc = completed(row(name, value))
    completed_value = doc.projects[0].indicators[0].value
    assert (completed_value.unit, completed_value.unit_from, completed_value.unit_raw) == (unit, "name", None)
    assert completed_value.number == parse_value(value).number


def test_a_written_unit_stands() -> None:
    value = completed(row("服务人数（人）", "300人次")).projects[0].indicators[0].value
    assert (value.unit, value.unit_from) == ("人次", None)


def test_a_placeholder_is_not_completed() -> None:
    """A number followed by words is not a bare number: the rules judge it as written."""
    value = completed(row("按期完成率（%）", "≥80按期完成率")).projects[0].indicators[0].value
    assert (value.unit, value.unit_from, value.tail) == (None, None, "按期完成率")


def test_a_rate_name_without_a_declared_unit_is_not_guessed() -> None:
    value = completed(row("设施完好率", "95")).projects[0].indicators[0].value
    assert (value.unit, value.unit_from) == (None, None)


@pytest.mark.parametrize(("name", "unit"), [
    ("覆盖率（%）", "%"), ("资金（万元）", "万元"), ("人数(人)", "人"), ("满意度（分）", "分"),
    ("改造小区（城中村）", None), ("服务人数（含临时）", None), ("服务人数", None), ("（%）完成率", None),
])
def test_unit_in_name(name: str, unit: str | None) -> None:
    assert unit_in_name(name) == unit


def test_a_magnitude_under_a_money_name_unit_is_that_money() -> None:
    value = completed(row("项目总投入（元）", "不超过12万")).projects[0].indicators[0].value
    assert (value.number, value.unit, value.unit_from) == (Decimal(12), "万元", "name")


# ---- a bare magnitude in a money row ------------------------------------------------------------

@pytest.mark.parametrize(("level2", "level3", "value", "unit"), [
    ("成本指标", "保洁成本", "不超过26万一年", "万元"),
    ("成本", "总成本", "总成本不超过35万", "万元"),
    ("经济成本指标", "设备采购", "≤1.2亿", "亿元"),
    ("数量指标", "专项经费", "18万", "万元"),
    ("数量指标", "项目投资额", "≥3万/年", "万元/年"),
])
def test_a_bare_magnitude_in_a_money_row_is_money(level2: str, level3: str, value: str, unit: str) -> None:
    completed_value = completed(row(level3, value, level2)).projects[0].indicators[0].value
    assert (completed_value.unit, completed_value.unit_from) == (unit, "context")
    assert completed_value.per == parse_value(value).per


def test_a_bare_magnitude_elsewhere_stays_a_magnitude() -> None:
    value = completed(row("惠及人口", "2万", "社会效益指标", "效益指标")).projects[0].indicators[0].value
    assert (value.unit, value.unit_from) == ("万", None)


def test_the_department_table_is_completed_too() -> None:
    doc = completed(department=(row("部门运转经费", "不超过300万", "成本指标"), row("不适用", "")))
    assert doc.department_indicators[0].value.unit == "万元"
    assert doc.department_indicators[1].not_applicable


# ---- rows declared not to apply -----------------------------------------------------------------

@pytest.mark.parametrize(("level3", "value", "expected"), [
    ("不适用", "不适用", True),
    ("提供服务期限", "不适用", True),  # a real indicator name, the value says it does not apply
    ("不适用", "", True),
    ("不涉及", "  ", True),
    ("生态效益", "无", True),
    ("路灯完好率", "—", True),
    ("服务人数", "120人", False),
    ("", "", False),
    ("减少投诉", "无投诉", False),
])
def test_not_applicable_rows(level3: str, value: str, expected: bool) -> None:
    assert completed(row(level3, value)).projects[0].indicators[0].not_applicable is expected


def test_completion_is_cheap_and_shares_values() -> None:
    """Completed values are cached per raw value and name unit: equal rows share one object."""
    doc = completed(row("成本", "不超过8万", "成本指标"), row("成本", "不超过8万", "成本指标"))
    first, second = (i.value for i in doc.projects[0].indicators)
    assert first is second


def test_completion_runs_once_without_changing_a_completed_value() -> None:
    doc = completed(row("培训人数（人）", "40"))
    before = doc.projects[0].indicators[0].value
    complete_document(doc)
    assert doc.projects[0].indicators[0].value is before


# ---- a spreadsheet cell's number format ---------------------------------------------------------

def _workbook_with_value(tmp_path: Path, number: float, number_format: str) -> tuple[Path, str]:
    """A copy of a fixture workbook whose first indicator value cell holds ``number``."""
    import openpyxl

    original = read_document(FORMATS / "000.xlsx", parse_value)
    ref = original.projects[0].indicators[0].loc_of("value").ref
    sheet_name, coordinate = ref.rsplit("!", 1)
    workbook = openpyxl.load_workbook(FORMATS / "000.xlsx")
    cell = workbook[sheet_name.strip("'")][coordinate]
    cell.value = number
    cell.number_format = number_format
    path = tmp_path / "formatted.xlsx"
    workbook.save(path)
    return path, ref


@pytest.mark.parametrize(("number", "number_format", "raw", "value", "unit"), [
    (1, "0%", "100%", "100", "%"),
    (0.955, "0.0%", "95.5%", "95.5", "%"),
    (0.98, "0.00%", "98.00%", "98.00", "%"),
    (50000, "#,##0", "50,000", "50000", None),
    (1862.5, "#,##0.00", "1,862.50", "1862.50", None),
    (95, "0.00", "95.00", "95.00", None),
    (12, "General", "12", "12", None),
])
def test_a_cell_reads_as_its_format_shows_it(tmp_path: Path, number: float, number_format: str, raw: str,
                                           value: str, unit: str | None) -> None:
    path, ref = _workbook_with_value(tmp_path, number, number_format)
    doc = read_document(path, parse_value)
    indicator = doc.projects[0].indicators[0]
    assert indicator.loc_of("value").ref == ref
    assert (indicator.value.raw, indicator.value.number, indicator.value.unit) == (raw, Decimal(value), unit)
