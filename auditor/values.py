"""Parse a 指标值 (indicator target value) into an ``IndicatorValue``.

The grammar is ``grammar/indicator_value.lark`` (Lark, LALR, contextual lexer). The value is
parsed after NFKC normalisation (full-width ``％＞＝０-９``, ideographic space) and stripping;
``raw`` is kept exactly as given, and ``unit_raw`` / ``tail`` are cut from ``raw``.

Kinds:

- ``quantity``: optional operator, a number (Arabic, a Chinese numeral directly before a unit,
  or 百分之…), optional unit, optional suffix operator (以上/以下/以内/内), optional tail —
  ``≥95%``, ``17　个``, ``200人以上``, ``三次``, ``百分之九十五``, ``≥80成本控制`` (tail ``成本控制``).
- ``date``: ``2023年12月底``, ``12月底``, ``2023年12月31日前`` (op ``≤`` from 前/内), a 4-digit
  year 19xx/20xx followed by 年, or a month 1-12 followed by 月. ``1年`` and ``365天`` are
  quantities (periods).
- ``text``: qualitative; the grammar rejects it and it starts with a word (``健全``,
  ``较上一年进一步提升``, ``不低于上年``, ``指标1：…``).
- ``empty``: empty or whitespace only.
- ``unparsed``: the grammar rejects it, but a digit comes before the point of failure or it starts
  with an operator sign: ``≥``, ``≥≥5``, ``1:1000``, ``90-95%``, ``20次至50次``, ``≥95%，≥98%``.

A prefix operator wins over a suffix one (``≥95%以上`` → ``≥``), except ``控制在``, which yields to
a suffix (``控制在95%以上`` → ``≥``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from auditor.model import IndicatorValue, ValueDate, ValueKind
from auditor.resources import resource_path

GRAMMAR_PATH = resource_path("grammar", "indicator_value.lark")

# Variant → canonical unit name; a unit not listed here is its own canonical name.
_UNIT_ALIASES: dict[str, str] = {
    "%": "%", "百分比": "%", "百分率": "%",
    "个百分点": "百分点",
    "人数": "人", "人次数": "人次", "次数": "次", "个数": "个", "户数": "户", "家数": "家",
    "项数": "项", "件数": "件", "份数": "份", "台数": "台", "条数": "条", "场次数": "场次",
    "天数": "天", "日": "天",
    "个工作日": "工作日", "个季度": "季度",
    "仟元": "千元",
    "平米": "平方米", "平方": "平方米", "m2": "平方米", "km2": "平方公里",
    "立方": "立方米", "方": "立方米", "m3": "立方米",
    "m": "米", "km": "公里", "千米": "公里",
    "kg": "公斤", "千克": "公斤", "t": "吨",
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
    """One unit (no ``/``): its canonical name, Latin units case-insensitively."""
    return _UNIT_ALIASES.get(part.lower() if part.isascii() else part, part)


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
    """A Chinese numeral (三, 两千, 九十五点五, 百) as a Decimal; ValueError if it is none.

    A digit string without place words (二〇二三 is a year, 三五 means "three to five") is none.
    """
    integer = numeral.split("点", 1)[0]
    if len(numeral) > _MAX_CN_NUMERAL or (len(integer) > 1 and not _CN_PLACES & set(integer)):
        raise ValueError(numeral)
    if numeral[0] in "百千":  # 百分百: "百" alone means 一百
        numeral = "一" + numeral
    import cn2an  # lazy: costs ~0.3 s at import

    return Decimal(str(cn2an.cn2an(numeral, "normal")))


class _Builder(Transformer[Token, dict[str, Any]]):
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

    # operators: (symbol, yields_to_suffix)
    def ge(self, _: list[Token]) -> tuple[str, bool]:
        return "≥", False

    def le(self, _: list[Token]) -> tuple[str, bool]:
        return "≤", False

    def gt(self, _: list[Token]) -> tuple[str, bool]:
        return ">", False

    def lt(self, _: list[Token]) -> tuple[str, bool]:
        return "<", False

    def eq(self, _: list[Token]) -> tuple[str, bool]:
        return "=", False

    def ctrl(self, _: list[Token]) -> tuple[str, bool]:
        return "≤", True

    def about(self, _: list[Token]) -> tuple[None, bool]:
        return None, True

    def until(self, _: list[Token]) -> tuple[str, bool]:
        return "≤", True

    def at(self, _: list[Token]) -> tuple[None, bool]:
        return None, True

    def date_prefix(self, children: list[tuple[str, bool]]) -> tuple[str, bool]:
        return children[0]

    def suffix_ge(self, _: list[Token]) -> str:
        return "≥"

    def suffix_le(self, _: list[Token]) -> str:
        return "≤"

    def rest(self, children: list[Token | None]) -> str | None:
        tail = children[-1]
        if tail is None:
            return None
        start = self._origin[tail.start_pos or 0]
        sep = children[0] if len(children) == 2 else None
        if sep is not None and (m := _OPEN_BRACKETS.search(str(sep))):
            start = self._origin[(tail.start_pos or 0) - len(m.group())]
        return self._raw[start:self._stop] or None

    @staticmethod
    def _op(prefix: tuple[str | None, bool] | None, suffix: str | None) -> str | None:
        if prefix is None or (prefix[1] and suffix is not None):
            return suffix
        return prefix[0]

    def _quantity(self, prefix: tuple[str | None, bool] | None, number: Decimal, unit: str | None,
                  unit_raw: str | None, suffix: str | None, tail: str | None) -> dict[str, Any]:
        return {"kind": "quantity", "op": self._op(prefix, suffix), "number": number,
                "unit": unit, "unit_raw": unit_raw, "tail": tail}

    def quantity(self, c: list[Any]) -> dict[str, Any]:
        prefix, number, unit, suffix, tail = c
        unit_raw = self._raw_of(unit) if unit is not None else None
        return self._quantity(prefix, Decimal(str(number).replace(",", "")),
                              normalize_unit(str(unit)) if unit is not None else None,
                              unit_raw, suffix, tail)

    def cn_quantity(self, c: list[Any]) -> dict[str, Any]:
        prefix, numeral, unit, suffix, tail = c
        return self._quantity(prefix, _cn_to_decimal(str(numeral)), normalize_unit(str(unit)),
                              self._raw_of(unit), suffix, tail)

    def pct_quantity(self, c: list[Any]) -> dict[str, Any]:
        prefix, token, suffix, tail = c
        text = str(token)
        marker = "百分之" if text.startswith("百分之") else "百分"
        digits = text[len(marker):]
        number = Decimal(digits) if digits[0].isdigit() else _cn_to_decimal(digits)
        return self._quantity(prefix, number, "%", marker, suffix, tail)

    def date(self, c: list[Any]) -> dict[str, Any]:
        prefix, token, part, by, tail = c
        text = re.sub(r"\s+", "", str(token))
        if m := _DATE_FIELDS.match(text):
            y, mo, d = m.group("y"), m.group("m"), m.group("d")
        else:  # 2023-12-31, 2023/12, 2023.12.31
            y, mo, d = (re.split(r"[-/.]", text) + [None, None])[:3]
        qualifier = "".join(str(t).strip() for t in (part, by) if t is not None) or None
        op = self._op(prefix, "≤" if by is not None else None)
        date = ValueDate(int(y) if y else None, int(mo) if mo else None, int(d) if d else None,
                         qualifier)
        return {"kind": "date", "op": op, "tail": tail, "date": date}

    def start(self, c: list[dict[str, Any]]) -> dict[str, Any]:
        return c[0]


def _normalize(raw: str) -> tuple[str, list[int]]:
    """NFKC per character (so positions map back to ``raw``), with the raw index each normalised
    character came from."""
    pieces = [unicodedata.normalize("NFKC", ch) for ch in raw]
    text = "".join(pieces)
    if len(text) == len(raw):
        return text, list(range(len(raw)))
    return text, [i for i, piece in enumerate(pieces) for _ in piece]


def _failure_kind(text: str, pos: int) -> ValueKind:
    """``unparsed`` if a digit comes before the failure or it starts with an operator sign."""
    head = text[:max(pos, 1)]
    if text[0] in _OP_SIGNS or re.search(r"[0-9]", head):
        return "unparsed"
    return "text"


@functools.lru_cache(maxsize=8192)
def parse_value(raw: str) -> IndicatorValue:
    """Parse one 指标值; never raises. See the module docstring for the kinds."""
    full, origin = _normalize(raw)
    lead = len(full) - len(full.lstrip())
    text = full.strip()
    if not text:
        return IndicatorValue(raw=raw, kind="empty")
    origin = origin[lead:lead + len(text)]
    stop = origin[-1] + 1
    try:
        tree = _parser().parse(text)
        fields = _Builder(raw, origin, stop).transform(tree)
    except LarkError as exc:  # includes VisitError (e.g. a Chinese numeral cn2an rejects)
        pos = getattr(exc, "pos_in_stream", None)
        kind = _failure_kind(text, pos if isinstance(pos, int) else 0)
        return IndicatorValue(raw=raw, kind=kind)
    return IndicatorValue(raw=raw, **fields)

