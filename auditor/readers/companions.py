"""A flat export split into files: the project table (项目编码, 项目名称, amounts, 政策依据 …) in
one CSV and the indicator table (项目编码, 一级/二级/三级指标, 指标值 …) in another, as a budget
system exports the two sheets of its workbook when CSV is asked for. Read apart, the first is
projects without indicators and the second indicators without budgets: neither is the draft.

``pair_tables`` finds, among the CSV files of a run, each project table's indicator table: a file
of the same folder whose table shares most of its 项目编码. The indicator file is read with its
project tables (``read_document``'s ``companions``), as one draft; the project files are not
read on their own. A project table no indicator table shares a key with is left alone (read on
its own, it says what it is).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.layouts import LayoutSet
from auditor.readers.csvfile import lex_csv
from auditor.readers.detect import FormatError
from auditor.readers.flat import table_shape

CSV_SUFFIXES = (".csv", ".tsv")
PEEK_BYTES = 4 * 1024 * 1024  # a companion table is looked at whole, up to this size


def pair_tables(paths: Sequence[Path], layouts: LayoutSet, decode) -> dict[Path, tuple[Path, ...]]:
    """Each indicator-table CSV among ``paths`` → the project-table CSVs read with it.
    ``decode(path) -> str`` reads a file's text as the readers do."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        if path.suffix.lower() in CSV_SUFFIXES:
            by_folder.setdefault(path.parent, []).append(path)
    shapes: dict[Path, tuple[str, frozenset[str]]] = {}
    for folder_paths in by_folder.values():
        if len(folder_paths) < 2:
            continue  # a CSV alone in its folder has no companion: not read twice
        for path in folder_paths:
            shape = _shape(path, layouts, decode)
            if shape is not None:
                shapes[path] = shape
    paired: dict[Path, list[Path]] = {}
    for path, (kind, keys) in shapes.items():
        if kind != "projects" or not keys:
            continue
        candidates = [
            (len(keys & other_keys), str(other)) for other, (other_kind, other_keys) in shapes.items()
            if other_kind == "indicators" and other.parent == path.parent and keys & other_keys
        ]
        if candidates:
            _, best = max(candidates)
            paired.setdefault(Path(best), []).append(path)
    return {path: tuple(sorted(projects)) for path, projects in paired.items()}


def _shape(path: Path, layouts: LayoutSet, decode) -> tuple[str, frozenset[str]] | None:
    try:
        if path.stat().st_size > PEEK_BYTES:
            return None
        text = decode(path)
    except (OSError, FormatError, UnicodeError):
        return None
    (grid,) = lex_csv(text, path.name, "\t" if path.suffix.lower() == ".tsv" else None).grids or (None,)
    if grid is None:
        return None
    for profile in layouts.of_kind("flat", "csv"):
        shape = table_shape(grid, profile)
        if shape is not None:
            return shape
    return None
