"""Run a rule set over documents: one walk per scope, every rule of that scope on each target.

For each target a rule's ``requires`` name fields the target must have (otherwise the target is
*not checkable*, an outcome of its own); its ``where`` decides whether it applies; then its check
runs and each hit becomes a ``Finding`` with both languages' message and suggestion filled in.
Findings come out in a stable order, so the same input gives the same bytes out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.checks.base import Hit, NotCheckable
from auditor.expr import truthy
from auditor.findings import DocumentResult, Finding, ProjectFacts, ProjectRef, RuleOutcome
from auditor.messages import Message
from auditor.model import Document, Location, Project
from auditor.rules import Rule, RuleSet
from auditor.targets import SCOPES, Target, iter_targets

LANGS = ("zh", "en")


@dataclass
class Engine:
    """A rule set ready to run; build once, audit many documents."""

    rules: list[Rule]
    by_scope: dict[str, list[Rule]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_scope = defaultdict(list)
        for rule in self.rules:
            self.by_scope[rule.scope].append(rule)

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> Engine:
        return cls(list(ruleset.rules))

    def audit(self, doc: Document) -> DocumentResult:
        result = DocumentResult(doc.path, doc.department, doc.year, len(doc.projects))
        outcomes = {rule.id: RuleOutcome() for rule in self.rules}
        found: dict[str, list[Finding]] = defaultdict(list)
        for scope in SCOPES:
            rules = self.by_scope.get(scope)
            if not rules:
                continue
            for target in iter_targets(doc, scope):
                for rule in rules:
                    found[rule.id].extend(self._apply(rule, target, outcomes[rule.id]))
        for rule in self.rules:
            findings = collapse(rule, found[rule.id]) if rule.collapse else found[rule.id]
            outcomes[rule.id].findings = len(findings)
            result.findings.extend(findings)
        result.findings.sort(key=finding_order)
        result.outcomes = outcomes
        result.facts = [project_facts(p) for p in doc.projects]
        return result

    def _apply(self, rule: Rule, target: Target, outcome: RuleOutcome) -> Iterable[Finding]:
        env = target.env
        for path, expression in rule.requires:
            if _absent(expression.evaluate(env)):
                outcome.add_not_checkable(path)
                return ()
        if rule.where is not None and not truthy(rule.where.evaluate(env)):
            return ()
        try:
            hits = list(rule.check.run(target))
        except NotCheckable as missing:
            outcome.add_not_checkable(missing.reason)
            return ()
        outcome.checked += 1
        return [make_finding(rule, target, hit) for hit in hits]


def _absent(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) == 0
    return getattr(value, "value", 0) is None  # an Amount without a number


def join_field(base: str, sub: str) -> str:
    if not base:
        return sub
    if not sub:
        return base
    return f"{base}.{sub}"


def target_data(target: Target) -> dict[str, Any]:
    """Placeholders every message may use, whatever the check."""
    data: dict[str, Any] = {"year": target.document.year, "project": "部门整体"}
    project = target.project
    if project is not None:
        data.update(project=project.display_name, code=project.code or "", index=project.index)
        if project.budget is not None:
            data["budget_total"] = project.budget.total.raw + (project.money_unit or "")
    if target.scope == "indicator":
        row = target.obj
        value = row.value
        data.update(
            level1=row.level1,
            level2=row.level2,
            level3=row.level3,
            value=value.raw,
            description=row.description,
            basis=row.basis,
            op=value.op,
            number=value.number,
            unit=value.unit,
            tail=value.tail,
        )
    elif target.scope in ("goal", "text"):
        data["text"] = target.env.get("text")
    return data


def make_finding(rule: Rule, target: Target, hit: Hit) -> Finding:
    loc: Location = hit.loc or target.loc
    data = {**target_data(target), **hit.data, "evidence": hit.evidence, "line": loc.line, "at": loc}
    for name, expression in rule.data:
        data[name] = expression.evaluate(target.env)
    project = target.project
    return Finding(
        rule=rule.id,
        severity=rule.case_severity(hit.case),  # type: ignore[arg-type]
        dimension=rule.dimension,
        message=Message({lang: rule.case_text(hit.case, "message", lang) for lang in LANGS}, data),
        suggestion=Message({lang: rule.case_text(hit.case, "suggestion", lang) for lang in LANGS}, data),
        path=target.document.path,
        project=ProjectRef(project.index, project.code, project.display_name) if project else None,
        field=join_field(target.field, hit.field),
        line=loc.line,
        column=loc.column,
        ref=loc.ref,
        evidence=hit.evidence,
        data=data,
        context=finding_context(target, hit.field),
    )


INDEXED = re.compile(r"^(?P<list>indicators|goals)\[(?P<i>\d+)\]")


def finding_context(target: Target, hit_field: str) -> dict[str, Any] | None:
    """The draft text around a finding, as plain strings (see ``Finding.context``)."""
    project = target.project
    if target.scope == "indicator":
        return _row_context(target.obj)
    if target.scope == "spending_plan":
        return _schedule_context(project) if project else None
    if target.scope == "goal" and project is not None:
        return _goals_context(project, target.obj)
    if target.scope == "text":
        return {"type": "text", "kind": target.env.get("kind"), "text": target.obj}
    if target.scope == "project" and project is not None:
        match = INDEXED.match(hit_field)
        if match and match.group("list") == "indicators":
            return _row_context(project.indicators[int(match.group("i"))])
        if hit_field.startswith("goals"):
            return _goals_context(project, project.goals[int(match.group("i"))] if match else None)
        if hit_field.startswith("purpose") and project.purpose:
            return {"type": "text", "kind": "purpose", "text": project.purpose.text}
        if hit_field.startswith(("budget", "spending_plan")):
            return _schedule_context(project)
        if hit_field.startswith("indicators"):
            return {"type": "table", "rows": [_row_context(r)["cells"] for r in project.indicators]}
    if target.scope == "document" and hit_field.startswith("sections["):
        section = target.document.sections[int(hit_field[9 : hit_field.index("]")])]
        return {"type": "section", "heading": section.heading, "items": [i.text for i in section.items]}
    return None


def _row_context(row: Any) -> dict[str, Any]:
    cells = {name: getattr(row, name) for name in ("level1", "level2", "level3", "description", "basis")}
    cells["value"] = row.value.raw
    return {"type": "indicator", "line": row.loc.line, "cells": cells}


def _goals_context(project: Project, goal: Any) -> dict[str, Any]:
    return {
        "type": "goals",
        "items": [[g.number or "", g.text] for g in project.goals],
        "selected": next((i for i, g in enumerate(project.goals) if g is goal), None),
    }


def _schedule_context(project: Project) -> dict[str, Any]:
    plan, budget = project.spending_plan, project.budget
    return {
        "type": "schedule",
        "header": plan.header if plan else None,
        "points": [[p.label, p.raw] for p in plan.points] if plan else [],
        "budget": budget.total.raw if budget else None,
        "money_unit": project.money_unit,
    }


def project_facts(project: Project) -> ProjectFacts:
    budget, plan = project.budget, project.spending_plan
    return ProjectFacts(
        index=project.index,
        code=project.code,
        name=project.display_name,
        heading=project.heading,
        line=project.loc.line,
        money_unit=project.money_unit,
        budget=(budget.total.raw, budget.fiscal.raw, budget.other.raw) if budget else None,
        schedule_header=plan.header if plan else None,
        schedule=tuple((p.label, p.raw) for p in plan.points) if plan else (),
        goals=len(project.goals),
        indicators=len(project.indicators),
    )


def collapse(rule: Rule, findings: list[Finding]) -> list[Finding]:
    """Merge a rule's findings per project (or per document) into one that lists them all, for
    rules where the defect is the table's, not each row's (every 确定依据 empty)."""
    assert rule.collapse is not None
    by = rule.collapse.get("by", "project")
    groups: dict[Any, list[Finding]] = defaultdict(list)
    for finding in findings:
        key = finding.project.index if by == "project" and finding.project else None
        groups[key].append(finding)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        first = group[0]
        lines = [f.line for f in group if f.line is not None]
        places = [Location(line=f.line, column=f.column, ref=f.ref) for f in group]
        data = {
            **first.data,
            "count": len(group),
            "lines": lines,
            "first_line": lines[0] if lines else None,
            "ats": places,
            "first_at": places[0],
        }
        messages = rule.collapse.get("message", {})
        suggestions = rule.collapse.get("suggestion", {})
        merged.append(
            replace(
                first,
                message=Message({lang: messages.get(lang) or rule.case_text(None, "message", lang) for lang in LANGS}, data),
                suggestion=Message({lang: suggestions.get(lang) or rule.case_text(None, "suggestion", lang) for lang in LANGS}, data),
                field=_common_field(first.field),
                data=data,
            )
        )
    return merged


def _common_field(field_path: str) -> str:
    """``indicators[3].basis`` → ``indicators[*].basis``: a collapsed finding names the column."""
    return re.sub(r"\[\d+\]", "[*]", field_path)


def finding_order(finding: Finding) -> tuple:
    project = finding.project.index if finding.project else 0
    return (project, finding.line or 0, finding.column or 0, finding.rule, finding.field, finding.evidence)
