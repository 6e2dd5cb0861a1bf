"""The engine's memo: a rule that reads only a target's content reaches the same verdict for
the same content, so the verdict is reused — and the findings must not change by it."""

from __future__ import annotations

from collections import Counter

import pytest

from auditor.engine import MEMO_LIMIT, Engine, Memo
from auditor.rules import load_rules


def finding_keys(result):
    return [(f.rule, f.line, f.column, f.field, f.evidence, f.case, f.text("zh"), f.advice("en")) for f in result.findings]


def outcome_counts(result):
    return {rule: (o.checked, o.findings, o.not_checkable, dict(o.reasons)) for rule, o in result.outcomes.items()}


@pytest.fixture(scope="module")
def ruleset():
    return load_rules()


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_findings_and_outcomes_are_the_same_with_and_without_the_memo(drafts, ruleset, key):
    remembering = Engine(list(ruleset.rules))
    forgetting = Engine(list(ruleset.rules))
    forgetting.memos.clear()
    for other in ("000", "001", "002", "003", "004"):  # the memo fills up with the other drafts first
        remembering.examine(drafts[other])
    with_memo = remembering.examine(drafts[key])
    without = forgetting.examine(drafts[key])
    assert finding_keys(with_memo) == finding_keys(without)
    assert outcome_counts(with_memo) == outcome_counts(without)


def test_a_reused_verdict_is_located_at_each_row_of_its_own(drafts, ruleset):
    """004 repeats rows word for word (same 三级指标, value and description): each finding
    points at its own row, not at the row the verdict was first reached on."""
    engine = Engine([ruleset.by_id()["indicator-placeholder"]])
    result = engine.examine(drafts["004"])
    memo = engine.memos["indicator-placeholder"]
    assert memo.whole and len(memo.results) < sum(len(p.indicators) for p in drafts["004"].projects)
    by_content = Counter((f.evidence, f.text("zh")) for f in result.findings)
    repeated = [content for content, n in by_content.items() if n > 1]
    assert repeated, "004 has placeholder rows that recur"
    for content in repeated:
        lines = [f.line for f in result.findings if (f.evidence, f.text("zh")) == content]
        assert len(set(lines)) == len(lines)


def test_only_rules_that_read_content_alone_are_remembered_whole(ruleset):
    memos = Engine(list(ruleset.rules)).memos
    assert memos["value-syntax"].whole and memos["value-syntax"].names == ("level3", "value")  # no_unit: 系数 needs none
    assert "value-from-other-row" not in memos  # reads the project's other rows
    assert "category-misfiled" not in memos  # its where reads the project
    assert not memos["foreign-subject"].whole and memos["foreign-subject"].names == ("kind",)  # where only
    assert not memos["year-mismatch"].whole  # a pattern check locates each match in its text
    assert "budget-sum" not in memos  # project scope: no content memo


def test_a_rule_without_evidence_of_its_own_is_remembered_with_what_it_quotes():
    """Without an ``evidence`` expression a finding quotes the row's 指标值: two rows alike in
    what the rule tests but with other values must not share a verdict."""
    from auditor.checks.expression import build
    from auditor.expr import compile_expression

    check = build({"assert": 'level3 != "资金到位率"'}, lambda source: compile_expression(source, {}))
    assert check.reads("indicator") == {"level3", "value"}
    assert check.reads("goal") == {"level3", "text"}
    quoting = build({"assert": 'level3 != "资金到位率"', "evidence": "level3"}, lambda source: compile_expression(source, {}))
    assert quoting.reads("indicator") == {"level3"}


def test_a_full_memo_starts_again():
    memo = Memo(("value",), True)
    for n in range(MEMO_LIMIT):
        memo.remember((n,), ("skip", None))
    assert len(memo.results) == MEMO_LIMIT
    memo.remember(("one more",), ("skip", None))
    assert memo.results == {("one more",): ("skip", None)}
