"""Reader for plain-text exports of Word drafts (the corpus format).

The export writes each table cell on a line that begins with a tab; a cell spanning several lines
continues on lines without the tab; rows are separated by blank lines; a merged cell shows as an
empty cell. Everything else is running text, one paragraph per line.
"""

from __future__ import annotations

import re

from auditor.model import Location
from auditor.readers.blocks import BOOKMARK, TOC_LINE, BlockStream, Cell, Paragraph, Row, clean_cell_text

new_tuple = tuple.__new__  # builds a Location without its keyword-handling __new__ (hot loop)
LEADING_RESIDUE = re.compile(r"(?:\s|\[bookmark:[^\]]*\])*")


def lex_text(text: str) -> BlockStream:
    """Split a text export into paragraphs and rows, keeping 1-based line numbers."""
    stream = BlockStream()
    blocks = stream.blocks
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    row: list[Cell] = []
    more: dict[int, list[str]] = {}  # continuation lines of the row's cells, by cell position
    table = 0
    in_table = False

    def end_row() -> None:
        for position, extra in more.items():
            cell = row[position]
            cell.text = clean_cell_text("\n".join([cell.text, *extra]))
        blocks.append(Row(row, row[0].loc, table))

    for number, line in enumerate(lines, start=1):
        if line[:1] == "\t":
            if not in_table:
                table += 1
                in_table = True
            body = line[1:]
            first = body[:1]
            lead = LEADING_RESIDUE.match(body).end() if first.isspace() or first == "[" else 0
            # cleaned now; a cell continued on the following lines is cleaned again once joined
            row.append(Cell(clean_cell_text(body), new_tuple(Location, (number, 2 + lead, None))))
        elif not line or line.isspace():
            if row:
                end_row()
                row, more = [], {}
        elif row:
            more.setdefault(len(row) - 1, []).append(line)  # continuation of the cell above
        else:
            in_table = False
            blocks.append(_paragraph(line, number))
    if row:
        end_row()
    return stream


def _paragraph(line: str, number: int) -> Paragraph:
    toc = TOC_LINE.match(line)
    if toc:
        title = BOOKMARK.sub("", toc.group("title")).strip()
        return Paragraph(title, Location(line=number, column=1), toc_page=toc.group("page"))
    lead = len(line) - len(line.lstrip())
    return Paragraph(line.rstrip(), Location(line=number, column=1 + lead))
