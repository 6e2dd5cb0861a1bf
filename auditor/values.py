"""Parse a 指标值 (indicator target value) into an ``IndicatorValue``, and complete values from
their row (``complete_document``).

The grammar is ``grammar/indicator_value.lark`` (Lark, LALR, contextual lexer). The value is
parsed after NFKC normalisation (full-width ``％＞＝０-９``, ideographic space) and stripping;
``raw`` is kept exactly as given, and ``unit_raw`` / ``tail`` / ``lead`` / ``counted`` are cut
from ``raw``.

Kinds:

- ``quantity``: optional period (每年, 每季度), optional lead naming what is measured
  (``总成本不超过35万``), optional operator, a number (Arabic, a Chinese numeral directly before a
  unit, 半, 一个半, or 百分之…), optional unit (a lexicon unit, a bare 万/亿 magnitude, a counting
  classifier with the noun it counts — ``13个社区`` — or a single measure word closing the value),
  optional period after it (一年, /年), optional suffix operator (以上/以下/以内/内), optional tail —
  ``≥95%``, ``17　个``, ``200人以上``, ``三次``, ``半小时内``, ``不超过35万一年``,
  ``每季度不少于2次``, ``≥80成本控制`` (tail ``成本控制``: a placeholder stays one).
- ``date``: ``2023年12月底``, ``12月底``, ``2023年12月31日前`` (op ``≤`` from 前/内), a 4-digit
  year 19xx/20xx followed by 年, or a month 1-12 followed by 月; the budget year unnamed
  (``年底前``, ``上半年``); a range (its end: ``2023.1.1-2025.12.31``); a recurring deadline
  (``每月10日前``, ``每天早上6点半前``, ``每季度末``: ``ValueDate.every``/``time``) and
  ``次月5日前`` (monthly, day 5). ``1年`` and ``365天`` are quantities (periods).
- ``not_applicable``: the value declares the row does not apply (不适用, 不涉及, 无, —, /, N/A and
  slips such as 不适应; the list is in the grammar).
- ``text``: qualitative; the grammar rejects it and it starts with a word (``健全``,
  ``较上一年进一步提升``, ``不低于上年``, ``指标1：…``, ``不使用``).
- ``empty``: empty or whitespace only.
- ``unparsed``: the grammar rejects it, it does not start with words, and a digit comes before the
  point of failure or it starts with an operator sign: ``≥``, ``≥≥5``, ``1:1000``, ``90-95%``,
  ``20次至50次``, ``≥95%，≥98%``.

A prefix operator wins over a suffix one (``≥95%以上`` → ``≥``), except ``控制在``, which yields to
a suffix (``控制在95%以上`` → ``≥``). ``op_raw`` keeps the words (``达到``, ``控制在…以内``), so
``达到100%`` (reach all) can be told from ``≥100%``; ``共93人`` reads as ``=``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import replace
from decimal import Decimal
from typing import Any, NamedTuple

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from auditor.model import Document, Indicator, IndicatorValue, ValueDate, ValueKind
from auditor.resources import resource_path

GRAMMAR_PATH = resource_path("grammar", "indicator_value.lark")

# Variant → canonical unit name; a unit not listed here is its own canonical name.
_UNIT_ALIASES: dict[str, str] = {
    "%": "%", "百分比": "%", "百分率": "%",
    "个百分点": "百分点",
    "人数": "人", "人次数": "人次", "次数": "次", "个数": "个", "户数": "户", "家数": "家",
    "项数": "项", "件数": "件", "份数": "份", "台数": "台", "条数": "条", "场次数": "场次",
    "天数": "天", "日": "天",
    "个工作日": "工作日", "个季度": "季度", "个小时": "小时", "钟头": "小时", "个星期": "周",
    "星期": "周",
    "仟元": "千元",
    "平米": "平方米", "平方": "平方米", "m2": "平方米", "km2": "平方公里",
    "立方": "立方米", "方": "立方米", "m3": "立方米",
    "m": "米", "km": "公里", "千米": "公里", "平方千米": "平方公里",
    "kg": "公斤", "千克": "公斤", "t": "吨", "公升": "升", "秒钟": "秒",
    "kwh": "千瓦时", "kw": "千瓦", "mw": "兆瓦", "h": "小时",
}

# Money units and their value in 元.
_YUAN_PER_UNIT: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "百万元": Decimal(1_000_000),
    "千万元": Decimal(10_000_000),
    "亿元": Decimal(100_000_000),
}

# A magnitude written before a unit (48万毫升, 3千人, 1.5亿立方米), longest first, and the units
# that start with one of its characters but are units of their own, not a multiple.
_MAGNITUDES: dict[str, Decimal] = {
    "十万": Decimal(100_000), "百万": Decimal(1_000_000), "千万": Decimal(10_000_000),
    "十": Decimal(10), "百": Decimal(100), "千": Decimal(1_000), "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
}
_WHOLE_UNITS = frozenset({"千米", "千克", "千瓦", "千瓦时", "百分点", "百分比", "百分率", *_YUAN_PER_UNIT})

# A period as written (after 每 / 一 / "/") → its name; also the last part of a rate unit.
_PERIODS: dict[str, str] = {
    "年": "年", "年度": "年", "半年": "半年", "季度": "季度", "季": "季度", "月": "月", "月份": "月",
    "个月": "月", "旬": "旬", "周": "周", "星期": "周", "天": "天", "日": "天", "工作日": "工作日",
}
# Words that make a lead a change ("较上年提高5%" is a difference, not a level), unless the lead
# names a rate ("成本节约率不低于5%").
_CHANGE_WORDS = re.compile(r"^(?:较|比|同比|环比)|增长|增加|提高|提升|降低|下降|减少|上升|节约|节省|缩短|压缩|增|减|降|升")
_RATE_NAME = re.compile(r"(?:率|比例|比率|占比|比重)$")
_MAX_LEAD_TAIL = 8  # a short remark after a lead quantity ("（城中村）", "到达"), not a second clause
_AFTERNOON = frozenset({"下午", "晚上", "傍晚", "夜间", "晚"})

_OPEN_BRACKETS = re.compile(r"[(\[{（【《「『“‘\"']+\Z")
_DATE_FIELDS = re.compile(
    r"(?:(?P<y>\d{4})\s*年)?(?:\s*(?P<m>\d{1,2})\s*月)?(?:\s*(?P<d>\d{1,2})\s*[日号])?\Z"
)
_MAX_CN_NUMERAL = 24  # longer Chinese numerals are not numbers worth converting
_CN_PLACES = frozenset("十百千万亿")
_OP_SIGNS = frozenset("≥≤≧≦<>=")


def normalize_unit(unit: str) -> str:
    """Canonical unit name: ``百分比``/``％`` → ``%``, ``人数`` → ``人``, ``㎡`` → ``平方米``,
    ``次/日`` → ``次/天``; an unknown unit comes back NFKC-normalised and stripped."""
    parts = unicodedata.normalize("NFKC", unit).strip().split("/")
    return "/".join(_canonical_unit(part.strip()) for part in parts)


def _canonical_unit(part: str) -> str:
    """One unit (no ``/``): its canonical name, Latin units case-insensitively; a magnitude
    keeps its place before the canonical base (``万平米`` → ``万平方米``)."""
    alias = _UNIT_ALIASES.get(part.lower() if part.isascii() else part)
    if alias is not None:
        return alias
    magnitude, base = _split_magnitude(part)
    return part if magnitude is None else magnitude + _UNIT_ALIASES.get(base, base)


def _split_magnitude(part: str) -> tuple[str | None, str]:
    """``万小时`` → (``万``, ``小时``); (None, part) when no magnitude multiplies a unit in it
    (``千米``, ``万元`` and a bare ``万`` are units of their own)."""
    if part in _WHOLE_UNITS or part in _UNIT_ALIASES:
        return None, part
    for magnitude in _MAGNITUDES:
        base = part[len(magnitude):]
        if part.startswith(magnitude) and base and base not in _YUAN_PER_UNIT:
            return magnitude, base
    return None, part


def base_unit(unit: str | None) -> str | None:
    """The unit a magnified unit multiplies: ``万小时`` → ``小时``, ``十万亩`` → ``亩``,
    ``3千人次/年``'s ``千人次/年`` → ``人次/年``; other units as ``normalize_unit`` gives them
    (``千米`` → ``公里``, ``万元`` stays: money units are their own)."""
    if unit is None:
        return None
    parts = normalize_unit(unit).split("/")
    return "/".join(_split_magnitude(part)[1] for part in parts)


def unit_magnitude(unit: str | None) -> Decimal:
    """How many base units one ``unit`` is: ``万小时`` → 10000, ``千人`` → 1000, ``小时`` → 1."""
    if unit is None:
        return Decimal(1)
    magnitude, _ = _split_magnitude(normalize_unit(unit).split("/")[0])
    return _MAGNITUDES[magnitude] if magnitude is not None else Decimal(1)


def is_percent_unit(unit: str | None) -> bool:
    """True for ``%`` and its spellings (百分比, 百分率, ％); 百分点 is not a per cent."""
    return unit is not None and normalize_unit(unit) == "%"


def is_money_unit(unit: str | None) -> bool:
    """True for 元, 千元, 万元, 百万元, 千万元, 亿元 (any spelling)."""
    return unit is not None and normalize_unit(unit) in _YUAN_PER_UNIT


def money_to_yuan(number: Decimal, unit: str | None) -> Decimal | None:
    """``number`` in ``unit`` (元/千元/万元/百万元/千万元/亿元, any spelling) as 元; None otherwise."""
    if unit is None:
        return None
    factor = _YUAN_PER_UNIT.get(normalize_unit(unit))
    return None if factor is None else number * factor


@functools.cache
def _parser() -> Lark:
    """The LALR parser, built once per process on first use."""
    # cache=True pickles the LALR tables to the temp folder: start-up time matters.
    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", cache=True)


def _cn_to_decimal(numeral: str) -> Decimal:
    """A Chinese numeral (三, 两千, 九十五点五, 百, 半) as a Decimal; ValueError if it is none.

    A digit string without place words (二〇二三 is a year, 三五 means "three to five") is none.
    """
    if numeral == "半":
        return Decimal("0.5")
    integer = numeral.split("点", 1)[0]
    if len(numeral) > _MAX_CN_NUMERAL or (len(integer) > 1 and not _CN_PLACES & set(integer)):
        raise ValueError(numeral)
    if numeral[0] in "百千":  # 百分百: "百" alone means 一百
        numeral = "一" + numeral
    import cn2an  # lazy: costs ~0.3 s at import

    return Decimal(str(cn2an.cn2an(numeral, "normal")))


class _Op(NamedTuple):
    """An operator as read: its sign (None for 约/于), whether a suffix operator overrides it
    (控制在, 约, 截至, 于), and the words as written."""

    symbol: str | None
    yields: bool
    raw: str


class _Rejected(ValueError):
    """The grammar accepted a reading that the checks below do not (a lead naming a change …)."""


class _Builder(Transformer[Token, Any]):
    """Turns a parse tree into IndicatorValue fields, cutting unit_raw and tail from ``raw``.

    ``origin[i]`` is the index in ``raw`` of the character that produced character ``i`` of the
    parsed (normalised, stripped) text; ``stop`` is where that text ends in ``raw``.
    """

    def __init__(self, raw: str, origin: list[int], stop: int) -> None:
        super().__init__()
        self._raw, self._origin, self._stop = raw, origin, stop

    def _raw_of(self, token: Token) -> str:
        start, end = token.start_pos or 0, (token.end_pos or 1) - 1
        return self._raw[self._origin[start]:self._origin[end] + 1].strip()

    # ---- operators: each grammar alias of an operator gives its sign and whether it yields ----
    _OPERATORS: dict[str, tuple[str | None, bool]] = {
        "ge": ("≥", False), "le": ("≤", False), "gt": (">", False), "lt": ("<", False), "eq": ("=", False),
        "total": ("=", False), "ctrl": ("≤", True), "about": (None, True), "until": ("≤", True), "at": (None, True),
        "suffix_ge": ("≥", False), "suffix_le": ("≤", False),
    }

    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        operator = self._OPERATORS.get(str(data))
        if operator is None:
            return super().__default__(data, children, meta)
        return _Op(operator[0], operator[1], self._raw_of(children[0]))

    def date_prefix(self, children: list[_Op]) -> _Op:
        return children[0]

    @staticmethod
    def _op(prefix: _Op | None, suffix: _Op | None) -> tuple[str | None, str | None]:
        """The operator and its words: a prefix wins unless it yields to a suffix."""
        if prefix is None:
            return (suffix.symbol, suffix.raw) if suffix is not None else (None, None)
        if prefix.yields and suffix is not None:
            return suffix.symbol, f"{prefix.raw}…{suffix.raw}" if prefix.symbol else suffix.raw
        return prefix.symbol, prefix.raw

    # ---- words around the number ----
    def every(self, c: list[Token]) -> str:
        return _period(str(c[0]))

    def per(self, c: list[Token]) -> str:
        return _period(str(c[0]))

    def lead(self, c: list[Token]) -> str:
        return self._raw_of(c[0])

    def rest(self, children: list[Token | None]) -> str | None:
        tail = children[-1]
        if tail is None:
            return None
        start = self._origin[tail.start_pos or 0]
        sep = children[0] if len(children) == 2 else None
        if sep is not None and (m := _OPEN_BRACKETS.search(str(sep))):
            start = self._origin[(tail.start_pos or 0) - len(m.group())]
        return self._raw[start:self._stop] or None

    # ---- quantities ----
    def unit(self, c: list[Token]) -> dict[str, Any]:
        return {"unit": normalize_unit(str(c[0])), "unit_raw": self._raw_of(c[0])}

    cn_unit = unit
    open_unit = unit

    def counted_unit(self, c: list[Token]) -> dict[str, Any]:
        classifier, noun = c
        return {"unit": normalize_unit(str(classifier)), "unit_raw": self._raw_of(classifier),
                "counted": self._raw_of(noun)}

    def arabic(self, c: list[Any]) -> dict[str, Any]:
        number, unit = c
        return {"number": Decimal(str(number).replace(",", "")), **(unit or {})}

    def arabic_range(self, c: list[Any]) -> dict[str, Any]:
        """15-20分钟, 90%~95%: a range target; its units, if both written, must agree, and it
        must run upwards."""
        low, low_unit, dash, high, high_unit = c
        if low_unit and high_unit and low_unit.get("unit") != high_unit.get("unit"):
            raise ValueError("a range between two units")
        number, upper = Decimal(str(low).replace(",", "")), Decimal(str(high).replace(",", ""))
        if upper <= number:
            raise ValueError("a range that runs downwards")
        return {"number": number, "upper": upper, "range": str(dash).strip(), **(high_unit or low_unit or {})}

    def chinese(self, c: list[Any]) -> dict[str, Any]:
        numeral, unit = c
        return {"number": _cn_to_decimal(str(numeral)), **unit}

    def and_a_half(self, c: list[Token]) -> dict[str, Any]:
        whole, unit = c
        count = str(whole).replace("个半", "").strip()
        number = Decimal(count) if count.isdigit() else _cn_to_decimal(count)
        canonical = normalize_unit(str(unit))
        return {"number": number + Decimal("0.5"), "unit": "个月" if canonical == "月" else canonical,
                "unit_raw": self._raw_of(unit)}

    def pct_chinese(self, c: list[Token]) -> dict[str, Any]:
        text = str(c[0])
        marker = "百分之" if text.startswith("百分之") else "百分"
        digits = text[len(marker):]
        number = Decimal(digits) if digits[0].isdigit() else _cn_to_decimal(digits)
        return {"number": number, "unit": "%", "unit_raw": marker}

    def quantity(self, c: list[Any]) -> dict[str, Any]:
        every, lead, prefix, amount, per, suffix, tail = c
        if lead is not None:
            _check_lead(lead, has_op=prefix is not None, has_unit="unit" in amount, tail=tail)
        dash = amount.pop("range", None)
        if dash is not None:
            if prefix is not None:
                raise ValueError("an operator on a range")  # ≥95%-98%: which is it?
            if suffix is None:
                prefix = _Op("~", False, dash)
            elif suffix.symbol == "≤":  # 3~5个工作日内: within the upper bound
                amount["number"] = amount["upper"]
        op, op_raw = self._op(prefix, suffix)
        unit = amount.get("unit")
        return {"kind": "quantity", "op": op, "op_raw": op_raw, "lead": lead, "tail": tail,
                "per": per or every or _period_of_unit(unit), **amount}

    # ---- dates ----
    def calendar(self, c: list[Any]) -> dict[str, Any]:
        token, part, by = c
        text = re.sub(r"\s+", "", str(token))
        if m := _DATE_FIELDS.match(text):
            y, mo, d = m.group("y"), m.group("m"), m.group("d")
        else:  # 2023-12-31, 2023/12, 2023.12.31
            y, mo, d = (re.split(r"[-/.]", text) + [None, None])[:3]
        date = ValueDate(int(y) if y else None, int(mo) if mo else None, int(d) if d else None,
                         _qualifier(part, by))
        return {"date": date, "by": self._by(by)}

    def date_end(self, c: list[Any]) -> dict[str, Any]:
        return self.calendar(c[1:])

    def this_year(self, c: list[Any]) -> dict[str, Any]:
        _, part, by = c
        return {"date": ValueDate(None, None, None, _qualifier(part, by)), "by": self._by(by)}

    def half_year(self, c: list[Any]) -> dict[str, Any]:
        half, by = c
        qualifier = re.sub(r"^[本当今]", "", str(half)) + (str(by).strip() if by is not None else "")
        return {"date": ValueDate(None, None, None, qualifier), "by": self._by(by)}

    def _by(self, by: Token | None) -> _Op | None:
        return None if by is None else _Op("≤", False, self._raw_of(by))

    def date(self, c: list[Any]) -> dict[str, Any]:
        lead, prefix, point, end, tail = c
        if lead is not None:
            _check_lead(lead, has_op=True, has_unit=True, tail=tail)
        date, by = point["date"], point["by"]
        if end is not None:  # a range: its end is the deadline; it shares the start's year
            date, by = end["date"], end["by"]
            if date.year is None:
                date = replace(date, year=point["date"].year)
        op, op_raw = self._op(prefix, by)
        return {"kind": "date", "op": op, "op_raw": op_raw, "lead": lead, "tail": tail,
                "date": date}

    def on_day(self, c: list[Any]) -> dict[str, Any]:
        day, by = c
        return {"day": int(re.sub(r"\D", "", str(day))), "by": by}

    def on_date(self, c: list[Any]) -> dict[str, Any]:
        token, part, by = c
        point = self.calendar([token, None, None])["date"]
        return {"month": point.month, "day": point.day, "part": part, "by": by}

    def at_time(self, c: list[Any]) -> dict[str, Any]:
        daypart, clock, by = c
        return {"time": _clock(str(clock), str(daypart) if daypart else None), "by": by}

    def at_part(self, c: list[Any]) -> dict[str, Any]:
        part, by = c
        return {"part": part, "by": by}

    def time_window(self, c: list[Any]) -> dict[str, Any]:
        """每个工作日11:30—13:00: a window each period; its end is the time to keep."""
        _, _, _, daypart, clock = c
        return self.at_time([daypart, clock, None])

    def part_day(self, c: list[Any]) -> dict[str, Any]:
        """每季度首月20日前: a day of a part of the period."""
        part, day, by = c
        return {**self.on_day([day, by]), "part": part}

    def recurring_date(self, c: list[Any]) -> dict[str, Any]:
        every, when, tail = c
        by = self._by(when["by"])
        date = ValueDate(None, when.get("month"), when.get("day"), _qualifier(when.get("part"), when["by"]),
                         every=every, time=when.get("time"))
        return {"kind": "date", "op": by.symbol if by else None, "op_raw": by.raw if by else None,
                "tail": tail, "date": date}

    def next_month_date(self, c: list[Any]) -> dict[str, Any]:
        """次月5日前: the 5th of the month after each month, a monthly deadline."""
        _, day, by, tail = c
        when = self.on_day([day, by])
        return self.recurring_date(["月", when, tail])

    # ---- the rest ----
    def not_applicable(self, _: list[Token]) -> dict[str, Any]:
        return {"kind": "not_applicable"}

    def start(self, c: list[dict[str, Any]]) -> dict[str, Any]:
        return c[0]


def _qualifier(part: Token | None, by: Token | None) -> str | None:
    """底 / 前 / 底前 …: the words after a date, as written without spaces."""
    return "".join(str(t).strip() for t in (part, by) if t is not None) or None


def _period(text: str) -> str:
    """每年 / 一年 / 每个月 / /日 → 年 / 年 / 月 / 天."""
    word = re.sub(r"^[\s每一/个]+", "", text).strip()
    return _PERIODS.get(word, word)


def _period_of_unit(unit: str | None) -> str | None:
    """The period a rate unit is per: 次/天 → 天, 万元/人·年 → 年; None for 平方米/人."""
    if unit is None or "/" not in unit:
        return None
    last = re.split(r"[/·]", unit)[-1]
    return _PERIODS.get(last)


def _check_lead(lead: str, has_op: bool, has_unit: bool, tail: str | None) -> None:
    """A lead names what is measured; it is rejected where the reading would be a guess."""
    if _CHANGE_WORDS.search(lead) and not _RATE_NAME.search(lead):
        raise _Rejected(lead)  # 较上年提高5%: a difference, not a level
    if not (has_op or has_unit):
        raise _Rejected(lead)  # 指标1：…: a numbered list, not a number
    if tail is not None and (len(tail) > _MAX_LEAD_TAIL or re.search(r"[0-9\n]", tail)):
        raise _Rejected(lead)  # another quantity or a scoring text follows


def _clock(text: str, daypart: str | None) -> str:
    """6点半 / 六点半 / 18:30 / 8点15分 → "06:30" / "18:30" / "08:15"; 下午3点 → "15:00"."""
    text = re.sub(r"\s+", "", text)
    hour_text, _, rest = re.split(r"([点时:])", text, maxsplit=1) if re.search(r"[点时:]", text) else (text, "", "")
    hour = int(hour_text) if hour_text.isdigit() else int(_cn_to_decimal(hour_text))
    rest = rest.rstrip("分")
    if rest == "半":
        minute = 30
    elif rest in ("", "整"):
        minute = 0
    else:
        minute = int(rest) if rest.isdigit() else int(_cn_to_decimal(rest.lstrip("零") or "零"))
    if daypart in _AFTERNOON and hour < 12:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def _normalize(raw: str) -> tuple[str, list[int]]:
    """NFKC per character (so positions map back to ``raw``), with the raw index each normalised
    character came from."""
    pieces = [unicodedata.normalize("NFKC", ch) for ch in raw]
    text = "".join(pieces)
    if len(text) == len(raw):
        return text, list(range(len(raw)))
    return text, [i for i, piece in enumerate(pieces) for _ in piece]


@functools.cache
def _leading_words() -> re.Pattern[str]:
    """The grammar's LEAD and EVERY terminals: a value starting with them starts with words."""
    terminals = {t.name: t.pattern for t in _parser().terminals}
    return re.compile("|".join(f"(?:{terminals[name].to_regexp()})" for name in ("LEAD", "EVERY")))


def _failure_kind(text: str, pos: int) -> ValueKind:
    """``text`` if it starts with words (a lead, 每月 …); else ``unparsed`` if a digit comes
    before the failure or it starts with an operator sign."""
    if text[0] in _OP_SIGNS:
        return "unparsed"
    if _leading_words().match(text):
        return "text"
    head = text[:max(pos, 1)]
    return "unparsed" if re.search(r"[0-9]", head) else "text"


@functools.lru_cache(maxsize=8192)
def parse_value(raw: str) -> IndicatorValue:
    """Parse one 指标值; never raises. See the module docstring for the kinds."""
    full, origin = _normalize(raw)
    blank = len(full) - len(full.lstrip())
    text = full.strip()
    if not text:
        return IndicatorValue(raw=raw, kind="empty")
    origin = origin[blank:blank + len(text)]
    stop = origin[-1] + 1
    try:
        tree = _parser().parse(text)
        fields = _Builder(raw, origin, stop).transform(tree)
    except LarkError as exc:  # includes VisitError (a Chinese numeral cn2an rejects, _Rejected)
        pos = getattr(exc, "pos_in_stream", None)
        kind = _failure_kind(text, pos if isinstance(pos, int) else 0)
        return IndicatorValue(raw=raw, kind=kind)
    return IndicatorValue(raw=raw, **fields)



# ---- completing values from the row ------------------------------------------------------------

# A row whose name or category says money: a bare 万/亿 in it is 万元/亿元.
MONEY_CONTEXT_WORDS = ("成本", "费用", "经费", "金额", "资金", "预算", "投资")
_MAGNITUDE_MONEY = {"万": "万元", "亿": "亿元"}
# A unit declared in brackets at the end of an indicator's name: 新增就业人数（人）, 覆盖率(%).
_NAME_UNIT = re.compile(r"[(（]\s*([^()（）]{1,8}?)\s*[)）]\s*$")


def complete_document(doc: Document) -> None:
    """Complete every indicator's value from its row, in place (department table included):
    a unit declared in the indicator's name completes a bare number (unit_from ``name``); a bare
    万/亿 in a money row becomes 万元/亿元 (unit_from ``context``); a row whose value, or whose
    name with no value, says it does not apply is marked ``not_applicable``. Run once after
    reading, before the rules."""
    rows = list(doc.department_indicators)
    rows.extend(indicator for project in doc.projects for indicator in project.indicators)
    for indicator in rows:
        complete_indicator(indicator)


def complete_indicator(indicator: Indicator) -> None:
    """Complete one row (see ``complete_document``)."""
    value = indicator.value
    if value.kind == "not_applicable" or (value.kind == "empty" and _says_not_applicable(indicator.level3)):
        indicator.not_applicable = True
        return
    if value.kind != "quantity" or value.tail is not None or value.unit_from is not None:
        return  # a number followed by words is not a bare number: a rule judges it as written
    name_unit = unit_in_name(indicator.level3)
    if name_unit is not None:
        indicator.value = _with_name_unit(value, name_unit)
    elif value.unit in _MAGNITUDE_MONEY or (value.unit or "").split("/")[0] in _MAGNITUDE_MONEY:
        if _is_money_row(indicator.level2, indicator.level3):
            indicator.value = _with_money_magnitude(value)


@functools.lru_cache(maxsize=4096)
def unit_in_name(name: str) -> str | None:
    """The unit an indicator's name declares in brackets at its end (``覆盖率（%）`` → ``%``,
    ``资金（万元）`` → ``万元``); None when the brackets hold anything but a unit."""
    m = _NAME_UNIT.search(name)
    if m is None:
        return None
    probe = parse_value("1" + m.group(1))
    if probe.kind != "quantity" or probe.tail is not None or probe.counted is not None or probe.unit is None:
        return None
    return probe.unit


@functools.lru_cache(maxsize=256)
def _says_not_applicable(name: str) -> bool:
    return parse_value(name).kind == "not_applicable"


def _is_money_row(category: str, name: str) -> bool:
    return "成本" in category or any(word in name for word in MONEY_CONTEXT_WORDS)


@functools.lru_cache(maxsize=4096)
def _with_name_unit(value: IndicatorValue, name_unit: str) -> IndicatorValue:
    """A bare number takes the name's unit; a bare 万/亿 takes it as the unit multiplied
    (35万 under 金额（元）→ 35 万元). Any other written unit stands (a rule may compare them)."""
    if value.unit is None:
        return replace(value, unit=name_unit, unit_from="name")
    head, _, per = value.unit.partition("/")
    if head in _MAGNITUDE_MONEY and is_money_unit(name_unit):
        money = _MAGNITUDE_MONEY[head] if normalize_unit(name_unit) == "元" else name_unit
        return replace(value, unit="/".join(filter(None, (money, per))), unit_from="name")
    return value


@functools.lru_cache(maxsize=4096)
def _with_money_magnitude(value: IndicatorValue) -> IndicatorValue:
    head, _, per = (value.unit or "").partition("/")
    return replace(value, unit="/".join(filter(None, (_MAGNITUDE_MONEY[head], per))), unit_from="context")
