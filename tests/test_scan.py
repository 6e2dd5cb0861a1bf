"""The one-scan prefilter for regex rules must pick exactly the texts a per-text search picks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from auditor.checks.base import scan_candidates
from auditor.rules import load_rules
from auditor.targets import iter_targets


def _scanned_regexes() -> list[tuple[str, re.Pattern[str]]]:
    regexes = []
    for rule in load_rules().rules:
        regex = getattr(rule.check, "regex", None) or getattr(rule.check, "pattern", None)
        if isinstance(regex, re.Pattern) and getattr(rule.check, "candidates", None):
            regexes.append((rule.id, regex))
    return regexes


REGEXES = _scanned_regexes()


def test_the_shipped_rules_use_the_scan():
    assert {"ratio-inverted", "typo", "year-mismatch"} <= {rule_id for rule_id, _ in REGEXES}


@pytest.mark.parametrize("rule_id, regex", REGEXES, ids=[rule_id for rule_id, _ in REGEXES])
def test_scan_agrees_with_a_search_per_text_on_the_corpus(drafts, rule_id, regex):
    for doc in drafts.values():
        texts = [target.obj for target in iter_targets(doc, "text")]
        expected = {index for index, text in enumerate(texts) if regex.search(text)}
        assert scan_candidates(regex, texts) == expected, rule_id


def test_a_match_that_runs_into_the_next_text_does_not_hide_that_text():
    regex = re.compile("计划[^，。]{0,20}?占实际[^，。]{0,20}?比率")
    texts = ["计划", "计划培训人数占实际培训人数比率", "无关", "计划任务占实际比率"]
    assert scan_candidates(regex, texts) == {1, 3}


@given(st.lists(st.text(alphabet="计划占实际比率，。\n 0", max_size=12), max_size=8))
def test_scan_agrees_with_a_search_per_text(texts):
    regex = re.compile("计划[^，。]{0,6}?占实际[^，。]{0,6}?比率")
    assert scan_candidates(regex, texts) == {i for i, text in enumerate(texts) if regex.search(text)}


@given(st.lists(st.text(alphabet="计划占实际比率，。\n 0", max_size=12), max_size=8))
def test_anchored_regexes_keep_every_matching_text(texts):
    """``^`` and ``$`` may pick extra texts (they hold at inner line breaks) but never miss one."""
    regex = re.compile("^0|计划[^，。]{0,6}?占实际|0$")
    assert scan_candidates(regex, texts) >= {i for i, text in enumerate(texts) if regex.search(text)}

def test_a_regex_anchored_on_the_whole_string_is_not_scanned():
    assert scan_candidates(re.compile(r"\A计划"), ["无", "计划"]) is None
