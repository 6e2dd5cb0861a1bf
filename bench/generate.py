"""Generate a benchmark corpus of realistic drafts from the bundled samples, with labelled defects.

Each draft is a UTF-8 text export in the samples' own format (cells on tab lines, rows separated
by blank lines), so the text reader reads it like a real one. A draft takes part one (and, for
003, the disclosure that follows the tables) from one sample and 3–20 project tables drawn from
all samples, then varies them the way real drafts differ:

- the budget year: every year written in the draft moves by the same offset (title, text, 时效
  dates, document numbers, project names), and the year digits of 项目编码 follow;
- headings are renumbered ``1.`` … with their TC field residue; 002's 目录 lists the new tables;
- 项目编码 (same shape as the sample's), 项目名称 (prefix/suffix vocabulary), the department
  header row (the part-one sample's);
- budgets: a new 预算数 = 财政资金 + 其他资金, and every amount in the table that stated the old
  budget (资金用途, goals, 成本 indicators, in any money unit) states the new one;
- the 资金支出计划: a new non-decreasing cumulative schedule ending at 100 (or, in money form as in
  002, at the budget), keeping the sample's empty cells and number format;
- numeric 指标值: the number changes, operator and unit stay (a share stays below 100%).

A table whose sample is inconsistent in a way the variation could not preserve (a money schedule
that does not end at the budget, amounts that add up to the budget) keeps its budget, schedule and
texts as written, so the sample's own defects stay what they were. A table from a sample older
than the 成本指标 requirement that lands in a later year gets a 成本指标 row stating its budget.

Then a random subset of defects is injected, at most one per table and only where the source
table did not already have that defect, each recorded as a label ``{rule, project, field, note}``
in ``manifest.json``. Everything is drawn from ``random.Random(f"bench/{seed}/{i}")`` for draft
``i``: the same seed gives the same bytes, and draft ``i`` does not depend on N or on the number
of worker processes. No draft is audited here; ``bench.recall`` does that.

Usage: ``python -m bench.generate N OUT_DIR [--seed S] [--jobs J]``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.domain import MONEY_IN_TEXT, plan_in_money
from auditor.model import Project
from auditor.readers import read_document
from auditor.readers.assemble import INDICATOR_COLUMNS, label_key, split_goals
from auditor.readers.blocks import Paragraph
from auditor.readers.text import TOC_LINE, lex_text
from auditor.rules import load_rules
from auditor.similarity import near_duplicate_groups, normalize_text
from auditor.values import is_money_unit, is_percent_unit, money_to_yuan, parse_value

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
MANIFEST = "manifest.json"
VERSION = 1
FIRST_YEAR, LAST_YEAR = 2019, 2025
MIN_TABLES, MAX_TABLES = 3, 20
INJECT_PROBABILITY = 0.3  # per defect kind and draft
PARALLEL_CHUNK = 250  # drafts per worker task

DEFECTS = (
    "budget-text-mismatch",
    "spending-plan-end",
    "spending-plan-order",
    "budget-sum",
    "unit-mismatch",
    "indicator-placeholder",
    "percent-range",
    "year-mismatch",
    "goal-duplicate",
    "typo",
    "project-empty",
)

# A year as the drafts write it (2020年, [2014], 【2020】, 2020-2021, …2022绩效目标表), not an
# amount or a count that happens to have four digits.
YEAR = re.compile(
    r"(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d.,])"
    r"(?!\s*(?:万|元|亿|人|个|次|%|％|米|平方|亩|吨|户|家|件|台|辆|天|小时|[kK][vVwW]))"
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")
HEADING = re.compile(r"^(?P<bm>(?:\s*\[bookmark:[^\]]*\])*\s*)(?P<num>\d+)(?P<sep>\s*[、.．]\s*)(?P<rest>.*)$")
TC_RESIDUE = re.compile(
    r"(?P<pre>\s*\{?\s*\bTC\s+\"?)(?P<toc>.*?)(?P<post>\"?\s+\\f\s+\w+(?:\s+\\l\s+\d+)?\s*\}?\s*)$"
)
NUMBERED = re.compile(r"^(?P<num>\d+)(?P<sep>\s*[、.．]\s*)(?P<title>.*)$")
TABLE_SUFFIX = "绩效目标表"
CODE_WITH_YEAR = re.compile(r"^\d{6}\d{2}[0-9A-Z]")
GOAL_SEP = re.compile(r"^\s*1\s*(?P<sep>[.、．])")
REPEATED_WORD = re.compile(r"([\u4e00-\u9fff]{2,4})\1")
# Words before an amount that make it name another quantity (a first instalment, an investment,
# a unit price): a slipped budget must not be written after one of them.
OTHER_QUANTITY = re.compile(r"其中|首期|首付|每|单价|人均|平均|投资|合同|累计|上年|去年|往年|历年|标准|约")
GROWTH = re.compile(r"增长|增幅|增加|提高|提升|比上年|同比|环比|倍")
RATE_NAME = re.compile(r"(?:率|比例|比重|占比|满意度)$")
NOT_A_SHARE = re.compile(r"(?:频率|功率|效率|容积率|周转率)$")
HEADCOUNT_NAME = re.compile(r"(?:人数|人员数)$")
HEADCOUNT_UNITS = {"人", "名", "人次", "万人", "万人次"}
TYPOS = (("效意", "，提升经济效意"), ("满溢", "，群众满溢"), ("补低于", "，补低于计划要求"))
NAME_PREFIXES = ("{year}年", "{year}年度", "园区", "开发区")
NAME_SUFFIXES = ("专项", "项目", "专项资金", "运转经费", "（续建）", "（一期）")
MONEY_NAME_SUFFIXES = ("（续建）", "（一期）", "专项")  # for names that already end in 经费, 资金 …
PLACE_NAME = re.compile(r"园区|开发区|经开区|商务区|工业区")
MONEY_NAME = re.compile(r"(?:费|费用|经费|资金|款|补贴|补助|工资|奖金|金)[）)]?$")
CENT = Decimal("0.01")
# From this budget year on, 产出指标 include a 成本指标 (the catalogue's default, rule
# indicator-missing). A table from an earlier sample moved to a later year gets one, stating its
# budget, so that moving it does not make it defective.
COST_INDICATOR_SINCE = 2021
COST_ROW = {
    "level1": "产出指标",
    "level2": "成本指标",
    "level3": "预算控制数",
    "description": "项目预算支出控制数",
    "basis": "年初预算",
}


# ---------------------------------------------------------------------------------------------
# manifest
# ---------------------------------------------------------------------------------------------
@dataclass
class Label:
    """One injected defect: the rule that must find it, where, and what was done."""

    rule: str
    project: int | None
    field: str
    note: str


@dataclass
class DraftEntry:
    """One generated draft: its file, year, sources and injected defects."""

    file: str
    year: int
    doc_year: int | None  # the year the reader will find (None: the draft states none)
    part_one: str
    projects: list[dict[str, Any]]
    defects: list[Label] = field(default_factory=list)


@dataclass
class Manifest:
    """What ``generate`` wrote: per draft file, its injected defects as labels."""

    seed: int
    drafts: list[DraftEntry]

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "bench.generate",
            "version": VERSION,
            "seed": self.seed,
            "n": len(self.drafts),
            "drafts": [
                {
                    "file": d.file,
                    "year": d.year,
                    "doc_year": d.doc_year,
                    "part_one": d.part_one,
                    "projects": d.projects,
                    "defects": [vars(label) for label in d.defects],
                }
                for d in self.drafts
            ],
        }


# ---------------------------------------------------------------------------------------------
# templates: the samples cut into part one, project tables and trailer, with their slots
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """A cell in a chunk: its first line (the tab line) and the end of its continuation lines."""

    start: int
    end: int


@dataclass
class IndicatorSlot:
    index: int
    level2: str
    level3: str
    description: str
    value_raw: str
    value: Span | None
    desc: Span | None
    number: tuple[int, int, int, str] | None = None  # start, end, decimals, kind ("share"/"count")


@dataclass
class TableTemplate:
    """One project table of a sample: its lines and where each variable thing sits in them."""

    sample: str
    index: int  # project index in the sample
    year: int
    lines: tuple[str, ...]
    year_lines: tuple[int, ...]
    bookmark: str = ""
    sep: str = "."
    title: str = ""
    tc: tuple[str, str, str] | None = None  # pre, toc text, post
    tc_matches: bool = False
    tc_sep: str = "、"
    name: str = ""
    name_line: int | None = None
    code: str | None = None
    code_line: int | None = None
    code_year: bool = False
    department_line: int | None = None
    money_unit: str | None = None
    total: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    total_line: int | None = None
    fiscal_line: int | None = None
    other_line: int | None = None
    budget_variable: bool = False
    mention_lines: tuple[int, ...] = ()
    other_amounts: frozenset[Decimal] = frozenset()
    purpose: Span | None = None
    purpose_agrees: bool = False  # every amount the 资金用途 states as the project's is the budget
    plan_lines: tuple[int, ...] = ()  # lines of the non-empty points
    plan_money: bool = False
    plan_decimals: int = 2
    plan_percent_sign: bool = False
    plan_regenerable: bool = False
    goals: Span | None = None
    goal_items: tuple[str, ...] = ()
    goal_sep: str | None = None
    indicators: tuple[IndicatorSlot, ...] = ()
    indicator_data: tuple[int, int, int] | None = None  # first data line, end, header width
    indicator_columns: tuple[str, ...] = ()  # field of each header cell ("" if none)
    has_cost: bool = False
    candidates: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # rows/goals per defect


@dataclass
class PartOne:
    sample: str
    year: int
    year_source: str
    lines: tuple[str, ...]
    trailer: tuple[str, ...]
    year_lines: tuple[int, ...]
    trailer_year_lines: tuple[int, ...]
    toc: tuple[int, int, int, str] | None  # first line, end, first page, numbering separator
    department: str | None


@dataclass
class Corpus:
    part_ones: list[PartOne]
    tables: dict[str, list[TableTemplate]]


def cell_span(lines: list[str] | tuple[str, ...], start: int) -> Span:
    """The cell starting at ``start``: it continues on the following non-blank lines without a tab."""
    end = start + 1
    while end < len(lines) and lines[end].strip() and not lines[end].startswith("\t"):
        end += 1
    return Span(start, end)


def _blank(line: str) -> bool:
    """A row separator: no tab, nothing but whitespace."""
    return not line.startswith("\t") and not line.strip()


def cell_text(lines: list[str | None] | tuple[str, ...], span: Span) -> str:
    parts = [line for line in lines[span.start : span.end] if line is not None]
    if not parts:
        return ""
    return "\n".join([parts[0][1:] if parts[0].startswith("\t") else parts[0], *parts[1:]])


def shift_years(text: str, delta: int) -> str:
    if not delta:
        return text
    return YEAR.sub(lambda m: str(int(m.group()) + delta), text)


def _year_lines(lines: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, line in enumerate(lines) if YEAR.search(line))


YUAN_PER = {
    "元": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "万": Decimal(10_000),
    "百万元": Decimal(1_000_000),
    "千万元": Decimal(10_000_000),
    "亿元": Decimal(100_000_000),
}


def _mention_yuan(match: re.Match[str]) -> Decimal:
    """An amount matched by ``MONEY_IN_TEXT`` in 元."""
    return Decimal(match.group("number").replace(",", "")) * YUAN_PER[match.group("unit")]


@lru_cache(maxsize=1)
def load_corpus(samples_dir: Path = SAMPLES_DIR) -> Corpus:
    """Cut every sample into part one, project-table templates and trailer (once per process)."""
    part_ones: list[PartOne] = []
    tables: dict[str, list[TableTemplate]] = {}
    for path in sorted(samples_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = text.replace("\r\n", "\n").split("\n")
        doc = read_document(path, parse_value)
        if not doc.projects or doc.year is None:
            continue
        heads = [p.loc.line - 1 for p in doc.projects]
        paragraphs = [b.loc.line - 1 for b in lex_text(text).blocks if isinstance(b, Paragraph)]
        end = next((line for line in paragraphs if line > heads[-1]), len(lines))
        bounds = [*heads, end]
        sample = path.name
        templates = []
        for project, start, stop in zip(doc.projects, bounds, bounds[1:]):
            chunk = lines[start:stop]
            if not chunk or chunk[-1].strip():
                chunk.append("")
            templates.append(_table_template(sample, doc.year, tuple(chunk), project, start))
        tables[sample] = templates
        prefix = tuple(lines[: heads[0]])
        trailer = tuple(lines[end:])
        departments = [p.department for p in doc.projects if p.department]
        part_ones.append(
            PartOne(
                sample=sample,
                year=doc.year,
                year_source=doc.year_source or "",
                lines=prefix,
                trailer=trailer,
                year_lines=_year_lines(prefix),
                trailer_year_lines=_year_lines(trailer),
                toc=_toc_block(prefix),
                department=max(departments, key=departments.count) if departments else None,
            )
        )
    return Corpus(part_ones, tables)


def _toc_block(lines: tuple[str, ...]) -> tuple[int, int, int, str] | None:
    """The 目录 lines that list the project tables (``1.安全生产费用绩效目标表\\t13``)."""
    rows = []
    for i, line in enumerate(lines):
        match = TOC_LINE.match(line)
        if match and NUMBERED.match(match.group("title").strip()) and TABLE_SUFFIX in line:
            rows.append((i, match))
    if not rows:
        return None
    first, match = rows[0]
    last = rows[-1][0]
    sep = NUMBERED.match(match.group("title").strip()).group("sep")  # type: ignore[union-attr]
    return first, last + 1, int(match.group("page")), sep


def _table_template(sample: str, year: int, lines: tuple[str, ...], p: Project, start: int) -> TableTemplate:
    def rel(loc: Any) -> int | None:
        line = getattr(loc, "line", None)
        if line is None:
            return None
        index = line - 1 - start
        return index if 0 <= index < len(lines) else None

    t = TableTemplate(sample, p.index, year, lines, _year_lines(lines))
    _heading_slots(t, lines[0])
    t.name = p.name or (t.title[: -len(TABLE_SUFFIX)] if t.title.endswith(TABLE_SUFFIX) else t.title)
    if p.name:
        t.name_line = rel(p.fields.get("name"))
    if p.code:
        t.code, t.code_line = p.code, rel(p.fields.get("code"))
        t.code_year = bool(CODE_WITH_YEAR.match(p.code))
    if p.department:
        t.department_line = rel(p.fields.get("department"))
    t.money_unit = p.money_unit
    excluded = {0, t.name_line, t.code_line, t.department_line}
    if p.budget is not None:
        t.total, t.fiscal, t.other = p.budget.total.value, p.budget.fiscal.value, p.budget.other.value
        t.total_line = _value_line(lines, rel(p.budget.total.loc), p.budget.total.raw) if p.budget.total.raw else None
        t.fiscal_line = _value_line(lines, rel(p.budget.fiscal.loc), p.budget.fiscal.raw) if p.budget.fiscal.raw else None
        t.other_line = _value_line(lines, rel(p.budget.other.loc), p.budget.other.raw)
        excluded |= {t.total_line, t.fiscal_line, t.other_line}
    if p.purpose is not None:
        line = rel(p.purpose.loc)
        if line is not None and lines[line].startswith("\t"):
            t.purpose = cell_span(lines, line)
    _plan_slots(t, p, rel)
    excluded |= set(t.plan_lines)
    _goal_slots(t, p, rel)
    _indicator_slots(t, p, rel)
    _budget_slots(t, excluded)
    rows = [row for row in t.indicators if row.value is not None]
    t.candidates = {
        "unit-mismatch": tuple(r for r in rows if _unit_candidates(r) is not None),
        "indicator-placeholder": tuple(r for r in rows if _placeholder_row(r)),
        "percent-range": tuple(r for r in rows if _percent_ok(r)),
        "year-mismatch": tuple(r for r in rows if _timely(r, t.year)),
        "goal-duplicate": tuple(g for g in t.goal_items if _goal_ok(g)) if t.goal_sep else (),
        "typo": tuple(r for r in t.indicators if _typo_row(r)),
    }
    return t


def _value_line(lines: tuple[str, ...], line: int | None, raw: str) -> int | None:
    """``line`` if it is the one-line cell that holds ``raw`` (not a label cell standing in)."""
    if line is None or not lines[line].startswith("\t") or cell_span(lines, line).end != line + 1:
        return None
    return line if lines[line].strip() == raw.strip() else None


def _heading_slots(t: TableTemplate, heading: str) -> None:
    match = HEADING.match(heading)
    if not match:
        t.title = heading.strip()
        return
    t.bookmark, t.sep = match.group("bm"), match.group("sep")
    rest = match.group("rest")
    tc = TC_RESIDUE.search(rest)
    t.title = (rest[: tc.start()] if tc else rest).strip()
    if tc:
        t.tc = (tc.group("pre"), tc.group("toc"), tc.group("post"))
        numbered = NUMBERED.match(tc.group("toc").strip())
        t.tc_sep = numbered.group("sep") if numbered else "、"
        t.tc_matches = bool(numbered) and normalize_text(numbered.group("title")) == normalize_text(t.title)  # type: ignore[union-attr]


def _plan_slots(t: TableTemplate, p: Project, rel: Callable[[Any], int | None]) -> None:
    plan = p.spending_plan
    if plan is None or not plan.points:
        return
    filled = [pt for pt in plan.points if pt.raw.strip()]
    lines = [rel(pt.loc) for pt in filled]
    if not filled or None in lines or len(set(lines)) != len(lines):
        return
    if any(not t.lines[i].startswith("\t") or cell_span(t.lines, i).end != i + 1 for i in lines):  # type: ignore[index]
        return
    t.plan_lines = tuple(lines)  # type: ignore[arg-type]
    t.plan_money = plan_in_money(plan, p.budget)
    t.plan_percent_sign = any(pt.raw.strip().endswith(("%", "％")) for pt in filled)
    t.plan_decimals = max(len(pt.raw.strip().rstrip("%％").partition(".")[2]) for pt in filled)
    values = [pt.value for pt in filled]
    target = t.total if t.plan_money else Decimal(100)
    t.plan_regenerable = (
        plan.points[-1].raw.strip() != ""
        and None not in values
        and target is not None
        and all(a <= b for a, b in zip(values, values[1:]))  # type: ignore[operator]
        and values[-1] == target
        and (not t.plan_money or t.total != 100)
    )


def _goal_slots(t: TableTemplate, p: Project, rel: Callable[[Any], int | None]) -> None:
    line = rel(p.goals_loc) if p.goals else None
    if line is None or not t.lines[line].startswith("\t"):
        return
    t.goals = cell_span(t.lines, line)
    items = split_goals(cell_text(t.lines, t.goals))
    sep = GOAL_SEP.match(cell_text(t.lines, t.goals))
    # a table whose goals already (nearly) repeat each other is no test of an injected repeat
    distinct = not near_duplicate_groups([text for _, text, *_ in items], 0.8, 0.6)
    if items and sep and distinct and [n for n, *_ in items] == [str(k) for k in range(1, len(items) + 1)]:
        t.goal_items = tuple(text for _, text, *_ in items)
        t.goal_sep = sep.group("sep")


def _indicator_slots(t: TableTemplate, p: Project, rel: Callable[[Any], int | None]) -> None:
    slots = []
    for i, row in enumerate(p.indicators):
        value_line, desc_line = rel(row.cells.get("value")), rel(row.cells.get("description"))
        value = cell_span(t.lines, value_line) if value_line is not None and t.lines[value_line].startswith("\t") else None
        desc = cell_span(t.lines, desc_line) if desc_line is not None and t.lines[desc_line].startswith("\t") else None
        slot = IndicatorSlot(i, row.level2, row.level3, row.description, row.value.raw, value, desc)
        parsed = row.value
        if (
            value is not None
            and value.end == value.start + 1
            and parsed.kind == "quantity"
            and parsed.number is not None
            and parsed.number > 3
            and not (1950 <= parsed.number < 2050)
            and not is_money_unit(parsed.unit)
        ):
            for m in NUMBER.finditer(t.lines[value.start]):
                if Decimal(m.group()) == parsed.number:
                    share = parsed.unit is None or is_percent_unit(parsed.unit)
                    if not share or parsed.number < 100:
                        decimals = len(m.group().partition(".")[2])
                        slot.number = (m.start(), m.end(), decimals, "share" if share else "count")
                    break
        slots.append(slot)
    t.indicators = tuple(slots)
    header = rel(p.fields.get("indicators"))
    if header is None:
        return
    end = header
    while end < len(t.lines) and not _blank(t.lines[end]):
        end += 1
    cells = [line for line in t.lines[header:end] if line.startswith("\t")]
    width = len(cells)
    t.indicator_columns = tuple(INDICATOR_COLUMNS.get(label_key(c), "") for c in cells)
    t.has_cost = any("成本" in row.level2 or "成本" in row.level1 for row in p.indicators)
    first = end
    while first < len(t.lines) and _blank(t.lines[first]):
        first += 1
    last = len(t.lines)
    while last > first and _blank(t.lines[last - 1]):
        last -= 1
    if first < last:
        t.indicator_data = (first, last, width)


def _budget_slots(t: TableTemplate, excluded: set[int | None]) -> None:
    """Where the table writes its budget in words, and whether the budget can vary safely."""
    if t.total is None or t.fiscal is None or t.total_line is None or t.fiscal_line is None:
        return
    old = money_to_yuan(t.total, t.money_unit or "万元")
    if old is None:
        return
    mention_lines, others = [], set()
    for i, line in enumerate(t.lines):
        if i in excluded:
            continue
        found = False
        for m in MONEY_IN_TEXT.finditer(line):
            yuan = _mention_yuan(m)
            if yuan == old:
                found = True
            elif yuan is not None:
                others.add(yuan)
        if found:
            mention_lines.append(i)
    t.mention_lines = tuple(mention_lines)
    if t.purpose is not None:
        text = cell_text(t.lines, t.purpose)
        t.purpose_agrees = all(
            _mention_yuan(m) == old or OTHER_QUANTITY.search(text[max(0, m.start() - 8) : m.start()])
            for m in MONEY_IN_TEXT.finditer(text)
        )
    t.other_amounts = frozenset(others)
    cells = [t.purpose, t.goals] + [s for row in t.indicators for s in (row.value, row.desc)]
    sums_up = False
    for span in cells:
        if span is None:
            continue
        amounts = [_mention_yuan(m) for m in MONEY_IN_TEXT.finditer(cell_text(t.lines, span))]
        if len(amounts) > 1 and any(a != old for a in amounts):
            sums_up = True  # several amounts, not all the budget: they may add up to it
    consistent = t.total == t.fiscal + (t.other or 0)
    money_plan_ok = not t.plan_lines or not t.plan_money or t.plan_regenerable
    t.budget_variable = consistent and money_plan_ok and not sums_up


# ---------------------------------------------------------------------------------------------
# one table of one draft
# ---------------------------------------------------------------------------------------------
def _q(value: Decimal, decimals: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    """``126.61``, ``50``, ``28.2``: an amount as text would write it."""
    return format(value.normalize(), "f")


def _money_text(yuan: Decimal, unit: str) -> str:
    return _plain(yuan / YUAN_PER[unit])


@dataclass
class Table:
    """A table being generated: the template, its lines in this draft, and what it now says."""

    t: TableTemplate
    number: int
    delta: int
    lines: list[str | None]
    budget: Decimal | None
    fiscal: Decimal | None
    name: str
    code: str | None
    title: str = ""
    injected: str | None = None
    after: dict[int, list[str]] = field(default_factory=dict)  # lines emitted after line i

    @property
    def unit(self) -> str:
        return self.t.money_unit or "万元"

    def set_cell(self, span: Span, text: str) -> None:
        self.lines[span.start] = "\t" + text
        for i in range(span.start + 1, span.end):
            self.lines[i] = None

    def text(self, span: Span) -> str:
        return cell_text(self.lines, span)

    def emit(self) -> list[str]:
        if not self.after:
            return [line for line in self.lines if line is not None]
        out = []
        for i, line in enumerate(self.lines):
            if line is not None:
                out.append(line)
                out.extend(self.after.get(i, ()))
        return out


def _shifted(lines: tuple[str, ...], year_lines: tuple[int, ...], delta: int) -> list[str | None]:
    out: list[str | None] = list(lines)
    if delta:
        for i in year_lines:
            out[i] = shift_years(lines[i], delta)
    return out


def build_table(t: TableTemplate, number: int, year: int, department: str | None, codes: set[str], rng: random.Random) -> Table:
    """Vary one template for a draft of ``year`` where it is table ``number``."""
    delta = year - t.year
    lines = _shifted(t.lines, t.year_lines, delta)
    name0 = shift_years(t.name, delta)
    name = _vary_name(name0, year, rng)
    title0 = shift_years(t.title, delta)
    title = title0.replace(name0, name, 1) if name0 and name0 in title0 else title0
    table = Table(t, number, delta, lines, t.total, t.fiscal, name, None)
    heading = f"{t.bookmark}{number}{t.sep}{title}"
    if t.tc is not None:
        pre, toc, post = t.tc
        toc = f"{number}{t.tc_sep}{title}" if t.tc_matches else shift_years(toc, delta)
        heading += f"{pre}{toc}{post}"
    lines[0] = heading
    table.title = title
    name_cell = lines[t.name_line] if t.name_line is not None else None
    if name_cell and name0 and name0 in name_cell:
        lines[t.name_line] = name_cell.replace(name0, name, 1)  # type: ignore[index]
    if department and t.department_line is not None:
        lines[t.department_line] = "\t" + department
    code_cell = lines[t.code_line] if t.code_line is not None else None
    if t.code is not None and code_cell:
        table.code = _vary_code(t.code, year, codes, rng)
        lines[t.code_line] = code_cell.replace(t.code, table.code, 1)  # type: ignore[index]
    if t.budget_variable:
        _vary_budget(table, rng)
    if t.plan_regenerable:
        _write_plan(table, _plan_values(table, rng))
    for row in t.indicators:
        if row.number is not None and row.value is not None and rng.random() < 0.6:
            _vary_number(table, row, rng)
    if t.year < COST_INDICATOR_SINCE <= year and not t.has_cost:
        _add_cost_row(table)
    return table


def _add_cost_row(table: Table) -> None:
    """Append a 成本指标 row stating the budget (after the last row: no index moves)."""
    t = table.t
    if t.indicator_data is None or table.budget is None or not t.indicator_columns:
        return
    texts = {**COST_ROW, "value": f"≤{_plain(table.budget)}{table.unit}"}
    cells = [f"\t{texts.get(name, '')}" for name in t.indicator_columns]
    table.after[t.indicator_data[1] - 1] = ["", *cells]


def _vary_name(name: str, year: int, rng: random.Random) -> str:
    if not name or rng.random() < 0.4:
        return name
    new = name
    if rng.random() < 0.4:
        prefix = rng.choice(NAME_PREFIXES).format(year=year)
        dated = prefix[0].isdigit() and (YEAR.search(name) or name[0].isdigit())
        placed = not prefix[0].isdigit() and PLACE_NAME.search(name)
        if not dated and not placed:
            new = prefix + new
    if rng.random() < 0.7:
        money = MONEY_NAME.search(new.rstrip("0123456789"))
        suffix = rng.choice(MONEY_NAME_SUFFIXES if money else NAME_SUFFIXES)
        if not new.endswith(suffix):
            new = new + suffix
    if REPEATED_WORD.search(new) and not REPEATED_WORD.search(name):
        return name
    return new


def _vary_code(code: str, year: int, codes: set[str], rng: random.Random) -> str:
    """A new code of the same shape: region digits kept, year digits set, the rest redrawn."""
    for _ in range(100):
        if CODE_WITH_YEAR.match(code):
            keep, tail = code[:6] + f"{year % 100:02d}", code[8:]
        else:
            cut = code.rfind("-") + 1
            keep, tail = code[:cut], code[cut:]
        digits = rng.choices("0123456789", k=len(tail))
        letters = rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=len(tail))  # a letter stays a letter: the shape is kept
        new = keep + "".join(
            d if ch.isdigit() else a if "A" <= ch <= "Z" else ch for ch, d, a in zip(tail, digits, letters)
        )
        if new not in codes:
            codes.add(new)
            return new
    return code


def _vary_budget(table: Table, rng: random.Random) -> None:
    t = table.t
    assert t.total is not None and t.total_line is not None and t.fiscal_line is not None
    avoid = t.other_amounts
    for _ in range(20):
        budget = _q(t.total * Decimal(str(math.exp(rng.uniform(math.log(0.3), math.log(3.0))))))
        if rng.random() < 0.5:
            budget = _q(budget, 0)
        budget = max(budget, Decimal("1.00"))
        yuan = budget * YUAN_PER.get(table.unit, YUAN_PER["万元"])
        if budget != 100 and budget != t.total and yuan not in avoid:
            break
    else:
        return
    budget = _q(budget)
    fiscal = budget
    if t.other_line is not None and rng.random() < 0.2:
        other = _q(budget * Decimal(str(rng.uniform(0.05, 0.4))))
        if Decimal(0) < other < budget:
            fiscal = budget - other
            table.lines[t.other_line] = f"\t{other:.2f}"
    table.lines[t.total_line] = f"\t{budget:.2f}"
    table.lines[t.fiscal_line] = f"\t{fiscal:.2f}"
    old = money_to_yuan(t.total, table.unit)
    new = money_to_yuan(budget, table.unit)
    assert old is not None and new is not None

    def restate(m: re.Match[str]) -> str:
        if _mention_yuan(m) != old:
            return m.group()
        return _money_text(new, m.group("unit")) + m.group()[m.end("number") - m.start() :]

    for i in t.mention_lines:
        table.lines[i] = MONEY_IN_TEXT.sub(restate, table.lines[i])  # type: ignore[arg-type]
    table.budget, table.fiscal = budget, fiscal


def _plan_values(table: Table, rng: random.Random, defect: str | None = None) -> list[Decimal]:
    """Cumulative schedule for the table's filled points: non-decreasing, ending at the target
    (100, or the budget in money form); ``end``: ends short of it; ``order``: one point falls."""
    t = table.t
    count = len(t.plan_lines)
    target = table.budget if t.plan_money else Decimal(100)
    assert target is not None
    end_share = 100
    if defect == "end":
        for _ in range(20):
            end_share = rng.choice((50, 60, 70, 75, 80, 85, 90, 95))
            end = _q(target * end_share / 100, t.plan_decimals)
            if end > 0 and end != target and end != 100 and end != table.budget:
                break
        else:
            raise _Skip
    shares = sorted(rng.sample(range(5, end_share, 5), count - 1)) if count > 1 else []
    values = [_q(target * s / 100, t.plan_decimals) for s in [*shares, end_share]]
    if defect is None:
        values[-1] = target if t.plan_money else Decimal(100)
    if defect == "order":
        if count < 3:
            raise _Skip
        j = rng.randint(1, count - 2)
        fallen = _q(values[j - 1] * Decimal(str(rng.uniform(0.2, 0.8))), t.plan_decimals)
        values[j] = fallen if fallen < values[j - 1] - Decimal("0.005") else Decimal(0)
    return values


def _write_plan(table: Table, values: list[Decimal]) -> None:
    t = table.t
    sign = "%" if t.plan_percent_sign else ""
    for line, value in zip(t.plan_lines, values):
        table.lines[line] = f"\t{value:.{t.plan_decimals}f}{sign}"


def _vary_number(table: Table, row: IndicatorSlot, rng: random.Random) -> None:
    assert row.number is not None and row.value is not None
    start, end, decimals, kind = row.number
    line = table.lines[row.value.start]
    assert line is not None
    number = Decimal(line[start:end])
    if kind == "share":
        low, high = max(1, int(number) - 10), min(99, int(number) + 4)
    else:
        low, high = max(1, int(number * Decimal("0.6"))), int(number * Decimal("1.4")) + 1
    if high <= low:
        return
    new = Decimal(rng.randint(low, high))
    table.lines[row.value.start] = f"{line[:start]}{new:.{decimals}f}{line[end:]}"


# ---------------------------------------------------------------------------------------------
# injected defects
# ---------------------------------------------------------------------------------------------
class _Skip(Exception):
    """The chosen table cannot carry this defect after all."""


Injector = Callable[[Table, "Draft", random.Random], tuple[str, str]]


@dataclass
class Draft:
    year: int
    doc_year: int | None


def _slipped(budget: Decimal, rng: random.Random) -> Decimal:
    """The budget with one digit dropped (126.61 → 12.61), or doubled when it has only one."""
    text = _plain(budget)
    options = []
    for i, ch in enumerate(text):
        if not ch.isdigit():
            continue
        new = text[:i] + text[i + 1 :]
        if not new or new[0] == "." or new.endswith(".") or (len(new) > 1 and new[0] == "0" and new[1] != "."):
            continue
        value = Decimal(new)
        if value > 0 and value != budget:
            options.append(value)
    if options:
        return rng.choice(options)
    return Decimal(text[0] + text)


def _inject_budget_text(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    t = table.t
    assert table.budget is not None and t.purpose is not None
    slip = _slipped(table.budget, rng)
    budget_yuan = money_to_yuan(table.budget, table.unit)
    slip_yuan = money_to_yuan(slip, table.unit)
    assert budget_yuan is not None and slip_yuan is not None
    stated = False
    for i in range(t.purpose.start, t.purpose.end):
        line = table.lines[i]
        if line is None:
            continue
        pieces, pos = [], 0
        for m in MONEY_IN_TEXT.finditer(line):
            if _mention_yuan(m) != budget_yuan:
                continue
            if not OTHER_QUANTITY.search(line[max(0, m.start() - 8) : m.start()]):
                stated = True
            pieces += [line[pos : m.start()], _money_text(slip_yuan, m.group("unit")), line[m.end("number") : m.end()]]
            pos = m.end()
        table.lines[i] = "".join(pieces) + line[pos:]
    written = f"{_plain(slip)}{table.unit}"
    if not stated:
        if table.text(t.purpose).strip():
            last = t.purpose.end - 1
            table.lines[last] = (table.lines[last] or "").rstrip() + f"，本项目预算{written}。"
        else:
            table.set_cell(t.purpose, f"本项目预算{written}")
    return "purpose", f"资金用途写预算{written}，预算数{table.budget}{table.unit}（漏写一位数字）"


def _inject_plan_end(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    values = _plan_values(table, rng, "end")
    _write_plan(table, values)
    return "spending_plan", f"资金支出计划12月底累计{values[-1]}，未到全年"


def _inject_plan_order(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    values = _plan_values(table, rng, "order")
    _write_plan(table, values)
    shown = "、".join(str(v) for v in values)
    return "spending_plan", f"累计支出进度倒退：{shown}"


def _inject_budget_sum(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    t = table.t
    assert table.fiscal is not None and t.fiscal_line is not None
    cut = max(CENT, _q(table.fiscal * Decimal(str(rng.uniform(0.05, 0.5)))))
    wrong = table.fiscal - cut if table.fiscal > cut else table.fiscal + cut
    table.lines[t.fiscal_line] = f"\t{wrong:.2f}"
    return "budget", f"财政资金改为{wrong:.2f}，预算数{table.budget}"


def _unit_candidates(row: IndicatorSlot) -> str | None:
    parsed = parse_value(row.value_raw)
    if parsed.kind != "quantity" or parsed.unit is None or parsed.tail is not None or not parsed.unit_raw:
        return None
    level3 = row.level3.strip()
    if HEADCOUNT_NAME.search(level3) and parsed.unit in HEADCOUNT_UNITS and not RATE_NAME.search(level3):
        return "次"
    if RATE_NAME.search(level3) and not NOT_A_SHARE.search(level3) and parsed.unit == "%":
        return "万元"
    return None


def _inject_unit(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    row = rng.choice(table.t.candidates["unit-mismatch"])
    assert row.value is not None
    unit = _unit_candidates(row)
    current = table.text(row.value)
    parsed = parse_value(current)
    if not parsed.unit_raw or parsed.unit_raw not in current:
        raise _Skip
    at = current.rindex(parsed.unit_raw)
    new = current[:at] + unit + current[at + len(parsed.unit_raw) :]  # type: ignore[operator]
    check = parse_value(new)
    if check.kind != "quantity" or check.unit != unit:
        raise _Skip
    table.set_cell(row.value, new)
    return f"indicators[{row.index}].value", f"“{row.level3}”的指标值由“{current}”改为“{new}”"


def _placeholder_ok(level3: str) -> bool:
    """``≥80<level3>`` reads as a number followed by the indicator's own name."""
    if not level3 or "\n" in level3:
        return False
    parsed = parse_value(f"≥80{level3}")
    return (
        parsed.kind == "quantity"
        and parsed.unit is None
        and parsed.tail is not None
        and normalize_text(parsed.tail, strip_numbering=False) == normalize_text(level3, strip_numbering=False)
    )


def _placeholder_row(row: IndicatorSlot) -> bool:
    """A row whose value is a real target now (not already words after a number, nor the name)."""
    parsed = parse_value(row.value_raw)
    if parsed.kind == "quantity" and parsed.tail is not None:
        return False
    name = normalize_text(row.level3, strip_numbering=False)
    if parsed.kind == "text" and normalize_text(row.value_raw, strip_numbering=False) in (
        name,
        normalize_text(row.description, strip_numbering=False),
    ):
        return False
    return _placeholder_ok(row.level3.strip())


def _inject_placeholder(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    row = rng.choice(table.t.candidates["indicator-placeholder"])
    assert row.value is not None
    level3 = shift_years(row.level3.strip(), table.delta)
    if not _placeholder_ok(level3):
        raise _Skip
    new = f"≥{rng.choice((60, 80, 90))}{level3}"
    table.set_cell(row.value, new)
    return f"indicators[{row.index}].value", f"指标值写成“{new}”（数值后是指标名称）"


def _percent_ok(row: IndicatorSlot) -> bool:
    level3 = row.level3.strip()
    if not level3 or GROWTH.search(level3):
        return False
    parsed = parse_value(row.value_raw)
    is_share = parsed.kind == "quantity" and is_percent_unit(parsed.unit)
    if is_share and parsed.number is not None and (parsed.number > 100 or (parsed.number == 100 and parsed.op in ("≥", ">"))):
        return False  # out of range already
    return is_share or bool(RATE_NAME.search(level3) and not NOT_A_SHARE.search(level3))


def _inject_percent(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    row = rng.choice(table.t.candidates["percent-range"])
    assert row.value is not None
    new = rng.choice(("≥100%", "105%", "≥105%", "110%"))
    table.set_cell(row.value, new)
    return f"indicators[{row.index}].value", f"比率指标“{row.level3}”的指标值写成“{new}”"


def _timely(row: IndicatorSlot, sample_year: int) -> bool:
    """A 时效 row (or a date value) that does not already name another year."""
    if any(int(m.group()) != sample_year for m in re.finditer(r"(?:19|20)\d{2}(?=\s*年)", row.value_raw)):
        return False
    return "时效" in row.level2 or parse_value(row.value_raw).kind == "date"


def _inject_year(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    assert draft.doc_year is not None
    row = rng.choice(table.t.candidates["year-mismatch"])
    assert row.value is not None
    wrong = draft.doc_year + rng.choice((-1, 1))
    current = table.text(row.value)
    if f"{draft.doc_year}年" in current and "\n" not in current:
        new = current.replace(f"{draft.doc_year}年", f"{wrong}年", 1)
    else:
        new = f"{wrong}年12月底"
    table.set_cell(row.value, new)
    return f"indicators[{row.index}].value", f"时效指标值写成“{new}”，预算年度{draft.doc_year}"


def _goal_ok(text: str) -> bool:
    return "\n" not in text and len(normalize_text(text)) >= 6


def _inject_goal_duplicate(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    t = table.t
    assert t.goals is not None and t.goal_sep is not None
    text = shift_years(rng.choice(t.candidates["goal-duplicate"]), table.delta)
    last = t.goals.end - 1
    table.lines[last] = (table.lines[last] or "") + f"\n{len(t.goal_items) + 1}{t.goal_sep}{text}"
    return "goals", f"绩效目标重复：“{text}”"


@lru_cache(maxsize=1)
def _misspellings() -> re.Pattern[str]:
    """Misspellings a description may already carry: the catalogue's list, else ours. Only used
    to keep injections off descriptions that already have one (recall would be free there)."""
    try:
        rule = next(r for r in load_rules().rules if r.id == "typo")
        pattern = getattr(rule.check, "pattern", None)
        if isinstance(pattern, re.Pattern):
            return pattern
    except Exception:  # noqa: BLE001 - a broken catalogue must not stop the generator
        pass
    return re.compile("|".join(re.escape(w) for w, _ in TYPOS))


def _typo_row(row: IndicatorSlot) -> bool:
    return row.desc is not None and bool(row.description.strip()) and not _misspellings().search(row.description)


def _inject_typo(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    row = rng.choice(table.t.candidates["typo"])
    assert row.desc is not None
    wrong, phrase = rng.choice(TYPOS)
    last = row.desc.end - 1
    table.lines[last] = (table.lines[last] or "").rstrip() + phrase
    return f"indicators[{row.index}].description", f"指标描述中写入错别字“{wrong}”"


def _inject_empty(table: Table, draft: Draft, rng: random.Random) -> tuple[str, str]:
    t = table.t
    assert t.goals is not None and t.indicator_data is not None
    i = t.goals.start
    while i < len(t.lines) and t.lines[i].startswith("\t"):
        span = cell_span(t.lines, i)
        table.set_cell(span, "")
        i = span.end
    first, end, width = t.indicator_data
    table.lines[first] = "\n".join(["\t"] * width)
    for j in range(first + 1, end):
        table.lines[j] = None
    return "indicators", "清空绩效目标和全部指标行"


def _eligible(kind: str, table: Table, draft: Draft) -> bool:
    t = table.t
    if kind == "budget-text-mismatch":
        return table.budget is not None and t.purpose is not None and is_money_unit(table.unit) and t.purpose_agrees
    if kind in ("spending-plan-end", "spending-plan-order"):
        return t.plan_regenerable and table.budget is not None and (kind == "spending-plan-end" or len(t.plan_lines) >= 3)
    if kind == "budget-sum":
        return table.budget is not None and table.fiscal is not None and t.fiscal_line is not None
    if kind == "year-mismatch":
        return draft.doc_year is not None and bool(t.candidates[kind])
    if kind in t.candidates:
        return bool(t.candidates[kind])
    if kind == "project-empty":
        return t.goals is not None and t.indicator_data is not None and bool(t.indicators)
    raise ValueError(kind)


INJECTORS: dict[str, Injector] = {
    "budget-text-mismatch": _inject_budget_text,
    "spending-plan-end": _inject_plan_end,
    "spending-plan-order": _inject_plan_order,
    "budget-sum": _inject_budget_sum,
    "unit-mismatch": _inject_unit,
    "indicator-placeholder": _inject_placeholder,
    "percent-range": _inject_percent,
    "year-mismatch": _inject_year,
    "goal-duplicate": _inject_goal_duplicate,
    "typo": _inject_typo,
    "project-empty": _inject_empty,
}


# ---------------------------------------------------------------------------------------------
# drafts
# ---------------------------------------------------------------------------------------------
def make_draft(corpus: Corpus, seed: int, i: int, file: str) -> tuple[str, DraftEntry]:
    """Draft ``i`` of the corpus for ``seed``: its text and its manifest entry."""
    rng = random.Random(f"bench/{seed}/{i}")
    part = rng.choice(corpus.part_ones)
    year = rng.randint(FIRST_YEAR, LAST_YEAR)
    picks = _pick_tables(corpus, rng.randint(MIN_TABLES, MAX_TABLES), rng)
    codes: set[str] = set()
    tables = [build_table(t, k, year, part.department, codes, rng) for k, t in enumerate(picks, start=1)]
    if part.year_source in ("title", "text"):
        doc_year: int | None = year
    else:  # the draft's year is read from the year digits of its 项目编码
        doc_year = year if any(t.code_year for t in picks) else None
    draft = Draft(year, doc_year)
    labels = []
    kinds = list(DEFECTS)
    rng.shuffle(kinds)
    for kind in kinds:
        if rng.random() >= INJECT_PROBABILITY:
            continue
        candidates = [table for table in tables if table.injected is None and _eligible(kind, table, draft)]
        if not candidates:
            continue
        table = rng.choice(candidates)
        saved = list(table.lines)
        try:
            field_path, note = INJECTORS[kind](table, draft, rng)
        except _Skip:
            table.lines = saved
            continue
        table.injected = kind
        labels.append(Label(kind, table.number, field_path, note))
    labels.sort(key=lambda label: (label.project or 0, label.rule))
    text = _emit(part, year, tables)
    entry = DraftEntry(
        file=file,
        year=year,
        doc_year=doc_year,
        part_one=part.sample,
        projects=[
            {"index": tb.number, "source": tb.t.sample, "source_index": tb.t.index, "injected": tb.injected}
            for tb in tables
        ],
        defects=labels,
    )
    return text, entry


def _pick_tables(corpus: Corpus, count: int, rng: random.Random) -> list[TableTemplate]:
    """``count`` distinct tables, each drawn from a sample chosen uniformly."""
    pools = {sample: list(tables) for sample, tables in corpus.tables.items()}
    picks: list[TableTemplate] = []
    while len(picks) < count and any(pools.values()):
        sample = rng.choice([s for s in sorted(pools) if pools[s]])
        pool = pools[sample]
        picks.append(pool.pop(rng.randrange(len(pool))))
    return picks


def _emit(part: PartOne, year: int, tables: list[Table]) -> str:
    delta = year - part.year
    lines = [line for line in _shifted(part.lines, part.year_lines, delta) if line is not None]
    if part.toc is not None:
        first, end, page, sep = part.toc
        entries = []
        for table in tables:
            entries.append(f"{table.number}{sep}{table.title}\t{page}")
            page += 2 if len(table.lines) > 110 else 1
        lines[first:end] = entries
    for table in tables:
        lines.extend(table.emit())
    lines.extend(line for line in _shifted(part.trailer, part.trailer_year_lines, delta) if line is not None)
    text = "\n".join(lines)
    return text if text.endswith("\n") else text + "\n"


def _write_drafts(out_dir: Path, seed: int, start: int, stop: int, width: int) -> list[DraftEntry]:
    """Generate and write drafts ``start``…``stop - 1``; their manifest entries."""
    corpus = load_corpus()
    entries = []
    for i in range(start, stop):
        file = f"draft_{i:0{width}d}.txt"
        text, entry = make_draft(corpus, seed, i, file)
        (out_dir / file).write_bytes(text.encode("utf-8"))
        entries.append(entry)
    return entries


def generate(n: int, out_dir: Path, seed: int = 0, jobs: int | None = None) -> Manifest:
    """Write ``n`` drafts and ``manifest.json`` into ``out_dir``; return the manifest.

    ``jobs`` worker processes share the drafts (default: the CPU count, serial for small N); the
    output does not depend on it, since draft ``i`` depends only on ``seed`` and ``i``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(max(n - 1, 0))))
    jobs = min(jobs or os.cpu_count() or 1, 8, max(1, n // PARALLEL_CHUNK))
    if jobs <= 1:
        drafts = _write_drafts(out_dir, seed, 0, n, width)
    else:
        load_corpus()  # once, before the workers fork
        bounds = list(range(0, n, PARALLEL_CHUNK)) + [n]
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
            parts = pool.map(_write_drafts, *zip(*[(out_dir, seed, a, b, width) for a, b in zip(bounds, bounds[1:])]))
            drafts = [entry for part in parts for entry in part]
    manifest = Manifest(seed, drafts)
    data = json.dumps(manifest.to_json(), ensure_ascii=False, indent=1) + "\n"
    (out_dir / MANIFEST).write_bytes(data.encode("utf-8"))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, metavar="N", help="number of drafts")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be ≥ 0")
    started = time.perf_counter()
    manifest = generate(args.n, args.out_dir, args.seed, args.jobs)
    elapsed = time.perf_counter() - started
    defects = sum(len(d.defects) for d in manifest.drafts)
    print(f"{args.n} drafts, {defects} injected defects → {args.out_dir} ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
