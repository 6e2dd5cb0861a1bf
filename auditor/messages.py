"""Filling message templates: ``"预算数为{budget}"`` with the values of a finding.

Placeholders that have no value stay visible (``{missing}``) rather than failing: a rule's
examples test that every placeholder of its messages is filled.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from auditor.model import Location

_FORMATTER = string.Formatter()


def where(locations: list[Location], lang: str) -> str:
    """Places in a message: ``第12行`` / ``line 12``; several lines ``第88、95行`` /
    ``lines 88, 95``; where every place has a reference (a cell ``E25`` of a CSV, which Excel
    numbers by row, not by text line; ``表格 3 第5行第2列``) the references."""
    if locations and all(loc.ref for loc in locations):
        return ("、" if lang == "zh" else ", ").join(str(loc.ref) for loc in locations)
    if locations and all(loc.line is not None for loc in locations):
        numbers = [str(loc.line) for loc in locations]
        if lang == "zh":
            return f"第{'、'.join(numbers)}行"
        return ("line " if len(numbers) == 1 else "lines ") + ", ".join(numbers)
    return ("、" if lang == "zh" else ", ").join(str(loc) for loc in locations)


def show(value: Any, lang: str = "zh") -> str:
    """A value as it reads in a message: numbers without exponent or trailing zeros
    (``Decimal("126.6100")`` → ``126.61``), lists joined with ``、``, null as empty, places as
    ``第12行`` / ``line 12`` (see ``where``)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, Location):
        return where([value], lang)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Location) for v in value):
        return where(list(value), lang)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "、".join(show(v, lang) for v in value)
    return str(value)


@lru_cache(maxsize=4096)
def _pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template as (literal text, placeholder name or None) pieces, parsed once."""
    try:
        return tuple((literal, name) for literal, name, _, _ in _FORMATTER.parse(template))
    except ValueError:
        return ((template, None),)


def render(template: str, data: Mapping[str, Any], lang: str = "zh") -> str:
    """Fill ``{name}`` placeholders; format specs are not supported. Only the placeholders the
    template uses are formatted."""
    pieces = _pieces(template)
    if len(pieces) == 1 and pieces[0][1] is None:
        return pieces[0][0]
    if type(data) is LazyDict:
        data = data.materialize()
    values = tuple(data.get(name, _MISSING) for _, name in pieces if name is not None)
    types = tuple(map(type, values))
    if _CACHEABLE.issuperset(types):
        return _fill_cached(template, lang, values, types)
    return _fill(pieces, lang, values)


def _fill(pieces: tuple[tuple[str, str | None], ...], lang: str, values: tuple[Any, ...]) -> str:
    parts = []
    filled = iter(values)
    for literal, name in pieces:
        parts.append(literal)
        if name is not None:
            value = next(filled)
            parts.append("{" + name + "}" if value is _MISSING else show(value, lang))
    return "".join(parts)


@lru_cache(maxsize=2048)  # about 1.5 MB; a larger cache grows memory more than it saves time
def _fill_cached(template: str, lang: str, values: tuple[Any, ...], types: tuple[type, ...]) -> str:
    """``_fill`` for values seen before: the same rows and texts recur in table after table, so
    most findings of a run repeat a message already written. ``types`` keeps apart values that
    are equal but read differently (``1`` and ``True``); only types whose equal values always read
    the same are cached (not ``Decimal``: ``0`` and ``-0`` are equal)."""
    return _fill(_pieces(template), lang, values)


_MISSING = object()
_CACHEABLE = frozenset({str, int, bool, type(None), Location, object})  # object: _MISSING


class LazyDict(Mapping[str, Any]):
    """A mapping built by ``factory`` the first time it is read. Pickles as a plain dict (so a
    finding can travel to another process without the document it came from)."""

    __slots__ = ("_factory", "_value")

    def __init__(self, factory: Any) -> None:
        self._factory = factory
        self._value: dict[str, Any] | None = None

    def materialize(self) -> dict[str, Any]:
        """The mapping itself (built now if it was not yet)."""
        if self._value is None:
            self._value = self._factory()
            self._factory = None
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self.materialize()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.materialize().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.materialize()

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialize())

    def __len__(self) -> int:
        return len(self.materialize())

    def __repr__(self) -> str:
        return repr(self.materialize())

    def __reduce__(self) -> tuple:
        return (dict, (dict(self.materialize()),))


class Message(Mapping[str, str]):
    """A finding's text in every language, each rendered the first time it is read: a run that
    prints Chinese never pays for the English (and large runs produce many findings)."""

    __slots__ = ("_templates", "_data", "_cache")

    def __init__(self, templates: Mapping[str, str], data: Mapping[str, Any]) -> None:
        self._templates = templates
        self._data = data
        self._cache: dict[str, str] = {}

    def __getitem__(self, lang: str) -> str:
        text = self._cache.get(lang)
        if text is None:
            text = self._cache[lang] = render(self._templates[lang], self._data, lang)
        return text

    @property
    def templates(self) -> Mapping[str, str]:
        return self._templates

    @property
    def data(self) -> Mapping[str, Any]:
        return self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._templates)

    def __len__(self) -> int:
        return len(self._templates)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple:
        return (dict, (dict(self),))
