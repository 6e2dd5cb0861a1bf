"""The built-in check kinds: a small fixed set, one module each, registered here.

| kind | finds |
| --- | --- |
| ``required`` | fields that are empty |
| ``duplicates`` | items (goals, paragraphs, whole parts) identical or near-identical to each other |
| ``sequence`` | a numeric sequence that goes down, overshoots, or does not end at its target |
| ``amounts`` | amounts of money in text that contradict a reference amount |
| ``coverage`` | required indicator categories that are absent |
| ``pattern`` | text matching (or failing) a regular expression |
| ``substitution`` | known wrong words, with the right one |
| ``lexicon`` | a value that does not fit what a name says (``…人数`` → 人) |
| ``expression`` | an ``assert`` expression that does not hold |
| ``recurrence`` | one indicator row repeated across many project tables of a draft |
| ``copies`` | project tables (and goals) copied from another project, in a draft or a run |
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.checks import (
    amounts,
    copies,
    coverage,
    duplicates,
    expression,
    lexicon,
    pattern,
    recurrence,
    required,
    sequence,
    substitution,
)
from auditor.checks.base import Check, CheckConfigError

Compiler = Callable[[str], Any]

KINDS: Mapping[str, Callable[[Mapping[str, Any], Compiler], Check]] = {
    "required": required.build,
    "duplicates": duplicates.build,
    "sequence": sequence.build,
    "amounts": amounts.build,
    "coverage": coverage.build,
    "pattern": pattern.build,
    "substitution": substitution.build,
    "lexicon": lexicon.build,
    "expression": expression.build,
    "recurrence": recurrence.build,
    "copies": copies.build,
}


def build_check(kind: str, params: Mapping[str, Any], compile_expression: Compiler) -> Check:
    """A configured check of one kind; ``CheckConfigError`` when the parameters cannot be used."""
    try:
        builder = KINDS[kind]
    except KeyError:
        raise CheckConfigError(f"unknown check kind {kind!r}; known: {', '.join(KINDS)}") from None
    return builder(params, compile_expression)
