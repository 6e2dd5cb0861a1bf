"""Choosing the layout profile that explains a file, and reading the file with it.

``KINDS`` is the registry of layout kinds: how well a profile of that kind explains a file's
tables (filled cells it would read), and the reader that applies it. A new kind is one entry
here and one module; a new form of an existing kind is a YAML file in ``layouts/``.

The profile that explains the most cells reads the file (ties go to the first in load order).
When no form or flat profile explains any table, the ``flow`` profile's assembler reads the
block stream, as for the corpus' Word template. Either way, what was read is checked for the
signs of a misreading (a header field or a grid header read as an indicator), and a file whose
tables yield no project is *not understood* (``NotUnderstood``), never audited as empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from auditor.layouts import LayoutProfile, LayoutSet, label_of
from auditor.model import Document, Indicator
from auditor.readers import flat, forms
from auditor.readers.assemble import assemble
from auditor.readers.blocks import BlockStream, Grid
from auditor.readers.detect import NotUnderstood
from auditor.readers.fields import ValueParser


class LayoutKind(NamedTuple):
    explained_cells: Callable[[list[Grid], LayoutProfile], int]
    read: Callable[[list[Grid], LayoutProfile, Document, ValueParser], None]


KINDS: dict[str, LayoutKind] = {
    "form": LayoutKind(forms.explained_cells, forms.read_form),
    "flat": LayoutKind(flat.explained_cells, flat.read_flat),
}
GRID_FORMATS = ("xlsx", "csv")  # formats that are nothing but tables: no project read means not understood


def choose(stream: BlockStream, fmt: str, layouts: LayoutSet) -> tuple[LayoutProfile, int]:
    """The profile that explains the most of the file's tables, and how many cells it explains
    (the flow profile, with 0, when none of the others explains any)."""
    best: tuple[LayoutProfile, int] | None = None
    if stream.grids:
        for profile in layouts.profiles:
            kind = KINDS.get(profile.kind)
            if kind is None or not profile.applies_to(fmt):
                continue
            score = kind.explained_cells(stream.grids, profile)
            if score and (best is None or score > best[1]):
                best = (profile, score)
    return best or (layouts.fallback, 0)


def read_with_layout(stream: BlockStream, path: str, fmt: str, parse_value: ValueParser, layouts: LayoutSet) -> Document:
    """The draft as the best-fitting profile reads it (see the module's docstring)."""
    profile, _ = choose(stream, fmt, layouts)
    if profile.kind == "flow":
        doc = assemble(stream, path, fmt, parse_value)
    else:
        doc = Document(path=path, source_format=fmt)
        doc.notes.extend(stream.notes)
        KINDS[profile.kind].read(stream.grids, profile, doc, parse_value)
    doc.layout = profile.id
    check_understood(doc, fmt, layouts, any(grid.rows for grid in stream.grids))
    return doc


def check_understood(doc: Document, fmt: str, layouts: LayoutSet, has_tables: bool) -> None:
    """Raise ``NotUnderstood`` where the reading shows it went wrong: a header field
    (``项目类型：``) or a grid header (一级指标 | 二级指标 …) read as an indicator row, or a file of
    tables with content (``has_tables``) and no project. A file of blank sheets is left to the
    caller's "no content" error."""
    labels, columns = layouts.all_field_labels, layouts.all_column_names
    for indicators in [doc.department_indicators, *(p.indicators for p in doc.projects)]:
        for row in indicators:
            texts = (row.level1, row.level2, row.level3, row.value.raw)
            if any(text.endswith(COLONS) for text in texts) or sum(text in columns for text in texts) >= 2:
                _check_row(row, labels, columns)
    if fmt in GRID_FORMATS and has_tables and not doc.projects:
        raise NotUnderstood(
            "没有任何版式能解释此文件的表格（未读出任何项目）；已知版式：" + "、".join(p.name["zh"] for p in layouts.profiles),
            "no layout explains this file's tables (no project was read); known layouts: "
            + ", ".join(p.name["en"] for p in layouts.profiles),
        )


COLONS = (":", "：")


def _check_row(row: Indicator, labels: frozenset[str], columns: frozenset[str]) -> None:
    texts = [("level1", row.level1), ("level2", row.level2), ("level3", row.level3), ("value", row.value.raw)]
    for name, text in texts:
        if text.endswith(COLONS) and label_of(text).key in labels:
            raise NotUnderstood(
                f"表头字段“{text}”被读成了指标行（{row.loc_of(name)}）：表格结构与已知版式不符",
                f"a header field {text!r} would be read as an indicator row ({row.loc_of(name)}): the table does not fit a known layout",
                row.loc_of(name),
            )
    if sum(1 for _, text in texts if text in columns) >= 2:  # header cells are written as their keys
        raise NotUnderstood(
            f"指标表的表头行被读成了指标行（{row.loc}）：表格结构与已知版式不符",
            f"an indicator grid's header row would be read as an indicator ({row.loc}): the table does not fit a known layout",
            row.loc,
        )
