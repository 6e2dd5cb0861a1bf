"""``coverage``: indicator categories a project table must have.

Parameter ``groups``: a list of ``{category, aliases?, require_all?, require_any?}`` where
``category`` is a 一级指标 (``产出``, ``效益`` — ``指标`` is dropped before comparing, and
``aliases`` lists older names such as ``效果``), ``require_all`` lists 二级指标 that must all be
present (each ``{name, aliases?, since?, level1_ok?}``: ``since`` is the first budget year the
requirement applies to; ``level1_ok`` accepts the name as a 一级指标 too, as 101号 writes 成本),
and ``require_any`` lists names of which at least one must be present. A requirement's ``when``
is an expression the project must satisfy for it to apply (``project_kind(project) ==
"public_service"``).

Parameter ``declared`` (default ``false``) turns the check to the rows a form lets departments
mark 不适用: it then reports only categories that are present but whose every row is declared not
to apply, where the category must be set (absent categories are the default mode's business).
A table without indicators is not checkable (``project-empty`` reports it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, NotCheckable
from auditor.domain import category
from auditor.glossary import categories_en, category_en
from auditor.expr import truthy
from auditor.model import Indicator
from auditor.targets import Target


@dataclass(frozen=True)
class Requirement:
    name: str
    names: frozenset[str]
    since: int | None = None
    level1_ok: bool = False
    when: Any = None  # an Expression over the project's env, or None (always)

    def applies(self, year: int | None, env: Mapping[str, Any]) -> bool:
        if self.since is not None and year is not None and year < self.since:
            return False
        return self.when is None or truthy(self.when.evaluate(env))


@dataclass(frozen=True)
class Group:
    category: str
    names: frozenset[str]
    require_all: tuple[Requirement, ...]
    require_any: tuple[Requirement, ...]


@dataclass(frozen=True)
class CoverageCheck:
    groups: tuple[Group, ...]
    declared: bool = False

    def run(self, target: Target) -> Iterator[Hit]:
        project = target.project
        if project is None or not project.indicators:
            raise NotCheckable("indicators")
        if self.declared:
            yield from self._declared_not_applicable(project.indicators, target)
            return
        year = target.document.year
        level1, present = _categories(project.indicators)
        loc = project.loc_of("indicators")
        for group in self.groups:
            found = set().union(*(present.get(name, set()) for name in group.names))
            has_group = bool(group.names & level1)
            # a category missing under a 一级 category the table has is located at that category's
            # first 一级指标 cell, where the department would add it; a whole group missing, at the table
            at = _group_start(project.indicators, group) if has_group else loc
            for req in group.require_all:
                if not req.applies(year, target.env):
                    continue
                if req.names & found or (req.level1_ok and req.names & level1):
                    continue
                yield _hit(group, req.name, "missing" if has_group else "group_missing", at, year, req.since)
            if group.require_any and not any(r.names & found for r in group.require_any):
                names = "、".join(r.name for r in group.require_any)
                yield _hit(group, names, "any" if has_group else "group_missing", at, year, None)

    def _declared_not_applicable(self, rows: list[Indicator], target: Target) -> Iterator[Hit]:
        """Required categories whose rows are all declared not to apply, once per category (or
        once per group for ``require_any``), located at the first such row."""
        if not any(r.not_applicable for r in rows):
            return
        year = target.document.year
        _, present = _categories(rows)
        _, real = _categories([r for r in rows if not r.not_applicable])
        for group in self.groups:
            declared = set().union(*(present.get(name, set()) for name in group.names))
            set_ = set().union(*(real.get(name, set()) for name in group.names))
            for req in group.require_all:
                if req.applies(year, target.env) and req.names & declared and not req.names & set_:
                    yield _declared_hit(group, req.name, "all", _first(rows, group, req.names), year)
            anys = [r for r in group.require_any if r.applies(year, target.env)]
            wanted = frozenset().union(*(r.names for r in anys))
            if anys and wanted & declared and not wanted & set_:
                names = "、".join(r.name for r in anys)
                yield _declared_hit(group, names, "any", _first(rows, group, wanted), year)


def _categories(rows: list[Indicator]) -> tuple[set[str], dict[str, set[str]]]:
    """The 一级 categories of the rows, and the 二级 categories under each."""
    present: dict[str, set[str]] = {}
    for row in rows:
        present.setdefault(category(row.level1), set()).add(category(row.level2))
    return {category(r.level1) for r in rows}, present


def _group_start(rows: list[Indicator], group: Group) -> Any:
    """The 一级指标 cell of the group's first row (a merged cell's value is in its first row)."""
    row = next(r for r in rows if category(r.level1) in group.names)
    return row.loc_of("level1")


def _first(rows: list[Indicator], group: Group, names: frozenset[str]) -> Indicator:
    return next(r for r in rows if category(r.level1) in group.names and category(r.level2) in names)


def _declared_hit(group: Group, name: str, case: str, row: Indicator, year: int | None) -> Hit:
    marker = row.value.raw.strip() or row.level3
    return Hit(
        evidence=f"{name}：{marker}",  # the category too: one finding per category, not per marker
        field=f"indicators.{group.category}.{name}",
        loc=row.loc_of("value"),
        case=case,
        data={"category": group.category, "missing": name, "year": year, "marker": marker, **_english(group.category, name)},
    )


def _hit(group: Group, name: str, case: str, loc: Any, year: int | None, since: int | None) -> Hit:
    return Hit(
        evidence=name,
        field=f"indicators.{group.category}.{name}",
        loc=loc,
        case=case,
        data={"category": group.category, "missing": name, "year": year, "since": since, **_english(group.category, name)},
    )


def _english(category: str, missing: str) -> dict[str, str]:
    return {"category_en": category_en(category), "missing_en": categories_en(missing)}


def _requirement(raw: Any, compile_expression: Any) -> Requirement:
    if isinstance(raw, str):
        raw = {"name": raw}
    names = {category(raw["name"]), *(category(a) for a in raw.get("aliases", []))}
    when = compile_expression(raw["when"]) if raw.get("when") else None
    return Requirement(raw["name"], frozenset(names), raw.get("since"), bool(raw.get("level1_ok")), when)


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
                require_all=tuple(_requirement(r, compile_expression) for r in raw.get("require_all", [])),
                require_any=tuple(_requirement(r, compile_expression) for r in raw.get("require_any", [])),
            )
        )
    if not groups:
        raise CheckConfigError("`groups` must not be empty")
    return CoverageCheck(tuple(groups), bool(params.get("declared", False)))
