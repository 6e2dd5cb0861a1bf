"""``lexicon``: a value that does not fit what a name says.

Parameters: ``subject`` (expression giving the name, e.g. ``level3``), ``object`` (expression
giving the value to check, e.g. ``value.unit``), and ``entries``: an ordered list of
``{name, when, unless?, expect?, forbid?}``. The first entry whose ``when`` regex matches the
subject (and whose ``unless`` does not) decides: the object must be one of ``expect`` and none
of ``forbid``. A null object is not checked (another rule reports missing values).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, as_text, field_loc
from auditor.expr import Expression
from auditor.targets import Target


@dataclass(frozen=True)
class Entry:
    name: str
    when: re.Pattern[str]
    unless: re.Pattern[str] | None
    expect: frozenset[str]
    forbid: frozenset[str]

    def applies(self, subject: str) -> bool:
        return bool(self.when.search(subject)) and not (self.unless and self.unless.search(subject))

    def accepts(self, value: str) -> bool:
        if self.expect and value not in self.expect:
            return False
        return value not in self.forbid


@dataclass(frozen=True)
class LexiconCheck:
    subject: Expression
    object: Expression
    entries: tuple[Entry, ...]
    field: str
    evidence: Expression | None

    def reads(self, scope: str) -> frozenset[str]:
        names = self.subject.names | self.object.names
        return names | self.evidence.names if self.evidence else names

    def run(self, target: Target) -> Iterator[Hit]:
        value = self.object.evaluate(target.env)
        if value is None:
            return
        subject = as_text(self.subject.evaluate(target.env))
        for entry in self.entries:
            if not entry.applies(subject):
                continue
            actual = as_text(value)
            if not entry.accepts(actual):
                evidence = self.evidence.evaluate(target.env) if self.evidence else actual
                yield Hit(
                    evidence=as_text(evidence),
                    field=self.field,
                    loc=field_loc(target, self.field),
                    data={
                        "entry": entry.name,
                        "actual": actual,
                        "expected": "、".join(sorted(entry.expect)) if entry.expect else "",
                        "subject": subject,
                    },
                    case=entry.name,
                )
            return


def _regex(source: str | None, what: str) -> re.Pattern[str] | None:
    if source is None:
        return None
    try:
        return re.compile(source)
    except re.error as error:
        raise CheckConfigError(f"bad {what} regex {source!r}: {error}") from None


def build(params: Mapping[str, Any], compile_expression: Any) -> LexiconCheck:
    entries = []
    for raw in params.get("entries") or []:
        when = _regex(raw.get("when"), "when")
        if when is None:
            raise CheckConfigError(f"entry {raw.get('name')!r} needs `when`")
        entries.append(
            Entry(
                name=raw["name"],
                when=when,
                unless=_regex(raw.get("unless"), "unless"),
                expect=frozenset(raw.get("expect", [])),
                forbid=frozenset(raw.get("forbid", [])),
            )
        )
    if not entries:
        raise CheckConfigError("`entries` must not be empty")
    evidence = compile_expression(params["evidence"]) if params.get("evidence") else None
    return LexiconCheck(
        compile_expression(params["subject"]),
        compile_expression(params["object"]),
        tuple(entries),
        params.get("field", ""),
        evidence,
    )
