"""Comments in a copy of an Excel draft (openpyxl): a note on the finding's cell and a fill by
the worst severity there.

A cell holds one comment, so the findings at one cell share it, one entry each, divided by a
rule line. A ref inside a merged range goes to the range's top-left cell, the one Excel shows.
The workbook is loaded with its formulas (not ``data_only``) and rich text, so what openpyxl
keeps — formulas, styles, merged cells, every sheet — is written back as it was.
"""

from __future__ import annotations

import datetime
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

from auditor.annotate import Annotated, AnnotateError, AnnotateOptions, placed
from auditor.atomic import atomic_output
from auditor.findings import SEVERITY_ORDER, Finding
from auditor.ziparchive import save_workbook_fixed

SEPARATOR = "\n──────────\n"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
MACRO_SUFFIXES = (".xlsm",)


def split_ref(ref: str) -> tuple[str, str] | None:
    """``'3.社区 饭堂'!D14`` → (``3.社区 饭堂``, ``D14``); None when it is not a cell reference."""
    if "!" not in ref:
        return None
    name, coordinate = ref.rsplit("!", 1)
    if len(name) >= 2 and name[0] == name[-1] == "'":
        name = name[1:-1].replace("''", "'")
    return name, coordinate.replace("$", "")


def locate(workbook, ref: str) -> tuple[object, str] | None:
    """The worksheet and cell (a merged range's top-left cell) a ref names, or None."""
    from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    parts = split_ref(ref)
    if parts is None or parts[0] not in workbook.sheetnames:
        return None
    sheet = workbook[parts[0]]
    if not isinstance(sheet, Worksheet):
        return None
    try:
        row, col = coordinate_to_tuple(parts[1])
    except (ValueError, TypeError):
        return None
    for rng in sheet.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            row, col = rng.min_row, rng.min_col
            break
    return sheet, f"{get_column_letter(col)}{row}"


def first_sheet(workbook):
    """Where comments about the whole draft go: A1 of the first visible sheet."""
    sheets = workbook.worksheets
    if not sheets:
        raise AnnotateError("工作簿没有工作表 / the workbook has no worksheet")
    return next((s for s in sheets if s.sheet_state == "visible"), sheets[0])


def open_workbook(source: Path):
    import openpyxl

    try:
        with source.open("rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "extension not supported" notices about the draft
            return openpyxl.load_workbook(handle, data_only=False, rich_text=True,
                                          keep_vba=source.suffix.lower() in MACRO_SUFFIXES)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise AnnotateError(f"openpyxl 无法打开此文件（{error}）/ openpyxl cannot open it ({error})") from None


def annotate_xlsx(source: Path, target: Path, findings: Sequence[Finding], options: AnnotateOptions) -> Annotated:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    workbook = open_workbook(source)
    result = Annotated()
    places: dict[tuple[str, str], list[tuple[Finding, str]]] = {}
    for finding, (sheet, coordinate), text in placed(findings, lambda ref: locate(workbook, ref), lambda: (first_sheet(workbook), "A1"),
                                                     options, result, ("工作簿中没有这个单元格", "no such cell in the workbook")):
        places.setdefault((sheet.title, coordinate), []).append((finding, text))
    for (title, coordinate), entries in places.items():
        cell = workbook[title][coordinate]
        texts = [text for _, text in entries]
        if cell.comment is not None and cell.comment.text:
            texts.insert(0, cell.comment.text)  # the draft's own note stays, first
        text = SEPARATOR.join(texts)
        comment = Comment(text, options.author)
        comment.width = 360
        comment.height = min(600, 40 + 16 * text.count("\n") + 16 * (len(text) // 30))
        cell.comment = comment
        worst = max((finding.severity for finding, _ in entries), key=lambda s: SEVERITY_ORDER.get(s, 0))
        cell.fill = PatternFill(fill_type="solid", start_color=FILLS.get(worst, FILLS["info"]), end_color=FILLS.get(worst, FILLS["info"]))
        result.comments += len(entries)
    result.places = len(places)
    save_workbook(workbook, target, options.date)
    return result


def save_workbook(workbook, target: Path, date: datetime.datetime | None) -> None:
    """Saved as openpyxl's ``save`` does, but dated ``date`` (the review's, when given) rather than
    the moment of writing, and with fixed zip entry dates: the same input and options give the
    same bytes."""
    workbook.properties.modified = date or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with atomic_output(target, binary=True) as handle:
        save_workbook_fixed(workbook, handle)
