"""``required``: fields that must not be empty (``basis`` of an indicator row, ``code`` of a
project…). Parameter ``fields``: the names to check, read from the target's names.

A field that is None is one the draft's form does not have (the 申报表 has no 指标值确定依据
column): the target is *not checkable* for it, never "missing". Only a field the form has and the
draft leaves blank is a finding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, NotCheckable, as_text, field_loc
from auditor.expr import Expression
from auditor.targets import Target


@dataclass(frozen=True)
class RequiredCheck:
    fields: tuple[tuple[str, Expression], ...]

    def reads(self, scope: str) -> frozenset[str]:
        return frozenset().union(*(expression.names for _, expression in self.fields))

    def run(self, target: Target) -> Iterator[Hit]:
        for name, expression in self.fields:
            value = expression.evaluate(target.env)
            if value is None:
                raise NotCheckable(name)
            if _is_empty(value):
                yield Hit(evidence="", field=name, loc=field_loc(target, name), data={"field": name})


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, tuple, dict)):
        return not value
    return not as_text(value).strip()


def build(params: Mapping[str, Any], compile_expression: Any) -> RequiredCheck:
    names = params.get("fields") or []
    if not names:
        raise CheckConfigError("`fields` must name at least one field")
    return RequiredCheck(tuple((name, compile_expression(name)) for name in names))
