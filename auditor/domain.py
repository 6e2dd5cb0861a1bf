"""Domain helpers that rules share: money mentioned in text, whether a schedule is written in
money or in per cent, category names. Registered as expression functions, used by checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from decimal import Decimal
from typing import Any

from auditor.model import Amount, Budget, Document, Indicator, Project, SpendingPlan
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


def other_row(text: str | None, indicator: Indicator | None, project: Project | None, document: Document | None) -> str | None:
    """The 三级指标 of another row of the same table that ``text`` names (normalised: the whole
    name, or the end of it when six characters or more, ``工作效率提高情况`` for
    ``政府工作效率提高情况``), or null: a value or description copied from the wrong row."""
    if not text or indicator is None:
        return None
    rows = project.indicators if project is not None else (document.department_indicators if document else [])
    wanted = normalize_text(text)
    own = normalize_text(indicator.level3)
    if not wanted or wanted == own or len(wanted) < 3:
        return None
    for row in rows:
        name = normalize_text(row.level3)
        if row is indicator or name == own or wanted in own:
            continue
        if name == wanted or (len(wanted) >= 6 and name.endswith(wanted)):
            return row.level3
    return None


UNIT_TERM = re.compile(r"[\u4e00-\u9fff]{1,2}(?:中心|站|部|局|所|委|队|院|馆)")
UNIT_END = re.compile(r"中心|[站部局所委队院馆]")  # a text without one of these names no unit
NAME_PREFIX = re.compile(r"^(?:\d+[.、．]\s*)?(?:经开区|开发区|园区|管委会|高新区|新区)?")
OWN_AREA_WORDS = frozenset({"经开区", "开发区", "园区", "高新区", "新区", "我区", "本区", "全区", "区内", "我县", "全县", "县域"})


@lru_cache(maxsize=4096)
def _unit_terms(name: str) -> tuple[str, ...]:
    return tuple(UNIT_TERM.findall(NAME_PREFIX.sub("", name)))


def borrowed_subject(text: str | None, project: Project | None, document: Document | None) -> str | None:
    """Another project's subject named in this project's text: a unit term (``武装部``) from
    another project's name that this project's own name lacks, in a phrase that echoes that
    name (a common run of five characters or more), and distinctive in the draft: named by no
    project but that one (a facility word many projects speak of — 服务中心, 工作站 — is no
    one's own subject). Returns ``武装部（项目6“…”）`` or null."""
    if not text or project is None or document is None or not UNIT_END.search(text):
        return None
    own = project.display_name
    for other in document.projects:
        if other is project:
            continue
        for term in _unit_terms(other.display_name):
            if term in own or term not in text or _spoken_of_elsewhere(term, document, project, other):
                continue
            name = NAME_PREFIX.sub("", other.display_name)
            match = SequenceMatcher(None, text, name, autojunk=False).find_longest_match(0, len(text), 0, len(name))
            common = text[match.a : match.a + match.size]
            if match.size >= 5 and term in common:
                return f"{term}（项目{other.index}“{other.display_name}”）"
    return None


def _spoken_of_elsewhere(term: str, document: Document, project: Project, owner: Project) -> bool:
    """Whether a project other than ``owner`` and ``project`` names ``term`` in its name, goals,
    purpose or indicators: then the term is common in the draft, not ``owner``'s subject."""
    for other in document.projects:
        if other is project or other is owner:
            continue
        texts = [other.display_name, other.purpose.text if other.purpose else ""]
        texts += [g.text for g in other.goals] + [row.level3 for row in other.indicators]
        if any(term in t for t in texts):
            return True
    return False


def own_place(place: str | None, document: Document | None) -> bool:
    """Whether a place named in a self-referring phrase (``我镇``, ``全乡``, ``谱写X新一轮``) is
    the draft's own: ``我镇`` only in a township's draft; a name only if the department or title
    carries it (or it is a generic word for the zone itself)."""
    if not place or document is None:
        return True
    own = f"{document.department or ''}{document.title or ''}"
    if place[0] in "我本全" and len(place) == 2:
        return place[1] in own or place in OWN_AREA_WORDS
    return place in own or place in OWN_AREA_WORDS


SELF_REFERENCE = re.compile(r"(?P<own>[我本全](?:镇|乡|区|县))|谱写(?P<named>[\u4e00-\u9fff]{2,4}?)(?:新一轮|新篇章|新的)")


def foreign_places(text: str | None, document: Document | None) -> list[str]:
    """Places a text names as its own that are not the draft's (``我镇`` in a development zone's
    draft, ``韩村`` of ``谱写韩村新一轮…`` in 永清经开区's): text borrowed from another unit."""
    if not text:
        return []
    found = []
    for match in SELF_REFERENCE.finditer(text):
        place = match.group("own") or match.group("named")
        if place and not own_place(place, document):
            found.append(place)
    return found


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
        "other_row": other_row,
        "borrowed_subject": borrowed_subject,
        "own_place": own_place,
        "foreign_places": foreign_places,
    }
