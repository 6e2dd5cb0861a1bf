"""Run configuration without code: ``budget-audit.yaml`` or ``[tool.budget-audit]`` in
``pyproject.toml``.

The file is looked for in the starting directory, then in each parent up to the filesystem root or
the first directory that holds ``.git`` (the repository root is still searched). In one directory
``budget-audit.yaml`` wins over ``pyproject.toml``; a ``pyproject.toml`` without the table is
skipped. An explicit ``--config PATH`` bypasses the search.

The configuration is validated against ``rules/config.schema.json``; a ``ConfigError`` names the
file and, for YAML, the 1-based line of the offending key (for TOML, which keeps no positions, the
key path ``tool.budget-audit.…``). Paths in the file are relative to the file.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.datafile import KeyPath, LocatedError, first_schema_error, key_text, load_yaml, nearest_line
from auditor.resources import resource_path
from auditor.rules import Rule, RuleFileError, RuleSet, with_overrides


@lru_cache(maxsize=1)
def _toml() -> Any:
    """The TOML parser (``tomllib``, or ``tomli`` on Python 3.10), or None; imported only when a
    pyproject.toml is read."""
    try:  # Python ≥ 3.11
        import tomllib

        return tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli

            return tomli
        except ModuleNotFoundError:
            return None


CONFIG_NAME = "budget-audit.yaml"
PYPROJECT_NAME = "pyproject.toml"
TOOL_TABLE = "budget-audit"
SCHEMA_PATH = resource_path("rules", "config.schema.json")
FAIL_ON = ("error", "warning", "info", "never")
NEEDS_TOML = "pyproject.toml 配置需要 Python 3.11 或 `pip install tomli` / pyproject.toml config needs Python 3.11 or `pip install tomli`"

class ConfigError(LocatedError):
    """A configuration that cannot be used: ``str(error)`` is ``path:line: message``.

    ``line`` is 1-based (YAML only); ``key`` is the key path of the problem (``fail_on``,
    ``tool.budget-audit.params.goal-duplicate``), also the start of ``message``.
    """

    def __init__(self, path: str | Path, message: str, line: int | None = None, key: str | None = None) -> None:
        super().__init__(path, message, line)
        self.key = key


@dataclass(frozen=True)
class Config:
    """A run's configuration. ``None`` / empty means "not configured": the command line or the
    built-in default decides (``fail_on`` error, ``lang`` zh). Paths are absolute."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rules: tuple[Path, ...] = ()
    layouts: tuple[Path, ...] = ()
    vocabulary: tuple[Path, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fail_on: str | None = None
    lang: str | None = None
    group_by: str | None = None
    waivers: Path | None = None
    baseline: Path | None = None
    verdict: Mapping[str, Any] = field(default_factory=dict)  # the verdict policy (see auditor.verdicts)
    opinion: Mapping[str, Any] = field(default_factory=dict)  # issuer, reviewer, deadline of the 审核意见
    source: Path | None = None
    # Where each key was written (YAML lines), and the TOML table the keys sit in.
    locations: Mapping[KeyPath, int] = field(default_factory=dict, compare=False, repr=False)
    table: str = field(default="", compare=False, repr=False)

    def error(self, at: KeyPath, message: str) -> ConfigError:
        """A ``ConfigError`` located at a key of this configuration."""
        key = key_text(at, self.table)
        return ConfigError(self.source or "<config>", f"{key}: {message}", nearest_line(self.locations, at), key)


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Finding and loading
# ---------------------------------------------------------------------------------------------


def _has_tool_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml configures budget-audit (a textual check without tomllib)."""
    try:
        text = pyproject.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    toml = _toml()
    if toml is not None:
        try:
            tool = toml.loads(text).get("tool")
            return isinstance(tool, dict) and TOOL_TABLE in tool
        except toml.TOMLDecodeError:
            pass  # let load_config report the syntax error if the table seems to be there
    return re.search(r'^\s*\[\s*tool\s*\.\s*"?budget-audit"?\s*[\].]', text, re.MULTILINE) is not None


def find_config(start: Path | None = None) -> Path | None:
    """The configuration file that applies in ``start`` (default: the current directory)."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT_NAME
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def _read_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
        data, lines = load_yaml(text)
    except OSError as error:
        raise ConfigError(path, f"无法读取 / cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "不是 UTF-8 文本 / not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(path, f"YAML 语法错误 / YAML syntax: {problem}", mark.line + 1 if mark else None) from None
    return ({} if data is None else data), lines


def _read_toml(path: Path) -> Any:
    toml = _toml()
    if toml is None:  # pragma: no cover - Python 3.10 without tomli
        raise ConfigError(path, NEEDS_TOML)
    try:
        document = toml.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ConfigError(path, f"无法读取 / cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "不是 UTF-8 文本 / not UTF-8 text") from None
    except toml.TOMLDecodeError as error:
        match = re.search(r"at line (\d+)", str(error))
        raise ConfigError(path, f"TOML 语法错误 / TOML syntax: {error}", int(match.group(1)) if match else None) from None
    tool = document.get("tool")
    if not isinstance(tool, dict) or TOOL_TABLE not in tool:
        raise ConfigError(path, f"没有 [tool.{TOOL_TABLE}] 表 / no [tool.{TOOL_TABLE}] table")
    return tool[TOOL_TABLE]


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """The configuration of a run: the explicit ``path``, else the file found from ``start`` (or
    the current directory), else the defaults."""
    if path is None:
        path = find_config(start)
        if path is None:
            return Config()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(path, "配置文件不存在 / no such config file")
    if path.suffix.lower() == ".toml":
        data, lines, table = _read_toml(path), {}, f"tool.{TOOL_TABLE}"
    else:
        (data, lines), table = _read_yaml(path), ""
    source = path.resolve()

    def fail(at: KeyPath, message: str) -> ConfigError:
        key = key_text(at, table)
        return ConfigError(path, f"{key}: {message}", nearest_line(lines, at), key)

    for dashed, key in (("fail-on", "fail_on"), ("group-by", "group_by")):  # TOML spellings
        if isinstance(data, dict) and dashed in data:
            if key in data:
                raise fail((dashed,), f"与 {key} 重复 / given twice ({key} and {dashed})")
            data = {(key if k == dashed else k): v for k, v in data.items()}
            if (dashed,) in lines:
                lines[(key,)] = lines[(dashed,)]
    problem = first_schema_error(config_schema(), data, lines)
    if problem is not None:
        raise fail(*problem)

    base = source.parent

    def resolve(value: str) -> Path:
        return (base / Path(value).expanduser()).resolve()

    rules = tuple(resolve(p) for p in data.get("rules", []))
    for i, rule_path in enumerate(rules):
        if not rule_path.exists():
            raise fail(("rules", i), f"规则文件或目录不存在：{rule_path} / no such rule file or folder: {rule_path}")
    layouts = tuple(resolve(p) for p in data.get("layouts", []))
    for i, layout_path in enumerate(layouts):
        if not layout_path.exists():
            raise fail(("layouts", i), f"版式文件或目录不存在：{layout_path} / no such layout file or folder: {layout_path}")
    vocabulary = tuple(resolve(p) for p in data.get("vocabulary", []))
    for i, vocabulary_path in enumerate(vocabulary):
        if not vocabulary_path.is_file():
            raise fail(("vocabulary", i), f"指标词表文件不存在：{vocabulary_path} / no such vocabulary file: {vocabulary_path}")
    return Config(
        select=tuple(data.get("select", [])),
        ignore=tuple(data.get("ignore", [])),
        rules=rules,
        layouts=layouts,
        vocabulary=vocabulary,
        severity=dict(data.get("severity", {})),
        params={name: dict(values) for name, values in data.get("params", {}).items()},
        fail_on=data.get("fail_on"),
        lang=data.get("lang"),
        group_by=data.get("group_by"),
        waivers=resolve(data["waivers"]) if "waivers" in data else None,
        baseline=resolve(data["baseline"]) if "baseline" in data else None,
        verdict=dict(data.get("verdict", {})),
        opinion=dict(data.get("opinion", {})),
        source=source,
        locations=lines,
        table=table,
    )


# ---------------------------------------------------------------------------------------------
# Applying a configuration to a rule set
# ---------------------------------------------------------------------------------------------


def _unknown_rules(index: Mapping[str, Rule], names: Iterable[tuple[str, KeyPath | None]], config: Config) -> ConfigError | None:
    missing = [(name, at) for name, at in names if name not in index]
    if not missing:
        return None
    shown_zh, shown_en = [], []
    for name in dict.fromkeys(name for name, _ in missing):
        hint = difflib.get_close_matches(name, list(index), n=1)
        shown_zh.append(f"{name}（是否为 {hint[0]}？）" if hint else name)
        shown_en.append(f"{name} (did you mean {hint[0]}?)" if hint else name)
    message = (
        f"未知的规则：{'、'.join(shown_zh)}；用 `budget-audit rules list` 查看规则 / "
        f"unknown rule id(s): {', '.join(shown_en)}; see `budget-audit rules list`"
    )
    in_file = [at for _, at in missing if at is not None]
    if in_file:
        return config.error(in_file[0], message)
    return ConfigError("命令行 / command line", message, key="--select/--ignore")


def _per_rule(index: Mapping[str, Rule], config: Config, section: str, values: Mapping[str, Any]) -> dict[str, tuple[Any, KeyPath]]:
    """Overrides keyed by canonical rule id; naming one rule twice (id and alias) is an error."""
    resolved: dict[str, tuple[Any, KeyPath]] = {}
    for name, value in values.items():
        rule_id = index[name].id
        if rule_id in resolved:
            raise config.error((section, name), f"规则 {rule_id} 已在 {resolved[rule_id][1][-1]} 处配置 / rule {rule_id} is already configured as {resolved[rule_id][1][-1]}")
        resolved[rule_id] = (value, (section, name))
    return resolved


def apply_config(ruleset: RuleSet, config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[Rule]:
    """The rules to run, in rule-set order, with the configured severities and parameters.

    Command-line ``select``/``ignore`` add to the configured ones; ``ignore`` wins over
    ``select``; no selection at all means every rule. Every name may be an id or an alias; an
    unknown name raises ``ConfigError`` naming it (located in the file when it comes from it).
    """
    index = ruleset.by_id()
    names: list[tuple[str, KeyPath | None]] = [
        *((name, ("select", i)) for i, name in enumerate(config.select)),
        *((name, ("ignore", i)) for i, name in enumerate(config.ignore)),
        *((name, ("severity", name)) for name in config.severity),
        *((name, ("params", name)) for name in config.params),
        *((name, ("verdict", "reject_rules", i)) for i, name in enumerate(config.verdict.get("reject_rules", ()))),
        *((name, None) for name in (*select, *ignore)),
    ]
    problem = _unknown_rules(index, names, config)
    if problem is not None:
        raise problem
    severities = _per_rule(index, config, "severity", config.severity)
    params = _per_rule(index, config, "params", config.params)
    for rule_id, (values, at) in params.items():
        declared = dict(index[rule_id].raw.get("params") or {})
        for name in values:
            if name not in declared:
                known = ", ".join(declared) or "—"
                raise config.error(at + (name,), f"规则 {rule_id} 没有参数“{name}”（可用：{known}）/ rule {rule_id} has no parameter {name!r} (declared: {known})")

    selected = {index[name].id for name in (*config.select, *select)}
    ignored = {index[name].id for name in (*config.ignore, *ignore)}
    rules: list[Rule] = []
    for rule in ruleset.rules:
        if (selected and rule.id not in selected) or rule.id in ignored:
            continue
        severity = severities.get(rule.id, (None, ()))[0]
        overrides, at = params.get(rule.id, (None, ("params",)))
        try:
            rules.append(with_overrides(rule, severity=severity, params=overrides))
        except RuleFileError as error:
            raise config.error(at, f"参数无法使用 / parameters cannot be used: {error.message}") from None
        except (ValueError, TypeError) as error:
            raise config.error(at, f"参数无法使用 / parameters cannot be used: {error}") from None
    return rules


def verdict_settings(ruleset: RuleSet, config: Config) -> dict[str, Any]:
    """The configured verdict policy with ``reject_rules`` as canonical rule ids (the names were
    checked by ``apply_config``)."""
    settings = dict(config.verdict)
    if "reject_rules" in settings:
        index = ruleset.by_id()
        settings["reject_rules"] = [index[name].id for name in settings["reject_rules"]]
    return settings
