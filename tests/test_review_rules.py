"""The review rules (rules/review.yaml) on the corpus: what a senior reviewer sees beyond the form —
copied tables, misfiled indicators, borrowed text. Every finding pinned here was read by hand
against the draft (the counts are in tests/test_rules_corpus.py and the README); the tests also
pin what must stay silent."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from auditor.cli import main
from tests.conftest import DRAFT_FILES, ROOT


def findings(audits, key, rule):
    return [f for f in audits[key].findings if f.rule == rule]


def places(audits, rule):
    return {(key, f.line) for key in audits for f in findings(audits, key, rule)}


# table-copy ---------------------------------------------------------------------------------


def test_debt_repayment_copied_within_001(audits):
    (finding,) = findings(audits, "001", "table-copy")
    assert (finding.project.index, finding.data["other_index"], finding.line) == (7, 1, 730)
    assert finding.case == "table_goals"  # the goals are the same too
    assert (finding.data["rows"], finding.data["same"], finding.data["changed_count"]) == (9, 6, 0)
    assert "项目1“偿还企业垫付资金”（第76行）" in finding.message["zh"]
    rows = finding.context["rows"]
    assert rows[0] == ["数量", "≥80数量", "≥80数量", "same"]
    assert ["经济效意", "≥80经济效意", "", "own"] in rows  # 效益 misspelt: not the same row


def test_the_two_air_pollution_tables_of_003_differ_in_two_values(audits):
    found = {f.project.index: f for f in findings(audits, "003", "table-copy")}
    air = found[34]
    assert air.data["other_index"] == 33 and air.data["other_at"].line == 2249
    assert (air.data["rows"], air.data["same"], air.data["changed_count"]) == (7, 5, 2)
    assert air.data["changed"] == ["补助覆盖率 ≥98％→≥95％", "群众满意度 ≥98％→≥95％"]  # 中央 → 省级
    assert "7项指标中5项完全相同、2项只改了指标值" in air.message["zh"]


def test_table_copy_finds_the_village_fund_tables_and_nothing_else(audits):
    pairs = {(f.project.index, f.data["other_index"]) for f in findings(audits, "003", "table-copy")}
    assert pairs == {(25, 12), (26, 3), (27, 13), (28, 3), (29, 12), (34, 33)}
    # 001: 招商经费 and 开发区招商引资工作经费 share a 资金用途 and boilerplate rows, not their goals
    assert [f.project.index for f in findings(audits, "001", "table-copy")] == [7]
    for key in ("000", "002", "004"):
        assert findings(audits, key, "table-copy") == []


def test_table_copy_across_the_drafts_of_a_run(tmp_path, monkeypatch):
    """004 filed again under another department with new project codes (a draft assembled from
    another unit's tables): one run over both finds every copied project, on the later draft."""
    text = DRAFT_FILES["004"].read_text(encoding="utf-8")
    other = text.replace("803001临港商务区管理委员会本级", "901001某县农业农村局本级").replace("13020922P", "13990122Q")
    assert other.count("13990122Q") == 9
    shutil.copy(DRAFT_FILES["004"], tmp_path / "a_004.txt")
    (tmp_path / "b_other_department.txt").write_text(other, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    reports = []
    for jobs in ("1", "2"):
        out = io.StringIO()
        main(["check", ".", "--format", "json", "--select", "table-copy", "-q", "-j", jobs], out=out, err=io.StringIO())
        reports.append(out.getvalue())
    assert reports[0] == reports[1]  # the same whatever the number of workers
    report = json.loads(reports[0])
    by_path = {d["path"]: d["findings"] for d in report["documents"]}
    assert by_path["./a_004.txt"] == []
    copied = by_path["./b_other_department.txt"]
    tables = sum(1 for line in text.split("\n") if line.strip() == "三级指标")
    assert 5 <= len(copied) <= tables
    assert all("另一份文本 ./a_004.txt" in f["message"] for f in copied)
    assert report["summary"]["by_rule"]["table-copy"] == len(copied)


def test_revisions_of_one_department_are_not_compared(tmp_path, monkeypatch):
    text = DRAFT_FILES["004"].read_text(encoding="utf-8")
    shutil.copy(DRAFT_FILES["004"], tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text(text.replace("13020922P", "13020923P"), encoding="utf-8")  # new codes, same department
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    main(["check", ".", "--format", "json", "--select", "table-copy", "-q"], out=out, err=io.StringIO())
    assert json.loads(out.getvalue())["summary"]["findings"] == 0


# boilerplate-indicator ----------------------------------------------------------------------


def test_boilerplate_rows_of_001_listed_once_each(audits):
    rows = {f.data["row"]: f.data["count"] for f in findings(audits, "001", "boilerplate-indicator")}
    assert rows == {"对社会有积极影响": 4, "改善园区生态环境": 6, "带动社会资金投资比": 6, "成本控制": 3, "社会影响力增长率": 3, "持续影响力率": 3}
    investment = next(f for f in findings(audits, "001", "boilerplate-indicator") if f.data["row"] == "带动社会资金投资比")
    assert "偿债资金" in investment.message["zh"] and "开发区管委会房屋租赁费" in investment.message["zh"]
    assert investment.severity == "info"


def test_satisfaction_rows_and_deadlines_are_not_boilerplate(audits):
    for key in audits:
        for finding in findings(audits, key, "boilerplate-indicator"):
            assert "满意" not in finding.data["row"]


# value-from-other-row -----------------------------------------------------------------------


def test_value_from_another_row(audits):
    (finding,) = findings(audits, "001", "value-from-other-row")
    assert (finding.line, finding.field) == (995, "indicators[5].value")
    assert finding.data["other"] == "带动社会资金投资比" and finding.data["level3"] == "社会影响力增长率"


def test_descriptions_swapped_between_two_rows_of_003(audits):
    got = [(f.line, f.field, f.data["other"]) for f in findings(audits, "003", "value-from-other-row")]
    assert got == [
        (190, "department_indicators[4].description", "制度及实施方案健全程度"),
        (200, "department_indicators[5].description", "政府工作效率提高情况"),
    ]


# category-misfiled and input-as-output ------------------------------------------------------


def test_misfiled_indicators(audits):
    got = {(k, f.line, f.data["level3"], f.data["level2"]) for k in audits for f in findings(audits, k, "category-misfiled")}
    assert got == {
        ("000", 179, "工程资金拨付到位率", "时效指标"),
        ("001", 453, "节约成本", "生态效益指标"),
        ("001", 520, "本单位的正常运转及时性", "数量指标"),
        ("002", 785, "财政拨款保障率", "质量指标"),
        ("002", 1629, "资金足额拨付率", "质量指标"),
        ("003", 434, "资金到位率", "时效指标"),
        ("004", 140, "资金使用率", "经济效益指标"),
        ("004", 1229, "资金使用率", "经济效益指标"),
    }


def test_a_completion_rate_under_quantity_is_where_the_framework_puts_it(audits):
    # 共性指标框架: 产出数量 — 实际完成率 (001 完成率, 004 日常养护工作完成率 and 实际完成率)
    misfiled = {f.data["level3"] for k in audits for f in findings(audits, k, "category-misfiled")}
    assert not misfiled & {"完成率", "日常养护工作完成率", "实际完成率"}


def test_oversight_of_funds_is_not_fund_execution(audits):
    assert all(f.data["level3"] != "提高监督各项经费使用情况" for f in findings(audits, "003", "category-misfiled"))


def test_inputs_counted_as_outputs(audits):
    got = {(k, f.data["level3"]) for k in audits for f in findings(audits, k, "input-as-output")}
    assert got == {
        ("001", "资金支付率"),
        ("002", "下发金额"),
        ("002", "资金执行数"),
        ("002", "总投资、成本、收入"),
        ("003", "疫情防控经费标准"),
    }
    assert len(findings(audits, "002", "input-as-output")) == 4  # 资金执行数 twice


def test_the_people_a_personnel_or_support_project_pays_or_serves_are_its_output(audits):
    # 003: 编外人员资金, 人员经费, 编外（自收自支）人员资金, 气代煤协管员工资 pay these people;
    # 001: 管委会房屋租赁费 houses the staff it counts (保障人数)
    counted = {(k, f.data["level3"]) for k in audits for f in findings(audits, k, "input-as-output")}
    assert not counted & {("003", "编外人员数"), ("003", "保障人数"), ("003", "编外（自收自支）人员数"), ("003", "协管员人数"), ("001", "保障人数")}


def test_a_count_of_villages_a_fund_reaches_is_an_output(audits):
    assert all("村街数" not in f.data["level3"] for f in findings(audits, "003", "input-as-output"))


# timeliness, satisfaction, ratios -----------------------------------------------------------


def test_timeliness_without_deadline(audits):
    got = {(f.data["level3"], f.data["value"]) for f in findings(audits, "002", "timeliness-no-deadline")}
    assert ("每月按时征收", "每月按时征收") in got and ("及时拨付", "及时拨付") in got
    values = Counter(f.data["value"] for f in findings(audits, "003", "timeliness-no-deadline"))
    assert values == {"按工作计划及时完成": 32, "按规定时间发放": 1, "按规定时间缴纳": 1}
    got = [(f.line, f.data["level3"], f.data["value"]) for f in findings(audits, "004", "timeliness-no-deadline")]
    assert got == [(120, "及时性", "按时完成"), (534, "完工及时率", "及时完成"), (820, "时效性", "时效性")]


def test_deadlines_rates_and_grading_scales_are_not_timeliness_findings(audits):
    for key in audits:
        for finding in findings(audits, key, "timeliness-no-deadline"):
            assert "%" not in finding.data["value"] and "年" not in finding.data["value"]
            assert "为优" not in finding.data["value"]  # a grading scale: value-syntax says so
    assert findings(audits, "000", "timeliness-no-deadline") == []


def test_timeliness_is_not_also_a_placeholder(audits):
    cells = {(k, f.project and f.project.index, f.field) for k in audits for f in findings(audits, k, "timeliness-no-deadline")}
    placeholders = {(k, f.project and f.project.index, f.field) for k in audits for f in findings(audits, k, "indicator-placeholder")}
    assert not cells & placeholders


def test_staff_asked_about_a_service_to_staff_is_not_a_satisfaction_finding(audits):
    # 003 综合业务保障经费 (office supplies: its users are the staff) asks 工作人员; 人员经费
    # asks the staff it pays about their pay (单位人员满意度)
    assert places(audits, "satisfaction-subject") == set()


def test_inverted_ratios(audits):
    got = [(f.line, f.evidence) for f in findings(audits, "003", "ratio-inverted")]
    assert got == [
        (491, "计划培训人数占实际培训人数比率"),
        (739, "计划培训人数占实际培训人数比率"),
        (1181, "计划培训人数占实际培训人数比率"),
        (1501, "应发放安置补助占实际发放总数比率"),
    ]


# foreign-subject ----------------------------------------------------------------------------


def test_places_and_units_borrowed_from_other_texts(audits, line_of):
    got = [(f.line, f.evidence) for f in findings(audits, "003", "foreign-subject")]
    # 全乡 and 韩村 also stand in the copy of their part (section-duplicate): reported once
    assert [e for _, e in got] == ["全乡", "韩村", "武装部（项目6“经开区武装部规范建设经费”）", "我镇", "我镇", "我镇"]
    for line, evidence in got:
        assert evidence[:2] in line_of("003", line)
    assert "河北永清经济开发区管理委员会" in findings(audits, "003", "foreign-subject")[0].message["zh"]


def test_own_places_are_not_foreign(audits):
    assert all(f.evidence not in ("我区", "我县") for f in findings(audits, "003", "foreign-subject"))
    for key in ("000", "001", "002", "004"):
        assert findings(audits, key, "foreign-subject") == []


# every review rule --------------------------------------------------------------------------


REVIEW_RULES = [
    "table-copy", "boilerplate-indicator", "value-from-other-row", "category-misfiled", "input-as-output",
    "timeliness-no-deadline", "satisfaction-subject", "ratio-inverted", "foreign-subject",
]


@pytest.mark.parametrize("rule_id", REVIEW_RULES)
def test_review_rules_say_what_to_do_and_rest_on_review_practice(rule_id):
    from auditor.rules import load_rules

    rule = load_rules().resolve(rule_id)
    assert rule is not None and rule.dimension in ("完整性", "相关性", "可测性", "适当性", "规范性")
    assert rule.suggestion["zh"] and rule.suggestion["en"]
    assert rule.source and rule.rationale
    if rule.basis == "审核实践":  # the others quote a regulation whose text was not checked, and say so
        assert "审核实践" in rule.source
    else:
        assert "未核实" in rule.source


@pytest.mark.parametrize("rule_id", REVIEW_RULES)
def test_every_review_finding_shows_its_evidence(audits, rule_id):
    for key in audits:
        for finding in findings(audits, key, rule_id):
            assert finding.evidence and "{" not in finding.message["zh"] and "{" not in finding.message["en"]
            assert finding.line is not None and finding.suggestion["zh"]


def test_review_rules_ship_in_their_own_file():
    text = (ROOT / "rules" / "review.yaml").read_text(encoding="utf-8")
    assert all(f"- id: {rule_id}\n" in text for rule_id in REVIEW_RULES)
    assert Path(ROOT / "rules" / "core.yaml").read_text(encoding="utf-8").count("- id: table-copy") == 0
