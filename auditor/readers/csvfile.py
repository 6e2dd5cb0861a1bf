"""Reader for CSV (and tab-separated) exports: one table, read as a ``Grid``.

The delimiter is the one of ``,`` ``\\t`` ``;`` ``|`` that splits the first lines most evenly
(``csv.Sniffer``), comma when it cannot tell. Locations are the row's line in the file and the
cell as a spreadsheet names it (``C7``: its column and its row as Excel or WPS shows it, which
is not the line when a cell above holds line breaks), so a reviewer finds it there too.
"""

from __future__ import annotations

import csv
import io

from auditor.model import Location
from auditor.readers.blocks import BlockStream, Grid, GridCell, clean_cell_text, column_letter

DELIMITERS = ",\t;|"
SNIFF_CHARS = 16_384


def lex_csv(text: str, name: str, delimiter: str | None = None, qualified: bool = False, lines: bool = True) -> BlockStream:
    """The file's rows as one grid (blank rows left out). ``qualified``: the file is read with
    another (a companion table), so its cells are named with the file (``项目表.csv!F2``);
    ``lines``: its cells carry their text lines — the draft's own file does, a companion's does
    not (its lines are not the draft's)."""
    text = text.lstrip("\ufeff")
    delimiter = delimiter or _delimiter(text[:SNIFF_CHARS])
    grid = Grid(name, "csv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    prefix = f"{name}!" if qualified else ""
    for record, row in enumerate(reader, start=1):  # the row Excel shows: a cell may hold line breaks
        start = line
        line = reader.line_num + 1
        cells = [
            GridCell(clean_cell_text(value), Location(line=start if lines else None, ref=f"{prefix}{column_letter(c + 1)}{record}"), c)
            for c, value in enumerate(row)
        ]
        if any(cell.text for cell in cells):
            grid.rows.append(cells)
    return BlockStream(grids=[grid])


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","
