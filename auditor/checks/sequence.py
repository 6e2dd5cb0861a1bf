"""``sequence``: a cumulative numeric sequence (the 资金支出计划) that goes down, passes its end
value early, or does not end at its target.

Parameters: ``points`` (expression giving the points, each with ``label``, ``raw``, ``value``,
``loc``); ``target`` (expression: the end value, e.g. 100 or the budget); ``checks``: any of
``end`` (the last point must equal the target; an empty last point is a hit) and ``order`` (no
point below the one before; no point before the last above the target); ``tolerance``.
Hits carry the case (``end``, ``end_empty``, ``decrease``, ``early``) for the message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, NotCheckable
from auditor.domain import amount_value
from auditor.expr import Expression
from auditor.targets import Target

CHECKS = {"end", "order"}


@dataclass(frozen=True)
class SequenceCheck:
    points: Expression
    target: Expression
    checks: frozenset[str]
    tolerance: Decimal

    def run(self, target: Target) -> Iterator[Hit]:
        points = self.points.evaluate(target.env)
        if not points:
            raise NotCheckable("spending_plan")
        end = amount_value(self.target.evaluate(target.env))
        if "end" in self.checks:
            yield from self._end(points, end)
        if "order" in self.checks:
            yield from self._order(points, end)

    def _end(self, points: list[Any], end: Decimal | None) -> Iterator[Hit]:
        last = points[-1]
        field = f"points[{len(points) - 1}]"
        if last.value is None:
            yield Hit(evidence=last.raw, field=field, loc=last.loc, case="end_empty", data={"label": last.label, "target": end})
        elif end is None:
            raise NotCheckable("budget.total")
        elif abs(last.value - end) > self.tolerance:
            yield Hit(
                evidence=last.raw,
                field=field,
                loc=last.loc,
                case="end",
                data={"label": last.label, "last": last.value, "target": end},
            )

    def _order(self, points: list[Any], end: Decimal | None) -> Iterator[Hit]:
        previous = None
        for i, point in enumerate(points):
            if point.value is None:
                continue
            field = f"points[{i}]"
            if previous is not None and point.value < previous.value - self.tolerance:
                yield Hit(
                    evidence=point.raw,
                    field=field,
                    loc=point.loc,
                    case="decrease",
                    data={"label": point.label, "value": point.value, "previous_label": previous.label, "previous": previous.value},
                )
            elif end is not None and i < len(points) - 1 and point.value > end + self.tolerance:
                yield Hit(
                    evidence=point.raw,
                    field=field,
                    loc=point.loc,
                    case="early",
                    data={"label": point.label, "value": point.value, "target": end},
                )
            previous = point


def build(params: Mapping[str, Any], compile_expression: Any) -> SequenceCheck:
    checks = frozenset(params.get("checks") or ["end", "order"])
    if not checks <= CHECKS:
        raise CheckConfigError(f"`checks` may hold only {sorted(CHECKS)}")
    return SequenceCheck(
        points=compile_expression(params.get("points", "points")),
        target=compile_expression(str(params.get("target", "100"))),
        checks=checks,
        tolerance=Decimal(str(params.get("tolerance", "0"))),
    )
