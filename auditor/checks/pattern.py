"""``pattern``: text that matches a regular expression it must not (``mode: forbid``, the
default: every match is a hit) or fails one it must match (``mode: require``).

Parameters: ``regex``; ``text`` (expression, default ``text``); ``field``; ``assert`` (optional
expression checked for each match, with ``match`` holding the named groups, ``match.text`` and
the target's text around it, ``match.before`` and ``match.after``, and ``field`` the target's field
path (``indicators[3].description``): a match is a hit only when it does not hold — e.g. a
deadline year other than the draft's, unless the words after it make it the base of a count).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, as_text, field_loc, locate, scan_candidates
from auditor.expr import Expression, truthy
from auditor.targets import Target


@dataclass(frozen=True)
class PatternCheck:
    regex: re.Pattern[str]
    text: Expression
    require: bool
    condition: Expression | None
    field: str

    def candidates(self, texts: list[str]) -> set[int] | None:
        """Targets whose text the regex matches, in one scan (only when the check reads the
        target's own text and reports matches)."""
        if self.require or self.text.source.strip() != "text":
            return None
        return scan_candidates(self.regex, texts)

    def run(self, target: Target) -> Iterator[Hit]:
        text = as_text(self.text.evaluate(target.env))
        if self.require:
            if not self.regex.search(text):
                yield Hit(evidence=text, field=self.field, loc=field_loc(target, self.field))
            return
        for match in self.regex.finditer(text):
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            groups["text"] = match.group(0)
            if self.condition is not None and truthy(self.condition.evaluate(_assert_env(target, text, match, groups))):
                continue
            yield Hit(
                evidence=match.group(0),
                field=self.field,
                loc=locate(field_loc(target, self.field), text, match.start()),
                data={"match": match.group(0), **groups},
            )


def _assert_env(target: Target, text: str, match: re.Match[str], groups: dict[str, str]) -> dict[str, Any]:
    """What ``assert`` reads for one match: the target's names, ``field`` and ``match``."""
    around = {"before": text[: match.start()], "after": text[match.end() :], **groups}
    return {**target.env, "field": target.field, "match": around}


def build(params: Mapping[str, Any], compile_expression: Any) -> PatternCheck:
    try:
        regex = re.compile(params["regex"])
    except KeyError:
        raise CheckConfigError("`regex` is required") from None
    except re.error as error:
        raise CheckConfigError(f"bad regex {params['regex']!r}: {error}") from None
    mode = params.get("mode", "forbid")
    if mode not in ("forbid", "require"):
        raise CheckConfigError(f"`mode` must be forbid or require, not {mode!r}")
    condition = compile_expression(params["assert"]) if params.get("assert") else None
    return PatternCheck(regex, compile_expression(params.get("text", "text")), mode == "require", condition, params.get("field", ""))
