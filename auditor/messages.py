"""Filling message templates: ``"预算数为{budget}"`` with the values of a finding.

Placeholders that have no value stay visible (``{missing}``) rather than failing: a rule's
examples test that every placeholder of its messages is filled.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_FORMATTER = string.Formatter()


def show(value: Any) -> str:
    """A value as it reads in a message: numbers without exponent or trailing zeros
    (``Decimal("126.6100")`` → ``126.61``), lists joined with ``、``, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "、".join(show(v) for v in value)
    return str(value)


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, data: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; format specs are not supported (values are pre-shown)."""
    values = _Values({k: show(v) for k, v in data.items()})
    try:
        return _FORMATTER.vformat(template, (), values)
    except (ValueError, IndexError, KeyError, AttributeError):
        return template


def placeholders(template: str) -> set[str]:
    """Names used in a template, for checking that examples fill them all."""
    names = set()
    try:
        for _, name, _, _ in _FORMATTER.parse(template):
            if name:
                names.add(name.split(".")[0].split("[")[0])
    except ValueError:
        pass
    return names
