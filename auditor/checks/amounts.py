"""``amounts``: money written in a project's text that contradicts a reference amount (预算数).

Where it looks (``texts``): ``purpose`` (资金用途), ``goals``, and ``indicators`` — the value
(or, failing that, the description) of indicator rows whose 三级指标 names the project's money
(``indicator_names`` regex, minus ``indicator_exclude``).

Amounts compare in 元 after unit conversion (``28.2万元`` = ``28.20``, ``1万元`` = ``10000元``)
within ``tolerance`` (in the reference's unit). In free text an amount preceded by an
``ignore_before`` word (其中, 首期, 每人, 总投资 …) names another quantity and is skipped; a text
whose amounts include the reference, or sum to it, agrees with it. Otherwise the largest
remaining amount of the text is the one hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditor.checks.base import Hit, NotCheckable, locate
from auditor.domain import MoneyMention, amount_value, in_yuan, money_mentions
from auditor.expr import Expression
from auditor.model import Location, Project
from auditor.targets import Target

TEXTS = ("purpose", "goals", "indicators")
PLACES = {"purpose": ("资金用途", "purpose"), "goals": ("绩效目标", "goals"), "indicators": ("绩效指标", "indicators")}


@dataclass(frozen=True)
class AmountsCheck:
    reference: Expression
    unit: Expression
    texts: tuple[str, ...]
    indicator_names: re.Pattern[str]
    indicator_exclude: re.Pattern[str] | None
    ignore_before: re.Pattern[str] | None
    window: int
    tolerance: Decimal

    def run(self, target: Target) -> Iterator[Hit]:
        project = target.project
        reference = self.reference.evaluate(target.env)
        value = amount_value(reference)
        if project is None or value is None:
            raise NotCheckable("budget.total")
        unit = self.unit.evaluate(target.env) or "万元"
        ref_yuan = in_yuan(value, unit)
        if ref_yuan is None:
            raise NotCheckable("money_unit")
        tolerance = in_yuan(self.tolerance, unit) or Decimal(0)
        written = getattr(reference, "raw", None) or str(value)
        for field, loc, text, mentions in self._sources(project):
            mention = self._disagreeing(mentions, ref_yuan, tolerance)
            if mention is not None:
                slip = _digit_slip(mention, value)
                place_zh, place_en = PLACES[field.split("[")[0].split(".")[0]]
                yield Hit(
                    evidence=mention.text,
                    field=field,
                        loc=locate(loc, text, mention.start),
                    case="digits" if slip == "digits" else None,
                    data={
                        "amount": mention.text,
                        "budget": f"{written}{unit}",
                        "place_zh": place_zh,
                        "place_en": place_en,
                        "context": _context(text, mention),
                    },
                )

    def _sources(self, project: Project) -> Iterator[tuple[str, Location, str, list[MoneyMention]]]:
        if "purpose" in self.texts and project.purpose and project.purpose.text:
            text = project.purpose.text
            yield "purpose", project.purpose.loc, text, self._free_text(text)
        if "goals" in self.texts:
            for i, goal in enumerate(project.goals):
                yield f"goals[{i}]", goal.loc, goal.text, self._free_text(goal.text)
        if "indicators" in self.texts:
            for i, row in enumerate(project.indicators):
                if not self.indicator_names.search(row.level3) or (
                    self.indicator_exclude and self.indicator_exclude.search(row.level3)
                ):
                    continue
                for name, text in (("value", row.value.raw), ("description", row.description or "")):
                    mentions = money_mentions(text)
                    if mentions:
                        yield f"indicators[{i}].{name}", row.loc_of(name), text, mentions
                        break

    def _free_text(self, text: str) -> list[MoneyMention]:
        mentions = money_mentions(text)
        if self.ignore_before is None:
            return mentions
        return [m for m in mentions if not self.ignore_before.search(text[max(0, m.start - self.window) : m.start])]

    @staticmethod
    def _disagreeing(mentions: list[MoneyMention], ref: Decimal, tolerance: Decimal) -> MoneyMention | None:
        if not mentions:
            return None
        if any(abs(m.yuan - ref) <= tolerance for m in mentions):
            return None
        if len(mentions) > 1 and abs(sum(m.yuan for m in mentions) - ref) <= tolerance:
            return None
        return max(mentions, key=lambda m: m.yuan)


def _digit_slip(mention: MoneyMention, reference: Decimal) -> str:
    """``"digits"`` when the amount is the budget with a digit dropped, added or changed
    (``12.61`` for ``126.61``): the typical slip of a hand-copied figure."""
    a = re.sub(r"\D", "", format(mention.number.normalize(), "f"))
    b = re.sub(r"\D", "", format(reference.normalize(), "f"))
    if a == b:
        return "scale"
    if abs(len(a) - len(b)) == 1:
        short, long_ = sorted((a, b), key=len)
        if any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_))):
            return "digits"
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1:
        return "digits"
    return ""


def _context(text: str, mention: MoneyMention, width: int = 16) -> str:
    start = max(0, mention.start - width)
    end = min(len(text), mention.start + len(mention.text) + width)
    return text[start:end].replace("\n", " ")


def _regex(source: str | None) -> re.Pattern[str] | None:
    return re.compile(source) if source else None


def build(params: Mapping[str, Any], compile_expression: Any) -> AmountsCheck:
    from auditor.checks.base import CheckConfigError

    texts = tuple(params.get("texts") or TEXTS)
    if not set(texts) <= set(TEXTS):
        raise CheckConfigError(f"`texts` may hold only {list(TEXTS)}")
    try:
        names = re.compile(params.get("indicator_names", "预算|成本|经费|资金"))
        exclude = _regex(params.get("indicator_exclude"))
        ignore = _regex(params.get("ignore_before"))
    except re.error as error:
        raise CheckConfigError(f"bad regex: {error}") from None
    return AmountsCheck(
        reference=compile_expression(params.get("reference", "budget.total")),
        unit=compile_expression(params.get("unit", "money_unit")),
        texts=texts,
        indicator_names=names,
        indicator_exclude=exclude,
        ignore_before=ignore,
        window=int(params.get("window", 8)),
        tolerance=Decimal(str(params.get("tolerance", "0.005"))),
    )
