"""Turn a stream of paragraphs and rows into the document model.

This is where the drafts' layout is understood, once for every input format: part one's headings
and paragraphs, the project tables (header, 项目编码 row, budget row, 资金用途, 资金支出计划,
绩效目标, indicator table) and the department-level indicator table. Rows are recognised by their
labels, not by position, so tables with extra merged columns (004) or missing rows (003) read the
same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Callable

from auditor.model import (
    Amount,
    Budget,
    Document,
    Indicator,
    IndicatorValue,
    Location,
    Project,
    ReadNote,
    Section,
    SectionKind,
    SpendingPlan,
    SpendingPoint,
    TextItem,
    TocEntry,
)
from auditor.readers.blocks import BOOKMARK, Block, BlockStream, Paragraph, Row

ValueParser = Callable[[str], IndicatorValue]
WHITESPACE = re.compile(r"\s+")

# Word field residue on headings: "标题 TC 标题 \f C \l 1 " and "标题{ TC 标题 \f C \l 1 }".
TC_FIELD = re.compile(
    r"\s*\{?\s*\bTC\s+\"?(?P<toc>.*?)\"?\s+\\f\s+\w+(?:\s+\\l\s+\d+)?\s*\}?\s*$"
)
SECTION_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)])?\s*"
    r"(?P<title>(?:部门)?(?:总体|整体|分项|工作保障|保障)(?:绩效目标|措施))\s*[:：]?$"
)
SECTION_KINDS: dict[str, SectionKind] = {
    "总体绩效目标": "overall_goals",
    "整体绩效目标": "overall_goals",
    "部门总体绩效目标": "overall_goals",
    "分项绩效目标": "area_goals",
    "工作保障措施": "safeguards",
    "保障措施": "safeguards",
}
PART_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分\s*)?(?:部门整体绩效目标|预算项目绩效目标|项目绩效目标|资金绩效目标)?$"
)
DEPARTMENT_TABLE_HEADING = re.compile(r"部门整体(?:支出)?绩效(?:指标|目标表)|整体支出绩效")
SHORT_CAPTION = re.compile(r"^\S.{0,14}[:：]$")
SUBTITLE = re.compile(r"^\S{0,10}(?:绩效目标|保障措施)$")
TOP_LEVEL_HEADING = re.compile(r"^[一二三四五六七八九十]+、\S.{0,20}$")
TITLE_YEARS = (  # in order of preference: the draft's own title, then a wider budget title
    re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?\s*部门预算绩效(?:文本|目标)"),
    re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?\s*部门(?:预算|整体)"),
)
TEXT_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
# the year in a 项目编码: after the 6-digit region code, two digits (440306 23 1390…) or four
# followed by the code's letters (350503 2025 WJ001)
CODE_YEAR = re.compile(r"^\d{6}(?:(?P<yyyy>20[1-3]\d)(?=[A-Za-z])|(?P<yy>\d{2})[0-9A-Z])")


def code_year(code: str | None) -> int | None:
    """The budget year a 项目编码 carries, if it carries one."""
    match = CODE_YEAR.match(code or "")
    if match is None:
        return None
    return int(match.group("yyyy")) if match.group("yyyy") else 2000 + int(match.group("yy"))
DEPARTMENT_HEADER = re.compile(r"^(?P<code>\d{6})\s*(?P<name>\D.*)$")
MONEY_UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(?P<unit>.+)$")
HEADER_UNIT = re.compile(r"[（(](?P<unit>[^）)]+)[）)]")
GOAL_MARKER = re.compile(r"(?<![\d.．])(?P<n>\d{1,2})\s*[.、．](?!\d)")
GOAL_STARTS = "。；;，,！!？?：: \t"
PROJECT_LOOKAHEAD = 4  # rows after a heading searched for the marks of a project table

INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "level3",
    "绩效指标描述": "description",
    "指标描述": "description",
    "指标解释": "description",
    "指标值": "value",
    "目标值": "value",
    "绩效指标值": "value",
    "指标值确定依据": "basis",
    "指标值设定依据": "basis",
    "确定依据": "basis",
    "评(扣)分标准": "scoring",
    "评分标准": "scoring",
}
VALUE_PARTS = {"符号": "sign", "值": "number", "单位": "unit"}
BUDGET_LABELS = {
    "预算数": "total",
    "预算总额": "total",
    "其中:财政资金": "fiscal",
    "财政资金": "fiscal",
    "其中:财政拨款": "fiscal",
    "其他资金": "other",
}
CODE_LABELS = {"项目编码": "code", "项目名称": "name"}
GOAL_LABELS = {"绩效目标", "年度绩效目标", "项目绩效目标", "年度目标"}
CATEGORY_FIELDS = {"level1", "level2"}  # category names: a wrapped "社会\n效益" reads "社会效益"
OPERATORS = {"≥", "≤", "=", ">", "<", ">=", "<=", "≧", "≦", "＞", "＜", "＝"}


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A cell's text as a label: NFKC, no whitespace (``其中：财政    资金`` → ``其中:财政资金``).
    Cached: the same labels recur in every table."""
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def parse_amount(raw: str) -> Decimal | None:
    """A number written in a cell (``50.00``, ``1,862.00``, ``25.00%``), or None."""
    text = unicodedata.normalize("NFKC", raw).strip().rstrip("%").replace(",", "").strip()
    if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def strip_heading(text: str) -> tuple[str, str | None]:
    """A heading without bookmarks and TC field residue, and the TC field's own text."""
    text = BOOKMARK.sub("", text).replace("\t", "")
    match = TC_FIELD.search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), match.group("toc").strip() or None


def split_goals(text: str) -> list[tuple[str | None, str, int, int]]:
    """Split a 绩效目标 cell into numbered items: ``(number, text, line offset in the cell,
    character offset of the text in that line)``.

    Items are numbered ``1.`` ``1、`` ``2、`` … When the cell's lines start with consecutive
    numbers, each such line starts an item, so inner lists (``1、产出目标：1、…；2、…``) stay
    inside their item; otherwise a new item starts where the next number in sequence follows
    sentence punctuation (``1.…。2.…`` on one line).
    """
    lines = [(offset, line) for offset, line in enumerate(text.split("\n")) if line.strip()]
    starts = [_marker_at(line.strip(), 0, n) for n, (_, line) in enumerate(lines, start=1)]
    by_line = len(lines) > 1 and starts[0] is not None and sum(1 for s in starts if s) > 1
    items: list[list] = []
    expected = 1
    for offset, raw_line in lines:
        lead = len(raw_line) - len(raw_line.lstrip())
        line = raw_line.strip()
        pos = 0
        while (marker := _next_marker(line, pos, expected, line_start_only=by_line)) is not None:
            start, end = marker
            _extend_goal(items, line[pos:start], offset, lead + pos)
            items.append([str(expected), "", offset, lead + end])
            expected += 1
            pos = end
        _extend_goal(items, line[pos:], offset, lead + pos)
    return [
        (n, t.strip(), off, col + len(t) - len(t.lstrip())) for n, t, off, col in items if t.strip()
    ]


def _marker_at(line: str, pos: int, expected: int) -> tuple[int, int] | None:
    match = GOAL_MARKER.match(line, pos)
    if match and int(match.group("n")) == expected:
        return match.start(), match.end()
    return None


def _next_marker(line: str, pos: int, expected: int, line_start_only: bool) -> tuple[int, int] | None:
    if line_start_only:
        return _marker_at(line, 0, expected) if pos == 0 else None
    for match in GOAL_MARKER.finditer(line, pos):
        start = match.start()
        if int(match.group("n")) == expected and (start == 0 or line[start - 1] in GOAL_STARTS):
            return start, match.end()
    return None


def _extend_goal(items: list[list], text: str, offset: int, column: int) -> None:
    """Add text to the open item (a later line joins with a newline) or open an unnumbered one."""
    if not text.strip():
        return
    if not items:
        items.append([None, text, offset, column])
    else:
        items[-1][1] += ("\n" if items[-1][1] else "") + text


@dataclass(slots=True)
class _ColumnMap:
    """Which cell of an indicator row holds which field."""

    fields: dict[str, int]
    width: int
    value_parts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Assembler:
    """One pass over the blocks; a small state machine keyed on row labels."""

    doc: Document
    parse_value: ValueParser
    blocks: list[Block]
    section: Section | None = None
    project: Project | None = None
    columns: _ColumnMap | None = None
    department_table: bool = False
    expect: str | None = None  # "purpose" | "spending" after the budget / schedule header row
    pending_plan: tuple[Row, list[tuple[int, str]]] | None = None
    title_candidates: list[tuple[str, Location]] = field(default_factory=list)

    def run(self) -> Document:
        i = 0
        while i < len(self.blocks):
            block = self.blocks[i]
            if isinstance(block, Paragraph):
                self.paragraph(block, self.blocks[i + 1 : i + 1 + PROJECT_LOOKAHEAD])
                i += 1
            else:
                i = self.row(i)
        self.finish()
        return self.doc

    # -- paragraphs -----------------------------------------------------------------------
    def paragraph(self, para: Paragraph, following: list[Block]) -> None:
        text, toc_field = strip_heading(para.text)
        if not text:
            return
        if para.toc_page is not None:
            self.doc.toc.append(TocEntry(text, para.toc_page, para.loc))
            return
        self.end_table()
        self.note_title(text, para.loc)
        if PART_HEADING.match(text):
            self.section = None
            return
        heading = SECTION_HEADING.match(text)
        kind = SECTION_KINDS.get(heading.group("title")) if heading else None
        if kind:
            self.project = None
            if self.section and self.section.kind == kind and not self.section.items:
                return  # a subtitle repeating the heading just above it
            self.section = Section(kind, text, para.loc)
            self.doc.sections.append(self.section)
            return
        if following and isinstance(following[0], Row):
            self.section = None
            if DEPARTMENT_TABLE_HEADING.search(text):
                self.project = None
                self.department_table = True
            elif _starts_project_table(following):
                self.start_project(text, toc_field, _text_loc(para, text))
            else:
                self.project = None
            return
        if self.section is not None:
            if SHORT_CAPTION.match(text) or TOP_LEVEL_HEADING.match(text):
                self.section = None
                return
            if not self.section.items and SUBTITLE.match(text):
                return  # "年度绩效目标", "职责分类绩效目标" under the heading
            self.section.items.append(TextItem(text, para.loc))

    def note_title(self, text: str, loc: Location) -> None:
        if len(self.title_candidates) < 2000:
            self.title_candidates.append((text, loc))

    # -- rows -----------------------------------------------------------------------------
    def row(self, i: int) -> int:
        row = self.blocks[i]
        assert isinstance(row, Row)
        texts = row.texts
        first = label_key(next((t for t in texts if t.strip()), ""))
        if self.columns is not None and not _may_be_label_row(first, texts):
            return self.indicator_row(i)  # the common case: a row of an indicator table
        keys = [label_key(t) for t in texts]
        nonempty = [k for k in keys if k]
        if self.is_indicator_header(keys):
            self.start_indicator_table(row, keys, i)
            return self.skip_value_subheader(i + 1)
        if self.project is None and not self.department_table:
            return i + 1
        if self.department_header(row, keys):
            return i + 1
        if first in CODE_LABELS:
            self.code_row(row, keys)
            return i + 1
        if first.startswith("预算规模") or first in BUDGET_LABELS:
            self.budget_row(row, keys)
            return i + 1
        if first.startswith("资金支出计划"):
            self.plan_header(row, keys)
            return i + 1
        if first in GOAL_LABELS:
            self.goals_row(row, keys)
            return i + 1
        if self.columns is not None:
            return self.indicator_row(i)
        if self.expect == "purpose" and self.project is not None:
            self.purpose_row(row, keys)
            return i + 1
        if self.expect == "spending" and self.pending_plan is not None:
            self.plan_values(row)
            return i + 1
        if nonempty:
            shown = " | ".join(nonempty)[:80]
            project = self.project.index if self.project is not None else None
            self.doc.notes.append(ReadNote(f"row not understood: {shown}", row.loc, f"未识别的行：{shown}", project))
        return i + 1

    def department_header(self, row: Row, keys: list[str]) -> bool:
        unit = next((MONEY_UNIT.match(t.strip()) for t in row.texts if MONEY_UNIT.match(t.strip())), None)
        dept = DEPARTMENT_HEADER.match(row.texts[0].strip()) if row.texts else None
        if not unit and not dept:
            return False
        if self.project is None:
            return False
        if self.project.code or self.project.indicators:
            self.start_project("", None, row.loc)
            self.doc.notes.append(ReadNote("project table without a heading", row.loc, "项目表没有标题"))
        project = self.project
        assert project is not None
        if dept:
            project.department = row.texts[0].strip()
            project.fields["department"] = row.cells[0].loc
        if unit:
            project.money_unit = unit.group("unit").strip()
        return True

    def code_row(self, row: Row, keys: list[str]) -> None:
        project = self.require_project(row)
        for name, (text, loc) in _labelled_values(row, keys, CODE_LABELS).items():
            setattr(project, name, text or None)
            project.fields[name] = loc

    def budget_row(self, row: Row, keys: list[str]) -> None:
        project = self.require_project(row)
        values = _labelled_values(row, keys, BUDGET_LABELS)
        amounts = {
            name: Amount(text, parse_amount(text), loc) for name, (text, loc) in values.items()
        }
        empty = Amount("", None, row.loc)
        project.budget = Budget(
            total=amounts.get("total", empty),
            fiscal=amounts.get("fiscal", empty),
            other=amounts.get("other", empty),
        )
        project.fields["budget"] = row.loc
        self.expect = "purpose"

    def purpose_row(self, row: Row, keys: list[str]) -> None:
        project = self.require_project(row)
        cells = [c for c, k in zip(row.cells, keys) if k][:]
        text = "\n".join(c.text for c in cells)
        loc = cells[0].loc if cells else (row.cells[1].loc if len(row.cells) > 1 else row.loc)
        project.purpose = TextItem(text, loc)
        project.fields["purpose"] = loc
        self.expect = None

    def plan_header(self, row: Row, keys: list[str]) -> None:
        labels = [(pos, row.texts[pos].strip()) for pos in range(1, len(keys)) if keys[pos]]
        self.pending_plan = (row, labels)
        self.expect = "spending"

    def plan_values(self, row: Row) -> None:
        assert self.pending_plan is not None
        project = self.require_project(row)
        header, labels = self.pending_plan
        points = []
        for pos, label in labels:
            cell = row.cells[pos] if pos < len(row.cells) else None
            raw = cell.text if cell else ""
            points.append(SpendingPoint(label, raw, parse_amount(raw), cell.loc if cell else row.loc))
        unit = HEADER_UNIT.search(header.texts[0])
        project.spending_plan = SpendingPlan(
            header=header.texts[0].strip(),
            unit=unicodedata.normalize("NFKC", unit.group("unit")).strip() if unit else None,
            points=points,
            loc=header.loc,
        )
        project.fields["spending_plan"] = header.loc
        self.pending_plan = None
        self.expect = None

    def goals_row(self, row: Row, keys: list[str]) -> None:
        project = self.require_project(row)
        cells = [c for c, k in zip(row.cells[1:], keys[1:]) if k]
        project.goals_loc = cells[0].loc if cells else row.loc
        project.fields["goals"] = project.goals_loc
        for cell in cells:
            for number, text, offset, at in split_goals(cell.text):
                line = cell.loc.line + offset if cell.loc.line is not None else None
                column = ((cell.loc.column or 1) if offset == 0 else 1) + at
                loc = Location(line=line, column=column, ref=cell.loc.ref)
                project.goals.append(TextItem(text, loc, number))

    # -- indicator tables -----------------------------------------------------------------
    @staticmethod
    def is_indicator_header(keys: list[str]) -> bool:
        names = {INDICATOR_COLUMNS.get(k) for k in keys}
        return "level1" in names and ("value" in names or "level3" in names)

    def start_indicator_table(self, row: Row, keys: list[str], i: int) -> None:
        fields = {}
        for pos, key in enumerate(keys):
            name = INDICATOR_COLUMNS.get(key)
            if name and name not in fields:
                fields[name] = pos
        columns = _ColumnMap(fields, len(keys))
        sub = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        if isinstance(sub, Row):
            parts = {VALUE_PARTS[k]: p for p, k in enumerate(label_key(t) for t in sub.texts) if k in VALUE_PARTS}
            if "number" in parts and "value" in fields:
                columns = _expand_value_columns(columns, parts, len(sub.cells))
        self.columns = columns
        if self.project is not None and not self.department_table:
            self.project.fields["indicators"] = row.loc

    def skip_value_subheader(self, i: int) -> int:
        if self.columns is not None and self.columns.value_parts and i < len(self.blocks):
            return i + 1
        return i

    def indicator_row(self, i: int) -> int:
        assert self.columns is not None
        row = self.blocks[i]
        assert isinstance(row, Row)
        cells = list(row.cells)
        j = i + 1
        width = self.columns.width
        while len(cells) < width and j < len(self.blocks):
            following = self.blocks[j]
            if not isinstance(following, Row) or len(cells) + len(following.cells) > width:
                break
            cells.extend(following.cells)
            j += 1
        if all(not c.text.strip() for c in cells):
            return j
        if len(cells) < width:
            self.doc.notes.append(
                ReadNote(f"indicator row has {len(cells)} cells, the header has {width}", row.loc,
                         f"指标行有 {len(cells)} 个单元格，表头有 {width} 个")
            )
        target = self.department_indicators_or_project(row)
        indicator = _make_indicator(cells, self.columns, row.loc, target, self.parse_value)
        target.append(indicator)
        return j

    def department_indicators_or_project(self, row: Row) -> list[Indicator]:
        if self.department_table or self.project is None:
            return self.doc.department_indicators
        return self.project.indicators

    def end_table(self) -> None:
        self.columns = None
        self.department_table = False
        self.expect = None
        self.pending_plan = None

    # -- projects -------------------------------------------------------------------------
    def start_project(self, heading: str, toc_field: str | None, loc: Location) -> None:
        self.end_table()
        self.project = Project(index=len(self.doc.projects) + 1, heading=heading, loc=loc, toc_field=toc_field)
        self.doc.projects.append(self.project)

    def require_project(self, row: Row) -> Project:
        if self.project is None:
            self.start_project("", None, row.loc)
            self.doc.notes.append(ReadNote("project table without a heading", row.loc, "项目表没有标题"))
        assert self.project is not None
        return self.project

    # -- whole document -------------------------------------------------------------------
    def finish(self) -> None:
        self.find_department()
        self.find_year()

    def find_department(self) -> None:
        headers = [p.department for p in self.doc.projects if p.department]
        if headers:
            best = max(set(headers), key=lambda h: (headers.count(h), -headers.index(h)))
            match = DEPARTMENT_HEADER.match(best)
            if match:
                self.doc.department_code = match.group("code")
                self.doc.department = match.group("name").strip()
                return
        for pos, (text, _) in enumerate(self.title_candidates):
            if TITLE_YEARS[0].search(text) and pos > 0:
                previous = self.title_candidates[pos - 1][0].strip()
                if previous and not TEXT_YEAR.search(previous) and len(previous) <= 40:
                    self.doc.department = previous
                    return

    def find_year(self) -> None:
        for pattern in TITLE_YEARS:
            for text, loc in self.title_candidates:
                match = pattern.search(text)
                if match:
                    self.set_year(int(match.group("year")), "title", loc, text)
                    return
        for item in self.doc.overall_goals:
            match = TEXT_YEAR.search(item.text)
            if match:
                self.set_year(int(match.group("year")), "text", item.loc, None)
                return
        years = [(year, p.loc_of("code")) for p in self.doc.projects if (year := code_year(p.code))]
        if years:
            year, loc = max(years, key=lambda y: y[0])
            self.set_year(year, "project codes", loc, None)

    def set_year(self, year: int, source: str, loc: Location, title: str | None) -> None:
        self.doc.year, self.doc.year_source, self.doc.year_loc = year, source, loc
        if title:
            self.doc.title = title.strip()


LABEL_PREFIXES = ("预算规模", "资金支出计划")
ROW_LABELS = frozenset({*CODE_LABELS, *BUDGET_LABELS, *GOAL_LABELS, *INDICATOR_COLUMNS})


def _may_be_label_row(first: str, texts: list[str]) -> bool:
    """Whether a row inside an indicator table might be something else (a new table's header,
    project or budget row, a department header): checked before the costlier full reading."""
    if first in ROW_LABELS or first.startswith(LABEL_PREFIXES):
        return True
    lead = texts[0].lstrip()[:1] if texts else ""
    return lead.isdigit() or any("单位" in t for t in texts)


def _text_loc(para: Paragraph, text: str) -> Location:
    """Where ``text`` (a cleaned-up heading) starts in its paragraph: after a bookmark, say."""
    at = para.text.find(text)
    if at <= 0 or para.loc.column is None:
        return para.loc
    return Location(line=para.loc.line, column=para.loc.column + at, ref=para.loc.ref)


def _starts_project_table(rows: list[Block]) -> bool:
    """Whether the table that follows a heading is a project table: one of its first rows is a
    项目编码, 预算规模, 绩效目标 or indicator header row."""
    for row in rows:
        if not isinstance(row, Row):
            return False
        keys = [label_key(t) for t in row.texts]
        first = next((k for k in keys if k), "")
        if first == "项目编码" or first in GOAL_LABELS or first.startswith("预算规模"):
            return True
        if _Assembler.is_indicator_header(keys):
            return True
    return False


def _labelled_values(row: Row, keys: list[str], labels: dict[str, str]) -> dict[str, tuple[str, Location]]:
    """Pairs ``label, value`` read left to right: the value is the cell right after its label
    (empty when that cell is empty or is itself a label)."""
    values: dict[str, tuple[str, Location]] = {}
    for pos, key in enumerate(keys):
        name = labels.get(key)
        if not name or name in values:
            continue
        if pos + 1 < len(keys) and keys[pos + 1] not in labels:
            cell = row.cells[pos + 1]
            values[name] = (cell.text.strip(), cell.loc)
        else:
            values[name] = ("", row.cells[pos].loc)
    return values


def _expand_value_columns(columns: _ColumnMap, parts: dict[str, int], width: int) -> _ColumnMap:
    """Department tables split 指标值 into 符号 | 值 | 单位 columns under one header cell."""
    value_at = columns.fields["value"]
    shift = len(parts) - 1
    fields = {
        name: (pos if pos < value_at else pos + shift) for name, pos in columns.fields.items() if name != "value"
    }
    fields["value"] = value_at
    return _ColumnMap(fields, max(width, columns.width + shift), parts)


INDICATOR_FIELDS = ("level1", "level2", "level3", "description", "value", "basis", "scoring")
OPTIONAL_COLUMNS = frozenset({"description", "basis"})  # columns some tables do not have


def _make_indicator(
    cells: list, columns: _ColumnMap, loc: Location, previous: list[Indicator], parse_value: ValueParser
) -> Indicator:
    values: dict[str, str | None] = {}
    locations: dict[str, Location] = {}
    width = len(cells)
    positions = columns.fields
    for name in INDICATOR_FIELDS:
        pos = positions.get(name)
        if pos is None and name in OPTIONAL_COLUMNS:
            values[name] = None  # the table has no such column: absent, not empty
            continue
        if pos is None or pos >= width:
            values[name] = ""
            continue
        cell = cells[pos]
        text = cell.text.strip()
        if name in CATEGORY_FIELDS and text:
            text = "".join(text.split())  # a wrapped "社会\n效益" reads "社会效益"
        values[name] = text
        locations[name] = cell.loc
    if columns.value_parts:
        values["value"] = _join_value_parts(cells, columns.value_parts)
    filled: tuple[str, ...] = ()
    if previous and not values["level1"]:
        last = previous[-1]
        values["level1"] = last.level1
        if values["level2"]:
            filled = ("level1",)
        else:
            values["level2"] = last.level2
            filled = ("level1", "level2")
    return Indicator(
        level1=values["level1"],
        level2=values["level2"],
        level3=values["level3"],
        description=values["description"],
        value=parse_value(values["value"]),
        basis=values["basis"],
        loc=loc,
        cells=locations,
        filled=filled,
        scoring=values["scoring"] or None,
    )


def _join_value_parts(cells: list, parts: dict[str, int]) -> str:
    def text(name: str) -> str:
        pos = parts.get(name)
        return cells[pos].text.strip() if pos is not None and pos < len(cells) else ""

    sign = text("sign")
    prefix = sign if sign in OPERATORS else ""
    return prefix + text("number") + text("unit")


def assemble(stream: BlockStream, path: str, source_format: str, parse_value: ValueParser) -> Document:
    """Build a ``Document`` from a reader's block stream."""
    doc = Document(path=path, source_format=source_format)
    doc.notes.extend(stream.notes)
    return _Assembler(doc, parse_value, stream.blocks).run()
