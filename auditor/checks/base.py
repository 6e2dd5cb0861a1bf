"""What every check kind shares: the hit it reports and how it says it could not judge."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any, Protocol

from auditor.model import Location
from auditor.targets import EVIDENCE_NAMES, Target


@dataclass(slots=True)
class Hit:
    """A defect a check found in a target. ``field`` is relative to the target's field path
    (``"value"``, ``"points[3]"``; empty for the target itself); ``loc`` is where the evidence
    starts (see ``locate``); ``data`` fills the message placeholders."""

    evidence: str
    field: str = ""
    loc: Location | None = None
    data: dict[str, Any] = default(default_factory=dict)
    case: str | None = None  # which of the rule's cases (message variants) this is
    context: dict[str, Any] | None = None  # the draft text to show with it, when the check knows best


class NotCheckable(Exception):
    """The target lacks what the check needs (003 has no 预算数): an outcome, not a pass."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Check(Protocol):
    """A configured check: built once from a rule's parameters, run on every target.

    A check may also define ``reads(scope) -> frozenset[str]``: the env names its hits depend on
    in that scope (evidence included). It promises by that that they depend on nothing else and
    are located at ``field_loc(target, hit.field)``, so the engine may reuse them for another
    target with the same values."""

    def run(self, target: Target) -> Iterable[Hit]: ...


class CheckConfigError(ValueError):
    """Parameters that the schema accepted but the check cannot use (a bad regex…)."""


def param(params: Mapping[str, Any], name: str, default: Any = None) -> Any:
    return params.get(name, default)


def locate(loc: Location, text: str, offset: int) -> Location:
    """The location of ``text[offset]`` when ``text`` starts at ``loc``: lines of a multi-line
    cell count down from ``loc.line``; columns count characters (a continuation line starts at
    column 1)."""
    if loc.line is None:
        return loc
    before = text[:offset]
    newlines = before.count("\n")
    if newlines == 0:
        column = (loc.column or 1) + offset
    else:
        column = offset - before.rfind("\n")
    return Location(line=loc.line + newlines, column=column, ref=loc.ref)


def field_loc(target: Target, name: str) -> Location:
    """Where a named field of the target was read (an indicator cell, a project field)."""
    obj = target.obj
    loc_of = getattr(obj, "loc_of", None)
    if callable(loc_of) and name:
        return loc_of(name.split(".")[0])
    if target.project is not None and name and target.scope == "project":
        return target.project.loc_of(name.split(".")[0])
    return target.loc


def default_evidence(target: Target) -> str:
    """The text a finding quotes when a rule names no evidence of its own: the target's own
    value or text (``EVIDENCE_NAMES``)."""
    name = EVIDENCE_NAMES.get(target.scope)
    return as_text(target.env.get(name)) if name else ""


def as_text(value: Any) -> str:
    """Text of a model value for matching: strings as they are, items by their text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    raw = getattr(value, "raw", None)
    if isinstance(raw, str):
        return raw
    return str(value)


def scan_candidates(regex: re.Pattern[str], texts: list[str]) -> set[int] | None:
    """Indices of the texts in which ``regex`` finds a match, found by scanning the texts
    joined with a newline-NUL-newline separator once; None when the regex cannot be scanned
    that way (it anchors on the whole string with ``\\A`` or ``\\Z``).

    The scan adds ``re.MULTILINE`` so that ``^`` and ``$`` hold at each text's ends. A match
    that runs across a separator (a negated class such as ``[^，。]`` matches it) proves
    nothing, so that one text is searched on its own. Once a text matches, the scan jumps to
    the next text. Extra candidates are harmless: the check then runs on the text itself.
    """
    scan = _scan_regex(regex)
    if scan is None:
        return None
    if not texts:
        return set()
    joined = _SEPARATOR.join(texts)
    starts = list(itertools.accumulate((len(t) + len(_SEPARATOR) for t in texts[:-1]), initial=0))
    found: set[int] = set()
    position = 0
    while (match := scan.search(joined, position)) is not None:
        index = bisect.bisect_right(starts, match.start()) - 1
        if match.end() <= starts[index] + len(texts[index]) or regex.search(texts[index]):
            found.add(index)
        if index + 1 == len(texts):
            break
        position = starts[index + 1]
    return found


_SEPARATOR = "\n\x00\n"


@functools.lru_cache(maxsize=256)
def _scan_regex(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    if re.search(r"(?<!\\)(?:\\\\)*\\[AZ]", regex.pattern):
        return None
    return re.compile(regex.pattern, regex.flags | re.MULTILINE)
