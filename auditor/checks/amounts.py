"""``amounts``: money written in a project's text that contradicts a reference amount (预算数),
and (``report: unit``) a reference amount written in another unit than its label declares.

Where it looks (``texts``): ``purpose`` (资金用途), ``goals``, and ``indicators`` — the value
(or, failing that, the description) of indicator rows whose 三级指标 names the project's money
(``indicator_names`` regex, minus ``indicator_exclude``).

Amounts compare in 元 after unit conversion (``28.2万元`` = ``28.20``, ``1万元`` = ``10000元``)
within ``tolerance`` (in the unit the reference's label declares). Rates are never totals
(``1.2万元/人·年``, ``每人每月3000元``, ``单价``); a year's amount (``不超过35万一年``) is, since
the budget is the year's. In free text an amount preceded by an ``ignore_before`` word (其中,
首期, 总投资 …) names another quantity and is skipped; a text whose amounts include the
reference (or the whole multi-year amount), or sum to it, agrees with it.

Cost rows are judged together, once per project: one row equal to the budget states the total
(the others are its parts); else the rows' amounts must add up to it. A text amount equal to a
cost row's is judged with the rows. One finding per amount per project, naming every place that
writes it (the same sentence in 资金用途 and 绩效目标).

The budget's unit: a figure under a 万元 label that equals an amount stated about the same money
only when read in 元 (10185500 with a cost of ≤1018.55万元) is in 元 (``figure_unit``). When
projects of a draft are so confirmed and none is confirmed in its label's unit, the draft's
other projects under the same label are read the same way (the habit of whoever filled the form).
Text comparisons use the figure in the unit it is in. A budget of 0 or blank is not checkable
here (``budget-missing`` says so).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from auditor.calculation import Breakdown, Product, Unsummed, Words, near, reaches, read_breakdown, unit_slip, unsummed_total
from auditor.checks.base import Hit, NotCheckable, locate
from auditor.domain import (
    MoneyMention,
    StatedAmount,
    amount_value,
    category,
    declared_not_applicable,
    figure_unit,
    in_yuan,
    money_mentions,
    rounding_slack,
    stated,
    wan_text,
)
from auditor.expr import Expression
from auditor.model import Amount, Document, Location, Project, TextItem
from auditor.targets import Target, project_env

TEXTS = ("purpose", "goals", "indicators")
REPORTS = ("text", "unit", "calculation")
# the word lists a 测算依据 is read with (``Words``), in its field order
CALCULATION_WORDS = ("total_words", "norm_words", "tier_words", "context_words", "price_words")
PLACES = {
    "purpose": ("资金用途", "purpose"),
    "goals": ("绩效目标", "goals"),
    "indicators": ("绩效指标", "indicators"),
    "calculation_basis": ("测算依据", "calculation basis"),
}
LISTED = 6  # rows or projects named in a message; the rest are counted
TEXT_PLACES = frozenset(PLACES[name] for name in ("purpose", "goals", "calculation_basis"))


@dataclass(frozen=True)
class Place:
    """Where an amount stands: the field path, its location and text, and the mention."""

    field: str
    loc: Location
    text: str
    mention: MoneyMention
    name: str = ""  # the 三级指标 of a row

    @property
    def kind(self) -> str:
        return self.field.split("[")[0].split(".")[0]

    @property
    def label(self) -> tuple[str, str]:
        """The place as a message names it: 资金用途, 绩效目标, 绩效指标“保洁成本”."""
        zh, en = PLACES[self.kind]
        return (f"{zh}“{self.name}”", f"{en[:-1]} “{self.name}”") if self.name else (zh, en)

    @property
    def at(self) -> Location:
        return locate(self.loc, self.text, self.mention.start)


@dataclass(frozen=True)
class Source:
    """A text with the money totals it states (rates and ``ignore_before`` amounts left out)."""

    field: str
    loc: Location
    text: str
    mentions: tuple[MoneyMention, ...]
    name: str = ""  # the 三级指标 of a cost row

    def place(self, mention: MoneyMention) -> Place:
        return Place(self.field, self.loc, self.text, mention, self.name)


@dataclass(frozen=True)
class BudgetReading:
    """How a project's reference figure reads: ``declared`` is its label's unit, ``unit`` the one
    it is written in. ``confirmed_by`` is the stated amount (and its place) that agrees with it
    in that unit; None when the unit is the draft's habit or nothing confirms either."""

    figure: Decimal
    raw: str
    declared: str
    unit: str
    confirmed_by: StatedAmount | None = None
    place: tuple[str, str] = ("", "")
    labelled: bool = True  # the label (or the table) declares the unit; else 万元 is assumed
    bound: bool = False  # confirmed as the one reading not above the multi-year total (not equal to an amount)
    column: bool = False  # an unlabelled column's unit, declared by what its other figures are in

    @property
    def yuan(self) -> Decimal:
        return in_yuan(self.figure, self.unit) or Decimal(0)

    @property
    def read_otherwise(self) -> bool:
        """Read in another unit than the declared (or assumed) one."""
        return self.unit != self.declared

    @property
    def converted(self) -> bool:
        """Written in another unit than its label declares: a defect (an unlabelled figure
        read in 元 is not one)."""
        return (self.labelled or self.column) and self.read_otherwise


class LastDraft:
    """The readings of the draft seen last: every project target of a draft asks for them, and
    the habit is the draft's. Holding the draft keeps its identity from being reused."""

    def __init__(self) -> None:
        self.document: Document | None = None
        self.readings: dict[int, BudgetReading] = {}


@lru_cache(maxsize=64)
def shared_last_draft(reading: tuple) -> LastDraft:
    """One ``LastDraft`` for the readers that read budgets alike (``reading``: the parameters
    a reading depends on): budget-text-mismatch, budget-unit and calculation-basis read each
    draft's budgets once between them, and so never disagree on a unit."""
    return LastDraft()


@dataclass(frozen=True)
class MoneyReader:
    """Finds the money a project's texts and cost rows state."""

    reference: Expression
    unit: Expression
    texts: tuple[str, ...]
    indicator_names: re.Pattern[str]
    indicator_exclude: re.Pattern[str] | None
    ignore_before: re.Pattern[str] | None
    window: int
    tolerance: Decimal
    last: LastDraft = field(default_factory=LastDraft, compare=False, repr=False)

    def free_texts(self, project: Project) -> Iterator[Source]:
        if "purpose" in self.texts and project.purpose and project.purpose.text:
            text = project.purpose.text
            yield Source("purpose", project.purpose.loc, text, self._free_text(text))
        if "goals" in self.texts:
            for i, goal in enumerate(project.goals):
                yield Source(f"goals[{i}]", goal.loc, goal.text, self._free_text(goal.text))

    def cost_rows(self, project: Project) -> Iterator[Source]:
        """Rows of the 成本 category or naming the project's money, with the totals of their
        value (else description)."""
        if "indicators" not in self.texts:
            return
        for i, row in enumerate(project.indicators):
            if row.not_applicable or not (category(row.level2) == "成本" or self.indicator_names.search(row.level3)):
                continue
            if self.indicator_exclude and self.indicator_exclude.search(row.level3):
                continue
            for name, text in (("value", row.value.raw), ("description", row.description or "")):
                mentions = money_mentions(text)
                if mentions:
                    totals = tuple(m for m in mentions if not m.is_rate)
                    if totals:
                        yield Source(f"indicators[{i}].{name}", row.loc_of(name), text, totals, row.level3)
                    break

    def _free_text(self, text: str) -> tuple[MoneyMention, ...]:
        return tuple(
            m
            for m in money_mentions(text)
            if not m.is_rate
            and not (self.ignore_before and self.ignore_before.search(text[max(0, m.start - self.window) : m.start]))
        )

    # --- the reference's unit -------------------------------------------------------------

    def target_reading(self, target: Target) -> tuple[Project, BudgetReading]:
        """The target's project and its figure as read; not checkable without one."""
        project = target.project
        reading = self.reading(target.document, project) if project is not None else None
        if project is None or reading is None:
            raise NotCheckable("budget.total")
        return project, reading

    def reading(self, document: Document, project: Project) -> BudgetReading | None:
        if self.last.document is not document:
            self.last.document, self.last.readings = document, draft_readings(document, self)
        return self.last.readings.get(project.index)

    def own_reading(self, project: Project, document: Document) -> BudgetReading | None:
        """The project's figure read by what its own texts state; ``unit`` is the declared one
        when nothing confirms any."""
        env = {**project_env(project), "document": document, "year": document.year}
        reference = self.reference.evaluate(env)
        figure = amount_value(reference)
        if not figure:
            return None
        label_unit = reference.unit if isinstance(reference, Amount) else None
        labelled = label_unit or self.unit.evaluate(env)
        declared = labelled or "万元"
        raw = reference.raw if isinstance(reference, Amount) else format(figure, "f")
        if in_yuan(figure, declared) is None:
            return None
        amounts = self.stated_amounts(project)
        match = figure_unit(figure, declared, [a for a, _ in amounts], self.tolerance_yuan(declared))
        if match is None:
            return _within_whole(project, figure, raw, declared, bool(labelled), env) or BudgetReading(
                figure, raw, declared, declared, labelled=bool(labelled))
        amount, place = amounts[match.index]
        return BudgetReading(figure, raw, declared, match.unit, amount, place, labelled=bool(labelled))

    def stated_amounts(self, project: Project) -> list[tuple[StatedAmount, tuple[str, str]]]:
        """Every total stated about the project's money, with its place (zh, en): the texts',
        the cost rows' (and their sum), the 测算依据's."""
        found: list[tuple[StatedAmount, tuple[str, str]]] = []
        rows = list(self.cost_rows(project))
        for source in rows:
            found += [(stated(m), (f"成本指标“{source.name}”", f"cost indicator “{source.name}”")) for m in source.mentions]
        if len(rows) > 1:
            parts = [max(source.mentions, key=lambda m: m.yuan) for source in rows]
            total = StatedAmount(sum((m.yuan for m in parts), Decimal(0)), Decimal(0), "+".join(m.text for m in parts))
            found.append((total, ("成本指标合计", "the cost indicators together")))
        for source in self.free_texts(project):
            place = PLACES[source.field.split("[")[0]]
            found += [(stated(m), place) for m in source.mentions]
        basis = project.calculation_basis
        if basis is not None and basis.text:
            place = PLACES["calculation_basis"]
            found += [(stated(m), place) for m in money_mentions(basis.text) if not m.is_rate]
        return found

    def tolerance_yuan(self, unit: str) -> Decimal:
        return in_yuan(self.tolerance, unit) or Decimal(0)


WHOLE_SLIP = 1000  # a year's figure this many times the multi-year total is in another unit


def _within_whole(project: Project, figure: Decimal, raw: str, declared: str, labelled: bool, env: dict) -> BudgetReading | None:
    """The year's figure read in 元 when, read as declared, it is a thousand times the whole
    multi-year amount or more and in 元 it is within it (3200000 under 万元 beside a 项目总金额 of
    320): a year cannot exceed the whole, so the figure is in 元."""
    whole = project.budget.total_all_years if project.budget else None
    whole_value = whole.value if whole is not None else None
    whole_yuan = in_yuan(whole_value, whole.unit or env.get("money_unit") or "万元") if whole is not None and whole_value else None
    as_declared, as_yuan = in_yuan(figure, declared), in_yuan(figure, "元")
    if not whole_yuan or as_declared is None or as_yuan is None or declared == "元":
        return None
    if as_declared >= WHOLE_SLIP * whole_yuan and as_yuan <= whole_yuan:
        stated_whole = StatedAmount(whole_yuan, Decimal(0), f"{whole.raw}{whole.unit or env.get('money_unit') or '万元'}")
        return BudgetReading(figure, raw, declared, "元", stated_whole, ("项目总金额", "multi-year total"), labelled, bound=True)
    return None


def draft_readings(document: Document, reader: MoneyReader) -> dict[int, BudgetReading]:
    """Each project's reading, the draft's habit applied to projects that confirm nothing: when
    some projects under a label are confirmed in another unit and none in the label's own, the
    rest under that label are read in that unit too."""
    projects = {p.index: p for p in document.projects}
    own = {p.index: r for p in document.projects if (r := reader.own_reading(p, document)) is not None}
    habits: dict[tuple[str, bool], Counter[str]] = {}
    for reading in own.values():
        if reading.confirmed_by is not None:
            habits.setdefault((reading.declared, reading.labelled), Counter())[reading.unit] += 1
    readings = {}
    for index, reading in own.items():
        units = habits.get((reading.declared, reading.labelled), Counter())
        unit = _column_unit(units) if not reading.labelled else None
        if unit is not None and unit != reading.unit:
            # a column with no unit holds one: what most of its confirmed figures are written in.
            # A figure its own texts (测算依据, 资金用途, 绩效目标 — not a cost cap, often itself
            # the slip) read otherwise, none agreeing in the column's unit, is written in another
            # unit than the column: a defect, read as it is written.
            stated_in_text = reading.place in TEXT_PLACES
            if stated_in_text and not _agrees_in(reader, projects[index], reading.figure, unit):
                reading = replace(reading, declared=unit, column=True)
            else:
                reading = BudgetReading(reading.figure, reading.raw, reading.declared, unit, labelled=False)
        elif reading.confirmed_by is None and len(units) == 1 and reading.declared not in units:
            (unit,) = units
            reading = BudgetReading(reading.figure, reading.raw, reading.declared, unit, labelled=reading.labelled)
        readings[index] = reading
    return readings


def _agrees_in(reader: MoneyReader, project: Project, figure: Decimal, unit: str) -> bool:
    """Whether an amount the project states agrees with the figure read in ``unit``."""
    amounts = [amount for amount, _ in reader.stated_amounts(project)]
    match = figure_unit(figure, unit, amounts, reader.tolerance_yuan(unit))
    return match is not None and match.unit == unit


def _column_unit(units: Counter[str]) -> str | None:
    """The unit most confirmed figures of an unlabelled column are written in, when they are
    more than half of them."""
    if not units:
        return None
    unit, count = units.most_common(1)[0]
    return unit if count * 2 > sum(units.values()) else None


# --- budget-text-mismatch ----------------------------------------------------------------------


@dataclass
class Disagreement:
    """One amount (or the cost rows' sum) that contradicts the budget, and every place it stands."""

    amount: str
    places: list[Place]
    parts: list[Source] = field(default_factory=list)


@dataclass(frozen=True)
class AmountsCheck:
    reader: MoneyReader

    def run(self, target: Target) -> Iterator[Hit]:
        project, reading = self.reader.target_reading(target)
        budget = reading.yuan
        tolerance = self.reader.tolerance_yuan(reading.declared)
        agreeing = [budget, *_whole_years(project, reading)]
        found: dict[Decimal, Disagreement] = {}
        texts = list(self.reader.free_texts(project))
        stated = [m.yuan for source in texts for m in source.mentions]
        rows = list(self.reader.cost_rows(project))
        siblings = sum(1 for r in project.indicators if not r.not_applicable and category(r.level2) == "成本") > len(rows)
        judged_with_rows = _judge_rows(rows, budget, agreeing, tolerance, found, stated, siblings)
        for source in texts:
            _judge_text(source, agreeing, judged_with_rows, tolerance, found)
        for disagreement in found.values():
            yield _hit(disagreement, reading)


def _whole_years(project: Project, reading: BudgetReading) -> list[Decimal]:
    """The whole multi-year amount (项目总金额), in the unit the year's figure is read in."""
    budget = project.budget
    whole = budget.total_all_years if budget else None
    value = whole.value if whole else None
    yuan = in_yuan(value, reading.unit) if value else None
    return [yuan] if yuan else []


def _near(a: Decimal, values: list[Decimal], tolerance: Decimal) -> bool:
    return any(abs(a - v) <= tolerance for v in values)


def _judge_rows(
    rows: list[Source], budget: Decimal, agreeing: list[Decimal], tolerance: Decimal, found: dict[Decimal, Disagreement],
    stated: list[Decimal], siblings: bool = False,
) -> dict[Decimal, Decimal]:
    """The cost rows judged together. Returns the amounts judged here (each row's and their sum)
    and the key of the disagreement each belongs to (``-1``: it agrees). ``stated``: the amounts
    the project's texts state; ``siblings``: other 成本 rows state no total (a unit rate, words).
    A lone row below the budget that names one item, or has such siblings, is a part — unless a
    text states its amount as the project's."""
    figures = [(source, _figure(source, agreeing, tolerance)) for source in rows]
    judged: dict[Decimal, Decimal] = {}
    if not figures:
        return judged
    totals = [(s, m) for s, m in figures if m is None or _near(m.yuan, agreeing, tolerance)]
    others = [(s, m) for s, m in figures if m is not None and not _near(m.yuan, agreeing, tolerance)]
    agreed = Decimal(-1)
    for source, mention in totals:
        for m in source.mentions:
            judged[m.yuan] = agreed
    if totals:
        for source, mention in others:  # parts of the stated total, unless a slip of it
            judged[mention.yuan] = agreed
            if _significant(mention.number) >= 3 and _digit_slip(mention.number, budget, mention.unit, "元") == "digits":
                _add(found, mention.yuan, mention.text, source.place(mention))
                judged[mention.yuan] = mention.yuan
        return judged
    amounts = [m.yuan for _, m in others]
    distinct = sorted(set(amounts))
    if len(others) > 1 and (_near(sum(amounts, Decimal(0)), agreeing, tolerance) or _near(sum(distinct, Decimal(0)), agreeing, tolerance)):
        for value in (*amounts, sum(amounts, Decimal(0))):
            judged[value] = agreed
        return judged
    if (len(others) == 1 and others[0][1].yuan < budget and (siblings or names_one_part(others[0][0].name))
            and not _near(others[0][1].yuan, stated, tolerance)):
        judged[others[0][1].yuan] = agreed  # one item's cost (厨师厨工成本): a part, the rest unnamed
        return judged
    if len(distinct) == 1:  # one amount restated in several rows
        for source, mention in others:
            _add(found, mention.yuan, mention.text, source.place(mention))
        judged[distinct[0]] = distinct[0]
        return judged
    key = sum(amounts, Decimal(0))
    disagreement = _add(found, key, wan_text(key), *(s.place(m) for s, m in others))
    disagreement.parts = [s for s, _ in others]
    for value in (*amounts, key):
        judged[value] = key
    return judged


WHOLE_WORDS = re.compile(r"总|全部|合计|项目|全年|经费|资金|预算|[、及和与，,/＋+]")


def names_one_part(name: str | None) -> bool:
    """A cost row named after one item of the spending (``厨师厨工成本``, ``保洁成本``), not the
    whole (``总成本``, ``项目成本``) nor several items (``宿舍及煤气成本``)."""
    return bool(name) and not WHOLE_WORDS.search(name or "")


def _significant(number: Decimal) -> int:
    """Digits of a figure as written, trailing zeros aside: a slip shows only in figures copied
    digit by digit (``12.61`` for ``126.61``), not in round ones (``50`` beside ``80``)."""
    return len(number.normalize().as_tuple().digits) if number else 0


def _figure(source: Source, agreeing: list[Decimal], tolerance: Decimal) -> MoneyMention | None:
    """The amount a cost row states: its only one, else None when one of them (or their sum)
    is the budget, else the largest."""
    mentions = source.mentions
    if len(mentions) == 1:
        return mentions[0]
    if any(_near(m.yuan, agreeing, tolerance) for m in mentions):
        return None
    if _near(sum((m.yuan for m in mentions), Decimal(0)), agreeing, tolerance):
        return None
    return max(mentions, key=lambda m: m.yuan)


def _judge_text(
    source: Source, agreeing: list[Decimal], judged: dict[Decimal, Decimal], tolerance: Decimal, found: dict[Decimal, Disagreement]
) -> None:
    mentions = source.mentions
    if not mentions or any(_near(m.yuan, agreeing, tolerance) for m in mentions):
        return
    total = sum((m.yuan for m in mentions), Decimal(0))
    if len(mentions) > 1 and _near(total, agreeing, tolerance):
        return
    for value in (total, *(m.yuan for m in mentions)):
        key = _judged(value, judged, tolerance)
        if key is None:
            continue
        if key in found:  # the rows' disagreement, written here too
            found[key].places.append(source.place(max(mentions, key=lambda m: m.yuan)))
        return
    mention = max(mentions, key=lambda m: m.yuan)
    key = next((k for k in found if abs(k - mention.yuan) <= tolerance), mention.yuan)
    _add(found, key, mention.text, source.place(mention))


def _judged(value: Decimal, judged: dict[Decimal, Decimal], tolerance: Decimal) -> Decimal | None:
    return next((key for amount, key in judged.items() if abs(amount - value) <= tolerance), None)


def _add(found: dict[Decimal, Disagreement], key: Decimal, amount: str, *places: Place) -> Disagreement:
    disagreement = found.get(key)
    if disagreement is None:
        disagreement = found[key] = Disagreement(amount, [])
    disagreement.places.extend(places)
    return disagreement


def _hit(disagreement: Disagreement, reading: BudgetReading) -> Hit:
    places = disagreement.places
    if not disagreement.parts:  # named in the draft's order: 资金用途, 绩效目标, 绩效指标
        places = sorted(places, key=lambda p: list(PLACES).index(p.kind))
    first = places[0]
    labels = list(dict.fromkeys(p.label for p in places))
    budget_zh, budget_en = _budget_texts(reading)
    data = {
        "amount": disagreement.amount,
        "budget": budget_zh,
        "budget_en": budget_en,
        "place_zh": "、".join(zh for zh, _ in labels),
        "place_en": " and ".join(en for _, en in labels),
        "context": _context(first.text, first.mention),
    }
    case = None
    if disagreement.parts:
        case = "parts"
        data["rows"] = _listed([f"“{s.name}”{_largest(s).text}" for s in disagreement.parts], "、")
        data["rows_en"] = _listed([f"“{s.name}” {_largest(s).text}" for s in disagreement.parts], ", ")
        evidence = "、".join(_largest(s).text for s in disagreement.parts)
    else:
        if _digit_slip(first.mention.number, reading.figure, first.mention.unit, reading.unit) == "digits":
            case = "digits"
        evidence = first.mention.text
    return Hit(evidence=evidence, field=first.field, loc=first.at, case=case, data=data)


def _largest(source: Source) -> MoneyMention:
    return max(source.mentions, key=lambda m: m.yuan)


def _listed(items: list[str], joiner: str) -> str:
    shown = joiner.join(items[:LISTED])
    return shown if len(items) <= LISTED else f"{shown}{joiner}…（{len(items)}）"


def _budget_texts(reading: BudgetReading) -> tuple[str, str]:
    """The budget as the messages show it: as written with its label's unit, or, when it is
    written in another unit, in 万元 with what the form says."""
    if not reading.read_otherwise:
        return f"{reading.raw}{reading.declared}", f"{reading.raw}{reading.declared}"
    shown = wan_text(reading.yuan) if reading.unit == "元" else f"{reading.raw}{reading.unit}"
    if not reading.labelled:
        return (
            f"{shown}（表中填{reading.raw}，未标单位，按{reading.unit}计）",
            f"{shown} (written {reading.raw} with no unit, read in {reading.unit})",
        )
    return (
        f"{shown}（表中填{reading.raw}，栏目标为{reading.declared}，按{reading.unit}计）",
        f"{shown} (written {reading.raw} under a {reading.declared} label, read in {reading.unit})",
    )


def _digit_slip(number: Decimal, reference: Decimal, unit: str = "万元", reference_unit: str | None = None) -> str:
    """``"digits"`` when the amount is the budget with a digit dropped, added or changed
    (``12.61`` for ``126.61``): the typical slip of a hand-copied figure. Both are compared in
    the amount's unit."""
    if reference_unit and reference_unit != unit:
        yuan, per = in_yuan(reference, reference_unit), in_yuan(Decimal(1), unit)
        if yuan is None or not per:
            return ""
        reference = yuan / per
    a = re.sub(r"\D", "", format(number.normalize(), "f"))
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


# --- budget-unit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetUnitCheck:
    """The reference figure written in another unit than its label's: one hit per project so
    read (the rule collapses them into the draft's habit)."""

    reader: MoneyReader

    def run(self, target: Target) -> Iterator[Hit]:
        project, reading = self.reader.target_reading(target)
        if not reading.converted:
            return
        example = _example(target.document, self.reader)
        budget = project.budget.total if project.budget else None
        yield Hit(
            evidence=reading.raw,
            field="budget.total",
            loc=budget.loc if budget else None,
            case="whole" if reading.bound else "column" if reading.column else None if reading.confirmed_by is not None else "habit",
            data={
                "figure": reading.raw,
                "declared": reading.declared,
                "unit": reading.unit,
                "as_declared": _in_wan_or_yi(in_yuan(reading.figure, reading.declared) or Decimal(0)),
                "as_written": wan_text(reading.yuan),
                "in_label_unit": _in_unit(reading.yuan, reading.declared),
                "stated": reading.confirmed_by.text if reading.confirmed_by else "",
                "stated_place_zh": reading.place[0],
                "stated_place_en": reading.place[1],
                **example,
            },
        )


def _example(document: Document, reader: MoneyReader) -> dict[str, str]:
    """The draft's first confirmed reading, for the messages: which figure, which amount."""
    readings = reader.last.readings if reader.last.document is document else {}
    for project in document.projects:
        reading = readings.get(project.index)
        if reading is not None and reading.converted and reading.confirmed_by is not None:
            return {
                "example_project": project.display_name,
                "example_figure": reading.raw,
                "example_stated": reading.confirmed_by.text,
                "example_place_zh": reading.place[0],
                "example_place_en": reading.place[1],
            }
    return dict.fromkeys(("example_project", "example_figure", "example_stated", "example_place_zh", "example_place_en"), "")


def _in_unit(yuan: Decimal, unit: str) -> str:
    """An amount in 元 written in ``unit`` (the label's): ``856000元``, ``1,018.55万元``."""
    if unit == "元":
        return f"{yuan.normalize():,f}元"
    per = in_yuan(Decimal(1), unit)
    return wan_text(yuan) if unit == "万元" or not per else f"{(yuan / per).normalize():,f}{unit}"


def _in_wan_or_yi(yuan: Decimal) -> str:
    """An amount in 元 as 亿元 when it is that large, else 万元: what the figure would mean."""
    if yuan >= 100_000_000:
        return f"{(yuan / 100_000_000).normalize():,f}亿元"
    return wan_text(yuan)


# --- calculation-basis -------------------------------------------------------------------------


@dataclass(frozen=True)
class CalculationCheck:
    """The 测算依据 against this year's amount: empty; no working shown (nothing, the total
    restated, one amount, norms quoted but not applied); a product that does not give the
    amount written beside it; parts that do not add up to the budget (one read in the wrong
    unit, when swapping 元 and 万元 for it makes them agree). One finding per defect. The
    budget's unit is read as ``budget-unit`` reads it (10185500 under 万元 is in 元); with
    no budget, the sum is not checkable."""

    reader: MoneyReader
    words: Words
    relative: Decimal  # the rounding allowed, as a share of the budget

    def run(self, target: Target) -> list[Hit]:
        project = target.project
        basis = project.calculation_basis if project is not None else None
        if project is None or basis is None:
            raise NotCheckable("project.calculation_basis")
        text = basis.text or ""
        reading = self.reader.reading(target.document, project)
        if not text.strip() or declared_not_applicable(text):
            return [Hit(evidence=text.strip(), field="calculation_basis", loc=basis.loc, case="empty", data=_budget_data(reading))]
        breakdown = read_breakdown(text, self.words)
        agreeing = [reading.yuan, *_whole_years(project, reading)] if reading is not None else []
        hits = [self._product_hit(basis, product, reading) for product in breakdown.products if self._wrong(product, reading)]
        hits += [_conversion_hit(basis, amount, restated, reading) for amount, restated in breakdown.misconverted]
        wholes = [w for w in _whole_years(project, reading) if w != reading.yuan] if reading is not None else []
        unsummed = unsummed_total(breakdown, self.relative, wholes)
        if unsummed is not None:
            hits.append(self._unsummed_hit(basis, unsummed, reading))
        if not breakdown.shows_working:
            return hits + [self._no_working(basis, breakdown, reading, agreeing)]
        if breakdown.unapplied:
            return hits + [self._norms_hit(basis, breakdown.unapplied, reading)]
        if breakdown.unapplied_rates:
            return hits + [self._norms_hit(basis, breakdown.unapplied_rates, reading, "rates")]
        if not breakdown.parts and not breakdown.totals:
            return hits  # rates and products without a sum to compare
        if reading is None:
            if hits:
                return hits
            raise NotCheckable("budget.total")
        if unsummed is not None:
            return hits  # the parts already do not come to their own total: one finding
        tolerance = self._tolerance(reading)
        if reaches(breakdown, agreeing, tolerance) or any(self._gives_budget(p, agreeing, tolerance) for p in breakdown.products):
            return hits
        return hits + [self._sum_hit(basis, breakdown, reading, agreeing, tolerance)]

    def _tolerance(self, reading: BudgetReading) -> Decimal:
        return max(self.reader.tolerance_yuan(reading.declared), reading.yuan * self.relative)

    def _wrong(self, product: Product, reading: BudgetReading | None) -> bool:
        gives = product.gives
        if gives is None or product.approximate:
            return False
        tolerance = max(gives.yuan * self.relative, rounding_slack(gives.number, gives.unit), Decimal("0.5"))
        return abs(product.yuan - gives.yuan) > tolerance

    @staticmethod
    def _gives_budget(product: Product, agreeing: list[Decimal], tolerance: Decimal) -> bool:
        return near(product.yuan, agreeing, tolerance) is not None

    def _product_hit(self, basis: TextItem, product: Product, reading: BudgetReading | None) -> Hit:
        gives = product.gives
        assert gives is not None
        return Hit(
            evidence=product.text,
            field="calculation_basis",
            loc=locate(basis.loc, basis.text, product.start),
            case="product",
            data={"product": product.text.split("=")[0].strip(), "product_value": wan_text(product.yuan), "gives": gives.text,
                  **_budget_data(reading)},
        )

    @staticmethod
    def _unsummed_hit(basis: TextItem, unsummed: Unsummed, reading: BudgetReading | None) -> Hit:
        return Hit(
            evidence=unsummed.total.text,
            field="calculation_basis",
            loc=locate(basis.loc, basis.text, unsummed.total.start),
            case="total",
            data={"items": _listed(list(unsummed.parts), "、"), "items_en": _listed(list(unsummed.parts), ", "),
                  "sum": wan_text(unsummed.sum), "total": unsummed.total.text, **_budget_data(reading)},
        )

    @staticmethod
    def _norms_hit(basis: TextItem, norms: tuple[MoneyMention, ...], reading: BudgetReading | None, case: str = "norms") -> Hit:
        first = norms[0]
        return Hit(evidence=first.text, field="calculation_basis", loc=locate(basis.loc, basis.text, first.start), case=case,
                   data={"norms": _listed([m.text for m in norms], "、"), **_budget_data(reading)})

    def _no_working(self, basis: TextItem, breakdown: Breakdown, reading: BudgetReading | None, agreeing: list[Decimal]) -> Hit:
        text = basis.text
        if breakdown.norms:
            return self._norms_hit(basis, breakdown.norms, reading)
        amounts = breakdown.amounts
        if not amounts:
            return Hit(evidence=_opening(text), field="calculation_basis", loc=basis.loc, case="no_amount", data=_budget_data(reading))
        amount = amounts[0]
        data = {"amount": amount.text, **_budget_data(reading)}
        loc = locate(basis.loc, text, amount.start)
        if reading is None:
            case = "one_amount"
        else:
            case = "total_only" if reaches(breakdown, agreeing, self._tolerance(reading)) else "single"
        return Hit(evidence=amount.text, field="calculation_basis", loc=loc, case=case, data=data)

    def _sum_hit(self, basis: TextItem, breakdown: Breakdown, reading: BudgetReading, agreeing: list[Decimal], tolerance: Decimal) -> Hit:
        text = basis.text
        listed = [m.text for m in breakdown.items] + [p.text for p in breakdown.products if p.gives is None]
        total = sum(breakdown.parts, Decimal(0))
        first = min([m.start for m in breakdown.items] + [p.start for p in breakdown.products], default=0)
        data = {"items": _listed(listed, "、"), "items_en": _listed(listed, ", "), "sum": wan_text(total), **_budget_data(reading)}
        case = "sum" if len(listed) > 1 else "single"
        if len(listed) == 1:
            data["amount"] = listed[0]
        slip = unit_slip(breakdown, agreeing, tolerance)
        if slip is not None:
            case = "unit"
            data["slip"] = slip.text
        elif not listed and breakdown.totals:
            case = "single"
            data["amount"] = breakdown.totals[0].text
        return Hit(evidence="、".join(listed) or data.get("amount", ""), field="calculation_basis", loc=locate(basis.loc, text, first), case=case, data=data)


def _conversion_hit(basis: TextItem, amount: MoneyMention, restated: MoneyMention, reading: BudgetReading | None) -> Hit:
    """An amount restated in another unit with the wrong figure (537,600元，折合537.6万元)."""
    per = in_yuan(Decimal(1), restated.unit) or Decimal(1)
    right = f"{(amount.yuan / per).normalize():,f}{restated.unit}"
    return Hit(evidence=restated.text, field="calculation_basis", loc=locate(basis.loc, basis.text, restated.start),
               case="conversion", data={"amount": amount.text, "gives": restated.text, "right": right, **_budget_data(reading)})


def _budget_data(reading: BudgetReading | None) -> dict[str, str]:
    if reading is None:
        return {"budget": "", "budget_en": ""}
    zh, en = _budget_texts(reading)
    return {"budget": zh, "budget_en": en}


def _opening(text: str, width: int = 30) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else f"{line[:width]}…"


# --- building ----------------------------------------------------------------------------------


def _regex(source: str | None) -> re.Pattern[str] | None:
    return re.compile(source) if source else None


def build(params: Mapping[str, Any], compile_expression: Any) -> AmountsCheck | BudgetUnitCheck | CalculationCheck:
    from auditor.checks.base import CheckConfigError

    texts = tuple(params.get("texts") or TEXTS)
    if not set(texts) <= set(TEXTS):
        raise CheckConfigError(f"`texts` may hold only {list(TEXTS)}")
    report = params.get("report", "text")
    if report not in REPORTS:
        raise CheckConfigError(f"`report` is one of {list(REPORTS)}")
    try:
        names = re.compile(params.get("indicator_names", "预算|成本|经费|资金"))
        exclude = _regex(params.get("indicator_exclude"))
        ignore = _regex(params.get("ignore_before"))
    except re.error as error:
        raise CheckConfigError(f"bad regex: {error}") from None
    reading = (params.get("reference", "budget.total"), params.get("unit", "money_unit"), texts, names.pattern,
               exclude.pattern if exclude else None, ignore.pattern if ignore else None, int(params.get("window", 8)),
               str(params.get("tolerance", "0.005")))
    reader = MoneyReader(
        reference=compile_expression(reading[0]),
        unit=compile_expression(reading[1]),
        texts=texts,
        indicator_names=names,
        indicator_exclude=exclude,
        ignore_before=ignore,
        window=reading[6],
        tolerance=Decimal(reading[7]),
        last=shared_last_draft(reading),
    )
    if report == "calculation":
        missing = [name for name in CALCULATION_WORDS if not params.get(name)]
        if missing:
            raise CheckConfigError(f"`report: calculation` needs {missing}")
        try:
            words = Words(*(re.compile(params[name]) for name in CALCULATION_WORDS))
        except re.error as error:
            raise CheckConfigError(f"bad regex: {error}") from None
        return CalculationCheck(reader, words, Decimal(str(params.get("relative_tolerance", "0.001"))))
    return BudgetUnitCheck(reader) if report == "unit" else AmountsCheck(reader)
