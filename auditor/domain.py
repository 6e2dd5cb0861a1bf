"""Domain helpers that rules share: money mentioned in text, whether a schedule is written in
money or in per cent, category names. Registered as expression functions, used by checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from typing import Any

from auditor.model import Amount, Budget, SpendingPlan
from auditor.similarity import normalize_text
from auditor.values import is_money_unit, money_to_yuan, normalize_unit

MONEY_IN_TEXT = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)\s*"
    r"(?P<unit>亿元|千万元|百万元|万元|千元|元|万(?![吨人次个户家平方亩米株棵件辆台册份本千余多元]))"
)


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """An amount of money written in free text, where it starts, and its value in 元."""

    text: str
    number: Decimal
    unit: str
    start: int
    yuan: Decimal


def money_mentions(text: str | None) -> list[MoneyMention]:
    """Every ``N万元`` / ``N元`` / ``N亿元`` (and ``N万`` before a money word) in a text."""
    if not text:
        return []
    normalized = unicodedata.normalize("NFKC", text)
    found = []
    for match in MONEY_IN_TEXT.finditer(normalized):
        number = Decimal(match.group("number").replace(",", ""))
        unit = match.group("unit")
        unit = "万元" if unit == "万" else unit
        yuan = money_to_yuan(number, unit)
        if yuan is not None:
            found.append(MoneyMention(match.group(0), number, unit, match.start(), yuan))
    return found


def amount_value(amount: Any) -> Decimal | None:
    """The number of an ``Amount`` (or a number as it is)."""
    if isinstance(amount, Amount):
        return amount.value
    if isinstance(amount, (int, Decimal)):
        return Decimal(amount)
    return None


def in_yuan(value: Decimal | None, unit: str | None) -> Decimal | None:
    if value is None:
        return None
    return money_to_yuan(value, normalize_unit(unit) if unit else "万元")


def plan_values(plan: SpendingPlan | None) -> list[Decimal | None]:
    return [p.value for p in plan.points] if plan else []


def plan_in_money(plan: SpendingPlan | None, budget: Budget | None) -> bool:
    """Whether a schedule is written in money although its header may say per cent.

    Money when the header names a money unit, or when a figure exceeds 100, or when the last
    figure is the budget (and the budget is not itself 100). A schedule that fits both readings
    (budget 100.00, ending at 100) reads as per cent.
    """
    if plan is None:
        return False
    if plan.unit and is_money_unit(normalize_unit(plan.unit)):
        return True
    values = [v for v in plan_values(plan) if v is not None]
    if not values:
        return False
    if any("%" in unicodedata.normalize("NFKC", p.raw) for p in plan.points):
        return False
    if max(values) > 100:
        return True
    total = budget.total.value if budget else None
    last = plan.points[-1].value
    return total is not None and last is not None and last == total and total != 100


def plan_in_percent_mixed(plan: SpendingPlan | None) -> bool:
    """Some points written with ``%`` and some without."""
    if plan is None:
        return False
    marks = {"%" in unicodedata.normalize("NFKC", p.raw) for p in plan.points if p.raw.strip()}
    return len(marks) > 1


def plan_text(plan: SpendingPlan | None) -> str:
    """A schedule as one line: ``3月底 5.00、6月底 10.00、10月底 —、12月底 20.00``."""
    if plan is None:
        return ""
    return "、".join(f"{p.label} {p.raw.strip() or '—'}" for p in plan.points)


@lru_cache(maxsize=4096)
def category(name: str | None) -> str:
    """A category name without decoration: ``效益指标`` → ``效益``, ``服务对象满意度指标`` →
    ``服务对象满意度``, ``社会\\n效益`` → ``社会效益``."""
    if not name:
        return ""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return re.sub(r"指标$", "", text)


def same_title(a: str | None, b: str | None) -> bool:
    """Two headings name the same thing: numbering (``1.`` / ``1、``), whitespace and
    punctuation aside."""
    return normalize_text(a or "") == normalize_text(b or "")


def unit_head(unit: str | None) -> str | None:
    """The counted unit of a composite unit: ``次/天`` → ``次``."""
    return unit.split("/")[0] if unit else None


def expression_functions() -> Mapping[str, Callable[..., Any]]:
    """Domain functions available to rule expressions (beside the built-in ones)."""
    return {
        "plan_in_money": plan_in_money,
        "plan_mixed_units": plan_in_percent_mixed,
        "plan_text": plan_text,
        "category": category,
        "money": lambda text: [m.yuan for m in money_mentions(text)],
        "same_title": same_title,
        "unit_head": unit_head,
    }
