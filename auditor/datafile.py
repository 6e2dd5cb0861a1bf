"""What the project's YAML/JSON data files share: errors located at a file and line, the line of
each key of a YAML document, and JSON Schema errors explained in zh-CN and English.

Used by the rule loader, the configuration, waivers and baselines, the layout profiles and the
indicator vocabulary.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

KeyPath = tuple[Any, ...]


class LocatedError(Exception):
    """A data file that cannot be used: ``str(error)`` is ``path:line: message``."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path, self.message, self.line = str(path), message, line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def load_yaml(text: str, loader: type | None = None) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML document once: its data and the line of each key (see ``yaml_lines``).
    ``loader`` defaults to PyYAML's safe loader (libyaml's when the wheel has it). Raises
    ``yaml.YAMLError`` as PyYAML does. PyYAML is imported here, not at start-up: a run whose
    rules come from the cache reads no YAML."""
    import yaml

    parser = (loader or getattr(yaml, "CSafeLoader", yaml.SafeLoader))(text)
    try:
        node = parser.get_single_node()
        data = parser.construct_document(node) if node is not None else None
    finally:
        parser.dispose()
    return data, yaml_lines(node)


def yaml_lines(node: yaml.Node | None, path: KeyPath = (), index: dict[KeyPath, int] | None = None) -> dict[KeyPath, int]:
    """Map each key path of a composed YAML document to the 1-based line of its key (or item)."""
    import yaml

    index = {} if index is None else index
    if node is None:
        return index
    index.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            index[path + (key.value,)] = key.start_mark.line + 1
            yaml_lines(value, path + (key.value,), index)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yaml_lines(item, path + (i,), index)
    return index


def nearest_line(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    path = tuple(path)
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


def key_text(path: KeyPath, table: str = "") -> str:
    """``("params", "goal-duplicate", "threshold")`` → ``params.goal-duplicate.threshold``;
    list items as ``select[1]``; the document itself as ``(top)`` (or the TOML table)."""
    text = table
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top)"


_TYPE_NAMES = {
    "string": ("文本", "a string"),
    "array": ("列表", "a list"),
    "object": ("映射（键: 值）", "a mapping"),
    "number": ("数字", "a number"),
    "integer": ("整数", "an integer"),
    "boolean": ("true/false", "true or false"),
    "null": ("空值", "null"),
}


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _deepest(error: Any) -> Any:
    while error.context:
        error = max(error.context, key=lambda e: len(list(e.absolute_path)))
    return error


def explain_schema_error(error: Any, data: Any) -> tuple[KeyPath, str]:
    """The key path a JSON Schema error is about and a zh / en message for it."""
    error = _deepest(error)
    path: KeyPath = tuple(error.absolute_path)
    instance, kind, expected = error.instance, error.validator, error.validator_value
    here = _value_at(data, path) if path else data
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = next((k for k in instance if k not in allowed), None)
        if extra is not None:
            hint = difflib.get_close_matches(str(extra), allowed, n=1)
            zh = f"未知的键“{extra}”" + (f"（是否应为“{hint[0]}”？）" if hint else f"（可用：{'、'.join(allowed)}）")
            en = f"unknown key {extra!r}" + (f" (did you mean {hint[0]!r}?)" if hint else f" (allowed: {', '.join(allowed)})")
            return path + (extra,), f"{zh} / {en}"
    if isinstance(here, dict) and isinstance(instance, str) and instance in here and here is not instance:
        path = path + (instance,)  # a propertyNames error: point at the key itself
    if kind == "enum":
        values = [str(v) for v in expected]
        return path, f"取值“{instance}”无效，应为 {'、'.join(values)} 之一 / {instance!r} is not one of {', '.join(values)}"
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        zh = "或".join(_TYPE_NAMES.get(n, (n, n))[0] for n in names)
        en = " or ".join(_TYPE_NAMES.get(n, (n, n))[1] for n in names)
        return path, f"应为{zh} / must be {en}"
    if kind == "required" and isinstance(instance, dict):
        missing = next((k for k in expected if k not in instance), expected[0])
        return path, f"缺少必填的“{missing}” / missing required key {missing!r}"
    if kind in ("minLength", "pattern") and isinstance(instance, str) and not instance.strip():
        return path, "不能为空 / must not be empty"
    if kind == "pattern":
        return path, f"“{instance}”格式不对（应符合 {expected}）/ {instance!r} does not match {expected}"
    if kind == "minProperties":
        return path, f"至少应有 {expected} 项 / needs at least {expected} entr{'y' if expected == 1 else 'ies'}"
    return path, error.message


def first_schema_error(schema: Mapping[str, Any], data: Any, lines: Mapping[KeyPath, int]) -> tuple[KeyPath, str] | None:
    """The first (by line, then key path) problem of ``data`` against a draft 2020-12 schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    if validator.is_valid(data):
        return None
    explained = [explain_schema_error(e, data) for e in validator.iter_errors(data)]
    if not explained:
        return None
    return min(explained, key=lambda item: (nearest_line(lines, item[0]) or 0, [str(p) for p in item[0]]))


PatternsOf = Callable[[Any], Iterable[tuple[KeyPath, str]]]


def read_validated_yaml(
    path: Path, schema_path: Path, error: type[LocatedError], patterns: PatternsOf = lambda data: ()
) -> Any:
    """A YAML data file checked against its JSON schema and with every regular expression that
    ``patterns`` names compiled; raises ``error`` with the line. A file that validated before
    comes from the rule cache (``auditor/rulecache.py``): no YAML is read and no schema checked
    again."""
    from auditor.rulecache import ParsedRuleFile, entry_path, load_entry, store_entry

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(path, f"无法读取 / cannot read: {getattr(problem, 'strerror', None) or problem}") from None
    entry = entry_path(text, schema_path)
    cached = load_entry(entry)
    if cached is not None:
        return cached.data
    data = _validated(path, text, schema_path, error, patterns)
    store_entry(entry, ParsedRuleFile(data, {}, {}))
    return data


def _validated(path: Path, text: str, schema_path: Path, error: type[LocatedError], patterns: PatternsOf) -> Any:
    try:
        data, lines = load_yaml(text)
    except Exception as problem:  # yaml.YAMLError: the file is not YAML
        mark = getattr(problem, "problem_mark", None)
        raise error(path, f"YAML 语法错误 / YAML syntax error: {getattr(problem, 'problem', problem)}",
                    mark.line + 1 if mark else None) from None
    data = {} if data is None else data
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    found = first_schema_error(schema, data, lines)
    if found is not None:
        raise error(path, found[1], nearest_line(lines, found[0]))
    for at, pattern in patterns(data):
        try:
            re.compile(pattern)
        except re.error as bad:
            where = key_text(at)
            raise error(path, f"{where} 正则表达式无效 / {where}: invalid regular expression {pattern!r}: {bad}",
                        nearest_line(lines, at)) from None
    return data
