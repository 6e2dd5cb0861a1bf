"""The reading stream every reader produces: paragraphs and table rows in body order.

A format reader (text export, .docx, .xlsx, PDF) only has to turn its input into this stream;
``assemble`` turns the stream into the document model, so every format is understood the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.model import Location, ReadNote

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


@dataclass(slots=True)
class Cell:
    """One table cell: its text (lines joined with ``\\n``) and where it starts."""

    text: str
    loc: Location


@dataclass(slots=True)
class Row:
    """One table row as read: its cells left to right (a merged cell shows as an empty cell)."""

    cells: list[Cell]
    loc: Location
    table: int = 0  # ordinal of the table the row belongs to, in body order

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass(slots=True)
class Paragraph:
    """A line of running text outside tables."""

    text: str
    loc: Location
    toc_page: str | None = None  # set for a 目录 line ("一、总体绩效目标\t1")


Block = Paragraph | Row


@dataclass(slots=True)
class GridCell:
    """One cell of a ``Grid``: its text, where it is, and the columns it covers (0-based).
    ``continued`` marks the lower cells of a vertically merged cell (their text is empty)."""

    text: str
    loc: Location
    col: int
    span: int = 1
    continued: bool = False


@dataclass(slots=True)
class Grid:
    """A whole sheet, Word table or CSV file as a grid, blank rows left out: what the form and
    flat-export layouts read (``auditor/readers/layouts``). ``rows`` hold each row's cells left
    to right, one per real cell (the columns a merged cell covers add none)."""

    name: str  # the sheet's title, "表格 3", or the file's name
    kind: str  # "sheet" | "table" | "csv"
    rows: list[list[GridCell]] = field(default_factory=list)
    caption: str | None = None  # a Word table's title: the paragraph just before it
    preamble: tuple[str, ...] = ()  # the paragraphs between the table before and this one
    follows: bool = False  # a Word table right after the previous one (nothing but blank lines or a page break between)


@dataclass(slots=True)
class BlockStream:
    """The blocks of one input plus anything the reader had to note while reading them.
    Formats made of tables also give each table as a ``Grid``."""

    blocks: list[Block] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)


def clean_cell_text(text: str) -> str:
    """Drop Word residue from a cell: bookmarks, trailing tabs, the quotes Word puts around a
    multi-line cell when it exports it (``"临机编…\\n…报告"``), and outer whitespace."""
    if "\n" not in text and "[bookmark" not in text:
        return text.strip()  # the common case: one line, no residue
    text = BOOKMARK.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "\n" in text:
        text = text[1:-1].strip()
    return text


# -- helpers shared by the .docx, .xlsx and PDF readers ------------------------------------------
TOC_LINE = re.compile(r"^(?P<title>[^\t]*\S)\t+(?P<page>\d+)\s*$")


def text_paragraph(text: str, loc: Location) -> Paragraph | None:
    """A paragraph as the text export shows it: a 目录 line (``title<TAB>page``) keeps its page
    number apart; blank text gives None."""
    if not text.strip():
        return None
    toc = TOC_LINE.match(text)
    if toc:
        return Paragraph(BOOKMARK.sub("", toc.group("title")).strip(), loc, toc_page=toc.group("page"))
    return Paragraph(text.rstrip(), loc)


def grid_row(cells: list[tuple[str, Location]], table: int) -> Row | None:
    """A table row from ``(text, location)`` pairs left to right, one per real cell: a vertically
    merged continuation cell comes as ``("", loc)``; the columns a horizontally merged cell spans
    add no cells (as in the text export, where each Word cell is one line)."""
    if not cells:
        return None
    row = [Cell(clean_cell_text(text), loc) for text, loc in cells]
    return Row(row, row[0].loc, table)


def column_letter(column: int) -> str:
    """A 1-based column number as a spreadsheet names it (``3`` → ``C``, ``28`` → ``AB``)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
