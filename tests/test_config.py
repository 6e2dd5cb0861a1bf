"""budget-audit.yaml / [tool.budget-audit]: discovery, validation with located errors, and how a
configuration changes the rules that run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from auditor.config import Config, ConfigError, apply_config, find_config, load_config
from auditor.engine import Engine
from auditor.fragments import document_from
from auditor.rules import RuleSet, load_rules
from auditor.values import parse_value


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def aliased(ruleset: RuleSet) -> RuleSet:
    """The shipped rules with aliases, as a rule file could declare them."""
    aliases = {"goal-duplicate": ("dup-goal",), "description-copy": ("desc-copy",), "value-syntax": ("value-format",)}
    return RuleSet([replace(r, aliases=aliases.get(r.id, ())) for r in ruleset.rules])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PYPROJECT = """\
[project]
name = "drafts"

[tool.budget-audit]
select = ["budget-sum"]
fail-on = "info"
lang = "en"
"""


# ---------------------------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------------------------


def test_found_in_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path / "budget-audit.yaml", "lang: en\n")
    monkeypatch.chdir(tmp_path)
    assert find_config() == config
    loaded = load_config()
    assert loaded.lang == "en" and loaded.source == config


def test_found_in_a_parent(tmp_path: Path) -> None:
    config = write(tmp_path / "budget-audit.yaml", "fail_on: warning\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == config
    assert load_config(start=deep).fail_on == "warning"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "budget-audit.yaml", "lang: en\n")  # outside the repository
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert find_config(repo / "sub") is None
    assert load_config(start=repo / "sub") == Config()
    inside = write(repo / "budget-audit.yaml", "lang: zh\n")  # the repository root itself is searched
    assert find_config(repo / "sub") == inside


def test_a_file_as_start_searches_from_its_folder(tmp_path: Path) -> None:
    config = write(tmp_path / "budget-audit.yaml", "lang: en\n")
    draft = write(tmp_path / "drafts" / "a.txt", "")
    assert find_config(draft) == config


def test_nothing_found_gives_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = load_config(start=tmp_path)
    assert config == Config()
    assert config.source is None and config.fail_on is None and config.lang is None and config.select == ()


def test_yaml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT)
    config = write(tmp_path / "budget-audit.yaml", "lang: zh\n")
    assert find_config(tmp_path) == config
    assert load_config(start=tmp_path).lang == "zh"


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "pyproject.toml", PYPROJECT)
    assert find_config(tmp_path) == pyproject
    config = load_config(start=tmp_path)
    assert (config.select, config.fail_on, config.lang, config.source) == (("budget-sum",), "info", "en", pyproject)


def test_nearer_pyproject_wins_over_a_yaml_further_up(tmp_path: Path) -> None:
    write(tmp_path / "budget-audit.yaml", "lang: zh\n")
    pyproject = write(tmp_path / "sub" / "pyproject.toml", PYPROJECT)
    assert find_config(tmp_path / "sub") == pyproject


def test_pyproject_without_the_table_is_skipped(tmp_path: Path) -> None:
    config = write(tmp_path / "budget-audit.yaml", "lang: en\n")
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n\n[tool.other]\nx = 1\n')
    assert find_config(tmp_path / "sub") == config


def test_explicit_path_bypasses_the_search(tmp_path: Path) -> None:
    write(tmp_path / "budget-audit.yaml", "lang: zh\n")
    explicit = write(tmp_path / "ci" / "audit.yaml", "lang: en\n")
    assert load_config(explicit, start=tmp_path).lang == "en"


def test_explicit_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.yaml")
    assert "missing.yaml" in str(caught.value)


def test_explicit_toml_without_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"\[tool\.budget-audit\]"):
        load_config(path)


# ---------------------------------------------------------------------------------------------
# Values and paths
# ---------------------------------------------------------------------------------------------


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "local-rules").mkdir(parents=True)
    write(
        project / "budget-audit.yaml",
        "rules: [./local-rules]\nwaivers: waivers.yaml\nbaseline: .budget-audit-baseline.json\n",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # resolution must not depend on the current directory
    config = load_config(project / "budget-audit.yaml")
    root = project.resolve()
    assert config.rules == (root / "local-rules",)
    assert config.waivers == root / "waivers.yaml"
    assert config.baseline == root / ".budget-audit-baseline.json"
    assert all(p.is_absolute() for p in (*config.rules, config.waivers, config.baseline))


def test_full_configuration(tmp_path: Path) -> None:
    path = write(
        tmp_path / "budget-audit.yaml",
        """\
select: [budget-sum, value-syntax]
ignore: [description-copy]
severity: {value-syntax: error}
params: {goal-duplicate: {threshold: 0.85}}
fail_on: warning
lang: en
""",
    )
    config = load_config(path)
    assert config.select == ("budget-sum", "value-syntax")
    assert config.ignore == ("description-copy",)
    assert config.severity == {"value-syntax": "error"}
    assert config.params == {"goal-duplicate": {"threshold": 0.85}}
    assert (config.fail_on, config.lang, config.waivers, config.baseline) == ("warning", "en", None, None)


def test_missing_rule_folder_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\nrules:\n  - ./nowhere\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 3
    assert "nowhere" in str(caught.value)


def test_empty_file_is_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "# nothing configured yet\n")
    config = load_config(path)
    assert config.source == path.resolve()
    assert (config.select, config.fail_on, config.rules) == ((), None, ())


# ---------------------------------------------------------------------------------------------
# Located errors
# ---------------------------------------------------------------------------------------------


def test_bad_enum_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "select: [budget-sum]\nignore:\n  - description-copy\nfail_on: sometimes\nlang: en\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.line == 4
    assert error.key == "fail_on"
    assert str(error).startswith(f"{path}:4: fail_on: ")
    assert "sometimes" in str(error) and "never" in str(error)


def test_unknown_key_names_its_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\n\nfail-onn: error\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 3
    assert "fail-onn" in str(caught.value) and "fail_on" in str(caught.value)


def test_nested_error_names_the_nested_line(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "severity:\n  budget-sum: error\n  value-syntax: fatal\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 3
    assert caught.value.key == "severity.value-syntax"


def test_wrong_type_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\nselect: budget-sum\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 2
    assert "must be a list" in str(caught.value)


def test_first_error_in_the_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: fr\nfail_on: sometimes\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 1


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\nselect: [budget-sum\nfail_on: error\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 3
    assert "YAML" in str(caught.value)


def test_toml_error_names_the_key_path(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.budget-audit]\nlang = "en"\nfail_on = "sometimes"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "tool.budget-audit.fail_on"
    assert str(caught.value).startswith(f"{path}: tool.budget-audit.fail_on: ")


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.budget-audit]\nlang = en\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 2
    assert "TOML" in str(caught.value)


def test_fail_on_hyphen_spelling_errors_keep_their_line(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\nfail-on: sometimes\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 2
    assert load_config(write(tmp_path / "ok.yaml", "fail-on: info\n")).fail_on == "info"


def test_both_spellings_of_fail_on_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "budget-audit.yaml", "fail_on: error\nfail-on: info\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 2


# ---------------------------------------------------------------------------------------------
# Applying a configuration
# ---------------------------------------------------------------------------------------------


def ids(rules: list) -> list[str]:
    return [r.id for r in rules]


def test_no_configuration_runs_every_rule(ruleset: RuleSet) -> None:
    assert ids(apply_config(ruleset, Config())) == ids(ruleset.rules)


def test_select_and_ignore_add_up_with_aliases(aliased: RuleSet) -> None:
    config = Config(select=("dup-goal", "value-format", "typo"), ignore=("typo",))
    rules = apply_config(aliased, config, select=["budget-sum", "desc-copy"], ignore=["description-copy"])
    # config select + command-line select, minus config ignore + command-line ignore (by alias too),
    # in rule-set order
    expected = [r.id for r in aliased.rules if r.id in {"goal-duplicate", "value-syntax", "budget-sum"}]
    assert ids(rules) == expected
    assert len(expected) == 3


def test_ignore_alone_removes_from_all(aliased: RuleSet) -> None:
    rules = apply_config(aliased, Config(ignore=("desc-copy",)), ignore=["typo"])
    assert ids(rules) == [r.id for r in aliased.rules if r.id not in {"description-copy", "typo"}]


def test_command_line_select_alone(ruleset: RuleSet) -> None:
    assert ids(apply_config(ruleset, Config(), select=["typo"])) == ["typo"]


def test_unknown_ids_in_the_file_are_named_with_their_line(tmp_path: Path, ruleset: RuleSet) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\nselect:\n  - budget-sum\n  - budget-sums\n  - no-such-rule\n")
    config = load_config(path)
    with pytest.raises(ConfigError) as caught:
        apply_config(ruleset, config)
    text = str(caught.value)
    assert caught.value.line == 4
    assert "budget-sums" in text and "no-such-rule" in text and "budget-sum?" in text  # a suggestion


def test_unknown_ids_on_the_command_line(ruleset: RuleSet) -> None:
    with pytest.raises(ConfigError) as caught:
        apply_config(ruleset, Config(), select=["typo"], ignore=["nope"])
    assert "nope" in str(caught.value)
    assert caught.value.line is None


def test_unknown_ids_in_severity_and_params(ruleset: RuleSet) -> None:
    with pytest.raises(ConfigError, match="bogus"):
        apply_config(ruleset, Config(severity={"bogus": "error"}))
    with pytest.raises(ConfigError, match="bogus"):
        apply_config(ruleset, Config(params={"bogus": {"x": 1}}))


def test_severity_override_changes_the_rule(tmp_path: Path, aliased: RuleSet) -> None:
    path = write(tmp_path / "budget-audit.yaml", "severity:\n  value-format: error\n  description-copy: warning\n")
    rules = {r.id: r for r in apply_config(aliased, load_config(path))}
    assert rules["value-syntax"].severity == "error"  # by alias
    assert rules["description-copy"].severity == "warning"
    assert aliased.resolve("value-syntax").severity == "warning"  # the rule set is not changed


def test_params_override_changes_the_rule_and_its_check(tmp_path: Path, ruleset: RuleSet) -> None:
    path = write(tmp_path / "budget-audit.yaml", "params:\n  goal-duplicate: {threshold: 0.95, overlap: 0.95}\n")
    rule = {r.id: r for r in apply_config(ruleset, load_config(path))}["goal-duplicate"]
    original = ruleset.resolve("goal-duplicate")
    assert rule.params["threshold"] == 0.95 and rule.params["overlap"] == 0.95
    assert rule.params["items"] == "goals"  # the other parameters are kept
    assert original.params["threshold"] == 0.9
    # …and the rule behaves differently: 80 % similar goals are repeats by default, not now
    doc = document_from({"goals": ["完成园区道路养护工作", "完成园区绿化养护工作"]}, "project", parse_value)
    assert len(Engine([original]).audit(doc).findings) == 1
    assert Engine([rule]).audit(doc).findings == []


def test_params_override_of_goal_duplicate_threshold(tmp_path: Path, ruleset: RuleSet) -> None:
    path = write(tmp_path / "budget-audit.yaml", "params: {goal-duplicate: {threshold: 0.85}}\n")
    rule = {r.id: r for r in apply_config(ruleset, load_config(path))}["goal-duplicate"]
    assert rule.params["threshold"] == 0.85
    assert rule.check.threshold == 0.85  # the check was rebuilt with it


def test_unknown_parameter_is_an_error_at_its_line(tmp_path: Path, ruleset: RuleSet) -> None:
    path = write(tmp_path / "budget-audit.yaml", "lang: en\nparams:\n  goal-duplicate:\n    threshhold: 0.85\n")
    with pytest.raises(ConfigError) as caught:
        apply_config(ruleset, load_config(path))
    assert caught.value.line == 4
    assert "threshhold" in str(caught.value) and "threshold" in str(caught.value)


def test_unusable_parameter_value_is_an_error(tmp_path: Path, ruleset: RuleSet) -> None:
    path = write(tmp_path / "budget-audit.yaml", "params:\n  goal-duplicate:\n    threshold: 7\n")
    with pytest.raises(ConfigError) as caught:
        apply_config(ruleset, load_config(path))
    assert caught.value.line == 2
    assert "threshold" in str(caught.value)


def test_a_rule_named_twice_is_an_error(aliased: RuleSet) -> None:
    with pytest.raises(ConfigError, match="value-syntax"):
        apply_config(aliased, Config(severity={"value-syntax": "error", "value-format": "info"}))


def test_extra_rule_folder_from_the_config(tmp_path: Path, ruleset: RuleSet) -> None:
    """``rules:`` paths feed ``load_rules``; their ids and aliases can be selected."""
    raw = dict(ruleset.resolve("description-copy").raw, id="local-description-copy", aliases=["local-copy"])
    write(tmp_path / "local-rules" / "local.yaml", yaml.safe_dump({"rules": [raw]}, allow_unicode=True))
    path = write(tmp_path / "budget-audit.yaml", "rules: [local-rules]\nselect: [local-copy]\nseverity: {local-copy: error}\n")
    config = load_config(path)
    rules = apply_config(load_rules(extra=config.rules), config)
    assert [(r.id, r.severity) for r in rules] == [("local-description-copy", "error")]


def test_end_to_end_config_changes_an_audit(tmp_path: Path, ruleset: RuleSet) -> None:
    from auditor.readers import read_document

    path = write(tmp_path / "budget-audit.yaml", "ignore: [indicator-placeholder]\nseverity: {description-copy: warning}\n")
    rules = apply_config(ruleset, load_config(path), ignore=["typo"])
    doc = read_document(Path(__file__).resolve().parent.parent / "samples" / "004_2f558b6c4fb9792b.txt", parse_value)
    full = Engine(ruleset.rules).audit(doc).findings
    configured = Engine(rules).audit(doc).findings
    assert {f.rule for f in full} >= {"indicator-placeholder", "typo", "description-copy"}
    assert not {f.rule for f in configured} & {"indicator-placeholder", "typo"}
    copies = [f for f in configured if f.rule == "description-copy"]
    assert copies and all(f.severity == "warning" for f in copies)
    assert len(configured) == len([f for f in full if f.rule not in {"indicator-placeholder", "typo"}])


def test_without_a_toml_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.10 without tomli: the table is still found (textually), and loading it says what
    to install instead of failing obscurely."""
    import auditor.config

    monkeypatch.setattr(auditor.config, "_toml", lambda: None)
    pyproject = write(tmp_path / "pyproject.toml", PYPROJECT)
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path / "sub") == pyproject
    with pytest.raises(ConfigError, match="Python 3.11 or `pip install tomli`"):
        load_config(start=tmp_path / "sub")
