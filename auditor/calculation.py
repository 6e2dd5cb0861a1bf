"""Reading a 测算依据 (calculation basis): the amounts it lists, the products it works out
(单价 × 数量 × 月数), the totals it states, the norms it quotes — and whether they reach a
given amount.

A 测算依据 shows how a project's amount was reached: a unit price times a quantity, a norm
times people times months, or a list of items with their amounts. What it adds up to should be
this year's amount, within rounding. Reading it is a matter of telling its figures apart:

- an *item* is a part of the amount (``食堂水费1万元``, ``合同价27.5646万元``);
- a *total* is the amount stated whole (``合计71.48万``, ``经费总额388.21万元``);
- a *rate* is a price per something (``700元/人/月``, ``每月支付28713.1元``): never summed;
- a *norm* is a standard quoted, not applied (``第一档核定20万元/年``, ``最高限额``);
- a *context* amount is another quantity (``上年``, ``已支付``): never summed;
- a *product* is a worked multiplication (``200人*700元/人/月*12个月``), and the amount it is
  written beside (``199.92万元（…）``, ``=168万元``) is what it claims to give.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from auditor.domain import CLAUSE_END, MoneyMention, money_mentions, rounding_slack
from auditor.values import money_to_yuan

# Amounts in a 测算依据. A bare 万 is money here also before a joining word (7.14万及…,
# 5万和…, 2万+3万): the text is about money. Still not before a measure word (3万人, 1.2万户).
MONEY_IN_BASIS = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)\s*"
    r"(?P<unit>亿元|千万元|百万元|万元|千元|元|万(?=\s*(?:$|[，。；;,、:：)）(（\]】+＋]|及|和|与|以内|以下|之内|左右|以上|一年|每|[/／])))"
)
NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
UNIT = r"[^\d\s×xX*✕=，。；;,、:：（）()【】\[\]]{0,8}?"
TIMES = r"\s*(?:[×xX*✕]|乘以?)\s*"
LEAD = r"[^\d\s×xX*✕=，。；;,、:：（）()【】\[\]]{0,10}?"  # words before a factor: ×每人每月平均补差760元
PRODUCT = re.compile(
    rf"(?P<chain>{NUMBER}\s*{UNIT}(?:{TIMES}{LEAD}{NUMBER}\s*{UNIT})+)"
    rf"(?=\s*(?:[=，。；;,、:：（）()【】\[\]]|$|\s))"
    rf"(?:\s*=\s*(?P<result>{NUMBER}\s*(?:亿元|万元|元|万)))?"
)
FACTOR = re.compile(rf"(?P<number>{NUMBER})\s*(?P<unit>{UNIT})\s*(?:$|[×xX*✕]|乘以?)")
BASIS_RATE_WINDOW = 30  # a 测算依据's clause is searched whole for 每场, 人均 …
MONEY_RESULT_UNIT = re.compile(r"亿元|千万元|百万元|万元|千元|元|万$")
MONEY_UNIT = re.compile(r"^(?P<unit>亿元|千万元|百万元|万元|千元|元|万)(?=$|[/／每])")
# Between a product and the amount after it that it gives: ``）``, ``，共计``, ``合计为``.
GIVES = re.compile(r"^\s*[)）]?\s*[,，]?\s*(?:共计|合计|总计|小计|共|计|即|得)?\s*[为:：]?\s*$")
# The words that make an amount approximate: a product near it is not held to it.
APPROXIMATE = re.compile(r"约|左右|大约|预计")
LISTED_AFTER = re.compile(r"[^，。；;,\n]{0,4}[，,：:；;]?\s*其中")


@dataclass(frozen=True, slots=True)
class Product:
    """A worked multiplication: its text, where it starts, what it gives in 元, and the amount
    it is written beside (what it claims to give), if any."""

    text: str
    start: int
    end: int
    yuan: Decimal
    gives: MoneyMention | None = None
    approximate: bool = False
    price: Decimal = Decimal(0)  # its money factor, in 元 (700 of 200人×700元/人/月×12个月)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """The figures of a 测算依据, sorted by what they are (see the module's docstring)."""

    items: tuple[MoneyMention, ...] = ()
    totals: tuple[MoneyMention, ...] = ()
    rates: tuple[MoneyMention, ...] = ()
    norms: tuple[MoneyMention, ...] = ()
    context: tuple[MoneyMention, ...] = ()
    products: tuple[Product, ...] = ()

    @property
    def parts(self) -> tuple[Decimal, ...]:
        """The amounts that make up the whole: the items, and products no item states."""
        return tuple(m.yuan for m in self.items) + tuple(p.yuan for p in self.products if p.gives is None)

    approximate: tuple[MoneyMention, ...] = ()  # totals said to be approximate (合计约4265万元)
    unapplied: tuple[MoneyMention, ...] = ()  # norms no product applies, beside an amount they claim to give
    misconverted: tuple[tuple[MoneyMention, MoneyMention], ...] = ()  # an amount and its wrong conversion
    listed_after: frozenset[int] = frozenset()  # where a total is followed by its parts (…，其中…)
    priced: bool = False  # an amount is a contract's or a quote's price (合同价, 中标价)

    @property
    def shows_working(self) -> bool:
        """Whether it shows how the amount was reached: a product, a rate, two amounts or
        more, or a contract's price. One amount alone (``根据相关文件…共计30.05万元``) does not."""
        if self.products or self.rates or self.priced or len(self.parts) >= 2:
            return True
        return len({m.yuan for m in self.amounts}) >= 2

    quantified: bool = True  # the text gives a quantity (20名, 3.2万亩, 13个社区) to apply rates to

    @property
    def unapplied_rates(self) -> tuple[MoneyMention, ...]:
        """Unit prices and standards given with no quantity anywhere and no product
        (水田每亩105元、旱地每亩85元…，按实际面积发放): the amount cannot be worked out."""
        return self.rates if self.rates and not self.products and not self.quantified else ()

    @property
    def amounts(self) -> tuple[MoneyMention, ...]:
        return self.items + self.totals


@dataclass(frozen=True, slots=True)
class Words:
    """What marks a figure's kind by the words before it in its clause (regular expressions)."""

    totals: re.Pattern[str]
    norms: re.Pattern[str]  # in the clause before the amount: 核定, 最高限额
    tiers: re.Pattern[str]  # anywhere in the amount's sentence: 第一档…，每增加一个档次，增加5万元
    context: re.Pattern[str]
    priced: re.Pattern[str]  # in the amount's sentence: the amount is a price agreed (合同价)
    window: int = 10


def basis_mentions(text: str) -> tuple[MoneyMention, ...]:
    """Every amount of money in a normalized 测算依据 text, with what it is per."""
    return money_mentions(text, MONEY_IN_BASIS, BASIS_RATE_WINDOW)


def products(text: str, mentions: Sequence[MoneyMention]) -> tuple[Product, ...]:
    """The multiplications with exactly one money factor, or bare numbers giving an amount of
    money (``38×3.6=146.8万元``: in the result's unit), with the amount each gives."""
    found = []
    for match in PRODUCT.finditer(text):
        if _in_a_sum(text, match):
            continue  # 2×320+2×140=920: a term of a sum, whose result is the sum's
        worked = _product_yuan(match.group("chain")) or _bare_product(match)
        if worked is None:
            continue
        gives = _given(text, match, mentions)
        approximate = bool(gives and APPROXIMATE.search(_clause_before(text, gives.start, 6)))
        found.append(Product(match.group(0), match.start(), match.end(), worked[0], gives, approximate, worked[1]))
    return tuple(found)


SUM_SIGNS = ("+", "＋", "-", "－")


def _in_a_sum(text: str, match: re.Match[str]) -> bool:
    """Whether a product is a term of a sum (a ``+`` right before or right after it)."""
    before = text[: match.start()].rstrip()
    after = text[match.end("chain") :].lstrip()
    return before.endswith(SUM_SIGNS) or after.startswith(SUM_SIGNS)


def _bare_product(match: re.Match[str]) -> tuple[Decimal, Decimal] | None:
    """Bare numbers multiplied to an amount written after ``=``: their product in 元 when that
    is the amount (2150×650×12=1677万元: the price was in 元), else in the amount's unit."""
    result = match.group("result")
    factors = list(FACTOR.finditer(match.group("chain")))
    if not result or any(factor.group("unit").strip() for factor in factors):
        return None
    unit = MONEY_RESULT_UNIT.search(result)
    if not unit:
        return None
    value = Decimal(1)
    for factor in factors:
        value *= Decimal(factor.group("number").replace(",", ""))
    written = money_to_yuan(Decimal(result[: unit.start()].strip().replace(",", "")), _unit_name(unit.group(0)))
    in_unit = money_to_yuan(value, _unit_name(unit.group(0)))
    if written is not None and abs(value - written) <= Decimal("0.5"):
        return value, Decimal(0)
    return (in_unit, Decimal(0)) if in_unit is not None else None


def _unit_name(unit: str) -> str:
    return "万元" if unit == "万" else unit


def _product_yuan(chain: str) -> tuple[Decimal, Decimal] | None:
    """The value of ``200人*700元/人/月*12个月`` in 元 and its money factor: the numbers
    multiplied, the one money factor giving the unit. None unless exactly one factor is money."""
    value = Decimal(1)
    price = Decimal(0)
    money_factors = 0
    for factor in FACTOR.finditer(chain):
        number = Decimal(factor.group("number").replace(",", ""))
        unit = factor.group("unit").strip()
        money = MONEY_UNIT.match(unit)
        if money:
            money_factors += 1
            number = money_to_yuan(number, _unit_name(money.group("unit"))) or number
            price = number
        elif unit.startswith("万"):
            number *= 10_000
        elif unit.startswith(("%", "％")):
            number /= 100
        elif unit.startswith("‰"):
            number /= 1000
        value *= number
    return (value, price) if money_factors == 1 else None


def _given(text: str, match: re.Match[str], mentions: Sequence[MoneyMention]) -> MoneyMention | None:
    """The amount a product gives: after ``=``, just before its opening bracket
    (``199.92万元（200人*…）``), or just after it (``…12个月，共计168万元``)."""
    if match.group("result"):
        start = match.start("result")
        return next((m for m in mentions if m.start == start), None)
    before = text[: match.start()].rstrip()
    if before.endswith(("（", "(")):
        previous = [m for m in mentions if m.start + len(m.text) <= len(before)]
        if previous and not text[previous[-1].start + len(previous[-1].text) : len(before) - 1].strip():
            return previous[-1]
    following = [m for m in mentions if m.start >= match.end()]
    if following and GIVES.match(text[match.end() : following[0].start]):
        return following[0]
    return None


SENTENCE_END = re.compile(r"[。；;\n]")


def _sentence(text: str, at: int) -> str:
    """The sentence around ``text[at]``."""
    ends = [m.start() for m in SENTENCE_END.finditer(text)]
    start = max((e + 1 for e in ends if e < at), default=0)
    end = min((e for e in ends if e >= at), default=len(text))
    return text[start:end]


def _clause_before(text: str, start: int, window: int) -> str:
    return CLAUSE_END.split(text[max(0, start - window) : start])[-1]


@lru_cache(maxsize=1024)
def _read(text: str, words: Words) -> Breakdown:
    normalized = unicodedata.normalize("NFKC", text)
    mentions, misconverted = _without_restatements(normalized, basis_mentions(normalized))
    worked = products(normalized, mentions)
    inside = [(p.start, p.end) for p in worked]
    given = {p.gives.start for p in worked if p.gives is not None}
    kinds: dict[str, list[MoneyMention]] = {"items": [], "totals": [], "rates": [], "norms": [], "context": [], "approximate": []}
    priced = False
    for mention in mentions:
        if any(start <= mention.start < end for start, end in inside) and mention.start not in given:
            continue  # a factor of a product
        kind = _kind(normalized, mention, words, mention.start in given)
        kinds[kind].append(mention)
        priced = priced or (kind in ("items", "totals") and bool(words.priced.search(_sentence(normalized, mention.start))))
    listed_after = frozenset(m.start for m in kinds["totals"] if LISTED_AFTER.match(normalized, m.start + len(m.text)))
    return Breakdown(**{k: tuple(v) for k, v in kinds.items()}, products=worked, priced=priced, listed_after=listed_after,
                     unapplied=_unapplied(normalized, kinds, worked), misconverted=misconverted,
                     quantified=bool(QUANTITY.search(normalized)))


def _unapplied(text: str, kinds: dict[str, list[MoneyMention]], worked: tuple[Product, ...]) -> tuple[MoneyMention, ...]:
    """Norms quoted and used for an amount without working: no product takes them as its
    price, and their sentence states an amount (``补助标准分别为每人每月300元、200元、100元，共计60万元``)."""
    prices = {p.price for p in worked}
    claimed = {_sentence_start(text, m.start) for m in kinds["items"] + kinds["totals"]}
    return tuple(n for n in kinds["norms"] if n.yuan not in prices and _sentence_start(text, n.start) in claimed)


def _sentence_start(text: str, at: int) -> int:
    return max((m.start() + 1 for m in SENTENCE_END.finditer(text, 0, at)), default=0)


RESTATES = re.compile(r"^[^。；;\n\d=]{0,6}$")  # what stands between an amount and itself restated


# a quantity rates apply to: a number with a counting word (not an age, a year or money)
QUANTITY = re.compile(
    r"\d+(?:\.\d+)?\s*[十百千万亿]?\s*(?:人次|人|户|名|个|家|所|台|套|辆|亩|公顷|平方公里|平方千米|平方米|平米|公里|千米|米|立方米|"
    r"次|场|批|处|间|村|站|床|份|件|项|盏|条|座|栋|吨|只|头|羽|尾|株|棵|眼|枚|箱|袋|剂|人份|月|天|小时|课时)"
)
CONVERTS = re.compile(r"^[\s,，]*(?:即|折合|约合|换算为|合)[\s为:：]*$")  # 537,600元，折合…万元


def _without_restatements(
    text: str, mentions: tuple[MoneyMention, ...]
) -> tuple[tuple[MoneyMention, ...], tuple[tuple[MoneyMention, MoneyMention], ...]]:
    """The amounts without those that restate the one just before in another unit
    (``436,800元，即43.68万元``, ``10236600元，折合1023.66万元``): one amount, not two; and the
    restatements that convert wrongly (``537,600元，折合537.6万元``), with what they restate."""
    kept: list[MoneyMention] = []
    wrong: list[tuple[MoneyMention, MoneyMention]] = []
    for mention in mentions:
        previous = kept[-1] if kept else None
        if previous is not None and previous.unit != mention.unit:
            between = text[previous.start + len(previous.text) : mention.start]
            if abs(previous.yuan - mention.yuan) <= rounding_slack(mention.number, mention.unit) + Decimal("0.5"):
                if RESTATES.match(between):
                    continue
            elif CONVERTS.match(between):
                wrong.append((previous, mention))
                continue
        kept.append(mention)
    return tuple(kept), tuple(wrong)


def read_breakdown(text: str, words: Words) -> Breakdown:
    """The figures of a 测算依据, each sorted by kind."""
    return _read(text, words)


def _kind(text: str, mention: MoneyMention, words: Words, given: bool) -> str:
    before = _clause_before(text, mention.start, words.window)
    if words.context.search(before):
        return "context"
    if not given and words.norms.search(before):
        return "norms"
    if not given and words.tiers.search(_sentence(text, mention.start)) and not words.totals.search(before):
        return "norms"  # 一星级站点每年补贴3万元、二星级…: a tier; its sentence's 共计 is a total
    if mention.is_rate and not given:
        return "rates"
    if words.totals.search(before):
        # 合计约4265万元: an approximate total, nothing to hold the parts to
        return "approximate" if APPROXIMATE.search(before) else "totals"
    return "items"


def near(value: Decimal, targets: Iterable[Decimal], tolerance: Decimal) -> Decimal | None:
    """The first of ``targets`` within ``tolerance`` of ``value``."""
    return next((t for t in targets if abs(value - t) <= tolerance), None)


def slack_of(mentions: Iterable[MoneyMention]) -> Decimal:
    """The rounding the written figures allow together."""
    return sum((rounding_slack(m.number, m.unit) for m in mentions), Decimal(0))


def reaches(breakdown: Breakdown, amounts: Sequence[Decimal], tolerance: Decimal) -> bool:
    """Whether the figures come to one of ``amounts``: their sum; a stated total or one item
    (the whole written first, 经费总额…其中…); or the sum without one item (an amount written
    for context, 199.92万元的差额)."""
    parts = breakdown.parts
    slack = tolerance + slack_of(breakdown.items)
    if parts and near(sum(parts, Decimal(0)), amounts, slack) is not None:
        return True
    said = breakdown.amounts + breakdown.approximate
    if any(near(m.yuan, amounts, tolerance + rounding_slack(m.number, m.unit)) is not None for m in said):
        return True
    whole = sum(parts, Decimal(0))
    return len(parts) > 2 and any(near(whole - part, amounts, slack) is not None for part in parts)


def unit_slip(breakdown: Breakdown, amounts: Sequence[Decimal], tolerance: Decimal) -> MoneyMention | None:
    """The one item that, read in 万元 instead of 元 (or the reverse), makes the parts reach
    an amount: 元 and 万元 mixed up within the 测算依据."""
    whole = sum(breakdown.parts, Decimal(0))
    for item in breakdown.items:
        for scaled in (item.yuan * 10_000, item.yuan / 10_000):
            if near(whole - item.yuan + scaled, amounts, tolerance + slack_of(breakdown.items)) is not None:
                return item
    return None



@dataclass(frozen=True, slots=True)
class Unsummed:
    """A stated total its parts do not come to: the total, the parts' texts and their sum."""

    total: MoneyMention
    parts: tuple[str, ...]
    sum: Decimal


def unsummed_total(breakdown: Breakdown, relative: Decimal, other_wholes: Sequence[Decimal] = ()) -> Unsummed | None:
    """The first stated total (合计, 总额) that the parts written with it do not come to.

    Parts written before a total (since the previous one) must end in a run that sums to it
    (210+265+95 is not 合计560): an earlier part may be context. A total written first
    (经费总额…，其中…) lists parts after it that may be only some: they must not exceed it.
    A total that is one of ``other_wholes`` (the multi-year amount beside the year's items) is
    not the items'. A total the parts reach once a miscomputed product is read at its true
    value (2台×36.5万元=63万元 … 合计468.5万元) is that product's defect, not another one."""
    found = _unsummed(breakdown, relative, other_wholes, corrected=False)
    if found is None or _unsummed(breakdown, relative, other_wholes, corrected=True) is None:
        return None
    return found


def _unsummed(breakdown: Breakdown, relative: Decimal, other_wholes: Sequence[Decimal], corrected: bool) -> Unsummed | None:
    worked = {p.gives.start: p.yuan for p in breakdown.products if p.gives is not None} if corrected else {}
    parts = sorted(
        [(m.start, worked.get(m.start, m.yuan), m.text, rounding_slack(m.number, m.unit)) for m in breakdown.items]
        + [(p.start, p.yuan, p.text, Decimal(0)) for p in breakdown.products if p.gives is None]
    )
    totals = sorted(breakdown.totals, key=lambda m: m.start)
    for i, total in enumerate(totals):
        if any(abs(total.yuan - whole) <= rounding_slack(total.number, total.unit) + Decimal("0.5") for whole in other_wholes):
            continue
        previous = totals[i - 1].start if i else -1
        following = totals[i + 1].start if i + 1 < len(totals) else None
        before = [p for p in parts if previous < p[0] < total.start]
        if i and before:  # 合计198.44万元，另预留0.16万元，共198.6万元: the last total is a part
            last = totals[i - 1]
            before.insert(0, (last.start, last.yuan, last.text, rounding_slack(last.number, last.unit)))
        after = [p for p in parts if total.start < p[0] and (following is None or p[0] < following)]
        tolerance = max(total.yuan * relative, rounding_slack(total.number, total.unit), Decimal("0.5"))
        if len(before) >= 2:
            runs = [before[j:] for j in range(len(before))]
            if not any(abs(_sum(run) - total.yuan) <= tolerance + sum((p[3] for p in run), Decimal(0)) for run in runs):
                return Unsummed(total, tuple(p[2] for p in before), _sum(before))
        elif not before and len(after) >= 2 and total.start in breakdown.listed_after:
            if _sum(after) > total.yuan + tolerance + sum((p[3] for p in after), Decimal(0)):
                return Unsummed(total, tuple(p[2] for p in after), _sum(after))
    return None


def _sum(parts: Sequence[tuple[int, Decimal, str, Decimal]]) -> Decimal:
    return sum((p[1] for p in parts), Decimal(0))
