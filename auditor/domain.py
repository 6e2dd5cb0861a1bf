"""Domain helpers that rules share: money mentioned in text, whether a schedule is written in
money or in per cent, category names. Registered as expression functions, used by checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from decimal import Decimal
from typing import Any, NamedTuple

from auditor.glossary import categories_en, category_en
from auditor.goals import goal_text, shared_subject
from auditor.model import Amount, Budget, Document, Indicator, Project, SpendingPlan
from auditor.similarity import normalize_text
from auditor.values import base_unit, is_money_unit, is_percent_unit, money_to_yuan, normalize_unit, parse_value
from auditor.vocabulary import Vocabulary

MONEY_IN_TEXT = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)\s*"
    r"(?P<unit>亿元|千万元|百万元|万元|千元|元|万(?=\s*(?:$|[，。；;,、:：)）(（\]】]|以内|以下|之内|左右|以上|一年|每|[/／])))"
)
# What an amount is per, written after it: 1.2万元/人·年, 4.76万元/月, 3000元每人, 35万一年.
PER_AFTER = re.compile(
    r"\s*(?:[/／]\s*|每\s*|一(?=(?:年|月|季|周|天|日|次(?!性)|人)))"
    r"(?P<per>[^\s\d，。；;,、：:（）()/／]{1,3})"
)
# Words before an amount, in its clause, that make it a rate: 每人每月3000元, 单价200元, 人均1万元.
RATE_BEFORE = re.compile(r"每\s*(?P<per>[^\s\d，。；;,、年每]{1,3})|(?P<word>单价|人均|户均|生均|平均|均价)")
ANNUAL_BEFORE = re.compile(r"每\s*年|一\s*年|全年|年度")
CLAUSE_END = re.compile(r"[，。；;,！？!?\n]")
RATE_WINDOW = 12  # characters before an amount searched for a rate word
MONEY_READINGS = ("元", "万元")  # the units a figure under a money label is read in


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """An amount of money written in free text, where it starts, and its value in 元. ``per``
    is what it is per when written as a rate or a period's amount (``人·年`` of 1.2万元/人·年,
    ``年`` of 35万一年 or 每年3.5万元); None for a plain sum."""

    text: str
    number: Decimal
    unit: str
    start: int
    yuan: Decimal
    per: str | None = None

    @property
    def is_rate(self) -> bool:
        """A unit price or a per-person, per-month… amount: never a project's total. A year's
        amount is not a rate: the budget compared with is the year's."""
        return self.per is not None and not self.per.startswith("年")


@lru_cache(maxsize=4096)
def money_mentions(
    text: str | None, pattern: re.Pattern[str] = MONEY_IN_TEXT, rate_window: int = RATE_WINDOW
) -> tuple[MoneyMention, ...]:
    """Every ``N万元`` / ``N元`` / ``N亿元`` (and ``N万`` not followed by another unit's word) in
    a text, with what it is per when it is a rate or a period's amount (searched for ``每…``,
    ``人均`` up to ``rate_window`` characters back in its clause). ``pattern`` may read amounts
    more loosely where the text is about money (a 测算依据). Cached: the budget rules read each
    text several times."""
    if not text:
        return ()
    normalized = unicodedata.normalize("NFKC", text)
    found = []
    for match in pattern.finditer(normalized):
        number = Decimal(match.group("number").replace(",", ""))
        unit = match.group("unit")
        unit = "万元" if unit == "万" else unit
        yuan = money_to_yuan(number, unit)
        if yuan is not None:
            per = money_per(normalized, match.start(), match.end(), rate_window)
            found.append(MoneyMention(match.group(0), number, unit, match.start(), yuan, per))
    return tuple(found)


def money_per(text: str, start: int, end: int, window: int = RATE_WINDOW) -> str | None:
    """What the amount at ``text[start:end]`` is per: written after it (``/人``, ``每月``,
    ``一年``), or before it in its clause (``每人每月``, ``单价``, ``每年``); None for a sum.
    A year's amount per person (``人均3万元/年``) is a rate."""
    after = PER_AFTER.match(text, end)
    clause = CLAUSE_END.split(text[max(0, start - window) : start])[-1]
    rates = [m.group("per") or m.group("word") for m in RATE_BEFORE.finditer(clause)]
    rates = [rate for rate in rates if not rate.startswith("年")]
    if after and not (after.group("per").startswith("年") and rates):
        return after.group("per")
    if rates:
        return rates[-1]
    return "年" if after or ANNUAL_BEFORE.search(clause) else None


@dataclass(frozen=True, slots=True)
class StatedAmount:
    """An amount stated somewhere (a text's, a cost row's, or parts added up) as 元, with the
    slack its rounding allows (``16.23万元`` stands for 162,250–162,350元)."""

    yuan: Decimal
    slack: Decimal
    text: str


def stated(mention: MoneyMention) -> StatedAmount:
    return StatedAmount(mention.yuan, rounding_slack(mention.number, mention.unit), mention.text)


def rounding_slack(number: Decimal, unit: str) -> Decimal:
    """Half the last written digit, in 元, for figures of three or more significant digits
    (``16.23万元`` → 50元); none for round figures (``35万``, ``1万``), which prove nothing when
    they only come near."""
    digits = number.normalize().as_tuple()
    significant = len(digits.digits) if number else 0
    if significant < 3 or not isinstance(digits.exponent, int):
        return Decimal(0)
    step = money_to_yuan(Decimal(1).scaleb(min(digits.exponent, 0)), unit)
    return (step or Decimal(0)) / 2


class UnitMatch(NamedTuple):
    """The unit a figure reads in (``unit``) and which stated amount agrees with it (``index``)."""

    unit: str
    index: int


def figure_unit(figure: Decimal, declared: str, amounts: Sequence[StatedAmount], tolerance: Decimal = Decimal("0.5")) -> UnitMatch | None:
    """The unit a money figure is written in, judged by the amounts stated about the same money.

    The figure read in its label's unit (``declared``) agreeing with one of ``amounts`` → that
    unit. Else, read in another unit (元 or 万元) agreeing with one → that unit: 10185500 under
    a 万元 label with a cost of ≤1018.55万元 is in 元. None when nothing agrees either way —
    a large figure alone proves nothing (large projects exist)."""
    if not figure:
        return None
    declared = normalize_unit(declared)
    for unit in (declared, *(u for u in MONEY_READINGS if u != declared)):
        yuan = money_to_yuan(figure, unit)
        if yuan is None:
            continue
        for index, amount in enumerate(amounts):
            # the tolerance is the label unit's rounding, never more than a thousandth of the
            # amount: 16.04 read in 元 is not 6.14元 because both are under 50元
            if abs(yuan - amount.yuan) <= max(amount.slack, min(tolerance, abs(amount.yuan) / 1000)):
                return UnitMatch(unit, index)
    return None


def wan_text(yuan: Decimal) -> str:
    """An amount in 元 written in 万元 with at least two decimals: ``714800`` → ``71.48万元``."""
    wan = (yuan / 10_000).normalize()
    exponent = wan.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{wan:,.{places}f}万元"


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


def applicable(indicators: Sequence[Indicator] | None) -> list[Indicator]:
    """The rows not declared not to apply (不适用)."""
    return [row for row in indicators or () if not row.not_applicable and row.value.kind != "not_applicable"]


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


ROW_PATH = re.compile(r"^indicators\[(\d+)\]")


def indicator_at(project: Project | None, path: str | None) -> Indicator | None:
    """The project's indicator row a field path names (``indicators[3].description``), or null."""
    match = ROW_PATH.match(path or "")
    if project is None or match is None:
        return None
    index = int(match.group(1))
    return project.indicators[index] if index < len(project.indicators) else None


def implementation_years(project: Project | None, year: Any) -> list[int]:
    """The budget years the project's 实施期限 covers: the span the form writes (2024-2026,
    2024年1月—2026年12月); else, for N years (3年), every year a period of N years holding the
    budget year may cover (from the budget year on for a new project); [] for one year or none."""
    if project is None:
        return []
    if project.duration_span is not None:
        first, last = project.duration_span
        return list(range(first, last + 1))
    years = project.duration_years
    if not years or years < 2 or year is None:
        return []
    budget_year = int(year)
    start = budget_year if project.is_new else budget_year - years + 1
    return list(range(start, budget_year + years))


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


RESPONDENT_BEFORE_DUI = re.compile(r"^(?P<who>.+?)(?<![针相绝面])对(?![象比照接标])")
RESPONDENT_BEFORE_SATISFIED = re.compile(r"^(?P<who>.+?)(?:的)?(?:是否)?满意")
RESPONDENT_LEAD = re.compile(r"^(?:反映|考核|考察|调查|衡量|体现|评价)(?:本项目)?")


def satisfaction_respondent(text: str | None) -> str | None:
    """Who a satisfaction indicator asks: the words before 对 (``居民对中心工作人员服务的满意度``
    asks 居民; what follows 对 is what is rated), else the words before 满意 (``工作人员满意度``
    asks 工作人员); None when neither is written."""
    if not isinstance(text, str) or not text:
        return None
    normalized = RESPONDENT_LEAD.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    match = RESPONDENT_BEFORE_DUI.search(normalized) or RESPONDENT_BEFORE_SATISFIED.search(normalized)
    return match.group("who") if match else None


def project_texts(project: Project | None) -> tuple[str | None, ...]:
    """A project's texts that tell its kind, most telling first: its name, then its 资金用途 —
    or, in forms without one (the 申报表), its 测算依据, which lists what the money buys. Not its
    goals, which mention office costs and operations in passing whatever the kind."""
    if project is None:
        return ()
    spent_on = project.purpose or project.calculation_basis
    return (project.display_name, spent_on.text if spent_on else None)


def vocabulary_functions(vocabulary: Vocabulary) -> dict[str, Callable[..., Any]]:
    """The functions that read the indicator vocabulary (``rules/vocabulary.yaml`` and the
    configuration's extras), bound to the run's ``vocabulary``. Documented in
    ``VOCABULARY_FUNCTION_DOCS`` (``budget-audit rules docs``)."""
    entry = vocabulary.entry

    def family(level3: Any) -> str | None:
        found = entry(level3) if isinstance(level3, str) else None
        return found.family if found else None

    def unit_family(unit: Any) -> str | None:
        return vocabulary.family_of_unit(unit) if isinstance(unit, str) else None

    def unit_fits(level3: Any, unit: Any) -> bool:
        return vocabulary.unit_fits(level3 if isinstance(level3, str) else None, unit if isinstance(unit, str) else None)

    def expected_units(level3: Any) -> str | None:
        found = entry(level3) if isinstance(level3, str) else None
        units = vocabulary.accepted_units(found) if found else None
        if not units:
            return None
        family = vocabulary.families.get(found.family or "")  # type: ignore[union-attr]
        more = "等计数单位" if found.units is None and family is not None and family.classifiers else ""  # type: ignore[union-attr]
        return "、".join(units) + more

    def indicator_term(level3: Any, lang: Any = "zh") -> str | None:
        found = entry(level3) if isinstance(level3, str) else None
        return found.name.get(str(lang), found.name["zh"]) if found else None

    def measure_term(level3: Any, lang: Any = "zh") -> str | None:
        found = entry(level3) if isinstance(level3, str) else None
        if found is None:
            return None
        family = vocabulary.families.get(found.family or "")
        names = found.name if found.units is not None or family is None else family.name
        return names.get(str(lang), names["zh"])

    def expected_categories(level3: Any) -> tuple[str, ...] | None:
        found = entry(level3) if isinstance(level3, str) else None
        return found.categories if found else None

    def framework_category(level2: Any) -> str | None:
        return vocabulary.framework_category(level2) if isinstance(level2, str) else None

    def project_kind(project: Any) -> str | None:
        if not isinstance(project, Project):
            return None
        return vocabulary.project_kind(project_texts(project))

    def indicator_role(level3: Any, project: Any = None) -> str | None:
        found = entry(level3) if isinstance(level3, str) else None
        if found is None:
            return None
        if found.role == "input" and found.output_in and project_kind(project) in found.output_in:
            return "output"
        return found.role

    def direction(level3: Any) -> str | None:
        found = entry(level3) if isinstance(level3, str) else None
        return found.direction if found else None

    def example_target(level3: Any, value: Any = None, project: Any = None, year: Any = None, lang: Any = "zh", fallback: Any = None) -> str:
        return target_example(vocabulary, level3, value, project, year, str(lang), fallback)

    def unit_example(level3: Any, value: Any, project: Any = None, year: Any = None, lang: Any = "zh") -> str:
        return value_with_unit(vocabulary, level3, value, project, year, str(lang))

    def operator_example(level3: Any, value: Any, lang: Any = "zh") -> str:
        return value_with_operator(vocabulary, level3, value, str(lang))

    def names_staff(text: Any) -> bool:
        return vocabulary.names_staff(text if isinstance(text, str) else None)

    def states_deadline(text: Any) -> bool:
        """Whether one clause of a text is a deadline or a time limit on its own (``按季度结算，
        每季度结束后15日内``: the value as a whole is text, its second clause a limit) — a date, a
        duration, an on-time rate or a frequency, as timeliness-no-deadline takes a whole value."""
        if not isinstance(text, str):
            return False
        for clause in CLAUSE_END.split(text):
            value = parse_value(clause.strip())
            if value.kind == "date" or (value.kind == "quantity" and (
                unit_family(unit_head(value.unit)) in ("duration", "rate") or unit_family(value.per) == "duration"
            )):
                return True
        return False

    return {
        "family": family,
        "unit_family": unit_family,
        "states_deadline": states_deadline,
        "unit_fits": unit_fits,
        "expected_units": expected_units,
        "indicator_term": indicator_term,
        "measure_term": measure_term,
        "expected_categories": expected_categories,
        "framework_category": framework_category,
        "project_kind": project_kind,
        "indicator_role": indicator_role,
        "direction": direction,
        "example_target": example_target,
        "unit_example": unit_example,
        "operator_example": operator_example,
        "deadline_example": deadline_example,
        "names_staff": names_staff,
    }


# What suggestions show as an example target, by the indicator's unit family. A name's own
# measure word wins over a family's first unit (培训人次 → 人次, 帮扶户数 → 户).
OPERATORS = {"higher": "≥", "lower": "≤", "exact": "="}
# Families whose names measure a pure number: a bare figure needs no unit (系数 ≥0.60, 投入产出比 ≥3).
UNITLESS_FAMILIES = ("dimensionless", "multiple")
DEFAULT_NUMBERS = {"people": "120", "duration": "3"}
PER_UNIT_COST = re.compile(r"(?P<per>[人户生])均|每(?P<each>[\u4e00-\u9fff])|单价|单位成本|单位造价")
CODE_NUMBER = re.compile(r"(?<![\d.])0\d")  # 03, 007: a code, not a figure
UNKNOWN_LABELS = {"zh": ("（比率）", "（数量）", "或"), "en": (" (for a rate)", " (for a count)", " or ")}
DIRECTION_LABELS = {
    "zh": ("（下限）", "（上限）", "（定额）", "、", "或"),
    "en": (" (a floor)", " (a ceiling)", " (an exact figure)", ", ", " or "),
}


def deadline_example(year: Any) -> str:
    """A deadline in the draft's budget year: ``2024年12月底前`` (``12月底前`` without a year)."""
    return f"{year}年12月底前" if isinstance(year, int) and not isinstance(year, bool) else "12月底前"


def target_example(vocabulary: Vocabulary, level3: Any, value: Any, project: Any, year: Any, lang: str, fallback: Any = None) -> str:
    """An example target for a suggestion, built from what the name measures: a rate ``“≥90%”``,
    a count in the name's measure word ``“≥90个”`` / ``“≥120人”``, money within the project's
    budget ``“≤126.61万元”``, a deadline in the draft's year ``“2024年12月底前”``, a duration
    ``“≤3个工作日”``; the direction from the vocabulary. The draft's own figure is kept where it
    fits (a rate of 95, not a code like ``03``). A name the vocabulary does not know (and no
    ``fallback`` family) gets the generic forms, each labelled: never one specific wrong unit."""
    entry = vocabulary.entry(level3) if isinstance(level3, str) else None
    family = (entry.family if entry else None) or (str(fallback) if fallback else None)
    units = _example_units(vocabulary, entry, family)
    name = level3 if isinstance(level3, str) else ""
    number = _draft_number(value)
    op = OPERATORS.get((entry.direction if entry else None) or "", "≥")
    if family == "date":
        return f"“{deadline_example(year)}”"
    if family == "money":
        return f"“{_money_example(name, number, op, project)}”"
    if family == "change":
        return f"“较上年提高{_shown(number, '5')}%”"
    if family == "rate":
        fitting = number if number is not None and number <= 100 else None
        op = edge_operator(op, fitting, percent=True)
        return f"“{op}{_shown(fitting, '5' if op == '≤' else '90')}{units[0] if units else '%'}”"
    if family == "dimensionless":
        return f"“{op}{_shown(number, 'X')}”"
    if units:
        unit = _written_unit(_family_unit(name, family, units, op == "≤"))
        return f"“{op}{_shown(number, DEFAULT_NUMBERS.get(family or '', '90'))}{unit}”"
    # one figure serves both forms of an unknown name: only a share's (≤100) fits both
    return _unknown_example(name, number if number is not None and number <= 100 else None, lang)


def value_with_unit(vocabulary: Vocabulary, level3: Any, value: Any, project: Any, year: Any, lang: str) -> str:
    """The draft's own figure (``≥95``) with the unit the name's family writes it in
    (``“≥95%”`` for 培训参与度), its operator from the vocabulary when it has none; for a name
    the vocabulary does not know, the rate and count forms, each labelled."""
    raw = unicodedata.normalize("NFKC", value.raw).strip() if hasattr(value, "raw") and value.raw else ""
    entry = vocabulary.entry(level3) if isinstance(level3, str) else None
    family = entry.family if entry else None
    if not raw or family == "date":
        return target_example(vocabulary, level3, value, project, year, lang)
    units = _example_units(vocabulary, entry, family)
    if getattr(value, "op", None) is None and entry is not None and entry.direction in OPERATORS:
        percent = family == "rate" and bool(units) and units[0] == "%"
        raw = edge_operator(OPERATORS[entry.direction], getattr(value, "number", None), percent) + raw
    if family in UNITLESS_FAMILIES:
        return f"“{raw}”"  # a pure number: no unit to add
    name = level3 if isinstance(level3, str) else ""
    if family == "money":
        per = _per_unit(name)
        return f"“{raw}{'元/' + per if per else _money_unit(project)}”"
    if family in ("rate", "change"):
        return f"“{raw}{units[0] if units else '%'}”"
    if units:
        return f"“{raw}{_written_unit(_family_unit(name, family, units, raw.startswith('≤')))}”"
    own = _name_unit(name, (), True)
    if own:
        return f"“{raw}{own}”"
    rate, count, either = UNKNOWN_LABELS.get(lang, UNKNOWN_LABELS["zh"])
    return f"“{raw}%”{rate}{either}“{raw}个”{count}"


def value_with_operator(vocabulary: Vocabulary, level3: Any, value: Any, lang: str) -> str:
    """The draft's own target (``70次``) with the operator the name's direction calls for
    (``“≥70次”``); all three, each labelled, when the vocabulary gives no direction."""
    raw = value.raw.strip() if hasattr(value, "raw") and value.raw else ""
    entry = vocabulary.entry(level3) if isinstance(level3, str) else None
    direction = entry.direction if entry else None
    number = getattr(value, "number", None)
    unit = getattr(value, "unit", None)
    percent = is_percent_unit(unit) or (unit is None and entry is not None and entry.family == "rate")
    if direction in OPERATORS:
        return f"“{edge_operator(OPERATORS[direction], number, percent)}{raw}”"
    if edge_operator("≥", number, percent) == "=" or edge_operator("≤", number, percent) == "=":
        return f"“={raw}”"  # 0 or 100%: only an exact target makes sense, whatever the direction
    floor, ceiling, exact, comma, either = DIRECTION_LABELS.get(lang, DIRECTION_LABELS["zh"])
    return f"“≥{raw}”{floor}{comma}“≤{raw}”{ceiling}{either}“={raw}”{exact}"


def edge_operator(op: str, number: Any, percent: bool) -> str:
    """``op`` for a target of ``number``, or ``=`` where ``op`` would ask for what no figure can
    be or bind nothing: ``≤0``/``≥0``/``<0`` → ``=0``, ``≥100%``/``≤100%``/``>100%`` → ``=100%``."""
    if not isinstance(number, Decimal):
        return op
    at_zero = number == 0 and op in ("≥", "≤", "<")  # nothing is below 0: ≤0 is =0
    at_all = percent and number == 100 and op in ("≥", "≤", ">")  # no share passes 100%
    return "=" if at_zero or at_all else op


def _example_units(vocabulary: Vocabulary, entry: Any, family: str | None) -> tuple[str, ...]:
    if entry is not None and entry.family == family:
        return vocabulary.accepted_units(entry) or ()
    found = vocabulary.families.get(family or "")
    return found.units or () if found else ()


def _family_unit(name: str, family: str | None, units: Sequence[str], ceiling: bool) -> str:
    """The unit an example of the family is written in: the name's own measure word, else a
    ceiling on a duration in working days (≤3个工作日), else the family's first unit."""
    if own := _name_unit(name, units):
        return own
    return "工作日" if family == "duration" and ceiling and "工作日" in units else units[0]


def _name_unit(name: str, units: Sequence[str], unknown: bool = False) -> str | None:
    """The measure word a name ends in: ``培训人次`` → 人次, ``帮扶户数`` → 户, ``疫苗接种人份``
    → 人份. For a name of unknown family only a word of two characters or one before 数 counts
    (``成本`` does not end in the measure word 本)."""
    key = re.sub(r"[（(][^）)]*[）)]$", "", re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)))
    if unknown:
        match = re.search(r"(人份|人次|户次|场次|批次|剂次|架次|车次|台次|件次)$|(?P<one>[个户家件项座栋台套辆条所处场次名人份册本篇])数$", key)
        return (match.group("one") or match.group(1)) if match else None
    for unit in sorted(units, key=len, reverse=True):
        if key.endswith(unit) or key.endswith(unit + "数"):
            return unit
    return None


def _unknown_example(name: str, figure: Decimal | None, lang: str) -> str:
    """A name the vocabulary does not know: its own measure word when it ends in one (疫苗接种
    人份 → “≥90人份”), else the rate and count forms, each labelled (a rate of 100% as “=100%”).
    ``figure`` is the draft's (at most 100, so it fits both forms), else 90."""
    number = _shown(figure, "90")
    own = _name_unit(name, (), True)
    if own:
        return f"“≥{number}{own}”"
    rate, count, either = UNKNOWN_LABELS.get(lang, UNKNOWN_LABELS["zh"])
    return f"“{edge_operator('≥', figure, True)}{number}%”{rate}{either}“≥{number}个”{count}"


def _money_example(name: str, number: Decimal | None, op: str, project: Any) -> str:
    """A money target: a unit cost per what the name says (人均成本 → ≤X元/人); money to bring
    in (a floor) in the draft's figure or X; else the project's budget as the ceiling
    (≤126.61万元), else the draft's figure, else X."""
    per = _per_unit(name)
    if per:
        return f"≤X元/{per}"
    if op == "≥":  # money the project brings in (investment attracted): the budget bounds nothing
        return f"≥{_shown(number, 'X')}{_money_unit(project)}"
    budget = _budget_text(project) if isinstance(project, Project) else None
    if budget:
        return f"≤{budget}"
    return f"{'≤' if op == '=' else op}{_shown(number, 'X')}{_money_unit(project)}"


def _budget_text(project: Project) -> str | None:
    """The project's budget in its label's unit, as a ceiling for money examples: ``126.61万元``.
    A figure that its own texts show to be written in another unit (10,000.00 under 万元 with a
    测算依据 or a cost target of 1万元) is shown in the label's unit as it should read
    (``1.00万元``)."""
    total = project.budget.total if project.budget is not None else None
    if total is None or total.value is None or total.value <= 0 or not total.raw.strip():
        return None
    declared = normalize_unit(total.unit) if total.unit else _money_unit(project)
    texts = [item.text for item in (project.purpose, project.calculation_basis, project.annual_goal, *project.goals) if item]
    texts += [row.value.raw for row in applicable(project.indicators) if "成本" in (category(row.level2), category(row.level1))]
    amounts = [stated(m) for text in texts for m in money_mentions(text) if not m.is_rate]
    match = figure_unit(total.value, declared, amounts)
    if match is None or match.unit == declared:
        return f"{total.raw.strip()}{declared}"
    yuan = money_to_yuan(total.value, match.unit)
    if yuan is None:
        return None
    return wan_text(yuan) if declared == "万元" else f"{format(yuan.normalize(), ',f')}元"


def _per_unit(name: str) -> str | None:
    match = PER_UNIT_COST.search(name)
    if match is None:
        return None
    per = match.group("per") or match.group("each")
    return {"生": "人"}.get(per or "", per) or "单位"


def _money_unit(project: Any) -> str:
    unit = project.money_unit if isinstance(project, Project) else None
    return normalize_unit(unit) if unit else "万元"


def _draft_number(value: Any) -> Decimal | None:
    """The draft's figure, when it is one: positive and not a code written with a leading zero."""
    if isinstance(value, Decimal):
        return value if value > 0 else None
    number = getattr(value, "number", None)
    raw = getattr(value, "raw", "") or ""
    if isinstance(number, Decimal) and number > 0 and not CODE_NUMBER.search(unicodedata.normalize("NFKC", raw)):
        return number
    return None


def _shown(number: Decimal | None, default: str) -> str:
    return format(number.normalize(), "f") if number is not None else default


def _written_unit(unit: str) -> str:
    """A unit as written after a number: 3个工作日, 2个月."""
    return "个工作日" if unit == "工作日" else unit


VOCABULARY_FUNCTION_DOCS: dict[str, tuple[str, str]] = {
    "states_deadline(text)": ("文字中某一分句本身是时限或期限（“按季度结算，每季度结束后15日内”）", "whether one clause of a text is a deadline or time limit on its own"),
    "family(level3)": ("指标名称的计量类别（rate、count、people、money、duration、date、change …），未收录为 null", "the unit family an indicator's name measures in, or null"),
    "unit_family(unit)": ("计量单位所属类别（万元 → money），未收录为 null", "the family a unit belongs to (万元 → money), or null"),
    "unit_fits(level3, unit)": ("单位是否与指标名称的计量类别相符；无法判断时为 true", "whether the unit fits what the name measures; true when it cannot be judged"),
    "expected_units(level3)": ("指标名称应使用的单位（用于提示）", "the units the name calls for, as text for messages"),
    "indicator_term(level3, lang)": ("指标名称所属词条的名称（zh 或 en）", "the name of the name's vocabulary entry, in zh or en"),
    "measure_term(level3, lang)": ("指标名称计量的是什么（比率、人数、金额…；词条限定单位时为词条名称）", "what the name measures (rate, number of people, amount of money …)"),
    "expected_categories(level3)": ("按共性指标框架，指标应放的二级类别（如 [\"时效\"]），未规定为 null", "the framework categories the indicator belongs under, or null"),
    "framework_category(level2)": ("二级指标对应的框架类别（产出数量指标 → 数量），无法对应为 null", "the framework category a 二级 heading names, or null"),
    "project_kind(project)": ("项目类型：personnel（人员经费）、internal_support（内部保障）、public_service（公共服务）", "the project's kind: personnel, internal_support or public_service"),
    "indicator_role(level3, project)": ("指标计的是投入（input）、产出（output）还是效益（outcome）；人员经费、内部保障项目中保障的人员算产出", "whether the name counts an input, an output or an outcome, the project's kind considered"),
    "direction(level3)": ("越高越好（higher）、越低越好（lower）或应等于（exact）", "higher, lower or exact: which way is better"),
    "example_target(level3, value, project, year, lang, fallback)": ("按指标名称的计量类别和方向写出的目标值示例，用于建议：比率“≥90%”，数量用名称自身的量词“≥90个”“≥120人”，金额以项目预算为上限“≤126.61万元”（人均成本“≤X元/人”），时限用预算年度“2024年12月底前”，时长“≤3个工作日”；沿用指标值中合适的数字（不用“03”这类编码）；名称未收录时按 fallback 类别，仍无法判断则分别标明比率和数量的写法。后四个参数可省略", "an example target in the name's own unit family and direction, for suggestions: a rate ≥90%, a count in the name's measure word, money within the project's budget, a deadline in the budget year, a duration ≤3个工作日; the draft's figure kept where it fits; a name the vocabulary does not know gets fallback's family, else the rate and count forms, each labelled"),
    "unit_example(level3, value, project, year, lang)": ("为缺少单位的指标值补上名称计量类别的单位（培训参与度“≥95” → “≥95%”），未写比较符号时按方向补上；名称未收录时分别标明比率和数量的写法", "the draft's figure with the unit of the name's family (≥95 → ≥95% for a rate), its operator added from the direction; the rate and count forms, labelled, for an unknown name"),
    "operator_example(level3, value, lang)": ("按指标方向为指标值补上比较符号（≥ 下限、≤ 上限、= 定额）；方向未知时分别列出三种写法", "the draft's target with the operator its direction calls for (≥ floor, ≤ ceiling, = exact); all three, labelled, when the direction is unknown"),
    "names_staff(text)": ("文字是否指本单位工作人员", "whether a text names the unit's own staff"),
    "deadline_example(year)": ("预算年度内的完成时限示例（“2024年12月底前”），年度未知时为“12月底前”", "a deadline example in the budget year (2024年12月底前), 12月底前 when the year is unknown"),
    "satisfaction_respondent(text)": ("满意度调查的对象：“对”之前的词，否则“满意”之前的词", "who a satisfaction indicator asks: the words before 对, else before 满意"),
}


def declared_not_applicable(text: str | None) -> bool:
    """Whether a cell says the row does not apply (不适用, 不涉及, 无, — …, as the value
    grammar reads them)."""
    return bool(text) and parse_value(text or "").kind == "not_applicable"


def expression_functions(vocabulary: Vocabulary | None = None) -> Mapping[str, Callable[..., Any]]:
    """Domain functions available to rule expressions (beside the built-in ones), with the
    vocabulary functions bound to ``vocabulary`` (the shipped one when None)."""
    if vocabulary is None:
        from auditor.vocabulary import load_vocabulary

        vocabulary = load_vocabulary()
    return {
        **vocabulary_functions(vocabulary),
        "satisfaction_respondent": satisfaction_respondent,
        "plan_in_money": plan_in_money,
        "plan_mixed_units": plan_in_percent_mixed,
        "plan_text": plan_text,
        "category": category,
        "money": lambda text: [m.yuan for m in money_mentions(text)],
        "applicable": applicable,
        "same_title": same_title,
        "unit_head": unit_head,
        "base_unit": base_unit,
        "other_row": other_row,
        "indicator_at": indicator_at,
        "implementation_years": implementation_years,
        "declared_not_applicable": declared_not_applicable,
        "borrowed_subject": borrowed_subject,
        "own_place": own_place,
        "foreign_places": foreign_places,
        "goal_text": goal_text,
        "shared_subject": shared_subject,
        "category_en": categories_in_english,
    }


def categories_in_english(names: Any) -> str:
    """Category words in English (``数量`` → ``quantity``; a list joined by commas), for English
    messages; null as empty."""
    if names is None:
        return ""
    if isinstance(names, str):
        return categories_en(names)
    return ", ".join(category_en(str(name)) for name in names)
