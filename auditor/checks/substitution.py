"""``substitution``: known wrong words and what they should read (``效意`` → ``效益``).

Parameters: ``text`` (expression giving the text; default ``text``) and ``swaps``: a list of
``{wrong, right}`` pairs; ``wrong`` is literal text, or a regular expression when ``regex: true``
(``right`` is always literal).
Every occurrence is a hit, located at its column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, as_text, field_loc, locate, scan_candidates
from auditor.expr import Expression
from auditor.targets import Target


@dataclass(frozen=True)
class SubstitutionCheck:
    """One regular expression finds every wrong word (an alternation of plain groups, which the
    regex engine scans fast); which swap matched is then looked up."""

    text: Expression
    pattern: re.Pattern[str]
    swaps: tuple[tuple[re.Pattern[str], str], ...]
    field: str

    def candidates(self, texts: list[str]) -> set[int] | None:
        """Targets whose text holds a wrong word, in one scan (when the check reads the
        target's own text)."""
        if self.text.source.strip() != "text":
            return None
        return scan_candidates(self.pattern, texts)

    def run(self, target: Target) -> Iterator[Hit]:
        text = as_text(self.text.evaluate(target.env))
        if not text:
            return
        for match in self.pattern.finditer(text):
            right = self._right(text, match)
            yield Hit(
                evidence=match.group(0),
                field=self.field,
                loc=locate(field_loc(target, self.field), text, match.start()),
                data={"wrong": match.group(0), "right": right, "context": _context(text, match)},
            )

    def _right(self, text: str, match: re.Match[str]) -> str:
        for wrong, right in self.swaps:
            found = wrong.match(text, match.start())
            if found and found.end() == match.end():
                return right
        return ""


def _context(text: str, match: re.Match[str], width: int = 12) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return text[start:end].replace("\n", " ")


def build(params: Mapping[str, Any], compile_expression: Any) -> SubstitutionCheck:
    swaps = params.get("swaps") or []
    if not swaps:
        raise CheckConfigError("`swaps` must list at least one {wrong, right} pair")
    compiled = []
    for swap in swaps:
        wrong = swap["wrong"] if swap.get("regex") else re.escape(swap["wrong"])
        try:
            compiled.append((re.compile(wrong), swap["right"]))
        except re.error as error:
            raise CheckConfigError(f"bad pattern {swap['wrong']!r}: {error}") from None
    pattern = re.compile("|".join(f"(?:{w.pattern})" for w, _ in compiled))
    return SubstitutionCheck(compile_expression(params.get("text", "text")), pattern, tuple(compiled), params.get("field", ""))
