"""Rules as data: loading ``rules/*.yaml``, validating them against ``rules/schema.json``, and
building each rule's check once.

A rule file that does not validate raises ``RuleFileError`` naming the file, the rule id and the
line of the problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.checks import build_check
from auditor.checks.base import Check, CheckConfigError
from auditor.datafile import LocatedError, first_schema_error, key_text, load_yaml, nearest_line
from auditor.domain import expression_functions
from auditor.expr import DEFAULT_FUNCTIONS, Expression, ExpressionError, compile_expression
from auditor.resources import resource_path
from auditor.rulecache import ParsedRuleFile, entry_path, load_entry, store_entry
from auditor.vocabulary import FILE_NAMES as VOCABULARY_FILE_NAMES
from auditor.vocabulary import Vocabulary, load_vocabulary

SCHEMA_PATH = resource_path("rules", "schema.json")
LANGS = ("zh", "en")
DEFAULT_RULES_DIR = resource_path("rules")


class RuleFileError(LocatedError):
    """A rule file that cannot be used: the file, line, rule id, and why."""

    def __init__(self, path: str, message: str, rule: str | None = None, line: int | None = None) -> None:
        super().__init__(path, message, line)
        self.rule = rule

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}{rule}: {self.message}"


@dataclass(frozen=True, slots=True)
class Example:
    fragment: dict[str, Any]
    expect_fail: bool
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    """One rule of a rule set, with its check built."""

    id: str
    severity: str
    scope: str
    dimension: str
    message: dict[str, str]
    suggestion: dict[str, str]
    source: str
    basis: str
    rationale: str
    check_kind: str
    params: dict[str, Any]
    check: Check
    where: Expression | None = None
    requires: tuple[tuple[str, Expression], ...] = ()
    data: tuple[tuple[str, Expression], ...] = ()
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    collapse: dict[str, Any] | None = None
    aliases: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    title: dict[str, str] = field(default_factory=dict)
    file: str = ""
    line: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    vocabulary: Vocabulary | None = field(default=None, repr=False, compare=False)  # its functions read this one
    _templates: dict[str | None, tuple[dict[str, str], dict[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def case_text(self, case: str | None, key: str, lang: str) -> str:
        """The message or suggestion of one case, falling back to the rule's own."""
        texts = self.cases.get(case or "", {}).get(key) or getattr(self, key)
        return texts.get(lang) or texts.get("zh", "")

    def templates(self, case: str | None) -> tuple[dict[str, str], dict[str, str]]:
        """The message and suggestion templates of a case in every language (cached)."""
        cache = self._templates
        found = cache.get(case)
        if found is None:
            found = cache[case] = (
                {lang: self.case_text(case, "message", lang) for lang in LANGS},
                {lang: self.case_text(case, "suggestion", lang) for lang in LANGS},
            )
        return found

    def collapse_of(self, case: str | None) -> dict[str, Any] | None:
        """How the hits of a case are collapsed: the case's own ``collapse``, else the rule's
        (None: one finding per hit)."""
        return self.cases.get(case or "", {}).get("collapse") or self.collapse

    @property
    def collapses(self) -> bool:
        return self.collapse is not None or any("collapse" in case for case in self.cases.values())

    def collapsed_templates(self, case: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
        """Templates of a collapsed finding: the ``collapse`` texts of the case (or the rule),
        else the case's own."""
        collapse = self.collapse_of(case) or {}
        message, suggestion = self.templates(case)
        return (
            {lang: collapse.get("message", {}).get(lang) or message[lang] for lang in LANGS},
            {lang: collapse.get("suggestion", {}).get(lang) or suggestion[lang] for lang in LANGS},
        )

    def case_severity(self, case: str | None) -> str:
        return self.cases.get(case or "", {}).get("severity", self.severity)


@dataclass
class RuleSet:
    rules: list[Rule]

    def by_id(self) -> dict[str, Rule]:
        index = {}
        for rule in self.rules:
            index[rule.id] = rule
            for alias in rule.aliases:
                index.setdefault(alias, rule)
        return index

    def resolve(self, name: str) -> Rule | None:
        return self.by_id().get(name)


@lru_cache(maxsize=8)
def _functions(vocabulary: Vocabulary) -> dict[str, Any]:
    """The functions rule expressions call, the vocabulary functions bound to ``vocabulary``
    (one table per vocabulary: a vocabulary is hashed by identity)."""
    return {**DEFAULT_FUNCTIONS, **expression_functions(vocabulary)}


@lru_cache(maxsize=1)
def rule_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_rule_file(path: Path, vocabulary: Vocabulary | None = None) -> list[Rule]:
    """Load, validate and build the rules of one YAML file (parsed once, then kept in the
    user's cache folder: see ``auditor.rulecache``), their expressions reading ``vocabulary``
    (the shipped one when None)."""
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleFileError(shown, f"cannot read: {error.strerror or error}") from None
    entry = entry_path(text, SCHEMA_PATH)
    cached = load_entry(entry)
    parsed = cached or _parse_rule_file(shown, text)
    rules = [
        _build_rule(raw, shown, parsed.lines, ("rules", i), trees=parsed.trees, vocabulary=vocabulary)
        for i, raw in enumerate(parsed.data.get("rules", []))
    ]
    if cached is None:
        store_entry(entry, parsed)
    return rules


def _parse_rule_file(shown: str, text: str) -> ParsedRuleFile:
    """A rule file's YAML, validated against the schema (its expressions are parsed as the rules
    are built)."""
    import yaml

    try:
        data, lines = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RuleFileError(shown, f"YAML: {getattr(error, 'problem', error)}", line=mark.line + 1 if mark else None) from None
    problem = first_schema_error(rule_schema(), data, lines)
    if problem is not None:
        where, message = problem
        raise RuleFileError(shown, f"{key_text(where)}: {message}", rule=_rule_id_at(data, where), line=nearest_line(lines, where))
    return ParsedRuleFile(data, lines, {})


def _rule_id_at(data: Any, path: tuple) -> str | None:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        try:
            return data["rules"][path[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def _compiler(params: Mapping[str, Any], vocabulary: Vocabulary, trees: dict[str, Any] | None = None) -> Any:
    """The expression compiler of one rule: the shared functions (reading ``vocabulary``) plus
    ``param(name)``, which reads the rule's own (configurable) parameters. ``trees``: syntax
    trees by source (see ``compile_expression``)."""
    functions = {**_functions(vocabulary), "param": lambda name: _freeze(params.get(name))}

    def compile_(source: str) -> Expression:
        return compile_expression(source, functions, trees)

    return compile_


def _expression_key(raw: dict[str, Any], source: str) -> tuple:
    """Where in a rule an expression that failed to compile was written."""
    if raw.get("assert") == source:
        return ("assert",)
    for case, text in (raw.get("asserts") or {}).items():
        if text == source:
            return ("asserts", case)
    for name, text in (raw.get("params") or {}).items():
        if text == source:
            return ("params", name)
    return ("params",)


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _build_rule(
    raw: dict[str, Any],
    shown: str,
    lines: dict[tuple, int],
    at: tuple,
    overrides: Mapping[str, Any] | None = None,
    trees: dict[str, Any] | None = None,
    vocabulary: Vocabulary | None = None,
) -> Rule:
    rule_id = raw["id"]
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    line = lines.get(at)
    params = {**(raw.get("params") or {}), **(overrides or {})}
    if "assert" in raw or "asserts" in raw:
        kind = "expression"
        check_params = {**params, "assert": raw.get("assert"), "asserts": raw.get("asserts", {})}
    else:
        kind = raw["check"]
        check_params = params
    compile_ = _compiler(params, vocabulary, trees)

    def compiled(source: str, key: tuple) -> Expression:
        try:
            return compile_(source)
        except ExpressionError as error:
            raise RuleFileError(shown, f"expression {source!r}: {error}", rule=rule_id, line=nearest_line(lines, at + key)) from None

    try:
        check = build_check(kind, check_params, compile_)
    except ExpressionError as error:
        key = _expression_key(raw, error.source)
        raise RuleFileError(shown, f"expression {error.source!r}: {error}", rule=rule_id, line=nearest_line(lines, at + key)) from None
    except CheckConfigError as error:
        raise RuleFileError(shown, f"{kind}: {error}", rule=rule_id, line=nearest_line(lines, at + ("params",))) from None
    examples = []
    for expect_fail, key in ((False, "pass"), (True, "fail")):
        for j, fragment in enumerate((raw.get("examples") or {}).get(key, [])):
            examples.append(Example(fragment, expect_fail, lines.get(at + ("examples", key, j))))
    return Rule(
        id=rule_id,
        severity=raw["severity"],
        scope=raw["scope"],
        dimension=raw["dimension"],
        message=raw["message"],
        suggestion=raw["suggestion"],
        source=raw["source"],
        basis=raw["basis"],
        rationale=raw["rationale"],
        check_kind=kind,
        params=params,
        check=check,
        where=compiled(raw["where"], ("where",)) if raw.get("where") else None,
        requires=tuple((path, compiled(path, ("requires",))) for path in raw.get("requires", [])),
        data=tuple((name, compiled(source, ("data", name))) for name, source in (raw.get("data") or {}).items()),
        cases=raw.get("cases", {}),
        collapse=raw.get("collapse"),
        aliases=tuple(raw.get("aliases", [])),
        examples=tuple(examples),
        title=raw.get("title", {}),
        file=shown,
        line=line,
        raw=raw,
        vocabulary=vocabulary,
    )


def rule_files(directories: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in directories:
        if directory.is_file():
            files.append(directory)
        else:
            found = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
            files.extend(p for p in found if p.name not in VOCABULARY_FILE_NAMES)  # a folder's vocabulary is not rules
    return files


def load_rules(extra: Iterable[Path] = (), include_default: bool = True, vocabulary: Vocabulary | None = None) -> RuleSet:
    """The shipped rules plus any extra rule files or folders; ids must be unique. Their
    expressions read ``vocabulary`` (the shipped one when None)."""
    vocabulary = vocabulary if vocabulary is not None else load_vocabulary()
    directories = ([DEFAULT_RULES_DIR] if include_default else []) + list(extra)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in rule_files(directories):
        for rule in load_rule_file(path, vocabulary):
            for name in (rule.id, *rule.aliases):
                if name in seen:
                    raise RuleFileError(str(path), f"duplicate rule id {name!r} (first in {seen[name]})", rule=rule.id, line=rule.line)
                seen[name] = str(path)
            rules.append(rule)
    return RuleSet(rules)


def with_overrides(rule: Rule, severity: str | None = None, params: Mapping[str, Any] | None = None) -> Rule:
    """A copy of a rule with a configured severity and parameters (its expressions and check are
    rebuilt with the new parameters)."""
    if params:
        rule = _build_rule(rule.raw, rule.file, {(): rule.line} if rule.line else {}, (), overrides=params, vocabulary=rule.vocabulary)
    if severity:
        cases = {name: {k: v for k, v in case.items() if k != "severity"} for name, case in rule.cases.items()}
        rule = replace(rule, severity=severity, cases=cases)  # a configured severity covers every case
    return rule
