"""Waivers: exceptions a reviewer has accepted, kept in a YAML file beside the drafts.

A waived finding is still reported, marked with the waiver's reason (``Finding.waived``); it does
not count toward the exit code. A waiver past its ``expires`` date waives nothing and is reported
as expired; a live waiver that matches no finding is reported as unused, so the file does not rot.

Every scalar of a waiver file is read as text: ``expires: 2027-03-31`` is parsed by us (not by
YAML), and a numeric project code keeps its leading zeros.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from auditor.datafile import LocatedError, first_schema_error, key_text, load_yaml, nearest_line
from auditor.findings import DocumentResult, Finding, ProjectRef
from auditor.resources import resource_path

SCHEMA_PATH = resource_path("rules", "waivers.schema.json")


class WaiverError(LocatedError):
    """A waiver file that cannot be used: ``str(error)`` is ``path:line: message``."""


@dataclass(frozen=True)
class Waiver:
    """One accepted exception. ``project``, ``file`` and ``field`` narrow it; absent, they match
    anything (a waiver without ``project`` also matches findings about the draft as a whole)."""

    rule: str
    reason: str
    project: str | None = None
    file: str | None = None
    field: str | None = None
    expires: datetime.date | None = None
    by: str | None = None
    line: int | None = None
    source: str = ""  # the waiver file, as shown to the user

    def live(self, today: datetime.date) -> bool:
        """Whether the waiver applies on ``today`` (the ``expires`` day itself included)."""
        return self.expires is None or today <= self.expires

    def matches(self, finding: Finding, rule_id: str | None = None) -> bool:
        """Whether the waiver covers a finding; ``rule_id`` is the waiver's rule resolved to its
        canonical id (default: the rule as written)."""
        return (
            finding.rule == (rule_id or self.rule)
            and _project_matches(self.project, finding.project)
            and (self.file is None or _file_matches(self.file, finding.path))
            and (self.field is None or _field_pattern(self.field).fullmatch(finding.field) is not None)
        )


@dataclass(frozen=True)
class WaiverNotice:
    """Something to tell the reviewer about a waiver: ``expired`` or ``unused``."""

    kind: Literal["expired", "unused"]
    waiver: Waiver
    message: dict[str, str]  # {"zh": …, "en": …}


def _project_matches(wanted: str | None, project: ProjectRef | None) -> bool:
    if wanted is None:
        return True
    if project is None:
        return False
    wanted = wanted.strip()
    return wanted in {(project.code or "").strip(), project.name.strip()} - {""}


def _plain_path(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _file_matches(pattern: str, path: str) -> bool:
    """fnmatch on the path as shown (``/`` separators, no leading ``./``); a pattern without
    ``/`` may also match the file name alone."""
    pattern, path = _plain_path(pattern.strip()), _plain_path(path)
    if fnmatch.fnmatchcase(path, pattern):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)


@lru_cache(maxsize=256)
def _field_pattern(pattern: str) -> re.Pattern[str]:
    """A field glob: ``*`` any text, ``?`` one character, everything else literal — so
    ``indicators[*].value`` matches ``indicators[3].value`` (and the collapsed ``indicators[*].value``)."""
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern.strip()]
    return re.compile("".join(parts), re.DOTALL)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _text_loader() -> type:
    """A YAML loader for which plain scalars are text; only an empty value (or ``null``/``~``)
    is null. Made on first use: PyYAML is not imported at start-up."""
    import yaml

    class TextLoader(yaml.SafeLoader):
        yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

    return TextLoader


@lru_cache(maxsize=1)
def waivers_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _shown(path: Path) -> str:
    """The path as the user will recognise it: relative to the current directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load_waivers(path: Path) -> list[Waiver]:
    """Read and validate a waiver file (``rules/waivers.schema.json``)."""
    import yaml

    path = Path(path)
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data, lines = load_yaml(text, _text_loader())
    except FileNotFoundError:
        raise WaiverError(shown, "豁免清单不存在 / no such waiver file") from None
    except OSError as error:
        raise WaiverError(shown, f"无法读取 / cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise WaiverError(shown, "不是 UTF-8 文本 / not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise WaiverError(shown, f"YAML 语法错误 / YAML syntax: {problem}", mark.line + 1 if mark else None) from None
    if data is None:
        return []
    problem = first_schema_error(waivers_schema(), data, lines)
    if problem is not None:
        at, message = problem
        raise WaiverError(shown, f"{key_text(at)}: {message}", nearest_line(lines, at))
    waivers = []
    for i, raw in enumerate(data["waivers"]):
        expires = None
        if "expires" in raw:
            try:
                expires = datetime.date.fromisoformat(raw["expires"])
            except ValueError:
                at = ("waivers", i, "expires")
                raise WaiverError(shown, f"{key_text(at)}: “{raw['expires']}”不是有效日期 / not a valid date", nearest_line(lines, at)) from None
        waivers.append(
            Waiver(
                rule=raw["rule"].strip(),
                reason=raw["reason"].strip(),
                project=raw["project"].strip() if "project" in raw else None,
                file=raw.get("file"),
                field=raw.get("field"),
                expires=expires,
                by=raw.get("by"),
                line=lines.get(("waivers", i)),
                source=shown,
            )
        )
    return waivers


# ---------------------------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------------------------


def _describe(waiver: Waiver) -> tuple[str, str]:
    zh = [f"{waiver.source} 第{waiver.line}行" if waiver.line else waiver.source, waiver.rule]
    en = [f"{waiver.source} line {waiver.line}" if waiver.line else waiver.source, waiver.rule]
    for value, label_zh, label_en in ((waiver.project, "项目", "project"), (waiver.file, "文件", "file"), (waiver.field, "字段", "field")):
        if value:
            zh.append(f"{label_zh} {value}")
            en.append(f"{label_en} {value}")
    return " ".join(zh), ", ".join(en)


def notice(kind: Literal["expired", "unused"], waiver: Waiver) -> WaiverNotice:
    """A notice with its zh-CN and en messages."""
    zh, en = _describe(waiver)
    if kind == "expired":
        message = {"zh": f"豁免已过期（{waiver.expires}）：{zh}", "en": f"waiver expired on {waiver.expires}: {en}"}
    else:
        message = {"zh": f"豁免未匹配任何问题，可删除：{zh}", "en": f"waiver matched no finding (remove it?): {en}"}
    return WaiverNotice(kind, waiver, message)


@dataclass
class WaiverSet:
    """The waivers of a run, applied draft by draft (the run streams drafts); the notices come
    once every draft has been seen."""

    waivers: Sequence[Waiver]
    today: datetime.date
    resolve: Callable[[str], str] | None = None
    used: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        live = [k for k, waiver in enumerate(self.waivers) if waiver.live(self.today)]
        self._rule_ids = {k: self.resolve(self.waivers[k].rule) if self.resolve else self.waivers[k].rule for k in live}

    def apply(self, result: DocumentResult) -> None:
        """Mark, in place, every finding of one draft that a live waiver covers with
        ``waived=<reason>`` (the first matching waiver in file order gives the reason)."""
        for i, finding in enumerate(result.findings):
            for k, rule_id in self._rule_ids.items():
                if self.waivers[k].matches(finding, rule_id):
                    self.used.add(k)
                    if result.findings[i].waived is None:
                        result.findings[i] = replace(finding, waived=self.waivers[k].reason)

    def notices(self) -> list[WaiverNotice]:
        """In waiver order: expired waivers (which waive nothing) and live ones that matched
        nothing."""
        notices = []
        for k, waiver in enumerate(self.waivers):
            if k not in self._rule_ids:
                notices.append(notice("expired", waiver))
            elif k not in self.used:
                notices.append(notice("unused", waiver))
        return notices


def apply_waivers(
    results: list[DocumentResult],
    waivers: Sequence[Waiver],
    today: datetime.date,
    resolve: Callable[[str], str] | None = None,
) -> list[WaiverNotice]:
    """Apply waivers to a whole run at once (see ``WaiverSet``) and return the notices."""
    waiver_set = WaiverSet(waivers, today, resolve)
    for result in results:
        waiver_set.apply(result)
    return waiver_set.notices()
