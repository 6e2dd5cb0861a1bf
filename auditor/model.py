"""The document model: what a budget performance target draft says, and where it says it.

Plain dataclasses, filled by the readers (one per input format) and read by the rules and the
reports. Names follow ``../shared/glossary.md``. The model imports nothing from the rest of the
package.

Every piece of draft text keeps its ``Location`` so a finding can point at it: a line number for
the text exports, a cell or paragraph reference for the other formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, NamedTuple

ValueKind = Literal["quantity", "date", "text", "empty", "unparsed", "not_applicable"]
SectionKind = Literal["overall_goals", "area_goals", "safeguards"]


class Location(NamedTuple):
    """Where a piece of text was read: ``line`` (1-based) in a text export, or ``ref`` (a
    paragraph, table cell or sheet cell) in a .docx/.xlsx/.pdf. A named tuple: immutable, and
    cheap to make (a reader makes one per cell)."""

    line: int | None = None
    column: int | None = None  # 1-based, in characters, where the text starts on its line
    ref: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        return self.ref or "?"


NOWHERE = Location()


@dataclass(slots=True)
class TextItem:
    """A paragraph or numbered item (a goal, a measure) with its location."""

    text: str
    loc: Location = NOWHERE
    number: str | None = None  # the item's own numbering as written ("1", "（二）"), if any


@dataclass(slots=True)
class Amount:
    """A money figure as written and as a number (None when the cell is empty or not a number).
    ``unit`` is the money unit its label declares as written (``万元`` from
    ``本年度项目金额（万元）``), None where the label declares none (the table's ``money_unit``
    applies). The figure is kept as declared, even when it plainly is in another unit: saying so
    is a rule's business, not the reader's."""

    raw: str
    value: Decimal | None
    loc: Location = NOWHERE
    unit: str | None = None


@dataclass(slots=True)
class Budget:
    """预算数 = 财政资金 + 其他资金, in the table's money unit. ``total`` is this budget year's
    amount (本年度项目金额 in the 申报表); ``total_all_years`` the whole multi-year amount
    (项目总金额（中期规划）). A part the form does not have is None (absent), not an empty
    ``Amount`` (a cell left blank)."""

    total: Amount
    fiscal: Amount | None = None
    other: Amount | None = None
    total_all_years: Amount | None = None


@dataclass(slots=True)
class SpendingPoint:
    """One point of the cumulative spending schedule (``3月底`` …) as written and as a number."""

    label: str
    raw: str
    value: Decimal | None
    loc: Location = NOWHERE


@dataclass(slots=True)
class SpendingPlan:
    """资金支出计划: the header's unit (``%`` from ``资金支出计划（%）``) and the points."""

    header: str
    unit: str | None
    points: list[SpendingPoint]
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class ValueDate:
    """A date target such as ``2023年12月底``: year and month when written, and the qualifier."""

    year: int | None
    month: int | None
    day: int | None = None
    qualifier: str | None = None  # 底 / 末 / 前 / 内 …
    every: str | None = None  # a recurring deadline's period: 天 / 周 / 月 / 季度 / 年 (每月10日前)
    time: str | None = None  # a time of day, "06:30" (每天早上6点半前)


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """A parsed 指标值.

    ``kind`` is ``quantity`` (a number, optionally with operator and unit), ``date``, ``text``
    (qualitative), ``empty``, ``unparsed`` or ``not_applicable`` (不适用, 不涉及, 无 …: the row is
    declared not to apply). ``unit`` is normalised (``百分比`` → ``%``), ``unit_raw`` is the unit
    as written; ``tail`` is trailing text that is not a unit (``≥80成本控制`` → tail ``成本控制``).
    ``op_raw`` is the operator as written (``不超过``, ``达到``); ``lead`` words before it that
    only name what is measured (``总成本`` of ``总成本不超过35万元``); ``per`` the period of a
    rate or frequency (``年`` of ``每年不超过3.5万元``, ``季度`` of ``每季度不少于2次``);
    ``counted`` the noun a classifier counts (``社区`` of ``13个社区``). ``unit_from`` says where
    a unit not written in the value came from: ``name`` (``覆盖率（%）``), ``context`` (``35万``
    in a cost row → 万元) or ``format`` (a spreadsheet cell shown as a percentage); None when
    written.
    """

    raw: str
    kind: ValueKind
    op: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    unit_raw: str | None = None
    tail: str | None = None
    date: ValueDate | None = None
    op_raw: str | None = None
    lead: str | None = None
    per: str | None = None
    counted: str | None = None
    unit_from: str | None = None
    upper: Decimal | None = None  # a range's upper bound (15-20分钟: number 15, upper 20, op "~")

    def __hash__(self) -> int:
        # Equal values have equal raw text, and a str caches its hash: rules' memos look values
        # up by the hundred thousand, and hashing every field of each one showed in profiles.
        return hash(self.raw)


@dataclass(slots=True)
class Indicator:
    """One row of an indicator table. Merged category cells are filled down from the row above;
    ``filled`` names the fields that were filled that way."""

    level1: str
    level2: str
    level3: str
    description: str
    value: IndicatorValue
    basis: str | None  # None: the form has no 指标值确定依据 column (absent, not empty)
    loc: Location = NOWHERE
    cells: dict[str, Location] = field(default_factory=dict)
    filled: tuple[str, ...] = ()
    scoring: str | None = None  # 评（扣）分标准, department-level tables only
    # The row is declared not to apply (不适用 / 不涉及 / 无 in its value or name): row-level rules
    # skip it; whether the category may be left out is a project-level judgement.
    not_applicable: bool = False

    def loc_of(self, name: str) -> Location:
        """Location of one cell of the row (falls back to the row)."""
        return self.cells.get(name, self.loc)


# The fields forms other than the corpus' template carry besides the table (see ``Project``)
PROJECT_HEADER_FIELDS = ("applicant", "parent_unit", "duration_years", "project_type", "allocation", "is_new")
PROJECT_TEXT_FIELDS = ("policy_basis", "calculation_basis", "annual_goal", "long_term_goal")


@dataclass(slots=True)
class Project:
    """One 项目支出绩效目标表."""

    index: int
    heading: str
    loc: Location = NOWHERE
    toc_field: str | None = None  # text of the heading's TC field, e.g. "1、…绩效目标表"
    department: str | None = None  # the table's own header line, e.g. "441002临西县…管理委员会"
    code: str | None = None
    name: str | None = None
    money_unit: str | None = None
    budget: Budget | None = None
    purpose: TextItem | None = None
    spending_plan: SpendingPlan | None = None
    goals: list[TextItem] = field(default_factory=list)
    goals_loc: Location = NOWHERE
    indicators: list[Indicator] = field(default_factory=list)
    fields: dict[str, Location] = field(default_factory=dict)
    # What the 申报表 and flat exports carry besides the table (None: the form has no such field)
    applicant: str | None = None  # 申请单位
    parent_unit: str | None = None  # 一级预算单位 / 主管部门
    duration_years: int | None = None  # 实施期限, in years
    duration_span: tuple[int, int] | None = None  # 实施期限 as the form writes its years (2024-2026)
    project_type: str | None = None  # 项目类型
    allocation: str | None = None  # 分配方式
    is_new: bool | None = None  # 是否新增项目
    policy_basis: TextItem | None = None  # 政策依据 / 立项依据
    calculation_basis: TextItem | None = None  # 测算依据
    annual_goal: TextItem | None = None  # 年度目标
    long_term_goal: TextItem | None = None  # 长期目标
    raw_fields: dict[str, str] = field(default_factory=dict)  # header fields as written (实施期限 "3年")

    def loc_of(self, name: str) -> Location:
        """Location of a named field (``code``, ``name``, ``goals``…), falling back to the heading."""
        return self.fields.get(name, self.loc)

    @property
    def display_name(self) -> str:
        """项目名称, or the heading without its numbering and 绩效目标表 when the table has none."""
        if self.name:
            return self.name
        title = re.sub(r"^\s*\d+\s*[.、．]\s*", "", self.heading)
        return re.sub(r"(项目)?(支出)?绩效目标表\s*$", "", title).strip() or self.heading


@dataclass(slots=True)
class Section:
    """A heading of part one (总体绩效目标, 分项绩效目标, 工作保障措施) and its paragraphs."""

    kind: SectionKind
    heading: str
    loc: Location
    items: list[TextItem] = field(default_factory=list)


@dataclass(slots=True)
class TocEntry:
    """A line of the draft's 目录: title and page."""

    title: str
    page: str | None
    loc: Location = NOWHERE


@dataclass(slots=True)
class ReadNote:
    """Something the reader noticed and worked around (a short row, an unknown table), in
    English (``message``) and Chinese (``zh``)."""

    message: str
    loc: Location = NOWHERE
    zh: str = ""
    project: int | None = None
    """The index of the project part of whose content the reader could not understand (a row or
    cell it left unread); None for notes that leave no doubt about any project's content."""

    def text(self, lang: str) -> str:
        return (self.zh or self.message) if lang == "zh" else self.message


@dataclass(slots=True)
class Document:
    """One draft: part one (goals, measures, department table) and part two (project tables)."""

    path: str
    source_format: str
    department: str | None = None
    department_code: str | None = None
    year: int | None = None
    year_source: str | None = None  # how the year was found ("title", "text", "project codes")
    year_loc: Location = NOWHERE
    title: str | None = None
    sections: list[Section] = field(default_factory=list)
    department_indicators: list[Indicator] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    toc: list[TocEntry] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)
    layout: str | None = None  # id of the layout profile the draft was read with (layouts/*.yaml)

    def section_items(self, kind: SectionKind) -> list[TextItem]:
        """All paragraphs under headings of one kind, in document order (repeats included)."""
        return [item for s in self.sections if s.kind == kind for item in s.items]

    @property
    def overall_goals(self) -> list[TextItem]:
        return self.section_items("overall_goals")

    @property
    def area_goals(self) -> list[TextItem]:
        return self.section_items("area_goals")

    @property
    def safeguards(self) -> list[TextItem]:
        return self.section_items("safeguards")
