"""The document model as plain JSON-ready data (``budget-audit parse --format json``).

The keys are a published interface: later tools read them. Add keys; never rename or drop one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from auditor.model import (
    PROJECT_HEADER_FIELDS,
    PROJECT_TEXT_FIELDS,
    Amount,
    Document,
    Indicator,
    IndicatorValue,
    Location,
    Project,
    SpendingPlan,
    TextItem,
)

MODEL_VERSION = 1


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: an int when integral (``50.00`` → 50), else a float."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def where(loc: Location) -> dict[str, Any]:
    """``{"line": n}`` for a text export, ``{"ref": "…"}`` for other formats (both if both)."""
    out: dict[str, Any] = {"line": loc.line}
    if loc.ref is not None:
        out["ref"] = loc.ref
    return out


def text_item(item: TextItem) -> dict[str, Any]:
    return {"number": item.number, "text": item.text, **where(item.loc)}


def value_dict(value: IndicatorValue) -> dict[str, Any]:
    date = value.date
    return {
        "raw": value.raw,
        "kind": value.kind,
        "op": value.op,
        "number": number(value.number),
        "unit": value.unit,
        "unit_raw": value.unit_raw,
        "tail": value.tail,
        "date": None
        if date is None
        else {"year": date.year, "month": date.month, "day": date.day, "qualifier": date.qualifier},
    }


def indicator_dict(indicator: Indicator) -> dict[str, Any]:
    out = {
        "level1": indicator.level1,
        "level2": indicator.level2,
        "level3": indicator.level3,
        "description": indicator.description,
        "value": value_dict(indicator.value),
        "basis": indicator.basis,
        **where(indicator.loc),
        "filled": list(indicator.filled),
    }
    if indicator.scoring is not None:
        out["scoring"] = indicator.scoring
    return out


def amount_dict(amount: Amount | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    out = {"value": number(amount.value), "raw": amount.raw, **where(amount.loc)}
    if amount.unit is not None:
        out["unit"] = amount.unit
    return out


def amount_number(amount: Amount | None) -> int | float | None:
    return None if amount is None else number(amount.value)


def optional_text(item: TextItem | None) -> dict[str, Any] | None:
    return None if item is None else text_item(item)


def plan_dict(plan: SpendingPlan) -> dict[str, Any]:
    return {
        "header": plan.header,
        "unit": plan.unit,
        **where(plan.loc),
        "points": [
            {"label": p.label, "raw": p.raw, "value": number(p.value), **where(p.loc)} for p in plan.points
        ],
    }


def project_dict(project: Project) -> dict[str, Any]:
    budget = project.budget
    return {
        "index": project.index,
        "heading": project.heading,
        **where(project.loc),
        "toc_field": project.toc_field,
        "department": project.department,
        "code": project.code,
        "name": project.name,
        "display_name": project.display_name,
        "money_unit": project.money_unit,
        "budget": None
        if budget is None
        else {
            "total": number(budget.total.value),
            "fiscal": amount_number(budget.fiscal),
            "other": amount_number(budget.other),
            "total_all_years": amount_number(budget.total_all_years),
            "cells": {
                "total": amount_dict(budget.total),
                "fiscal": amount_dict(budget.fiscal),
                "other": amount_dict(budget.other),
                "total_all_years": amount_dict(budget.total_all_years),
            },
        },
        **{name: getattr(project, name) for name in PROJECT_HEADER_FIELDS},
        "raw_fields": dict(project.raw_fields),
        **{name: optional_text(getattr(project, name)) for name in PROJECT_TEXT_FIELDS},
        "purpose": optional_text(project.purpose),
        "spending_plan": None if project.spending_plan is None else plan_dict(project.spending_plan),
        "goals": [text_item(g) for g in project.goals],
        "indicators": [indicator_dict(i) for i in project.indicators],
    }


def document_dict(doc: Document) -> dict[str, Any]:
    """The whole model of one draft."""
    return {
        "model_version": MODEL_VERSION,
        "path": doc.path,
        "format": doc.source_format,
        "layout": doc.layout,
        "year": doc.year,
        "year_source": None if doc.year is None else {"how": doc.year_source, **where(doc.year_loc)},
        "department": doc.department,
        "department_code": doc.department_code,
        "title": doc.title,
        "sections": [
            {"kind": s.kind, "heading": s.heading, **where(s.loc), "items": [text_item(i) for i in s.items]}
            for s in doc.sections
        ],
        "department_indicators": [indicator_dict(i) for i in doc.department_indicators],
        "toc": [{"title": t.title, "page": t.page, **where(t.loc)} for t in doc.toc],
        "projects": [project_dict(p) for p in doc.projects],
        "notes": [{"message": n.message, "messages": {"zh": n.text("zh"), "en": n.message}, **where(n.loc)} for n in doc.notes],
    }
