"""Run each rule's examples: every ``pass`` fragment must give no finding, every ``fail`` fragment
at least one, with every message placeholder filled. Used by ``budget-audit rules test`` and by
the test suite."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.model import IndicatorValue
from auditor.rules import Example, Rule
from auditor.values import complete_document

UNFILLED = re.compile(r"\{[a-z_]+\}")


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule: str
    example: Example
    ok: bool
    detail: str


def run_example(rule: Rule, example: Example, parse_value: Callable[[str], IndicatorValue]) -> ExampleResult:
    try:
        doc = document_from(example.fragment, rule.scope, parse_value)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return ExampleResult(rule.id, example, False, f"fragment cannot be built: {error!r}")
    complete_document(doc)
    findings = Engine([rule]).audit(doc).findings
    kind = "fail" if example.expect_fail else "pass"
    if example.expect_fail and not findings:
        return ExampleResult(rule.id, example, False, f"{kind} example gave no finding")
    if not example.expect_fail and findings:
        return ExampleResult(rule.id, example, False, f"{kind} example gave: {findings[0].message['zh']}")
    for finding in findings:
        for lang in ("zh", "en"):
            for text in (finding.message[lang], finding.suggestion[lang]):
                unfilled = UNFILLED.findall(text)
                if unfilled:
                    return ExampleResult(rule.id, example, False, f"unfilled placeholder {unfilled[0]} in {text!r}")
    return ExampleResult(rule.id, example, True, f"{kind} ok")


def run_rule_examples(rules: list[Rule], parse_value: Callable[[str], IndicatorValue]) -> list[ExampleResult]:
    return [run_example(rule, example, parse_value) for rule in rules for example in rule.examples]
