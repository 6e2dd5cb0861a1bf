"""``coverage``: indicator categories a project table must have.

Parameter ``groups``: a list of ``{category, aliases?, require_all?, require_any?}`` where
``category`` is a 一级指标 (``产出``, ``效益`` — ``指标`` is dropped before comparing, and
``aliases`` lists older names such as ``效果``), ``require_all`` lists 二级指标 that must all be
present (each ``{name, aliases?, since?, level1_ok?}``: ``since`` is the first budget year the
requirement applies to; ``level1_ok`` accepts the name as a 一级指标 too, as 101号 writes 成本),
and ``require_any`` lists names of which at least one must be present.
A table without indicators is not checkable (``project-empty`` reports it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, NotCheckable
from auditor.domain import category
from auditor.targets import Target


@dataclass(frozen=True)
class Requirement:
    name: str
    names: frozenset[str]
    since: int | None = None
    level1_ok: bool = False


@dataclass(frozen=True)
class Group:
    category: str
    names: frozenset[str]
    require_all: tuple[Requirement, ...]
    require_any: tuple[Requirement, ...]


@dataclass(frozen=True)
class CoverageCheck:
    groups: tuple[Group, ...]

    def run(self, target: Target) -> Iterator[Hit]:
        project = target.project
        if project is None or not project.indicators:
            raise NotCheckable("indicators")
        year = target.document.year
        level1 = {category(i.level1) for i in project.indicators}
        present: dict[str, set[str]] = {}
        for row in project.indicators:
            present.setdefault(category(row.level1), set()).add(category(row.level2))
        loc = project.loc_of("indicators")
        for group in self.groups:
            found = set().union(*(present.get(name, set()) for name in group.names))
            has_group = bool(group.names & level1)
            for req in group.require_all:
                if req.since is not None and year is not None and year < req.since:
                    continue
                if req.names & found or (req.level1_ok and req.names & level1):
                    continue
                yield _hit(group, req.name, "missing" if has_group else "group_missing", loc, year, req.since)
            if group.require_any and not any(r.names & found for r in group.require_any):
                names = "、".join(r.name for r in group.require_any)
                yield _hit(group, names, "any" if has_group else "group_missing", loc, year, None)


def _hit(group: Group, name: str, case: str, loc: Any, year: int | None, since: int | None) -> Hit:
    return Hit(
        evidence=name,
        field=f"indicators.{group.category}.{name}",
        loc=loc,
        case=case,
        data={"category": group.category, "missing": name, "year": year, "since": since},
    )


def _requirement(raw: Any) -> Requirement:
    if isinstance(raw, str):
        raw = {"name": raw}
    names = {category(raw["name"]), *(category(a) for a in raw.get("aliases", []))}
    return Requirement(raw["name"], frozenset(names), raw.get("since"), bool(raw.get("level1_ok")))


def build(params: Mapping[str, Any], compile_expression: Any) -> CoverageCheck:
    groups = []
    for raw in params.get("groups") or []:
        if not raw.get("require_all") and not raw.get("require_any"):
            raise CheckConfigError(f"group {raw.get('category')!r} requires nothing")
        names = frozenset({category(raw["category"]), *(category(a) for a in raw.get("aliases", []))})
        groups.append(
            Group(
                category=category(raw["category"]),
                names=names,
                require_all=tuple(_requirement(r) for r in raw.get("require_all", [])),
                require_any=tuple(_requirement(r) for r in raw.get("require_any", [])),
            )
        )
    if not groups:
        raise CheckConfigError("`groups` must not be empty")
    return CoverageCheck(tuple(groups))
