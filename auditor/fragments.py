"""Build a small ``Document`` from a rule example: a model fragment written in YAML.

The fragment describes the rule's target (an indicator row, a project, a document, a text) with
only the fields that matter; everything else gets a neutral default. Lines are numbered in the
order objects are built, so findings on examples have locations too.

- indicator scope: ``{level1, level2, level3, description, value: "≥95%", basis}`` and optionally
  ``project: {…}`` (whose own ``indicators`` come before the row) and ``year``.
- project, spending_plan and goal scopes: ``{heading, code, name, budget: 126.61 | {total, fiscal,
  other}, money_unit, purpose, spending_plan: {unit, points: ["25", "50", "75", "100"]}, goals:
  [..], indicators: [..], toc_field}`` — the fields of other forms too (``policy_basis``,
  ``calculation_basis``, ``annual_goal``, ``long_term_goal``, ``duration_years`` …; absent unless
  given; ``budget: {total, total_all_years, units: {total: 万元}}``) — and optionally ``year``
  and ``others``: the draft's other projects, which come before it.
- document scope: ``{year, sections: [{kind, heading, items: [..]}], projects: [..],
  department_indicators: [..]}``.
- text scope: ``{text, kind}`` (kind: purpose, goal, value, description, basis, level3, section,
  heading) and optionally ``year``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from auditor.model import (
    PROJECT_HEADER_FIELDS,
    PROJECT_TEXT_FIELDS,
    Amount,
    Budget,
    Document,
    Indicator,
    IndicatorValue,
    Location,
    Project,
    Section,
    SpendingPlan,
    SpendingPoint,
    TextItem,
)
from auditor.readers.assemble import parse_amount

PLAN_LABELS = ("3月底", "6月底", "10月底", "12月底")
DEFAULT_INDICATOR = {
    "level1": "产出指标",
    "level2": "数量指标",
    "level3": "示例指标",
    "description": "示例指标的说明",
    "value": "≥1个",
    "basis": "计划标准",
}


class _Lines:
    def __init__(self) -> None:
        self._numbers: Iterator[int] = itertools.count(1)

    def next(self) -> Location:
        return Location(line=next(self._numbers), column=1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format(Decimal(str(value)), "f")
    return str(value)


def _amount(value: Any, lines: _Lines) -> Amount:
    raw = _text(value)
    return Amount(raw, parse_amount(raw), lines.next())


def _budget(value: Any, lines: _Lines) -> Budget | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        value = {"total": value, "fiscal": value, "other": None}
    budget = Budget(_amount(value.get("total"), lines), _amount(value.get("fiscal"), lines), _amount(value.get("other"), lines))
    if "total_all_years" in value:  # 项目总金额（中期规划）; absent unless given
        budget.total_all_years = _amount(value["total_all_years"], lines)
    for name, unit in (value.get("units") or {}).items():  # the unit a label declares: {total: 万元}
        getattr(budget, name).unit = unit
    return budget


def _plan(value: Any, lines: _Lines) -> SpendingPlan | None:
    if value is None:
        return None
    header_loc = lines.next()
    raw_points = value.get("points", [])
    points = []
    for i, raw in enumerate(raw_points):
        text = _text(raw)
        label = PLAN_LABELS[i] if i < len(PLAN_LABELS) else f"{i + 1}"
        points.append(SpendingPoint(label, text, parse_amount(text), lines.next()))
    unit = value.get("unit", "%")
    header = f"资金支出计划（{unit}）" if unit else "资金支出计划"
    return SpendingPlan(header, unit, points, header_loc)


def _indicator(value: dict[str, Any], parse_value: Callable[[str], IndicatorValue], lines: _Lines) -> Indicator:
    fields = {**DEFAULT_INDICATOR, **value}
    loc = lines.next()
    return Indicator(
        level1=_text(fields["level1"]),
        level2=_text(fields["level2"]),
        level3=_text(fields["level3"]),
        description=_text(fields["description"]),
        value=parse_value(_text(fields["value"])),
        basis=_text(fields["basis"]),
        loc=loc,
        cells={name: loc for name in ("level1", "level2", "level3", "description", "value", "basis")},
    )


def _items(values: Any, lines: _Lines) -> list[TextItem]:
    return [TextItem(_text(v), lines.next(), str(i + 1)) for i, v in enumerate(values or [])]


def project_from(fragment: dict[str, Any], index: int, parse_value: Callable[[str], IndicatorValue], lines: _Lines) -> Project:
    heading_loc = lines.next()
    project = Project(
        index=index,
        heading=_text(fragment.get("heading", f"{index}.示例项目绩效目标表")),
        loc=heading_loc,
        toc_field=fragment.get("toc_field"),
        department=fragment.get("department"),
        code=fragment.get("code", f"TEST-{index:03d}"),
        name=fragment.get("name", "示例项目"),
        money_unit=fragment.get("money_unit", "万元"),
    )
    project.budget = _budget(fragment.get("budget"), lines)
    if "purpose" in fragment:
        project.purpose = TextItem(_text(fragment["purpose"]), lines.next())
    for name in PROJECT_TEXT_FIELDS:  # 政策依据, 测算依据 …: absent (None) unless given
        if fragment.get(name) is not None:
            setattr(project, name, TextItem(_text(fragment[name]), lines.next()))
    for name in PROJECT_HEADER_FIELDS:
        if name in fragment:
            setattr(project, name, fragment[name])
    project.spending_plan = _plan(fragment.get("spending_plan"), lines)
    project.goals = _items(fragment.get("goals"), lines)
    project.goals_loc = project.goals[0].loc if project.goals else heading_loc
    header_loc = lines.next()
    project.indicators = [_indicator(i, parse_value, lines) for i in fragment.get("indicators", [])]
    project.fields = {"indicators": header_loc, "goals": project.goals_loc}
    return project


def document_from(fragment: dict[str, Any], scope: str, parse_value: Callable[[str], IndicatorValue]) -> Document:
    """The smallest document in which the fragment is the rule's target."""
    lines = _Lines()
    doc = Document(path="<example>", source_format="example", year=fragment.get("year"))
    if scope in ("document", "run"):
        for section in fragment.get("sections", []):
            doc.sections.append(
                Section(section["kind"], section.get("heading", section["kind"]), lines.next(), _items(section.get("items"), lines))
            )
        doc.department_indicators = [_indicator(i, parse_value, lines) for i in fragment.get("department_indicators", [])]
        doc.projects = [project_from(p, i + 1, parse_value, lines) for i, p in enumerate(fragment.get("projects", []))]
    elif scope == "indicator":
        row = {k: v for k, v in fragment.items() if k not in ("project", "year")}
        project = project_from(fragment.get("project", {}), 1, parse_value, lines)
        project.indicators.append(_indicator(row, parse_value, lines))  # after the project's other rows, if any
        doc.projects = [project]
    elif scope == "text":
        doc.projects = [_text_holder(fragment, parse_value, lines, doc)]
    else:
        fields = {k: v for k, v in fragment.items() if k not in ("year", "others")}
        others = [project_from(p, i + 1, parse_value, lines) for i, p in enumerate(fragment.get("others", []))]
        doc.projects = [*others, project_from(fields, len(others) + 1, parse_value, lines)]
    return doc


def _text_holder(fragment: dict[str, Any], parse_value: Callable[[str], IndicatorValue], lines: _Lines, doc: Document) -> Project:
    """A project (or a section) holding the text where a text of that kind stands."""
    kind, text = fragment.get("kind", "purpose"), fragment["text"]
    if kind == "section":
        doc.sections.append(Section("overall_goals", "总体绩效目标", lines.next(), _items([text], lines)))
        return project_from({}, 1, parse_value, lines)
    if kind == "heading":
        return project_from({"heading": text}, 1, parse_value, lines)
    if kind == "purpose":
        return project_from({"purpose": text}, 1, parse_value, lines)
    if kind == "goal":
        return project_from({"goals": [text]}, 1, parse_value, lines)
    return project_from({"indicators": [{kind: text}]}, 1, parse_value, lines)
