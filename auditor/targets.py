"""What a rule runs over: the targets of each scope, with the names a rule can use.

A rule's ``scope`` names one of the target kinds below. Each target carries the object itself,
the project and document around it, the field path findings will name, and ``env``: the mapping
of names that ``where``/``assert`` expressions and message placeholders read.

| scope | one target per | names in ``env`` |
| --- | --- | --- |
| ``document`` | draft | ``document`` + its fields (``year``, ``projects``, ``sections`` …) |
| ``project`` | project table | ``project`` + its fields (``code``, ``budget``, ``goals``, ``policy_basis``, ``duration_years`` …; None where the form has no such field), ``document`` |
| ``spending_plan`` | project table | ``plan`` (null when absent), ``points``, ``unit``, ``budget``, ``project``, ``document`` |
| ``indicator`` | indicator row (project rows and the department table) not declared not to apply | the row's fields (``level1`` … ``value``, ``basis``), ``indicator``, ``project``, ``document`` |
| ``goal`` | 绩效目标 item | ``text``, ``number``, ``goal``, ``project``, ``document`` |
| ``text`` | every piece of free text (not the cells of a row declared not to apply) | ``text``, ``kind`` (purpose, goal, description, value, basis, level3, section, heading, policy_basis, calculation_basis, long_term_goal), ``project``, ``document`` |
| ``run`` | the run: each draft against the drafts before it | — (the check's own ``signature`` and ``cross``) |
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from auditor.model import PROJECT_HEADER_FIELDS, PROJECT_TEXT_FIELDS, Document, Indicator, Location, Project, TextItem

SCOPES = ("document", "project", "spending_plan", "indicator", "goal", "text")
RUN_SCOPE = "run"  # rules that compare drafts with each other (see ``Engine.finish``)

# The names of a target's content, per scope: a rule that reads only these reaches the same
# verdict for every target whose values of them are the same (see ``Engine``'s memo).
CONTENT_NAMES: dict[str, frozenset[str]] = {
    "indicator": frozenset({"level1", "level2", "level3", "description", "value", "basis", "year"}),
    "goal": frozenset({"text", "number", "year"}),
    "text": frozenset({"text", "kind", "year"}),
}
# The name holding what a finding quotes when its rule names no evidence (``default_evidence``).
EVIDENCE_NAMES: dict[str, str] = {
    "indicator": "value", "goal": "text", "text": "text", "project": "display_name", "spending_plan": "header",
}


@dataclass(slots=True)
class Target:
    """One thing a rule looks at."""

    scope: str
    obj: Any
    document: Document
    project: Project | None
    field: str  # field path of the target ("indicators[3]", "goals[1]", "purpose", "")
    loc: Location
    env: dict[str, Any] = field(default_factory=dict)


def project_env(project: Project) -> dict[str, Any]:
    return {
        "project": project,
        "index": project.index,
        "heading": project.heading,
        "toc_field": project.toc_field,
        "code": project.code,
        "name": project.name,
        "display_name": project.display_name,
        "money_unit": project.money_unit,
        "budget": project.budget,
        "purpose": project.purpose.text if project.purpose else None,
        "spending_plan": project.spending_plan,
        "goals": project.goals,
        "indicators": project.indicators,
        **{name: getattr(project, name) for name in PROJECT_HEADER_FIELDS},
        **{name: _text_of(getattr(project, name)) for name in PROJECT_TEXT_FIELDS},
    }


def _text_of(item: TextItem | None) -> str | None:
    """A text field's text; None when the form has no such field (absent, not empty)."""
    return None if item is None else item.text


def document_env(doc: Document) -> dict[str, Any]:
    return {
        "document": doc,
        "year": doc.year,
        "department": doc.department,
        "department_code": doc.department_code,
        "projects": doc.projects,
        "sections": doc.sections,
        "overall_goals": doc.overall_goals,
        "area_goals": doc.area_goals,
        "safeguards": doc.safeguards,
        "department_indicators": doc.department_indicators,
        "toc": doc.toc,
    }


def indicator_env(indicator: Indicator, project: Project | None, doc: Document, row: int) -> dict[str, Any]:
    return {
        "indicator": indicator,
        "level1": indicator.level1,
        "level2": indicator.level2,
        "level3": indicator.level3,
        "description": indicator.description,
        "value": indicator.value,
        "basis": indicator.basis,
        "row": row,
        "project": project,
        "budget": project.budget if project else None,
        "document": doc,
        "year": doc.year,
    }


def iter_targets(doc: Document, scope: str) -> Iterator[Target]:
    """All targets of one scope in document order."""
    if scope == "document":
        yield Target("document", doc, doc, None, "", Location(line=1), document_env(doc))
    elif scope == "project":
        for p in doc.projects:
            yield Target("project", p, doc, p, "", p.loc, {**project_env(p), "document": doc, "year": doc.year})
    elif scope == "spending_plan":
        for p in doc.projects:
            plan = p.spending_plan
            env = {
                "plan": plan,
                "points": plan.points if plan else None,
                "unit": plan.unit if plan else None,
                "header": plan.header if plan else None,
                "budget": p.budget,
                "project": p,
                "document": doc,
                "year": doc.year,
            }
            yield Target("spending_plan", plan, doc, p, "spending_plan", plan.loc if plan else p.loc, env)
    elif scope == "indicator":
        for i, row in enumerate(doc.department_indicators):
            if row.not_applicable:
                continue
            yield Target("indicator", row, doc, None, f"department_indicators[{i}]", row.loc, indicator_env(row, None, doc, i))
        for p in doc.projects:
            for i, row in enumerate(p.indicators):
                if not row.not_applicable:
                    yield Target("indicator", row, doc, p, f"indicators[{i}]", row.loc, indicator_env(row, p, doc, i))
    elif scope == "goal":
        for p in doc.projects:
            for i, goal in enumerate(p.goals):
                env = {"goal": goal, "text": goal.text, "number": goal.number, "project": p, "document": doc, "year": doc.year}
                yield Target("goal", goal, doc, p, f"goals[{i}]", goal.loc, env)
    elif scope == "text":
        yield from _text_targets(doc)
    else:
        raise ValueError(f"unknown scope {scope!r}")


def _text(doc: Document, project: Project | None, kind: str, field_path: str, text: str, loc: Location) -> Target:
    env = {"text": text, "kind": kind, "project": project, "document": doc, "year": doc.year}
    return Target("text", text, doc, project, field_path, loc, env)


def _text_targets(doc: Document) -> Iterator[Target]:
    for s, section in enumerate(doc.sections):
        for i, item in enumerate(section.items):
            yield _text(doc, None, "section", f"sections[{s}].items[{i}]", item.text, item.loc)
    for p in doc.projects:
        if p.heading:
            yield _text(doc, p, "heading", "heading", p.heading, p.loc)
        if p.purpose and p.purpose.text:
            yield _text(doc, p, "purpose", "purpose", p.purpose.text, p.purpose.loc)
        for kind in ("policy_basis", "calculation_basis", "long_term_goal"):
            item = getattr(p, kind)
            if item is not None and item.text:
                yield _text(doc, p, kind, kind, item.text, item.loc)
        for i, goal in enumerate(p.goals):
            yield _text(doc, p, "goal", f"goals[{i}]", goal.text, goal.loc)
        for i, row in enumerate(p.indicators):
            if row.not_applicable:
                continue
            for name in ("level3", "description", "value", "basis"):
                text = row.value.raw if name == "value" else getattr(row, name)
                if text:
                    yield _text(doc, p, name, f"indicators[{i}].{name}", text, row.loc_of(name))
