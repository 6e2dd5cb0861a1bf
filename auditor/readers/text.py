"""Reader for plain-text exports of Word drafts (the corpus format).

The export writes each table cell on a line that begins with a tab; a cell spanning several lines
continues on lines without the tab; rows are separated by blank lines; a merged cell shows as an
empty cell. Everything else is running text, one paragraph per line.
"""

from __future__ import annotations

import re

from auditor.model import Location
from auditor.readers.blocks import BOOKMARK, TOC_LINE, BlockStream, Cell, Paragraph, Row, clean_cell_text

LEADING_RESIDUE = re.compile(r"(?:\s|\[bookmark:[^\]]*\])*")


def lex_text(text: str) -> BlockStream:
    """Split a text export into paragraphs and rows, keeping 1-based line numbers."""
    stream = BlockStream()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    row: list[tuple[list[str], Location]] | None = None
    table = 0
    in_table = False

    def end_row() -> None:
        nonlocal row
        if row:
            cells = [Cell(clean_cell_text("\n".join(parts)), loc) for parts, loc in row]
            stream.blocks.append(Row(cells, cells[0].loc, table))
        row = None

    for number, line in enumerate(lines, start=1):
        if line.startswith("\t"):
            if not in_table:
                table += 1
                in_table = True
            body = line[1:]
            lead = LEADING_RESIDUE.match(body).end()
            if row is None:
                row = []
            row.append(([body], Location(line=number, column=2 + lead)))
        elif not line.strip():
            end_row()
        elif row:
            row[-1][0].append(line)  # continuation of the cell above
        else:
            in_table = False
            stream.blocks.append(_paragraph(line, number))
    end_row()
    return stream


def _paragraph(line: str, number: int) -> Paragraph:
    toc = TOC_LINE.match(line)
    if toc:
        title = BOOKMARK.sub("", toc.group("title")).strip()
        return Paragraph(title, Location(line=number, column=1), toc_page=toc.group("page"))
    lead = len(line) - len(line.lstrip())
    return Paragraph(line.rstrip(), Location(line=number, column=1 + lead))
