"""The ``flat`` layout kind: one row per indicator, joined to its project on a key column.

Budget systems export a unit's projects as tables: a project sheet (项目编码, 项目名称, amounts,
政策依据 …) and an indicator sheet (项目编码, 一级/二级/三级指标, 指标值 …), or one joined sheet
with all of these columns, as .xlsx or .csv. A table's header row is the first of its first rows
that names at least three of the profile's columns, with nothing but one-cell rows (a title, a
``单位：元`` line) above it; the first such row that is not a 单位 line is the title, and the
first table's title is the draft's (its year is the budget year). A table is
- an indicator table when its header has the profile's required columns (joined when it also has
  project fields besides the key and 项目名称);
- a project table when it has the key and other project fields but no indicator columns.
When a workbook carries both the separate tables and a joined copy, each project is read once,
from the separate tables, and the copy is compared with them and noted; an identical second
indicator table is noted and not read again. Tables that are neither, and empty sheets (an
empty 审核意见 sheet), are noted, not read.
A key left blank (a merged cell, or written only on a project's first row) is filled down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.layouts import LayoutProfile, label_of
from auditor.model import Document, Location, Project, ReadNote
from auditor.readers.blocks import Grid, GridCell
from auditor.readers.detect import FormatError, NotUnderstood
from auditor.readers.fields import ValueParser, finish_document, grid_indicator, set_field

HEADER_SEARCH_ROWS = 10  # rows searched for the header row (titles and a 单位 line may come first)
MIN_HEADER_COLUMNS = 3


@dataclass
class _Table:
    """A table read as the flat layout sees it: its header and what each column holds."""

    grid: Grid
    header_at: int  # index of the header row in ``grid.rows``
    fields: dict[int, str]  # column → project field
    columns: dict[int, str]  # column → indicator field
    units: dict[int, str]  # column → money unit its header declares
    sheet_unit: str | None = None  # a 单位：万元 line above the header
    title: tuple[str, Location] | None = None  # the first other one-cell row above the header

    @property
    def is_indicator_table(self) -> bool:
        return bool(self.columns)

    @property
    def is_joined(self) -> bool:
        return self.is_indicator_table and bool(set(self.fields.values()) - {"code", "name"})

    @property
    def rows(self) -> list[list[GridCell]]:
        return self.grid.rows[self.header_at + 1 :]

    def first_loc(self) -> Location:
        return self.grid.rows[self.header_at][0].loc


def _table(grid: Grid, profile: LayoutProfile) -> _Table | None:
    """The grid as a flat table of this profile, or None when no header row is found."""
    unit = None
    title: tuple[str, Location] | None = None
    for at, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        fields: dict[int, str] = {}
        columns: dict[int, str] = {}
        units: dict[int, str] = {}
        for cell in row:
            if not cell.text or len(cell.text) > 40:
                continue
            column = profile.column_of(cell.text)
            name = profile.field_of(cell.text) if column is None else None
            if column and column not in columns.values():
                columns[cell.col] = column
            elif name and name not in fields.values():
                fields[cell.col] = name
                declared = profile.declared_unit(cell.text)
                if declared:
                    units[cell.col] = declared
        if len(fields) + len(columns) >= MIN_HEADER_COLUMNS:
            if not set(profile.required_columns) <= set(columns.values()):
                columns = {}
                if len(fields) < 2:
                    return None  # a project table has the key and other project fields (or lacks only the key)
            return _Table(grid, at, fields, columns, units, unit, title)
        if sum(1 for cell in row if cell.text) > 1 and not _unit_line(row, profile):
            return None  # content before the header: not a flat table (a form, a project table)
        line_unit = _unit_line(row, profile)
        unit = unit or line_unit
        if line_unit is None and title is None:
            title = next(((cell.text, cell.loc) for cell in row if cell.text), None)
    return None


def _unit_line(row: list[GridCell], profile: LayoutProfile) -> str | None:
    """The unit of a ``单位：万元`` / ``金额单位：元`` line above a table's header."""
    for cell in row:
        label = label_of(cell.text)
        if "单位" in label.key:
            tail = label.key.split("单位", 1)[1]
            for unit in profile.money_units:
                if tail == unit or label.note == unit:
                    return unit
    return None


def claims(grid: Grid, profile: LayoutProfile) -> bool:
    return _table(grid, profile) is not None


def table_shape(grid: Grid, profile: LayoutProfile) -> tuple[str, frozenset[str]] | None:
    """What a table is to this profile — ``projects``, ``indicators`` or ``joined`` — and the
    keys its rows give; None when it is not a flat table with a key column."""
    table = _table(grid, profile)
    if table is None or profile.key not in table.fields.values():
        return None
    kind = "joined" if table.is_joined else "indicators" if table.is_indicator_table else "projects"
    key_col = next(col for col, name in table.fields.items() if name == profile.key)
    keys = frozenset(cell.text.strip() for row in table.rows if (cell := _cell_at(row, key_col)) and cell.text.strip())
    return kind, keys


def explained_cells(grids: list[Grid], profile: LayoutProfile) -> int:
    """Filled cells of the tables this profile reads (how well it explains a file)."""
    total = 0
    for grid in grids:
        table = _table(grid, profile)
        if table is not None:
            known = set(table.fields) | set(table.columns)
            total += sum(1 for row in table.grid.rows[table.header_at:] for cell in row if cell.text and cell.col in known)
    return total


@dataclass
class _FlatReader:
    profile: LayoutProfile
    doc: Document
    parse_value: ValueParser
    projects: dict[str, Project] = field(default_factory=dict)
    conflicts: set[tuple[str, str]] = field(default_factory=set)

    def note(self, loc: Location, zh: str, en: str) -> None:
        self.doc.notes.append(ReadNote(en, loc, zh))

    def project(self, code: str, loc: Location, name: str = "") -> Project:
        """The project of a key; in a joined table a row naming another project than the one
        read under its key is that other project (two projects given one 项目编码)."""
        key, first = code, self.projects.get(code)
        if first is not None and name and first.name and name != first.name:
            key = f"{code}\x00{name}"
            if key not in self.projects:
                self.note(loc, f"项目编码{code}同时用于“{first.name}”和“{name}”，按两个项目读取",
                          f"项目编码 {code} is given to both {first.name!r} and {name!r}: read as two projects")
        project = self.projects.get(key)
        if project is None:
            project = self.projects[key] = self._new(code, loc)
        return project

    def _new(self, code: str, loc: Location) -> Project:
        project = Project(index=len(self.doc.projects) + 1, heading="", loc=loc, code=code)
        project.fields["code"] = loc
        self.doc.projects.append(project)
        return project

    def keyed_rows(self, table: _Table) -> list[tuple[str, list[GridCell]]]:
        """The table's content rows with their key, a blank key filled down from the row above."""
        key_col = next(col for col, name in table.fields.items() if name == self.profile.key)
        out: list[tuple[str, list[GridCell]]] = []
        key, filled_down = "", 0
        for row in table.rows:
            texts = [cell for cell in row if cell.text]
            if not texts or self.profile.is_template_row(texts[0].text):
                continue
            cell = _cell_at(row, key_col)
            text = cell.text.strip() if cell else ""
            if text:
                key = text
            elif key:
                filled_down += 0 if cell is not None and cell.continued else 1
            else:
                self.note(texts[0].loc, "行没有项目编码，未读取", "row without 项目编码: not read")
                continue
            out.append((key, row))
        if filled_down:
            self.note(table.first_loc(), f"“{table.grid.name}”有 {filled_down} 行未填项目编码，按上一行的项目读取",
                      f"{table.grid.name!r}: {filled_down} rows leave 项目编码 blank; read as the project of the row above")
        return out

    def project_fields(self, table: _Table, code: str, row: list[GridCell], project: Project) -> None:
        for col, name in table.fields.items():
            if name == self.profile.key:
                continue
            cell = _cell_at(row, col)
            text = cell.text.strip() if cell else ""
            loc = cell.loc if cell else row[0].loc
            if name in project.fields:
                if text and text != _field_text(project, name) and (code, name) not in self.conflicts:
                    self.conflicts.add((code, name))
                    self.note(loc, f"项目{code}的“{name}”在各行不一致，以第一行为准",
                              f"project {code}: {name} differs between its rows; the first is read")
                continue
            set_field(project, name, text, loc, table.units.get(col) or table.sheet_unit)

    def indicators(self, table: _Table) -> None:
        present = set(table.columns.values())
        has_project_fields = bool(set(table.fields.values()) - {self.profile.key})
        above: dict[int, tuple[str, str]] = {}
        name_col = next((col for col, name in table.fields.items() if name == "name"), None)
        for code, row in self.keyed_rows(table):
            name_cell = _cell_at(row, name_col) if name_col is not None else None
            project = self.project(code, row[0].loc, name_cell.text.strip() if name_cell else "")
            if has_project_fields:
                self.project_fields(table, code, row, project)
            cells = {name: (cell.text, cell.loc) for col, name in table.columns.items() if (cell := _cell_at(row, col))}
            above[project.index], indicator = grid_indicator(cells, present, above.get(project.index, ("", "")), row[0].loc, self.parse_value)
            if indicator is not None:
                project.fields.setdefault("indicators", indicator.loc)
                project.indicators.append(indicator)

    def project_table(self, table: _Table) -> None:
        for code, row in self.keyed_rows(table):
            if code in self.projects and "name" in self.projects[code].fields:
                self.note(row[0].loc, f"项目{code}在“{table.grid.name}”中重复，以第一行为准",
                          f"project {code} repeated in {table.grid.name!r}; the first row is read")
                continue
            project = self.project(code, row[0].loc)
            project.loc = row[0].loc
            self.project_fields(table, code, row, project)


def _start_of(grid: Grid) -> Location:
    """Where a reviewer looks for an empty grid: A1 of its sheet (nowhere for other grids)."""
    if grid.kind != "sheet":
        return Location()
    from auditor.readers.xlsx import sheet_ref

    return Location(ref=sheet_ref(grid.name, "A1"))


def _cell_at(row: list[GridCell], col: int) -> GridCell | None:
    return next((cell for cell in row if cell.col <= col < cell.col + cell.span), None)


def _field_text(project: Project, name: str) -> str:
    from auditor.model import Amount, TextItem

    if name.startswith("budget."):
        amount = getattr(project.budget, name.split(".", 1)[1], None) if project.budget else None
        return amount.raw if isinstance(amount, Amount) else ""
    if name in project.raw_fields:
        return project.raw_fields[name]
    value = getattr(project, name, None)
    return value.text if isinstance(value, TextItem) else str(value or "")


def _row_keys(table: _Table, key: str) -> list[tuple[str, ...]]:
    """A table's indicator rows as comparable tuples (key, then the indicator columns)."""
    key_col = next(col for col, name in table.fields.items() if name == key)
    order = sorted(table.columns.items(), key=lambda item: item[1])
    keys = []
    current = ""
    for row in table.rows:
        cell = _cell_at(row, key_col)
        current = cell.text.strip() if cell and cell.text.strip() else current
        values = tuple((_cell_at(row, col) or GridCell("", Location(), col)).text.strip() for col, _ in order)
        if any(values):
            keys.append((current, *values))
    return keys


def read_flat(grids: list[Grid], profile: LayoutProfile, doc: Document, parse_value: ValueParser) -> None:
    """Every project of the flat tables the profile finds, each read once (see the docstring)."""
    tables: list[_Table] = []
    for grid in grids:
        table = _table(grid, profile)
        if table is None:
            if any(cell.text for row in grid.rows for cell in row):
                doc.notes.append(ReadNote(f"{grid.name!r} is not a table of the {profile.name['en']}: not read",
                                          grid.rows[0][0].loc, f"“{grid.name}”不是{profile.name['zh']}的表，未读取"))
            else:
                doc.notes.append(ReadNote(f"{grid.name!r} is empty: not read", _start_of(grid), f"“{grid.name}”是空表，未读取"))
            continue
        if profile.key not in table.fields.values():
            raise NotUnderstood(
                f"“{table.grid.name}”的表头（{table.first_loc().ref or table.first_loc()}）没有项目编码列，无法把各行归到项目",
                f"{table.grid.name!r}: its header ({table.first_loc().ref or table.first_loc()}) has no 项目编码 column;"
                " its rows cannot be joined to their projects",
                table.first_loc(),
            )
        tables.append(table)
    reader = _FlatReader(profile, doc, parse_value)
    chosen = _chosen(tables, profile, reader)
    for table in chosen:
        if table.is_indicator_table:
            reader.indicators(table)
        else:
            reader.project_table(table)
    if any(not table.is_indicator_table for table in chosen):
        _set_aside_unlisted(doc)
    if tables and not doc.projects:
        names = "、".join(f"“{t.grid.name}”" for t in tables)
        raise FormatError(f"{names}只有表头，没有数据行：导出表为空 / {', '.join(repr(t.grid.name) for t in tables)}:"
                          " a header row and no data rows: an empty export", tables[0].first_loc())
    title = next((table.title for table in tables if table.title), None)
    finish_document(doc, title[0] if title else None, title[1] if title else Location())


def _set_aside_unlisted(doc: Document) -> None:
    """Indicator rows whose 项目编码 the project table does not list belong to no project the
    export describes: noted (located, zh and en) and not audited, rather than audited as a
    project without a name, budget or goals."""
    listed = [p for p in doc.projects if "name" in p.fields or p.budget is not None]
    for project in doc.projects:
        if project in listed:
            continue
        loc = project.loc_of("code")  # the first row's 项目编码 cell
        doc.notes.append(ReadNote(
            f"{len(project.indicators)} indicator rows of 项目编码 {project.code}, which the project table does not list:"
            " not audited",
            loc, f"项目编码{project.code}的{len(project.indicators)}行指标在项目表中没有对应项目，未审核"))
    for index, project in enumerate(listed, start=1):
        project.index = index
    doc.projects[:] = listed


def _chosen(tables: list[_Table], profile: LayoutProfile, reader: _FlatReader) -> list[_Table]:
    """The tables to read, project tables first. Where a project table and separate indicator
    tables exist, a joined copy is compared with them and noted; where there is no project table,
    the joined table is read (it alone has the project fields) and the separate ones are compared
    with it. A second copy of an indicator table is noted, not read again."""
    key = profile.key or "code"
    projects = [t for t in tables if not t.is_indicator_table]
    separate = [t for t in tables if t.is_indicator_table and not t.is_joined]
    joined = [t for t in tables if t.is_joined]
    primary, copies = (separate, joined) if projects or not joined else (joined, separate)
    read_indicators: list[_Table] = []
    seen: list[tuple[_Table, list[tuple[str, ...]]]] = []
    for table in primary:
        rows = _row_keys(table, key)
        twin = next((other for other, other_rows in seen if sorted(other_rows) == sorted(rows)), None)
        if twin is not None:
            reader.note(table.first_loc(), f"“{table.grid.name}”与“{twin.grid.name}”内容相同，未重复读取",
                        f"{table.grid.name!r} holds the same rows as {twin.grid.name!r}: not read again")
            continue
        seen.append((table, rows))
        read_indicators.append(table)
    read = {row for _, rows in seen for row in rows}
    for table in copies:
        rows = _row_keys(table, key)
        differing = sum(1 for row in rows if row not in read)
        reader.note(table.first_loc(),
                    f"“{table.grid.name}”是已读各表的另一种排列（项目表与指标表合并或拆分），未重复读取"
                    + (f"；其中 {differing} 行与已读内容不同" if differing else ""),
                    f"{table.grid.name!r} holds the tables already read in another arrangement (joined or split): not read again"
                    + (f"; {differing} of its rows differ from what was read" if differing else ""))
    return [*projects, *read_indicators]
