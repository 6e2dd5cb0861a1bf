"""The shipped rule set: every rule's examples, loading errors located in the rule file, and
configuration through parameters."""

from __future__ import annotations

import textwrap

import pytest

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import RuleFileError, load_rule_file, load_rules, with_overrides
from auditor.ruletest import run_example
from auditor.values import parse_value

RULESET = load_rules()
CORE_IDS = [
    "goal-duplicate",
    "section-duplicate",
    "indicator-placeholder",
    "indicator-not-quantified",
    "value-syntax",
    "unit-mismatch",
    "percent-range",
    "spending-plan-end",
    "spending-plan-order",
    "spending-plan-unit",
    "budget-sum",
    "budget-text-mismatch",
    "indicator-missing",
    "basis-missing",
    "year-mismatch",
    "project-empty",
    "toc-mismatch",
    "typo",
    "description-copy",
]


def test_the_core_catalogue_is_shipped():
    ids = {rule.id for rule in RULESET.rules}
    assert set(CORE_IDS) <= ids


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_every_rule_has_passing_and_failing_examples(rule):
    kinds = {e.expect_fail for e in rule.examples}
    assert kinds == {True, False}
    for example in rule.examples:
        result = run_example(rule, example, parse_value)
        assert result.ok, f"{rule.id} example at line {example.line}: {result.detail}"


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_every_rule_says_where_it_comes_from(rule):
    assert rule.source and rule.rationale and rule.basis
    assert rule.message["zh"] and rule.message["en"] and rule.suggestion["zh"] and rule.suggestion["en"]


def test_a_failing_example_really_fails_when_the_rule_is_wrong(tmp_path):
    """The example runner is not a rubber stamp: a rule whose assert is inverted fails its
    examples."""
    rule = RULESET.resolve("budget-sum")
    broken = {**rule.raw, "assert": "not (" + rule.raw["assert"] + ")"}
    path = tmp_path / "broken.yaml"
    import yaml

    path.write_text(yaml.safe_dump({"rules": [broken]}, allow_unicode=True), encoding="utf-8")
    (loaded,) = load_rule_file(path)
    assert not all(run_example(loaded, e, parse_value).ok for e in loaded.examples)


def write(tmp_path, body: str):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


VALID_RULE = """\
rules:
  - id: my-rule
    title: {zh: 示例, en: Example}
    severity: warning
    scope: indicator
    dimension: 规范性
    assert: value.kind != "empty"
    message: {zh: 空, en: empty}
    suggestion: {zh: 填写, en: fill in}
    source: 审核实践
    basis: 审核实践
    rationale: 示例
    examples:
      pass: [{value: ≥1个}]
      fail: [{value: ""}]
"""


def test_a_valid_rule_file_loads(tmp_path):
    (rule,) = load_rule_file(write(tmp_path, VALID_RULE))
    assert rule.id == "my-rule" and rule.check_kind == "expression" and rule.line == 2


def test_schema_error_names_file_rule_and_line(tmp_path):
    path = write(tmp_path, VALID_RULE.replace("severity: warning", "severity: fatal"))
    with pytest.raises(RuleFileError) as error:
        load_rule_file(path)
    assert error.value.rule == "my-rule"
    assert error.value.line == 4
    assert str(path) in str(error.value) and "fatal" in str(error.value)


def test_bad_expression_names_its_line(tmp_path):
    path = write(tmp_path, VALID_RULE.replace('assert: value.kind != "empty"', "assert: value.kind !="))
    with pytest.raises(RuleFileError) as error:
        load_rule_file(path)
    assert error.value.rule == "my-rule" and error.value.line == 7  # the assert line
    assert "column" in str(error.value)


def test_bad_regex_in_params_is_reported(tmp_path):
    body = VALID_RULE.replace('assert: value.kind != "empty"', "check: pattern\n    params: {regex: \"(unclosed\"}")
    with pytest.raises(RuleFileError) as error:
        load_rule_file(write(tmp_path, body))
    assert error.value.rule == "my-rule" and "regex" in str(error.value)


def test_yaml_syntax_error_has_a_line(tmp_path):
    with pytest.raises(RuleFileError) as error:
        load_rule_file(write(tmp_path, VALID_RULE.replace("dimension: 规范性", "dimension: [规范性")))
    assert error.value.line is not None


def test_duplicate_ids_are_refused(tmp_path):
    path = write(tmp_path, VALID_RULE.replace("my-rule", "typo"))
    with pytest.raises(RuleFileError, match="duplicate rule id 'typo'"):
        load_rules(extra=[path])


def test_extra_rules_run_beside_the_shipped_ones(tmp_path):
    ruleset = load_rules(extra=[write(tmp_path, VALID_RULE)])
    assert ruleset.resolve("my-rule") is not None and ruleset.resolve("typo") is not None


def test_parameters_are_configurable_without_code():
    rule = RULESET.resolve("goal-duplicate")
    goals = {"goals": ["加强园区道路日常保洁，保持路面整洁", "加强园区道路日常养护，保持路面完好"]}  # 75% alike
    doc = document_from(goals, "project", parse_value)
    assert Engine([rule]).audit(doc).findings == []
    looser = with_overrides(rule, params={"threshold": 0.7})
    assert looser.params["threshold"] == 0.7
    assert len(Engine([looser]).audit(doc).findings) == 1
    stricter = with_overrides(rule, severity="error")
    assert stricter.severity == "error"


def test_indicator_not_quantified_categories_are_a_parameter():
    rule = RULESET.resolve("indicator-not-quantified")
    row = {"level1": "产出指标", "level2": "数量指标", "level3": "培训人数", "value": "若干"}
    doc = document_from(row, "indicator", parse_value)
    assert Engine([rule]).audit(doc).findings == []
    wider = with_overrides(rule, params={"categories": ["成本", "数量"]})
    assert len(Engine([wider]).audit(doc).findings) == 1


def test_indicator_missing_since_year_is_a_parameter():
    rule = RULESET.resolve("indicator-missing")
    project = {
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "value": "≥1个"},
            {"level1": "产出指标", "level2": "质量指标", "value": "≥90%"},
            {"level1": "产出指标", "level2": "时效指标", "value": "2021年12月底"},
            {"level1": "效益指标", "level2": "社会效益指标", "value": "提升"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "value": "≥90%"},
        ]
    }
    doc = document_from({**project, "year": 2021}, "project", parse_value)
    (finding,) = Engine([rule]).audit(doc).findings
    assert finding.data["missing"] == "成本指标"
    groups = [dict(g) for g in rule.params["groups"]]
    groups[0] = {**groups[0], "require_all": ["数量指标", "质量指标", "时效指标", {"name": "成本指标", "since": 2022}]}
    later = with_overrides(rule, params={"groups": groups})
    assert Engine([later]).audit(doc).findings == []
