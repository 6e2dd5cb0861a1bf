"""``expression``: one or more ``assert`` expressions that must hold for every target.

A rule writes ``assert: <expr>`` (one case) or ``asserts: {case: <expr>, …}`` (several, each
with its own message in the rule's ``cases``). Parameters ``evidence`` (an expression giving the
text to quote) and ``field`` (the field the finding names: one for all cases, or a mapping from
case to field) say what a finding points at.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, default_evidence, field_loc
from auditor.expr import Expression, truthy
from auditor.targets import EVIDENCE_NAMES, Target


@dataclass(frozen=True)
class ExpressionCheck:
    asserts: tuple[tuple[str | None, Expression], ...]
    evidence: Expression | None
    fields: Mapping[str | None, str]

    def reads(self, scope: str) -> frozenset[str]:
        names = frozenset().union(*(expression.names for _, expression in self.asserts))
        if self.evidence is not None:
            return names | self.evidence.names
        if scope in EVIDENCE_NAMES:  # the default evidence: the target's own value or text
            return names | {EVIDENCE_NAMES[scope]}
        return names

    def run(self, target: Target) -> Iterator[Hit]:
        for case, expression in self.asserts:
            if truthy(expression.evaluate(target.env)):
                continue
            evidence = self.evidence.evaluate(target.env) if self.evidence else default_evidence(target)
            field = self.fields.get(case, self.fields.get(None, ""))
            yield Hit(
                evidence="" if evidence is None else str(evidence),
                field=field,
                loc=field_loc(target, field),
                case=case,
            )


def build(params: Mapping[str, Any], compile_expression: Any) -> ExpressionCheck:
    asserts: list[tuple[str | None, Expression]] = []
    if params.get("assert"):
        asserts.append((None, compile_expression(params["assert"])))
    for case, source in (params.get("asserts") or {}).items():
        asserts.append((case, compile_expression(source)))
    if not asserts:
        raise CheckConfigError("an expression rule needs `assert` or `asserts`")
    evidence = compile_expression(params["evidence"]) if params.get("evidence") else None
    field = params.get("field", "")
    fields: dict[str | None, str] = dict(field) if isinstance(field, Mapping) else {None: field}
    return ExpressionCheck(tuple(asserts), evidence, fields)
