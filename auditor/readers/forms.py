"""The ``form`` layout kind: a label：value header block, then an indicator grid, per project.

One project per sheet or Word table (the 申报表 budget systems export), or several stacked in
one, each starting again where its 项目编码 / 项目名称 label comes back; a Word table broken at a
page (the next table, right after it, holds only grid rows) is read as one. Each row of a table
is read as one of:
- a header row: ``label：value`` pairs left to right (a label is a cell whose text, as a label,
  is one of the profile's fields; its value is the next cell);
- the grid header: cells naming the profile's columns (一级指标 | … | 目标值 | 指标解释);
- a grid row: cells under those columns; the 一级/二级指标 merged down over their rows are
  filled down; a row with no 三级指标, 目标值 or 指标解释 is an unused slot, not an indicator;
- a template row (备注, 填表说明): the grid ends there;
- a title (text before the first label).
What fits none of these is noted; what would make the reading wrong (a header field inside the
grid, grid rows without a grid header, a grid before any project field) is ``NotUnderstood``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.layouts import LayoutProfile, label_of
from auditor.model import Document, IndicatorValue, Location, Project, ReadNote
from auditor.readers.blocks import Grid, GridCell
from auditor.readers.assemble import TEXT_YEAR
from auditor.readers.detect import NotUnderstood
from auditor.readers.fields import ValueParser, finish_document, grid_indicator

START_FIELDS = ("code", "name")


def form_labels(grid: Grid, profile: LayoutProfile) -> int:
    """How many header labels of the profile a table holds: what claims a table for a form."""
    seen = _fields_named(grid, profile, bare_labels(grid, profile))
    return len(seen) if seen & set(START_FIELDS) else 0


def bare_labels(grid: Grid, profile: LayoutProfile) -> bool:
    """Whether a table's labels are read without their colons: the profile does not ask for
    them, or the table names at least ``min_fields_without_colon`` of its fields bare (项目编码 |
    … | 政策依据 | 测算依据 … typed into a Word table). A few bare words (项目编码, 项目名称 in
    another form's table) are not enough."""
    if not profile.label_colon:
        return True
    threshold = profile.min_fields_without_colon
    if not threshold:
        return False
    seen = _fields_named(grid, profile, True)
    return len(seen) >= threshold and bool(seen & set(START_FIELDS))


def _fields_named(grid: Grid, profile: LayoutProfile, bare: bool) -> set[str]:
    return {name for row in grid.rows for cell in row if (name := _label_field(cell, profile, bare))}


def claims(grid: Grid, profile: LayoutProfile) -> bool:
    return form_labels(grid, profile) >= profile.min_fields


def explained_cells(grids: list[Grid], profile: LayoutProfile) -> int:
    """Filled cells the profile reads as labels, their values, the grid header and grid cells
    (how well it explains a file, to choose between profiles): the tables it claims are read
    into a scratch document, up to where reading them fails."""
    total = 0
    for grid in grids:
        if not claims(grid, profile):
            continue
        reader = _FormReader(profile, Document(path="", source_format=""), _unparsed, grid, bare_labels(grid, profile))
        try:
            reader.run()
        except NotUnderstood:
            pass
        total += reader.explained
    return total


def _title(grid: Grid) -> str:
    """A Word table's title: of the paragraphs before it, the one naming a year (the form's
    title above a 填报单位 line), else the one just before it."""
    return next((text for text in grid.preamble if TEXT_YEAR.search(text)), grid.caption or "")


def _unparsed(raw: str) -> IndicatorValue:
    """A value left unparsed: choosing a profile needs only where the values are."""
    return IndicatorValue(raw, "unparsed")


def _label_field(cell: GridCell, profile: LayoutProfile, bare: bool) -> str | None:
    """The field a cell labels: a known label, written as a label (a trailing colon, or, where
    the table's labels are ``bare``, a short cell that is nothing but the label)."""
    if not cell.text or len(cell.text) > 40:
        return None
    label = label_of(cell.text)
    if not bare and not label.colon:
        return None
    return profile.fields.get(label.key)


@dataclass
class _FormReader:
    """One pass over a table's rows (see the module's docstring)."""

    profile: LayoutProfile
    doc: Document
    parse_value: ValueParser
    grid: Grid
    bare: bool = False  # labels are read without their colons (see ``bare_labels``)
    project: Project | None = None
    columns: dict[int, str] | None = None  # first column → indicator field, once the grid header is read
    spans: dict[int, int] = field(default_factory=dict)
    state: str = "header"  # "header" → "grid" → "after" (past a template row)
    level1: str = ""
    level2: str = ""
    title: tuple[str, Location] | None = None
    above: dict[int, str] = field(default_factory=dict)  # grid column → text of its last real cell
    explained: int = 0  # filled cells read as labels, values, the grid header or grid cells

    def run(self) -> None:
        self.read_rows()
        self.end_project()

    def read_rows(self) -> None:
        for row in self.grid.rows:
            self.row(row)

    def continues_in(self, grid: Grid) -> bool:
        """Whether a table that no label claims goes on with this one's indicator grid (a Word
        table broken at a page): it follows right after, while the grid is open, and its rows
        either repeat the grid header or keep to the grid's columns."""
        if not grid.follows or self.state != "grid" or self.columns is None or not grid.rows:
            return False
        if self.grid_header(grid.rows[0]) is not None:
            return True
        return all(self.column_at(cell.col) is not None for row in grid.rows for cell in row if cell.text)

    def continue_with(self, grid: Grid) -> None:
        """Read a continuation table's rows as more rows of this grid."""
        self.grid = grid
        self.read_rows()

    def row(self, row: list[GridCell]) -> None:
        filled = [cell for cell in row if cell.text]
        if not filled:
            return
        first = filled[0]
        if self.profile.is_template_row(first.text):
            if self.state == "grid":
                self.state = "after"
            return
        labels = [(i, name) for i, cell in enumerate(row) if (name := _label_field(cell, self.profile, self.bare))]
        if labels and self.starts_project(labels):
            self.end_project()
            self.project = Project(index=len(self.doc.projects) + 1, heading=self.heading(), loc=row[labels[0][0]].loc)
            self.doc.projects.append(self.project)
            self.state, self.columns = "header", None
            self.level1 = self.level2 = ""
        header = self.grid_header(row)
        if header is not None:
            if self.state == "grid" and self.columns is not None and set(header.values()) == set(self.columns.values()):
                return  # the grid header repeated (a table continued on the next page)
            if self.project is None:
                raise NotUnderstood(
                    f"表“{self.grid.name}”的指标表头（{first.loc.ref}）之前没有项目编码或项目名称",
                    f"table {self.grid.name!r}: an indicator grid header ({first.loc.ref}) before any 项目编码 or 项目名称",
                    first.loc,
                )
            self.columns, self.state, self.above = header, "grid", {}
            self.explained += len(header)
            self.spans = {cell.col: cell.span for cell in row}
            self.project.fields["indicators"] = first.loc
            return
        if self.state == "grid":
            if labels:
                cell = row[labels[0][0]]
                raise NotUnderstood(
                    f"表头字段“{cell.text}”（{cell.loc.ref}）出现在指标表中，无法确定指标行",
                    f"a header field {cell.text!r} ({cell.loc.ref}) inside the indicator grid: the indicator rows cannot be told apart",
                    cell.loc,
                )
            self.indicator(row, first.loc)
            return
        if self.state == "after":
            self.note(first.loc, "模板说明行之后的内容未读取", "text after the template row (备注) not read")
            return
        if labels:
            self.header_fields(row, labels)
            return
        if self.project is None:
            if self.title is None:
                self.title = (first.text, first.loc)
            return
        if len(filled) >= 2:
            raise NotUnderstood(
                f"表“{self.grid.name}”在 {first.loc.ref} 处的行既不是表头字段也不是指标表（未找到指标表头：一级指标 | 三级指标 | 目标值 …）",
                f"table {self.grid.name!r}: the row at {first.loc.ref} is neither a header field nor part of an indicator grid"
                " (no grid header 一级指标 | 三级指标 | 目标值 … was found)",
                first.loc,
            )
        self.not_understood(first.loc, f"未识别的单元格：{first.text[:40]}", f"cell not understood: {first.text[:40]}")

    def starts_project(self, labels: list[tuple[int, str]]) -> bool:
        names = {name for _, name in labels}
        if not names & set(START_FIELDS):
            return False
        if self.project is None or self.state != "header":
            return True
        return any(name in self.project.fields for name in names & set(START_FIELDS))

    def heading(self) -> str:
        """What names the project's table: a sheet's title, or a Word table's caption."""
        if self.grid.kind == "sheet":
            return self.grid.name
        return self.grid.caption or ""

    def header_fields(self, row: list[GridCell], labels: list[tuple[int, str]]) -> None:
        from auditor.readers.fields import set_field

        assert self.project is not None
        label_at = dict(labels)
        used = set(label_at)
        for i, name in labels:
            label = row[i]
            value_at = i + 1
            if value_at < len(row) and value_at not in label_at:
                value, used = row[value_at], used | {value_at}
                text, loc = value.text, value.loc
            else:
                text, loc = "", label.loc
            if name in self.project.fields:
                self.note(label.loc, f"字段“{label.text}”重复，以第一次为准", f"field {label.text!r} repeated; the first one is read")
                continue
            set_field(self.project, name, text, loc, self.profile.declared_unit(label.text))
            self.explained += 2 if text else 1
        for i, cell in enumerate(row):
            if cell.text and i not in used:
                self.not_understood(cell.loc, f"未识别的单元格：{cell.text[:40]}", f"cell not understood: {cell.text[:40]}")

    def grid_header(self, row: list[GridCell]) -> dict[int, str] | None:
        columns: dict[int, str] = {}
        for cell in row:
            name = self.profile.column_of(cell.text) if cell.text else None
            if name and name not in columns.values():
                columns[cell.col] = name
        if not set(self.profile.required_columns) <= set(columns.values()):
            return None
        return columns

    def indicator(self, row: list[GridCell], first: Location) -> None:
        assert self.project is not None and self.columns is not None
        cells: dict[str, tuple[str, Location]] = {}
        for cell in row:
            name = self.column_at(cell.col)
            if name is None or name in cells:
                if cell.text:
                    self.not_understood(cell.loc, f"指标表外的单元格未读取：{cell.text[:40]}", f"cell outside the grid's columns not read: {cell.text[:40]}")
                continue
            text = cell.text
            self.explained += 1 if cell.text else 0
            if cell.continued and name not in ("level1", "level2"):
                text = self.above.get(cell.col, "")  # a merged cell's text holds for every row it spans
            elif not cell.continued:
                self.above[cell.col] = cell.text
            cells[name] = (text, cell.loc)
        (self.level1, self.level2), indicator = grid_indicator(
            cells, set(self.columns.values()), (self.level1, self.level2), first, self.parse_value)
        if indicator is not None:
            self.project.indicators.append(indicator)

    def column_at(self, col: int) -> str | None:
        assert self.columns is not None
        for start, name in self.columns.items():
            if start <= col < start + self.spans.get(start, 1):
                return name
        return None

    def end_project(self) -> None:
        project = self.project
        if project is not None and self.columns is None:
            self.note(project.loc, "未找到指标表（一级指标 | 三级指标 | 目标值 …），按无指标读取",
                      "no indicator grid (一级指标 | 三级指标 | 目标值 …): read as a project without indicators")
        self.project = None

    def note(self, loc: Location, zh: str, en: str) -> None:
        self.doc.notes.append(ReadNote(en, loc, zh))

    def not_understood(self, loc: Location, zh: str, en: str) -> None:
        """A note on content left unread, charged to the project being read (if any)."""
        self.doc.notes.append(ReadNote(en, loc, zh, self.project.index if self.project else None))


def read_form(grids: list[Grid], profile: LayoutProfile, doc: Document, parse_value: ValueParser) -> None:
    """Every table the profile claims, into ``doc``; a table that goes on with the previous
    one's grid is read as part of it; other tables with content are noted."""
    title: tuple[str, Location] | None = None
    reader: _FormReader | None = None
    for grid in grids:
        if not claims(grid, profile):
            if reader is not None and reader.continues_in(grid):
                reader.continue_with(grid)
                continue
            if reader is not None:
                reader.end_project()
                reader = None
            if any(cell.text for row in grid.rows for cell in row):
                loc = grid.rows[0][0].loc
                doc.notes.append(ReadNote(f"{grid.name!r} is not a {profile.name['en']}: not read", loc,
                                          f"“{grid.name}”不是{profile.name['zh']}，未读取"))
            continue
        if reader is not None:
            reader.end_project()
        reader = _FormReader(profile, doc, parse_value, grid, bare_labels(grid, profile))
        if grid.caption and title is None:
            title = (_title(grid), grid.rows[0][0].loc)
        reader.read_rows()
        title = title or reader.title
    if reader is not None:
        reader.end_project()
    finish_document(doc, title[0] if title else None, title[1] if title else Location())
