"""Reader for Excel .xlsx drafts: the 项目绩效目标表 laid out on sheets (openpyxl).

Visible sheets are read in workbook order, rows top to bottom. A row with bordered cells is a
table row; a row without borders is running text (a heading, a paragraph; several filled cells
are joined with tabs, so ``title | page`` reads as a 目录 line). A workbook with no borders at
all is read by layout instead: a row with two or more filled cells is a table row.

In a table row each cell is one ``Cell``, from the table's left edge to the row's last bordered
cell. Merged ranges mirror Word: the range is one cell in its top row; in the rows below, its
first column reads as an empty cell (a vertically merged continuation) and the rest add nothing.
Numbers are shown as their number format shows them (``50.00``, ``25.00%``, ``1,862.00``);
formulas by their cached values. A formula saved without one (text typed with a leading ``=``,
which a spreadsheet stores as a formula, or a workbook written by a program and never
recalculated) reads as written, ``=5元/人``, with a located reader note: never as an empty cell.

Locations: ``Sheet!C7`` (sheet names with spaces or punctuation quoted, as Excel writes them).
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from auditor.model import Location, ReadNote
from auditor.readers.blocks import BlockStream, Grid, GridCell, Paragraph, clean_cell_text, column_letter, grid_row, text_paragraph

MAX_CELLS_PER_SHEET = 2_000_000
PLAIN_SHEET_NAME = re.compile(r"^[\w\u4e00-\u9fff]+$")


def lex_xlsx(path: Path) -> BlockStream:
    """Read every visible sheet of a workbook into one block stream."""
    import openpyxl  # heavy: only when an .xlsx is met

    with path.open("rb") as handle:  # a file object: openpyxl would refuse a name not ending .xlsx
        workbook = openpyxl.load_workbook(handle, data_only=True, read_only=False)
    stream = BlockStream()
    tables = 0
    try:
        sheets = []
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                stream.notes.append(ReadNote(f"hidden sheet {sheet.title!r} not read", Location(ref=sheet_ref(sheet.title, "A1")),
                                     f"隐藏的工作表“{sheet.title}”未读取"))
            else:
                sheets.append(sheet)
        by_layout = not any(_any_border(sheet) for sheet in sheets)
        if by_layout and sheets:
            stream.notes.append(ReadNote("the workbook has no cell borders; tables found by layout", Location(ref=sheet_ref(sheets[0].title, "A1")),
                                 "工作簿没有单元格边框，按排布识别表格"))
        formulas = _formula_texts(path, {sheet.title for sheet in sheets})
        for sheet in sheets:
            tables = _sheet(sheet, stream, tables, by_layout, formulas.get(sheet.title, {}))
    finally:
        workbook.close()
    return stream


def sheet_ref(title: str, coordinate: str) -> str:
    """A cell reference as Excel writes it: ``Sheet1!C7``, ``'3.社区饭堂'!D14`` (quoted when the
    title has spaces or punctuation)."""
    name = title if PLAIN_SHEET_NAME.match(title) else "'" + title.replace("'", "''") + "'"
    return f"{name}!{coordinate}"


def _any_border(sheet) -> bool:
    return any(_has_border(cell) for row in sheet.iter_rows() for cell in row)


FORMULA_MARK = re.compile(rb"<(?:\w+:)?f[ >/]")
REAL_FORMULA = re.compile(r"[A-Za-z_][\w.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+")


def _formula_texts(path: Path, titles: set[str]) -> dict[str, dict[str, str]]:
    """The formulas as written on the sheets read (title → coordinate → ``=…``), for the cells
    whose cached value is missing (the caller knows which: its data-only workbook reads None
    there). Only a workbook whose sheets hold formulas at all is opened a second time."""
    import zipfile

    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            if not any(FORMULA_MARK.search(archive.read(name)) for name in archive.namelist()
                       if name.startswith("xl/worksheets/") and name.endswith(".xml")):
                return {}
    except (OSError, zipfile.BadZipFile, KeyError):
        return {}
    found: dict[str, dict[str, str]] = {}
    with path.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, data_only=False, read_only=True)
        try:
            for sheet in workbook.worksheets:
                if sheet.title not in titles:
                    continue
                sheet.reset_dimensions()  # some exporters declare <dimension ref="A1"/>: read every row
                for row in sheet.iter_rows():
                    for cell in row:
                        text = getattr(cell, "value", None)
                        if isinstance(text, str) and text.startswith("="):
                            found.setdefault(sheet.title, {})[cell.coordinate] = text
        finally:
            workbook.close()
    return found


def uncached_note(formula: str, loc: Location) -> ReadNote:
    """What the reader says of a formula cell saved without its value."""
    if REAL_FORMULA.search(formula[1:]):
        return ReadNote(f"formula {formula} was saved without its calculated value (recalculate and save the workbook); read as written",
                        loc, f"公式 {formula} 没有保存计算结果（请在 Excel 中重新计算并保存），按公式原文读取")
    return ReadNote(f"{formula} was typed with a leading “=” and stored as a formula; read as written",
                    loc, f"“{formula}”以“=”开头，被存为公式，按所写文字读取")


def _sheet(sheet, stream: BlockStream, tables: int, by_layout: bool, uncached: dict[str, str] | None = None) -> int:
    rows, cols = sheet.max_row or 0, sheet.max_column or 0
    if rows * cols > MAX_CELLS_PER_SHEET:
        stream.notes.append(ReadNote(f"sheet {sheet.title!r} has {rows * cols} cells; not read", Location(ref=sheet_ref(sheet.title, "A1")),
                             f"工作表“{sheet.title}”有 {rows * cols} 个单元格，超过上限，未读取"))
        return tables
    merged = _merge_map(sheet)
    grid = [list(r) for r in sheet.iter_rows(min_row=1, max_row=rows, max_col=cols)] if rows and cols else []
    bordered = {
        (cell.row, cell.column)
        for row in grid for cell in row if _has_border(cell)
    }
    for anchor, cells in merged.ranges.items():  # a merged range is bordered if any of its cells is
        if any(c in bordered for c in cells):
            bordered.update(cells)
            bordered.add(anchor)
    in_table = False
    left = None
    whole = Grid(sheet.title, "sheet")
    stream.grids.append(whole)
    for row in grid:
        texts = {cell.column: _text(cell, merged) for cell in row}
        for cell in row if uncached else ():
            formula = uncached.get(cell.coordinate)
            if formula is not None and cell.value is None:
                texts[cell.column] = formula
                stream.notes.append(uncached_note(formula, Location(ref=sheet_ref(sheet.title, cell.coordinate))))
        _grid_row(whole, sheet.title, row[0].row if row else 0, texts, merged)
        r = row[0].row if row else 0
        if by_layout:
            filled = [c for c, t in texts.items() if t.strip()]
            table_cols = list(range(min(filled), max(filled) + 1)) if len(filled) >= 2 else []
        else:
            marked = [c for c in texts if (r, c) in bordered]
            table_cols = list(range(min(marked), max(marked) + 1)) if marked else []
        if table_cols:
            if not in_table:
                tables += 1
                in_table = True
                left = table_cols[0]
            start = min(left or table_cols[0], table_cols[0])
            cells = []
            for c in range(start, table_cols[-1] + 1):
                kind = merged.kind.get((r, c))
                if kind == "covered":
                    continue
                text = "" if kind == "below" else texts.get(c, "")
                cells.append((text, Location(ref=sheet_ref(sheet.title, f"{column_letter(c)}{r}"))))
            block = grid_row(cells, tables)
            if block is not None:
                stream.blocks.append(block)
            continue
        filled = [(c, t) for c, t in sorted(texts.items()) if t.strip() and merged.kind.get((r, c)) is None]
        if not filled:
            continue  # a blank row does not end a table: tables break at running text
        in_table = False
        loc = Location(ref=sheet_ref(sheet.title, f"{column_letter(filled[0][0])}{r}"))
        text = "\t".join(t.strip() if i else t.rstrip() for i, (_, t) in enumerate(filled))
        for line in text.split("\n"):
            block = text_paragraph(line, loc)
            if isinstance(block, Paragraph):
                stream.blocks.append(block)
    return tables


def _grid_row(grid: Grid, title: str, r: int, texts: dict[int, str], merged: _Merged) -> None:
    """One sheet row into the sheet's ``Grid`` (blank rows left out)."""
    cells = []
    for c, text in sorted(texts.items()):
        kind = merged.kind.get((r, c))
        if kind == "covered":
            continue
        span = merged.width.get((r, c), 1)
        loc = Location(ref=sheet_ref(title, f"{column_letter(c)}{r}"))
        cells.append(GridCell("" if kind == "below" else clean_cell_text(text), loc, c - 1, span, kind == "below"))
    if any(cell.text for cell in cells):
        grid.rows.append(cells)


class _Merged:
    """Merged ranges: ``kind[(row, col)]`` is ``below`` for the first column of a range's lower
    rows (reads as an empty cell) and ``covered`` for every other non-anchor cell; ``width`` the
    columns a range's first column spans, in each of its rows."""

    def __init__(self) -> None:
        self.kind: dict[tuple[int, int], str] = {}
        self.ranges: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.width: dict[tuple[int, int], int] = {}


def _merge_map(sheet) -> _Merged:
    merged = _Merged()
    for rng in sheet.merged_cells.ranges:
        cells = []
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) == (rng.min_row, rng.min_col):
                    continue
                merged.kind[(r, c)] = "below" if c == rng.min_col else "covered"
                cells.append((r, c))
        merged.ranges[(rng.min_row, rng.min_col)] = cells
        for r in range(rng.min_row, rng.max_row + 1):
            merged.width[(r, rng.min_col)] = rng.max_col - rng.min_col + 1
    return merged


def _has_border(cell) -> bool:
    border = cell.border
    if border is None:
        return False
    return any(getattr(side, "style", None) for side in (border.left, border.right, border.top, border.bottom))


def _text(cell, merged: _Merged) -> str:
    """A cell's text as the sheet shows it."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, cell.number_format or "General")
    return str(value)


def format_number(value: int | float | Decimal, number_format: str) -> str:
    """A number as a simple Excel number format shows it: decimals, thousands, percent."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", number_format.split(";")[0])
    if section.strip().lower() in ("", "general", "@"):
        text = format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")
        return text
    percent = "%" in section
    if percent:
        number *= 100
    digits = re.search(r"[0#?,]*(?:\.([0#?]*))?", section[section.find("0") if "0" in section else 0:])
    decimals = len(digits.group(1) or "") if digits else 0
    thousands = bool(re.search(r"[0#],[0#]", section))
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{number:,.{decimals}f}" if thousands else f"{number:.{decimals}f}"
    return text + ("%" if percent else "")
