"""Run a rule set over documents: one walk per scope, every rule of that scope on each target.

For each target a rule's ``requires`` name fields the target must have (otherwise the target is
*not checkable*, an outcome of its own); its ``where`` decides whether it applies; then its check
runs and each hit becomes a ``Finding`` with both languages' message and suggestion filled in.
Findings come out in a stable order, so the same input gives the same bytes out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.checks.base import Hit, NotCheckable, field_loc
from auditor.domain import applicable
from auditor.expr import truthy
from auditor.findings import DocumentResult, Finding, ProjectFacts, ProjectRef, ReaderNote, RuleOutcome
from auditor.messages import LazyDict, Message
from auditor.model import Document, Location, Project
from auditor.rules import Rule, RuleSet
from auditor.targets import CONTENT_NAMES, SCOPES, Target, iter_targets

LANGS = ("zh", "en")


@dataclass
class Engine:
    """A rule set ready to run; build once, audit many documents."""

    rules: list[Rule]
    by_scope: dict[str, list[Rule]] = field(init=False)
    run_indexes: dict[str, Any] = field(init=False, default_factory=dict)  # run-level rules' memory
    memos: dict[str, Memo] = field(init=False, default_factory=dict)  # verdicts by content, per rule

    def __post_init__(self) -> None:
        self.by_scope = defaultdict(list)
        for rule in self.rules:
            self.by_scope[rule.scope].append(rule)
            memo = rule_memo(rule)
            if memo is not None:
                self.memos[rule.id] = memo

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> Engine:
        return cls(list(ruleset.rules))

    def close(self) -> None:
        """Let go of what the run-level rules keep (the copy index's temporary file)."""
        for index in self.run_indexes.values():
            index.close()
        self.run_indexes.clear()

    def audit(self, doc: Document) -> DocumentResult:
        """All rules on one draft, including the run-level comparison with drafts audited
        before it by this engine."""
        return self.finish(self.examine(doc))

    def examine(self, doc: Document) -> DocumentResult:
        """Everything that needs the draft itself (a worker process does this): the per-draft
        rules, and for run-level rules the draft's signature."""
        result = DocumentResult(doc.path, doc.department, doc.year, len(doc.projects))
        result.layout = doc.layout
        result.notes = [ReaderNote(n.text("zh"), n.message, n.loc.line, n.loc.ref, n.project) for n in doc.notes]
        outcomes = {rule.id: RuleOutcome() for rule in self.rules}
        hits: dict[str, list[tuple[Target, Hit]]] = {rule.id: [] for rule in self.rules}
        for scope in SCOPES:
            rules = self.by_scope.get(scope)
            if rules:
                self._run_scope(doc, scope, rules, outcomes, hits)
        for rule in self.by_scope.get("run", []):
            result.signatures[rule.id] = rule.check.signature(doc)  # type: ignore[attr-defined]
            outcomes[rule.id].checked += 1
        refs: dict[int, ProjectRef] = {}
        for rule in self.rules:
            pairs = hits[rule.id]
            if rule.collapses:
                findings = collapse(rule, pairs, refs)
            else:
                findings = [make_finding(rule, target, hit, refs) for target, hit in pairs]
            findings = merge_repeats(findings)
            outcomes[rule.id].findings = len(findings)
            result.findings.extend(findings)
        result.findings.sort(key=finding_order)
        result.outcomes = outcomes
        result.facts = [project_facts(p) for p in doc.projects]
        return result

    def finish(self, result: DocumentResult) -> DocumentResult:
        """The run-level rules on one examined draft, in input order (the process that writes the
        reports does this): compare its signature with the drafts before it, then remember it."""
        if not result.signatures:
            return result
        for rule in self.by_scope.get("run", []):
            prints = result.signatures.get(rule.id)
            if prints is None:
                continue
            index = self.run_indexes.get(rule.id)
            if index is None:
                index = self.run_indexes[rule.id] = rule.check.new_index()  # type: ignore[attr-defined]
            found = [make_run_finding(rule, result, item, hit) for item, hit in rule.check.cross(prints, index)]  # type: ignore[attr-defined]
            result.outcomes[rule.id].findings += len(found)
            result.findings.extend(found)
        result.signatures = {}
        result.findings.sort(key=finding_order)
        return result

    def _run_scope(
        self,
        doc: Document,
        scope: str,
        rules: list[Rule],
        outcomes: dict[str, RuleOutcome],
        hits: dict[str, list[tuple[Target, Hit]]],
    ) -> None:
        """Every rule of one scope on every target of that scope (the hot loop of an audit)."""
        targets = list(iter_targets(doc, scope))
        plan = [
            (rule.requires, rule.where, rule.check.run, outcomes[rule.id], hits[rule.id], _candidates(rule, targets), self.memos.get(rule.id))
            for rule in rules
        ]
        for index, target in enumerate(targets):
            env = target.env
            for requires, where, run, outcome, sink, candidates, memo in plan:
                if memo is not None and memo.whole:
                    key = tuple(map(env.get, memo.names))
                    verdict = memo.results.get(key)
                    if verdict is None:
                        verdict = memo.remember(key, _verdict(requires, where, run, target))
                    _replay(verdict, target, outcome, sink)
                    continue
                if requires and _lacks(requires, env, outcome):
                    continue
                if memo is not None:
                    key = tuple(map(env.get, memo.names))
                    applies = memo.results.get(key)
                    if applies is None:
                        applies = memo.remember(key, truthy(where.evaluate(env)))
                    if not applies:
                        continue
                elif where is not None and not truthy(where.evaluate(env)):
                    continue
                if candidates is not None and index not in candidates:
                    outcome.checked += 1  # the check's one scan over all texts found nothing here
                    continue
                try:
                    found = list(run(target))  # a check may find the target not checkable midway
                except NotCheckable as missing:
                    outcome.add_not_checkable(missing.reason)
                    continue
                outcome.checked += 1
                for hit in found:
                    sink.append((target, hit))


@dataclass
class Memo:
    """What a rule concluded for targets with given values of the names it reads. The same
    row (``满意度 ≥90%``) or text kind comes back in every table: its verdict is looked up, not
    recomputed. ``whole`` memos hold the whole verdict (for checks that say what they read, see
    ``reads`` in ``checks.base``), the others only whether ``where`` holds. Emptied when full,
    so memory stays flat."""

    names: tuple[str, ...]
    whole: bool
    results: dict[tuple, Any] = field(default_factory=dict)

    def remember(self, key: tuple, verdict: Any) -> Any:
        if len(self.results) >= MEMO_LIMIT:
            self.results.clear()
        self.results[key] = verdict
        return verdict


MEMO_LIMIT = 2_048  # verdicts kept per rule


def rule_memo(rule: Rule) -> Memo | None:
    """A memo for a rule whose verdict (or ``where``) depends only on a target's content names
    (``CONTENT_NAMES``): not on its place, project or draft."""
    content = CONTENT_NAMES.get(rule.scope)
    if not content:
        return None
    where = rule.where.names if rule.where is not None else frozenset()
    reads = getattr(rule.check, "reads", None)
    if reads is not None and getattr(rule.check, "candidates", None) is None:
        names = where.union(reads(rule.scope), *(expression.names for _, expression in rule.requires))
        if names <= content:
            return Memo(tuple(sorted(names)), True)
    if rule.where is not None and where <= content:
        return Memo(tuple(sorted(where)), False)
    return None


def _verdict(requires: tuple[tuple[str, Any], ...], where: Any, run: Any, target: Target) -> tuple[str, Any]:
    """A rule on one target, as the loop in ``_run_scope`` decides it: ``("missing", reason)``
    (not checkable), ``("skip", None)`` (``where`` does not hold) or ``("checked", hits)``."""
    env = target.env
    path = _missing(requires, env)
    if path is not None:
        return ("missing", path)
    if where is not None and not truthy(where.evaluate(env)):
        return ("skip", None)
    try:
        return ("checked", tuple(run(target)))
    except NotCheckable as missing:
        return ("missing", missing.reason)


def _replay(verdict: tuple[str, Any], target: Target, outcome: RuleOutcome, sink: list[tuple[Target, Hit]]) -> None:
    """A verdict applied to a target: its hits located in this target's fields."""
    status, detail = verdict
    if status == "skip":
        return
    if status == "missing":
        outcome.add_not_checkable(detail)
        return
    outcome.checked += 1
    for hit in detail:
        sink.append((target, Hit(hit.evidence, hit.field, field_loc(target, hit.field), hit.data, hit.case, hit.context)))


def _candidates(rule: Rule, targets: list[Target]) -> set[int] | None:
    """For checks that can scan all texts of a scope at once (a regular expression over the
    joined texts), the targets worth running the check on; None to run it on every target."""
    scan = getattr(rule.check, "candidates", None)
    if scan is None or not targets or targets[0].scope != "text":
        return None
    return scan([target.obj for target in targets])


def _lacks(requires: tuple[tuple[str, Any], ...], env: dict[str, Any], outcome: RuleOutcome) -> bool:
    """Whether the target lacks a field the rule needs (then it is not checkable)."""
    path = _missing(requires, env)
    if path is not None:
        outcome.add_not_checkable(path)
    return path is not None


def _missing(requires: tuple[tuple[str, Any], ...], env: dict[str, Any]) -> str | None:
    """The first field the rule needs that the target lacks."""
    for path, expression in requires:
        if _absent(expression.evaluate(env)):
            return path
    return None


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


def finding_data(rule: Rule, target: Target, hit: Hit, loc: Location) -> dict[str, Any]:
    """The values a finding's messages may quote (built only when a message is read)."""
    data = {**target_data(target), **hit.data, "evidence": hit.evidence, "line": loc.line, "at": loc}
    for name, expression in rule.data:
        data[name] = expression.evaluate(target.env)
    return data


def make_run_finding(rule: Rule, result: DocumentResult, item: Any, hit: Hit) -> Finding:
    """A finding of a run-level rule, made from the project's signature (the draft itself may be
    in another process by then)."""
    loc: Location = hit.loc or item.loc
    data = {
        "year": result.year,
        "project": item.name,
        "code": item.code,
        "index": item.index,
        **hit.data,
        "evidence": hit.evidence,
        "line": loc.line,
        "at": loc,
    }
    project = ProjectRef(item.index, item.code or None, item.name)
    return _finding(rule, hit, loc, data, result.path, project, hit.field, hit.context)


def project_ref(project: Project | None, refs: dict[int, ProjectRef]) -> ProjectRef | None:
    if project is None:
        return None
    ref = refs.get(project.index)
    if ref is None:
        ref = refs[project.index] = ProjectRef(project.index, project.code, project.display_name)
    return ref


def make_finding(rule: Rule, target: Target, hit: Hit, refs: dict[int, ProjectRef] | None = None) -> Finding:
    """A finding from a check's hit. Its message data and context are computed on first use:
    a large run makes many findings and most writers read only a few of their values."""
    loc: Location = hit.loc or target.loc
    data = LazyDict(lambda: finding_data(rule, target, hit, loc))
    project = project_ref(target.project, {} if refs is None else refs)
    context = hit.context if hit.context is not None else LazyDict(lambda: finding_context(target, hit.field) or {})
    field = join_field(target.field, hit.field)
    return _finding(rule, hit, loc, data, target.document.path, project, field, context, indicator_of(target, field))


def indicator_row(target: Target, field: str) -> Any:
    """The indicator row a finding is about: the target's, or a project's row its field names
    (``indicators[3].value``); None when it is about no row."""
    if target.scope == "indicator":
        return target.obj
    if target.project is not None:
        match = INDEXED.match(field)
        if match and match.group("list") == "indicators":
            return target.project.indicators[int(match.group("i"))]
    return None


def indicator_of(target: Target, field: str) -> tuple[str, str] | None:
    """(二级, 三级) of the indicator row a finding is about, if it is about one."""
    row = indicator_row(target, field)
    return None if row is None else (row.level2 or "", row.level3 or "")


def _finding(
    rule: Rule, hit: Hit, loc: Location, data: Any, path: str, project: ProjectRef | None, field: str, context: Any,
    indicator: tuple[str, str] | None = None,
) -> Finding:
    message, suggestion = rule.templates(hit.case)
    return Finding(
        rule=rule.id,
        severity=rule.case_severity(hit.case),  # type: ignore[arg-type]
        dimension=rule.dimension,
        message=Message(message, data),
        suggestion=Message(suggestion, data),
        path=path,
        project=project,
        field=field,
        line=loc.line,
        column=loc.column,
        ref=loc.ref,
        evidence=hit.evidence,
        data=data,
        context=context,
        case=hit.case,
        indicator=indicator,
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
        row = indicator_row(target, hit_field)
        if row is not None:
            return _row_context(row)
        match = INDEXED.match(hit_field)
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


def _raw(amount: Any) -> str | None:
    return None if amount is None else amount.raw


def project_facts(project: Project) -> ProjectFacts:
    budget, plan = project.budget, project.spending_plan
    return ProjectFacts(
        index=project.index,
        code=project.code,
        name=project.display_name,
        heading=project.heading,
        line=project.loc.line,
        money_unit=project.money_unit,
        budget=(budget.total.raw, _raw(budget.fiscal), _raw(budget.other)) if budget else None,
        schedule_header=plan.header if plan else None,
        schedule=tuple((p.label, p.raw) for p in plan.points) if plan else (),
        goals=len(project.goals),
        indicators=len(project.indicators),
        applicable_indicators=len(applicable(project.indicators)),
        funded=None if budget is None else bool(budget.total.value),
    )


def collapse(rule: Rule, pairs: list[tuple[Target, Hit]], refs: dict[int, ProjectRef]) -> list[Finding]:
    """One finding per project (or per document) listing all the rule's hits there, for rules
    where the defect is the table's or the draft's habit, not each row's (every 确定依据 empty;
    no value with an operator). A rule may collapse only some cases; the others' hits stay one
    finding each."""
    groups: dict[Any, list[tuple[Target, Hit]]] = defaultdict(list)
    merged = []
    for target, hit in pairs:
        how = rule.collapse_of(hit.case)
        if how is None:
            merged.append(make_finding(rule, target, hit, refs))
            continue
        by_project = how.get("by", "project") == "project" and target.project is not None
        shared_texts = rule.collapse is how
        groups[(None if shared_texts else hit.case, target.project.index if by_project else None)].append((target, hit))
    for (case, _), group in groups.items():
        first = make_finding(rule, *group[0], refs)
        if len(group) == 1:
            merged.append(first)
            continue
        places = [hit.loc or target.loc for target, hit in group]
        lines = [loc.line for loc in places if loc.line is not None]
        base = first.data

        def merged_data(base: Any = base, places: list[Location] = places, lines: list[int] = lines, count: int = len(group)) -> dict[str, Any]:
            return {**base, "count": count, "lines": lines, "first_line": lines[0] if lines else None, "ats": places, "first_at": places[0]}

        data = LazyDict(merged_data)
        messages, suggestions = rule.collapsed_templates(case)
        merged.append(
            replace(
                first,
                message=Message(messages, data),
                suggestion=Message(suggestions, data),
                field=_common_field(first.field),
                data=data,
            )
        )
    return merged


ROW_FIELD = re.compile(r"^(?:department_)?indicators\[\d+\]")


def merge_repeats(findings: list[Finding]) -> list[Finding]:
    """One finding per defect, for the findings of one rule on one draft: the first of those on
    the same indicator row (its value and its description show the same slip), and the first of
    those in one project quoting the same evidence in the same case from the same text (the same
    sentence in 资金用途 and in 绩效目标). The findings are in document order, so the first is the
    first place. The whole text is compared only when the evidence repeats."""
    rows: set[tuple] = set()
    firsts: dict[tuple, Finding] = {}  # the first finding of each (project, case, evidence)
    texts: dict[tuple, list[str]] = {}  # their whole texts, read once the evidence repeats
    kept = []
    for finding in findings:
        project = finding.project.index if finding.project else None
        row = ROW_FIELD.match(finding.field)
        if row is not None:
            if (project, row.group()) in rows:
                continue
            rows.add((project, row.group()))
        elif evidence := normalize_evidence(finding.evidence):
            key = (project, finding.case, evidence)
            first = firsts.setdefault(key, finding)
            if first is not finding:
                seen = texts.setdefault(key, [_quoted_text(first)])
                text = _quoted_text(finding)
                if text in seen:
                    continue
                seen.append(text)
        kept.append(finding)
    return kept


def _quoted_text(finding: Finding) -> str:
    """The whole text a text finding was found in (two fields holding the same sentence), or
    '' for other findings."""
    context = finding.context
    if context and context.get("type") == "text":
        return normalize_evidence(str(context.get("text") or ""))
    return ""


def normalize_evidence(text: str) -> str:
    return re.sub(r"[\s。；;，,.]+$", "", re.sub(r"\s+", " ", text.strip()))


def _common_field(field_path: str) -> str:
    """``indicators[3].basis`` → ``indicators[*].basis``: a collapsed finding names the column."""
    return re.sub(r"\[\d+\]", "[*]", field_path)


def finding_order(finding: Finding) -> tuple:
    project = finding.project.index if finding.project else 0
    return (project, finding.line or 0, finding.column or 0, finding.rule, finding.field, finding.evidence)
