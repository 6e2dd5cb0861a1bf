"""The rule cache: a rule file parsed once is read back from the user's cache folder, gives the
same rules, and never outlives a change to what it was made from."""

from __future__ import annotations

import json

import pytest

import auditor.expr
import auditor.rules
import auditor.vocabulary
from auditor import rulecache
from auditor.engine import Engine
from auditor.expr import ExpressionError, _parser, compile_expression, tree_from_data, tree_to_data
from auditor.rules import DEFAULT_RULES_DIR, RuleFileError, load_rule_file, load_rules, rule_files
from tests.test_rules import VALID_RULE as RULE
from tests.test_rules import write


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "budget-audit" / "rules"


def findings(ruleset, drafts) -> list[tuple]:
    engine = Engine.from_ruleset(ruleset)
    return [
        (key, f.rule, f.line, f.column, f.field, f.evidence, dict(f.message), dict(f.suggestion))
        for key, doc in sorted(drafts.items())
        for f in engine.audit(doc).findings
    ]


def test_shipped_rules_read_back_from_the_cache_find_the_same(cache, drafts, monkeypatch):
    auditor.vocabulary._load.cache_clear()  # read the vocabulary in this cache folder too
    fresh = load_rules()
    assert len(list(cache.glob("*.json"))) == len(rule_files([DEFAULT_RULES_DIR])) + 1  # and rules/vocabulary.yaml
    expected = findings(fresh, drafts)
    with monkeypatch.context() as patch:
        patch.setattr(auditor.rules, "load_yaml", lambda *a, **k: pytest.fail("YAML parsed although cached"))
        patch.setattr(auditor.expr, "_parse", lambda source: pytest.fail(f"expression parsed although cached: {source}"))
        cached = load_rules()
    assert [r.id for r in cached.rules] == [r.id for r in fresh.rules]
    assert [r.line for r in cached.rules] == [r.line for r in fresh.rules]
    assert findings(cached, drafts) == expected and len(expected) > 100


def test_a_tree_comes_back_as_it_was_written():
    for source in ('value.number >= 0 and not (unit in ["%", "个"])', "len(goals) == 0", 'matches(text, "\\\\d+年")'):
        tree = _parser().parse(source)
        data = tree_to_data(tree)
        again = tree_from_data(json.loads(json.dumps(data)))
        assert tree_to_data(again) == data
        assert again == tree
        starts = [(node.data, None if node.meta.empty else node.meta.start_pos) for node in tree.iter_subtrees()]
        assert [(node.data, None if node.meta.empty else node.meta.start_pos) for node in again.iter_subtrees()] == starts
        assert any(start for _, start in starts)


def test_an_error_column_is_the_same_from_a_cached_tree():
    trees: dict = {}
    source = 'len(goals) > 0 and nosuch(text)'
    with pytest.raises(ExpressionError) as fresh:
        compile_expression(source, trees=trees)
    trees = {source: tree_from_data(json.loads(json.dumps(tree_to_data(_parser().parse(source)))))}
    with pytest.raises(ExpressionError) as cached:
        compile_expression(source, trees=trees)
    assert cached.value.column == fresh.value.column == source.index("nosuch") + 1


def test_a_changed_file_is_parsed_again(tmp_path, cache):
    path = write(tmp_path, RULE)
    assert load_rule_file(path)[0].message["zh"] == "空"
    write(tmp_path, RULE.replace("{zh: 空,", "{zh: 指标值为空,"))
    assert load_rule_file(path)[0].message["zh"] == "指标值为空"
    assert len(list(cache.glob("*.json"))) == 2


def test_a_cached_file_needs_no_yaml(tmp_path, cache, monkeypatch):
    path = write(tmp_path, RULE)
    load_rule_file(path)
    monkeypatch.setattr(auditor.rules, "load_yaml", lambda *a, **k: pytest.fail("YAML parsed although cached"))
    assert load_rule_file(path)[0].id == "my-rule"


def test_an_invalid_file_is_never_cached(tmp_path, cache):
    path = write(tmp_path, RULE.replace("severity: warning", "severity: fatal"))
    for _ in range(2):
        with pytest.raises(RuleFileError, match="fatal"):
            load_rule_file(path)
    assert not list(cache.glob("*.json"))


def test_a_damaged_entry_is_ignored_and_written_again(tmp_path, cache):
    path = write(tmp_path, RULE)
    load_rule_file(path)
    (entry,) = cache.glob("*.json")
    for damage in ("{not json", '{"data": {"rules": []}}', '{"data": 1, "lines": [], "trees": {"a": 5}}'):
        entry.write_text(damage, encoding="utf-8")
        assert load_rule_file(path)[0].id == "my-rule"
        assert json.loads(entry.read_text(encoding="utf-8"))["data"]["rules"][0]["id"] == "my-rule"


@pytest.mark.parametrize("extra", ["note: 2024-01-01", "2024: 年度"])
def test_data_json_cannot_hold_is_not_cached(tmp_path, cache, extra):
    """A date, or a key that is not a string, would not come back from JSON as it was."""
    path = write(tmp_path, RULE.replace("pass: [{value: ≥1个}]", f"pass: [{{value: ≥1个, {extra}}}]"))
    for _ in range(2):
        fragment = load_rule_file(path)[0].examples[0].fragment
        assert fragment.get("note", fragment.get(2024)) is not None and "2024" not in fragment
    assert not list(cache.glob("*.json"))


def test_no_cache_folder_is_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_rule_file(write(tmp_path, RULE))[0].id == "my-rule"


def test_old_entries_are_pruned(tmp_path, cache):
    for n in range(rulecache.KEEP + 3):
        load_rule_file(write(tmp_path, RULE.replace("rationale: 示例", f"rationale: 示例{n}")))
    assert len(list(cache.glob("*.json"))) == rulecache.KEEP
