"""The reading stream every reader produces: paragraphs and table rows in body order.

A format reader (text export, .docx, .xlsx, PDF) only has to turn its input into this stream;
``assemble`` turns the stream into the document model, so every format is understood the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.model import Location

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
class BlockStream:
    """The blocks of one input plus anything the reader had to note while reading them."""

    blocks: list[Block] = field(default_factory=list)
    notes: list[tuple[str, Location]] = field(default_factory=list)


def clean_cell_text(text: str) -> str:
    """Drop Word residue from a cell: bookmarks, trailing tabs, the quotes Word puts around a
    multi-line cell when it exports it (``"临机编…\\n…报告"``), and outer whitespace."""
    text = BOOKMARK.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "\n" in text:
        text = text[1:-1].strip()
    return text
