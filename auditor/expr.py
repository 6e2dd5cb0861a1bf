"""The rule expression language: a small, safe language for a rule's ``where`` and ``assert``.

An expression is parsed once with ``grammar/expression.lark`` (Lark, LALR) and compiled into plain
Python closures, so evaluating it per indicator row costs a few function calls. Nothing is ever
handed to Python's ``eval``/``exec``/``compile``; the only callables an expression reaches are the
ones in its function table.

Semantics in brief:

- Literals: numbers are ``Decimal`` (``28.20``), strings take double or single quotes (``\\"``,
  ``\\'``, ``\\\\``, ``\\n``, ``\\t`` are escapes; any other backslash is kept, so ``"\\d+"`` is the
  regex ``\\d+``), ``true``/``false``/``null``, lists ``["%", "百分比"]`` (evaluate to tuples).
- Names are looked up in the env mapping; ``a.b`` reads a mapping key, a dataclass field, a
  property or a named-tuple field (never a name starting with ``_``); ``a[i]`` indexes a list or
  string (negative from the end) or reads a key/field. Missing, out of range or on ``null`` →
  ``null``.
- ``Amount`` and ``SpendingPoint`` stand for their ``.value`` as operands of arithmetic,
  comparisons, ``in`` and ``truthy`` (see ``operand``); ``.raw`` etc. stay reachable with ``.``.
- Numbers compare and compute as ``Decimal`` (ints and floats from the env are converted; floats
  through their shortest repr, so ``0.1`` is ``Decimal("0.1")``). ``bool`` is not a number.
- Null: arithmetic with ``null`` → ``null``, ordering with ``null`` → false, ``== null`` works,
  ``not null`` is true. Type mismatches give ``null`` (arithmetic) or false (comparisons);
  ``x / 0`` is ``null``. ``and``/``or``/``not`` short-circuit and return booleans.

Evaluation never raises for data problems (a function the caller adds may, though); compiling
raises ``ExpressionError`` for anything wrong that is visible in the text.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import inspect
import math
import operator
import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from lark import Lark, Token, Tree
from lark.tree import Meta
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from auditor.model import Amount, SpendingPoint
from auditor.resources import resource_path

__all__ = [
    "DEFAULT_FUNCTIONS",
    "Expression",
    "ExpressionError",
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "compile_expression",
    "operand",
    "tree_from_data",
    "tree_to_data",
    "truthy",
]

GRAMMAR_PATH = resource_path("grammar", "expression.lark")

MAX_SOURCE_LENGTH = 2_000  # characters
MAX_DEPTH = 64  # nesting of the syntax tree (parentheses, operators, calls, field access)

Env = Mapping[str, Any]
Code = Callable[[Env], Any]


class ExpressionError(ValueError):
    """An expression that cannot be compiled: ``message``, ``column`` (1-based character offset
    into ``source``; the column for a one-line source) and ``source``."""

    def __init__(self, message: str, column: int, source: str) -> None:
        super().__init__(f"{message} (column {column})")
        self.message = message
        self.column = column
        self.source = source

    def caret(self) -> str:
        """The source on one line and a caret under the offending character."""
        line = self.source.replace("\n", " ")
        return f"{line}\n{' ' * (self.column - 1)}^"


@dataclass(frozen=True)
class Expression:
    """A compiled expression. ``names`` are the top-level env names it reads."""

    source: str
    names: frozenset[str]
    _code: Code = field(repr=False, compare=False)

    def evaluate(self, env: Env) -> Any:
        """The value of the expression for one env (a mapping of names to values)."""
        return self._code(env)


# ---- values -------------------------------------------------------------------------------------

_WRAPPED = (Amount, SpendingPoint)
_SEQUENCES = (list, tuple)


def operand(value: Any) -> Any:
    """The value an operator works on: an ``Amount`` or ``SpendingPoint`` stands for its
    ``.value``; anything else is itself."""
    if isinstance(value, _WRAPPED):
        return value.value
    return value


def truthy(value: Any) -> bool:
    """Truth of a value: ``null``, ``false``, zero, empty strings/lists/mappings and empty
    Amounts are false; everything else is true."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, _WRAPPED):
        value = value.value
        if value is None:
            return False
    try:
        return bool(value)
    except Exception:  # an object whose __bool__ fails is a data problem, not ours
        return False


def _num(value: Any) -> Decimal | None:
    """``value`` as a Decimal if it is a number (not a bool), else None."""
    tp = type(value)
    if tp is Decimal:
        return value
    if tp is int:
        return Decimal(value)
    if tp is float:
        return Decimal(repr(value)) if math.isfinite(value) else Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, float):
        return _num(float(value))
    return None


def _eq(a: Any, b: Any) -> bool:
    """``a == b`` in the language: Decimal equality for numbers, element-wise for lists, false
    for mismatched types; ``null`` equals only ``null``."""
    a = operand(a)
    b = operand(b)
    if a is None or b is None:
        return a is b
    try:
        ta = type(a)
        if ta is type(b) and (ta is str or ta is Decimal or ta is bool):
            return a == b
        na = _num(a)
        nb = _num(b)
        if na is not None or nb is not None:
            return na is not None and nb is not None and na == nb
        if isinstance(a, bool) or isinstance(b, bool):
            return False
        if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
        return bool(a == b)
    except Exception:  # a signaling NaN, an object whose __eq__ fails
        return False


def _ordered(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Operands of an ordering comparison: two Decimals or two strings, else None."""
    a = operand(a)
    b = operand(b)
    if type(a) is Decimal and type(b) is Decimal:
        return a, b
    if a is None or b is None:
        return None
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    na = _num(a)
    nb = _num(b)
    if na is None or nb is None:
        return None
    return na, nb


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        pair = _ordered(a, b)
        if pair is None:
            return False
        try:
            return test(*pair)
        except ArithmeticError:  # NaN
            return False

    return compare


_lt = _compare(lambda a, b: a < b)
_le = _compare(lambda a, b: a <= b)
_gt = _compare(lambda a, b: a > b)
_ge = _compare(lambda a, b: a >= b)


def _contains(haystack: Any, needle: Any) -> bool:
    """``needle in haystack``: substring of a string, an equal element of a list, a key of a
    mapping; false for anything else."""
    if haystack is None:
        return False
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle in haystack
    if isinstance(haystack, _SEQUENCES):
        return any(_eq(needle, item) for item in haystack)
    if isinstance(haystack, Mapping):
        try:
            return needle in haystack
        except Exception:
            return False
    return False


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """The compiled regex, or None if the pattern is invalid."""
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _matches(text: Any, pattern: Any) -> bool:
    """Regex search of ``pattern`` in ``text``; false unless both are strings and it is found."""
    if not isinstance(text, str) or not isinstance(pattern, str):
        return False
    regex = _regex(pattern)
    return regex is not None and regex.search(text) is not None


def _arith(op: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        a = _num(operand(a))
        b = _num(operand(b))
        if a is None or b is None:
            return None
        try:
            return op(a, b)
        except ArithmeticError:
            return None

    return apply


def _add(a: Any, b: Any) -> Any:
    """Numbers add; strings concatenate, and so do lists (into a tuple, like a list literal);
    anything else is null."""
    a = operand(a)
    b = operand(b)
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        return (*a, *b)
    return _add_numbers(a, b)


def _divide(a: Decimal, b: Decimal) -> Decimal | None:
    return None if not b else a / b


_add_numbers = _arith(lambda a, b: a + b)
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _arith(lambda a, b: a - b),
    "*": _arith(lambda a, b: a * b),
    "/": _arith(_divide),
}


def _negate(value: Any) -> Decimal | None:
    number = _num(operand(value))
    if number is None:
        return None
    try:
        return -number
    except ArithmeticError:
        return None


# ---- field access -------------------------------------------------------------------------------

def _null(obj: Any) -> None:
    return None


def _accessor(tp: type, name: str) -> Callable[[Any], Any]:
    """How to read ``name`` from an object of type ``tp``: a mapping key, a dataclass field, a
    property or a named-tuple field. Anything else (methods, private names, builtins) reads as
    null."""
    if name.startswith("_"):
        return _null
    if issubclass(tp, Mapping):
        return lambda obj: obj.get(name)
    if dataclasses.is_dataclass(tp) and any(f.name == name for f in dataclasses.fields(tp)):
        return operator.attrgetter(name)
    if issubclass(tp, tuple) and name in getattr(tp, "_fields", ()):
        return operator.attrgetter(name)
    attr = inspect.getattr_static(tp, name, None)
    if isinstance(attr, (property, functools.cached_property)):
        return operator.attrgetter(name)
    return _null


_ACCESSORS: dict[tuple[type, str], Callable[[Any], Any]] = {}


def _get_field(obj: Any, name: str) -> Any:
    """``obj.name`` in the language (null-safe, never private names)."""
    if obj is None:
        return None
    if type(obj) is dict:
        return obj.get(name)
    key = (type(obj), name)
    read = _ACCESSORS.get(key)
    if read is None:
        read = _ACCESSORS[key] = _accessor(type(obj), name)
    try:
        return read(obj)
    except Exception:  # an unset slot, a failing property
        return None


def _as_index(value: Any) -> int | None:
    """An integral number as a list index, else None."""
    if type(value) is int:
        return value
    number = _num(value)
    if number is None or not number.is_finite() or abs(number) > 1_000_000_000:
        return None
    if number != number.to_integral_value():
        return None
    return int(number)


def _get_item(obj: Any, key: Any) -> Any:
    """``obj[key]``: a list/string element (negative counts from the end), a mapping value, or
    a field when the key is a string; null when missing or out of range."""
    if obj is None:
        return None
    if isinstance(obj, (list, tuple, str)):
        index = _as_index(key)
        if index is None:
            return None
        try:
            return obj[index]
        except IndexError:
            return None
    if isinstance(obj, Mapping):
        try:
            return obj.get(key)
        except Exception:  # unhashable key
            return None
    if isinstance(key, str):
        return _get_field(obj, key)
    return None


# ---- functions ----------------------------------------------------------------------------------

def _items(value: Any) -> list[Any] | tuple[Any, ...] | None:
    """A list argument: lists and tuples as they are, null as empty, anything else None."""
    if value is None:
        return ()
    if isinstance(value, _SEQUENCES):
        return value
    return None


def fn_len(x: Any) -> int | None:
    """Length of a string, list or mapping; ``null`` → 0; anything else → null."""
    if x is None:
        return 0
    if isinstance(x, (str, list, tuple, Mapping, set, frozenset)):
        return len(x)
    return None


def fn_first(items: Any) -> Any:
    """First element of a list (or character of a string); empty or null → null."""
    if isinstance(items, (list, tuple, str)) and items:
        return items[0]
    return None


def fn_last(items: Any) -> Any:
    """Last element of a list (or character of a string); empty or null → null."""
    if isinstance(items, (list, tuple, str)) and items:
        return items[-1]
    return None


def fn_sum(items: Any) -> Decimal | None:
    """Sum of a list of numbers (Amounts and points by value); nulls are skipped, empty → 0,
    a non-number element → null."""
    seq = _items(items)
    if seq is None:
        return None
    total = Decimal(0)
    for item in seq:
        value = operand(item)
        if value is None:
            continue
        number = _num(value)
        if number is None:
            return None
        try:
            total += number
        except ArithmeticError:
            return None
    return total


def _extreme(args: tuple[Any, ...], pick: Callable[[list[Any]], Any]) -> Any:
    seq = _items(args[0]) if len(args) == 1 else args
    if seq is None:  # a single value that is not a list
        seq = args
    values = [v for v in (operand(x) for x in seq) if v is not None]
    if not values:
        return None
    numbers = [_num(v) for v in values]
    try:
        if all(n is not None for n in numbers):
            return pick(numbers)
        if all(isinstance(v, str) for v in values):
            return pick(values)
    except ArithmeticError:  # NaN
        return None
    return None


def fn_min(first: Any, *rest: Any) -> Any:
    """Smallest of a list, or of several arguments (numbers, or strings); nulls are skipped;
    empty or mixed types → null."""
    return _extreme((first, *rest), min)


def fn_max(first: Any, *rest: Any) -> Any:
    """Largest of a list, or of several arguments; see ``min``."""
    return _extreme((first, *rest), max)


def fn_abs(x: Any) -> Decimal | None:
    """Absolute value of a number; anything else → null."""
    number = _num(operand(x))
    try:
        return None if number is None else abs(number)
    except ArithmeticError:
        return None


def fn_round(x: Any, digits: Any = 0) -> Decimal | None:
    """``x`` rounded half up (四舍五入) to ``digits`` decimals (negative: tens, hundreds…)."""
    number = _num(operand(x))
    places = _as_index(digits)
    if number is None or places is None or abs(places) > 100 or not number.is_finite():
        return None
    try:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        return None


def fn_lower(s: Any) -> str | None:
    """Lower-case string; anything else → null."""
    return s.lower() if isinstance(s, str) else None


_ASCII_PUNCTUATION = frozenset(string.punctuation)


@functools.lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch for ch in text
        if not (ch.isspace() or ch in _ASCII_PUNCTUATION or unicodedata.category(ch)[0] == "P")
    ).lower()


def fn_norm(s: Any) -> str | None:
    """Text for comparison: NFKC, whitespace and punctuation (half and full width) dropped,
    lower case. Not a string → null."""
    return _norm(s) if isinstance(s, str) else None


def fn_similar(a: Any, b: Any) -> Decimal:
    """Similarity 0..1 of ``norm(a)`` and ``norm(b)`` (difflib ratio); not a string → 0."""
    if not isinstance(a, str) or not isinstance(b, str):
        return Decimal(0)
    left, right = _norm(a), _norm(b)
    size = len(left) + len(right)
    if not size:
        return Decimal(1)
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return Decimal(2 * same) / Decimal(size)


def fn_contains(haystack: Any, needle: Any) -> bool:
    """``needle in haystack`` (substring, list element, mapping key)."""
    return _contains(haystack, operand(needle) if isinstance(haystack, str) else needle)


def _affixes(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, _SEQUENCES) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def fn_startswith(s: Any, prefix: Any) -> bool:
    """Whether string ``s`` starts with ``prefix`` (a string or a list of strings)."""
    prefixes = _affixes(prefix)
    return isinstance(s, str) and prefixes is not None and s.startswith(prefixes)


def fn_endswith(s: Any, suffix: Any) -> bool:
    """Whether string ``s`` ends with ``suffix`` (a string or a list of strings)."""
    suffixes = _affixes(suffix)
    return isinstance(s, str) and suffixes is not None and s.endswith(suffixes)


def fn_matches(s: Any, regex: Any) -> bool:
    """Regex search, as the ``matches`` operator."""
    return _matches(s, regex)


_NUMBER_IN_TEXT = re.compile(r"[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def fn_number(s: Any) -> Decimal | None:
    """The first number written in a string (full-width digits and 1,234 included); a number
    is itself; anything else → null."""
    value = operand(s)
    number = _num(value)
    if number is not None or not isinstance(value, str):
        return number
    found = _NUMBER_IN_TEXT.search(unicodedata.normalize("NFKC", value))
    return Decimal(found.group().replace(",", "")) if found else None


def fn_coalesce(first: Any, *rest: Any) -> Any:
    """The first argument that is not null (an empty Amount counts as null)."""
    for value in (first, *rest):
        if operand(value) is not None:
            return value
    return None


def fn_count(items: Any, value: Any) -> int:
    """How many elements of a list equal ``value`` (occurrences in a string)."""
    if isinstance(items, str):
        return items.count(value) if isinstance(value, str) and value else 0
    seq = _items(items) or ()
    return sum(1 for item in seq if _eq(item, value))


def fn_distinct(items: Any) -> list[Any] | None:
    """The elements of a list without repeats (``==`` equality), first occurrence kept."""
    seq = _items(items)
    if seq is None:
        return None
    unique: list[Any] = []
    seen: set[Any] = set()
    for item in seq:
        key = _num(operand(item))
        key = key if key is not None else operand(item)
        try:
            if key in seen:
                continue
            seen.add(key)
        except TypeError:  # unhashable: compare with what we have
            if any(_eq(item, other) for other in unique):
                continue
        except ArithmeticError:  # sNaN
            pass
        unique.append(item)
    return unique


def fn_values(items: Any, name: Any) -> list[Any] | None:
    """The field ``name`` (a dotted path like ``"value.unit"`` works) of each element."""
    seq = _items(items)
    if seq is None or not isinstance(name, str):
        return None
    path = name.split(".")
    result = []
    for item in seq:
        for part in path:
            item = _get_field(item, part)
        result.append(item)
    return result


DEFAULT_FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType({
    "len": fn_len,
    "first": fn_first,
    "last": fn_last,
    "sum": fn_sum,
    "min": fn_min,
    "max": fn_max,
    "abs": fn_abs,
    "round": fn_round,
    "lower": fn_lower,
    "norm": fn_norm,
    "similar": fn_similar,
    "contains": fn_contains,
    "startswith": fn_startswith,
    "endswith": fn_endswith,
    "matches": fn_matches,
    "number": fn_number,
    "coalesce": fn_coalesce,
    "count": fn_count,
    "distinct": fn_distinct,
    "values": fn_values,
})

# Arguments checked when constant: (function, argument index) → check returning an error or None.
_CONSTANT_CHECKS: dict[tuple[Callable[..., Any], int], Callable[[Any], str | None]] = {}


def _check_regex(pattern: Any) -> str | None:
    if not isinstance(pattern, str):
        return "a regex must be a string"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regex {pattern!r}: {exc}"
    except (RecursionError, OverflowError, ValueError) as exc:
        return f"invalid regex {pattern!r}: {type(exc).__name__}"
    return None


def _check_field_name(name: Any) -> str | None:
    if not isinstance(name, str):
        return "a field name must be a string"
    if any(part.startswith("_") for part in name.split(".")):
        return f"field {name!r} is not accessible (names starting with '_' are private)"
    return None


_CONSTANT_CHECKS[(fn_matches, 1)] = _check_regex
_CONSTANT_CHECKS[(fn_values, 1)] = _check_field_name


# ---- parsing ------------------------------------------------------------------------------------

@functools.cache
def _parser() -> Lark:
    """The LALR parser, built once."""
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        cache=True,  # the LALR tables are pickled to the temp folder: start-up matters
    )


_VALUE_STARTS = frozenset({"NAME", "NUMBER", "STRING"})
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "matches"})
_OPERATOR_HINTS = {
    "&&": "unknown operator '&&'; use 'and'",
    "||": "unknown operator '||'; use 'or'",
    "**": "unknown operator '**'",
    "=": "unknown operator '='; use '==' to compare",
    "!": "unknown operator '!'; use 'not'",
    "%": "unknown operator '%'",
    "&": "unknown operator '&'; use 'and'",
    "|": "unknown operator '|'; use 'or'",
}
_PYTHONISMS = {"True": "true", "False": "false", "None": "null"}


def _describe_token(token: Token) -> str:
    if token.type == "NAME":
        return f"name {token.value!r}"
    if token.type == "NUMBER":
        return f"number {token.value}"
    if token.type == "STRING":
        return f"string {token.value}"
    return repr(token.value)


def _syntax_error(exc: UnexpectedInput, source: str) -> ExpressionError:
    """A readable ExpressionError for a Lark lexer or parser error."""
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        char = source[pos]
        for op in ("&&", "||", "**"):
            if source.startswith(op, pos):
                return ExpressionError(_OPERATOR_HINTS[op], pos + 1, source)
        if char in "\"'":
            return ExpressionError("unterminated string", pos + 1, source)
        if char in _OPERATOR_HINTS:
            return ExpressionError(_OPERATOR_HINTS[char], pos + 1, source)
        return ExpressionError(f"unexpected character {char!r}", pos + 1, source)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = set(exc.expected or ())
        if token.type == "$END":
            message = "unexpected end of expression"
            column = len(source.rstrip()) + 1
        else:
            message = f"unexpected {_describe_token(token)}"
            start = token.start_pos or 0
            column = start + 1
            if token.value == "*" and source[start - 1 : start + 1] == "**":
                return ExpressionError(_OPERATOR_HINTS["**"], start, source)
            if token.type in _VALUE_STARTS and not expected & _VALUE_STARTS:
                message += " (missing an operator or a comma?)"
            elif token.value in _COMPARISONS and "$END" in expected:
                message += " (comparisons do not chain; use 'and')"
        if _VALUE_STARTS <= expected:
            message += ", expected a value"
        return ExpressionError(message, column, source)
    column = (getattr(exc, "pos_in_stream", None) or 0) + 1
    return ExpressionError("syntax error", column, source)


def _column(node: Tree | Token) -> int:
    """1-based column of a node (its first token)."""
    if isinstance(node, Token):
        return (node.start_pos or 0) + 1
    meta = node.meta
    if not meta.empty and meta.start_pos is not None:
        return meta.start_pos + 1
    return 1  # an empty node (true, false, null) is never the one an error points at


def _check_depth(tree: Tree, source: str) -> None:
    """Refuse trees nested deeper than MAX_DEPTH (iteratively, so it cannot overflow)."""
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            message = f"expression nested too deeply (more than {MAX_DEPTH} levels)"
            raise ExpressionError(message, _column(node), source)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _unescape(token: Token) -> str:
    r"""The text of a string literal: ``\"`` ``\'`` ``\\`` ``\n`` ``\t`` are escapes; any other
    backslash is kept (so regexes such as ``"\d+"`` read naturally)."""
    body = token.value[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}


# ---- compiling ----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Code:
    """A compiled node: its closure, whether it always returns a bool, and its value if it is a
    constant (folded at compile time)."""

    fn: Code
    boolean: bool = False
    const: bool = False
    value: Any = None


def _constant(value: Any) -> _Code:
    return _Code(lambda env: value, boolean=isinstance(value, bool), const=True, value=value)


_FOLD_ENV: Mapping[str, Any] = MappingProxyType({})


class _Compiler:
    """Turns a parse tree into closures; collects the names read."""

    def __init__(self, source: str, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.source = source
        self.functions = functions
        self.names: set[str] = set()

    def error(self, message: str, node: Tree | Token) -> ExpressionError:
        return ExpressionError(message, _column(node), self.source)

    def compile(self, node: Tree | Token) -> _Code:
        if not isinstance(node, Tree):  # pragma: no cover - the grammar wraps every token
            raise self.error("unexpected token", node)
        method = getattr(self, f"c_{node.data}", None)
        if method is None:
            raise self.error(f"unknown operator {node.data!r}", node)
        return method(node)

    def fold(self, code: _Code, parts: list[_Code]) -> _Code:
        """Evaluate a pure node whose parts are all constants once, now (a list result becomes
        a tuple, so the shared constant cannot be changed)."""
        if all(part.const for part in parts):
            value = code.fn(_FOLD_ENV)
            folded = _constant(tuple(value) if isinstance(value, list) else value)
            folded.boolean = code.boolean or folded.boolean
            return folded
        return code

    # -- literals and names --

    def c_number(self, node: Tree) -> _Code:
        return _constant(Decimal(node.children[0].value))

    def c_string(self, node: Tree) -> _Code:
        return _constant(_unescape(node.children[0]))

    def c_true(self, node: Tree) -> _Code:
        return _constant(True)

    def c_false(self, node: Tree) -> _Code:
        return _constant(False)

    def c_null(self, node: Tree) -> _Code:
        return _constant(None)

    def c_paren(self, node: Tree) -> _Code:
        return self.compile(node.children[0])

    def c_list(self, node: Tree) -> _Code:
        items = self.arguments(node.children[0])
        if all(item.const for item in items):
            return _constant(tuple(item.value for item in items))
        fns = tuple(item.fn for item in items)
        return _Code(lambda env: tuple([f(env) for f in fns]))

    def check_name(self, token: Token, top: bool = True) -> str:
        """The name of a NAME token; private names are refused, and so are Python's True,
        False and None as top-level names (a likely slip for true/false/null)."""
        name = token.value
        if name.startswith("_"):
            raise self.error(
                f"name {name!r} is not accessible (names starting with '_' are private)", token
            )
        if top and name in _PYTHONISMS:
            raise self.error(f"unknown name {name!r}; write {_PYTHONISMS[name]!r}", token)
        return name

    def c_name(self, node: Tree) -> _Code:
        name = self.check_name(node.children[0])
        self.names.add(name)
        return _Code(lambda env: env.get(name))

    def c_getattr(self, node: Tree) -> _Code:
        # Flatten a chain a.b.c on a name into one closure walking the path.
        path: list[str] = []
        base: Tree | Token = node
        while isinstance(base, Tree) and base.data == "getattr":
            path.append(self.check_name(base.children[1], top=False))
            base = base.children[0]
        path.reverse()
        steps = tuple((name, {}) for name in path)
        if isinstance(base, Tree) and base.data == "name":
            root = self.check_name(base.children[0])
            self.names.add(root)
            if len(steps) == 1:
                return _Code(_field_of_name(root, *steps[0]))
            start: Code = lambda env: env.get(root)  # noqa: E731
        else:
            inner = self.compile(base)
            return self.fold(_Code(_path(inner.fn, steps)), [inner])
        return _Code(_path(start, steps))

    def c_getitem(self, node: Tree) -> _Code:
        obj = self.compile(node.children[0])
        key = self.compile(node.children[1])
        get, obj_fn, key_fn = _get_item, obj.fn, key.fn
        if key.const:
            const_key = key.value
            if isinstance(const_key, str) and const_key.startswith("_"):
                raise self.error(
                    f"field {const_key!r} is not accessible (names starting with '_' are private)",
                    node.children[1],
                )
            index = _as_index(const_key)
            if index is not None:
                def item_at(env: Env) -> Any:
                    value = obj_fn(env)
                    if type(value) is list or type(value) is tuple:
                        try:
                            return value[index]
                        except IndexError:
                            return None
                    return get(value, const_key)

                return self.fold(_Code(item_at), [obj])
            return self.fold(_Code(lambda env: get(obj_fn(env), const_key)), [obj])
        return self.fold(_Code(lambda env: get(obj_fn(env), key_fn(env))), [obj, key])

    # -- boolean logic --

    def c_or_test(self, node: Tree) -> _Code:
        parts = [self.compile(child) for child in node.children]
        fns = tuple(_as_bool(part) for part in parts)
        if len(fns) == 2:
            a, b = fns
            code = _Code(lambda env: a(env) or b(env), boolean=True)
        else:
            code = _Code(lambda env: any(f(env) for f in fns), boolean=True)
        return self.fold(code, parts)

    def c_and_test(self, node: Tree) -> _Code:
        parts = [self.compile(child) for child in node.children]
        fns = tuple(_as_bool(part) for part in parts)
        if len(fns) == 2:
            a, b = fns
            code = _Code(lambda env: a(env) and b(env), boolean=True)
        elif len(fns) == 3:
            a, b, c = fns
            code = _Code(lambda env: a(env) and b(env) and c(env), boolean=True)
        else:
            code = _Code(lambda env: all(f(env) for f in fns), boolean=True)
        return self.fold(code, parts)

    def c_not_(self, node: Tree) -> _Code:
        part = self.compile(node.children[0])
        f = _as_bool(part)
        return self.fold(_Code(lambda env: not f(env), boolean=True), [part])

    def c_conditional(self, node: Tree) -> _Code:
        then, cond, other = (self.compile(child) for child in node.children)
        if cond.const:
            return then if truthy(cond.value) else other
        t, c, o = then.fn, _as_bool(cond), other.fn
        boolean = then.boolean and other.boolean
        return _Code(lambda env: t(env) if c(env) else o(env), boolean=boolean)

    # -- comparisons --

    def binary(self, node: Tree, op: Callable[[Any, Any], Any], boolean: bool) -> _Code:
        left, right = (self.compile(child) for child in node.children)
        a, b = left.fn, right.fn
        return self.fold(_Code(lambda env: op(a(env), b(env)), boolean=boolean), [left, right])

    def c_eq(self, node: Tree) -> _Code:
        return self.equality(node, negate=False)

    def c_ne(self, node: Tree) -> _Code:
        return self.equality(node, negate=True)

    def equality(self, node: Tree, negate: bool) -> _Code:
        left, right = (self.compile(child) for child in node.children)
        if left.const and not right.const:
            left, right = right, left
        if not right.const or left.const:
            a, b = left.fn, right.fn
            if negate:
                code = _Code(lambda env: not _eq(a(env), b(env)), boolean=True)
            else:
                code = _Code(lambda env: _eq(a(env), b(env)), boolean=True)
            return self.fold(code, [left, right])
        a, const = left.fn, right.value
        if const is None:
            if negate:
                def is_not_null(env: Env) -> bool:
                    value = a(env)
                    if value is None:
                        return False
                    return not isinstance(value, _WRAPPED) or value.value is not None

                return _Code(is_not_null, boolean=True)

            def is_null(env: Env) -> bool:
                value = a(env)
                return value is None or (isinstance(value, _WRAPPED) and value.value is None)

            test = is_null
        elif type(const) is str:
            def is_string(env: Env) -> bool:
                value = a(env)
                return value == const if type(value) is str else _eq(value, const)

            test = is_string
        else:
            test = lambda env: _eq(a(env), const)  # noqa: E731
        if negate:
            return _Code(lambda env: not test(env), boolean=True)
        return _Code(test, boolean=True)

    def c_lt(self, node: Tree) -> _Code:
        return self.binary(node, _lt, True)

    def c_le(self, node: Tree) -> _Code:
        return self.binary(node, _le, True)

    def c_gt(self, node: Tree) -> _Code:
        return self.binary(node, _gt, True)

    def c_ge(self, node: Tree) -> _Code:
        return self.binary(node, _ge, True)

    def c_in_(self, node: Tree) -> _Code:
        return self.membership(node, negate=False)

    def c_not_in(self, node: Tree) -> _Code:
        return self.membership(node, negate=True)

    def membership(self, node: Tree, negate: bool) -> _Code:
        left, right = (self.compile(child) for child in node.children)
        a = left.fn
        haystack = right.value
        if right.const and not left.const and isinstance(haystack, tuple) and haystack and all(
            type(item) is str for item in haystack
        ):
            strings = frozenset(haystack)

            def test(env: Env) -> bool:
                value = a(env)
                return value in strings if type(value) is str else _contains(haystack, value)
        else:
            b = right.fn
            test = lambda env: _contains(b(env), operand(a(env)))  # noqa: E731
        if negate:
            return self.fold(_Code(lambda env: not test(env), boolean=True), [left, right])
        return self.fold(_Code(test, boolean=True), [left, right])

    def c_matches(self, node: Tree) -> _Code:
        left, right = (self.compile(child) for child in node.children)
        if right.const:
            problem = _check_regex(right.value)
            if problem:
                raise self.error(problem, node.children[1])
        if right.const and not left.const:
            search, a = re.compile(right.value).search, left.fn

            def test(env: Env) -> bool:
                value = a(env)
                return type(value) is str and search(value) is not None

            return _Code(test, boolean=True)
        return self.binary(node, _matches, True)

    # -- arithmetic --

    def arithmetic(self, node: Tree) -> _Code:
        children = node.children
        parts = [self.compile(children[0])]
        ops: list[Callable[[Any, Any], Any]] = []
        for op_token, operand_node in zip(children[1::2], children[2::2]):
            op = _BINARY.get(op_token.value)
            if op is None:
                raise self.error(f"unknown operator {op_token.value!r}", op_token)
            ops.append(op)
            parts.append(self.compile(operand_node))
        fns = [part.fn for part in parts]
        if len(ops) == 1:
            op, a, b = ops[0], fns[0], fns[1]
            code = _Code(lambda env: op(a(env), b(env)))
        else:
            first, rest = fns[0], tuple(zip(ops, fns[1:]))

            def chain(env: Env) -> Any:
                value = first(env)
                for op, f in rest:
                    value = op(value, f(env))
                return value

            code = _Code(chain)
        return self.fold(code, parts)

    c_sum = arithmetic
    c_term = arithmetic

    def c_neg(self, node: Tree) -> _Code:
        part = self.compile(node.children[-1])
        f = part.fn
        return self.fold(_Code(lambda env: _negate(f(env))), [part])

    # -- calls --

    def arguments(self, node: Tree | None) -> list[_Code]:
        return [] if node is None else [self.compile(child) for child in node.children]

    def c_call(self, node: Tree) -> _Code:
        return self.call(node.children[0].value, node.children[0], node.children[1])

    def c_matches_call(self, node: Tree) -> _Code:
        return self.call("matches", node, node.children[0])

    def call(self, name: str, where: Tree | Token, args_node: Tree | None) -> _Code:
        if name.startswith("_"):
            raise self.error(
                f"function {name!r} is not accessible (names starting with '_' are private)", where
            )
        fn = self.functions.get(name)
        if fn is None:
            raise self.error(f"unknown function {name!r}", where)
        args = self.arguments(args_node)
        problem = _arity_problem(fn, len(args))
        if problem:
            raise self.error(f"{name}() {problem}", where)
        for index, arg in enumerate(args):
            check = _CONSTANT_CHECKS.get((fn, index))
            if check is not None and arg.const:
                message = check(arg.value)
                if message:
                    raise self.error(f"{name}(): {message}", args_node.children[index])
        fns = tuple(arg.fn for arg in args)
        if len(fns) == 1:
            (a,) = fns
            code = _Code(lambda env: fn(a(env)))
        elif len(fns) == 2:
            a, b = fns
            code = _Code(lambda env: fn(a(env), b(env)))
        else:
            code = _Code(lambda env: fn(*[f(env) for f in fns]))
        if DEFAULT_FUNCTIONS.get(name) is fn:  # built-ins are pure: fold constant calls
            return self.fold(code, args)
        return code


def _as_bool(code: _Code) -> Code:
    """The closure of ``code`` made to return a bool."""
    if code.boolean:
        return code.fn
    f = code.fn
    return lambda env: truthy(f(env))


def _field_of_name(root: str, name: str, cache: dict[type, Callable[[Any], Any]]) -> Code:
    """``root.name`` where root is an env name (the most common node, so it is one closure)."""

    def read(env: Env) -> Any:
        obj = env.get(root)
        if obj is None:
            return None
        tp = type(obj)
        if tp is dict:
            return obj.get(name)
        get = cache.get(tp)
        if get is None:
            get = cache[tp] = _accessor(tp, name)
        try:
            return get(obj)
        except Exception:
            return None

    return read


def _path(start: Code, steps: tuple[tuple[str, dict[type, Callable[[Any], Any]]], ...]) -> Code:
    """``start(env).a.b.c`` with a per-step accessor cache."""

    def read(env: Env) -> Any:
        obj = start(env)
        for name, cache in steps:
            if obj is None:
                return None
            tp = type(obj)
            if tp is dict:
                obj = obj.get(name)
                continue
            get = cache.get(tp)
            if get is None:
                get = cache[tp] = _accessor(tp, name)
            try:
                obj = get(obj)
            except Exception:
                return None
        return obj

    return read


def _arity_problem(fn: Callable[..., Any], count: int) -> str | None:
    """What is wrong with calling ``fn`` with ``count`` arguments, or None (also when the
    signature cannot be read)."""
    try:
        return _cached_arity_problem(fn, count)
    except TypeError:  # an unhashable callable
        return _signature_problem(fn, count)


@functools.lru_cache(maxsize=256)
def _cached_arity_problem(fn: Callable[..., Any], count: int) -> str | None:
    return _signature_problem(fn, count)


def _signature_problem(fn: Callable[..., Any], count: int) -> str | None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*range(count))
    except TypeError:
        params = ", ".join(
            str(p.replace(annotation=inspect.Parameter.empty))
            for p in signature.parameters.values()
        )
        plural = "" if count == 1 else "s"
        return f"takes ({params}), got {count} argument{plural}"
    return None


def compile_expression(
    source: str, functions: Mapping[str, Callable[..., Any]] | None = None, trees: dict[str, Tree] | None = None
) -> Expression:
    """Compile ``source`` once into an ``Expression``. ``functions`` adds to (or overrides)
    ``DEFAULT_FUNCTIONS``. ``trees`` holds syntax trees by source: a tree found there is not
    parsed again, a tree parsed now is added (a rule file's trees are kept between runs). Raises
    ``ExpressionError`` for syntax errors, unknown functions, wrong argument counts, invalid
    constant regexes, private names and oversized input."""
    if not isinstance(source, str):
        raise TypeError(f"expression source must be a string, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(
            f"expression too long ({len(source)} characters, at most {MAX_SOURCE_LENGTH})",
            MAX_SOURCE_LENGTH + 1,
            source,
        )
    if not source.strip():
        raise ExpressionError("empty expression", 1, source)
    table = DEFAULT_FUNCTIONS if not functions else {**DEFAULT_FUNCTIONS, **functions}
    tree = trees.get(source) if trees is not None else None
    if tree is None:
        tree = _parse(source)
        if trees is not None:
            trees[source] = tree
    compiler = _Compiler(source, table)
    code = compiler.compile(tree)
    return Expression(source=source, names=frozenset(compiler.names), _code=code.fn)


def _parse(source: str) -> Tree:
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None
    except LarkError as exc:  # pragma: no cover - any other Lark failure is still a syntax error
        raise ExpressionError(f"syntax error: {exc}", 1, source) from None
    _check_depth(tree, source)
    return tree


def tree_to_data(node: Tree | Token | None) -> Any:
    """A syntax tree as JSON data: ``{"d": rule, "s": start, "c": [...]}`` per node and
    ``[type, text, start]`` per token. Only what compiling reads is kept (start offsets give
    error columns)."""
    if node is None:  # an optional part that is absent
        return None
    if isinstance(node, Token):
        return [node.type, node.value, node.start_pos]
    meta = node.meta
    start = None if meta.empty else meta.start_pos
    return {"d": str(node.data), "s": start, "c": [tree_to_data(child) for child in node.children]}


def tree_from_data(data: Any) -> Tree | Token | None:
    """The tree ``tree_to_data`` wrote. Raises ``ValueError``, ``KeyError`` or ``TypeError`` for
    data it did not write."""
    if data is None:
        return None
    if isinstance(data, list) and len(data) == 3:
        kind, text, start = data
        return Token(str(kind), str(text), start_pos=start)
    if isinstance(data, dict):
        meta = Meta()
        if data.get("s") is not None:
            meta.empty = False
            meta.start_pos = data["s"]
        return Tree(str(data["d"]), [tree_from_data(child) for child in data["c"]], meta)
    raise ValueError(f"not a syntax tree: {data!r}")
