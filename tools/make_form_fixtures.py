"""Build tests/fixtures/forms/shenzhen_2023_project_form.docx from the real 申报表 workbook.

The workbook (``tests/fixtures/forms/shenzhen_2023_project_form_workbook.xlsx``, copied from the
shared corpus-forms) holds one project per sheet. Its cells are written out as the Word version of
the same form, one project after the other:

* the sheet's title row (``A1``, merged across the sheet) becomes a centred, bold title paragraph;
* every other non-blank row becomes a row of one Word table (``Table Grid`` borders, the sheet's
  five columns as the table's grid, its column widths scaled): the label：value header block, the
  indicator grid and the 备注 row;
* every merged range of the sheet becomes the same merge in Word: ``w:gridSpan`` for the value
  cells that span columns (two label/value pairs on the short rows), ``w:vMerge`` for the
  一级指标 (and 二级指标) cells merged down over their rows;
* the 备注 row (a single text in the first column, not merged in the sheet) spans the table's
  width, as Word forms lay it out;
* a page break before every project but the first.

Cell texts are what the workbook shows (a number by its number format, as the .xlsx reader shows
it: ``30,556,500.00``), one Word paragraph per line (so the trailing newline many cells end with
is a trailing empty paragraph, and tabs are real ``w:tab``s). Label cells are bold.

Output is deterministic (fixed core properties and ZIP entry times, as tools/make_fixtures.py).
Run: ``.venv/bin/python tools/make_form_fixtures.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.make_fixtures import _docx_base, write_deterministic_zip  # noqa: E402

from auditor.readers.xlsx import format_number  # noqa: E402

FORMS = ROOT / "tests" / "fixtures" / "forms"
WORKBOOK = FORMS / "shenzhen_2023_project_form_workbook.xlsx"
OUT = FORMS / "shenzhen_2023_project_form.docx"
TEXT_WIDTH_CM = 17.0  # A4 portrait with 2 cm margins (the page ``_docx_base`` sets up)


def shown(cell) -> str:
    """A cell's value as the workbook shows it."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, cell.number_format or "General")
    return str(value)


def sheet_rows(sheet) -> tuple[str, list[int], dict[tuple[int, int], tuple[int, int]], int]:
    """The sheet's title, the rows of its table (non-blank, after the title), its merged ranges
    as ``(top, left) → (bottom, right)`` and its width in columns."""
    width = sheet.max_column
    merges = {(r.min_row, r.min_col): (r.max_row, r.max_col) for r in sheet.merged_cells.ranges}
    title_row = 1
    title = shown(sheet.cell(title_row, 1)).strip()
    rows = [
        r for r in range(title_row + 1, sheet.max_row + 1)
        if any(shown(sheet.cell(r, c)).strip() for c in range(1, width + 1))
    ]
    return title, rows, merges, width


def set_text(cell, text: str, bold: bool = False) -> None:
    """A Word cell's text, one paragraph per line."""
    lines = text.split("\n")
    paragraphs = [cell.paragraphs[0]] + [cell.add_paragraph() for _ in lines[1:]]
    for paragraph, line in zip(paragraphs, lines):
        if line:
            paragraph.add_run(line).bold = bold or None


def is_label(text: str) -> bool:
    return text.strip().endswith(("：", ":")) or text.strip() in ("一级指标", "二级指标", "三级指标", "目标值", "指标解释")


def write_project(document, sheet, first: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.shared import Cm, Pt
    from openpyxl.utils import get_column_letter

    title, rows, merges, width = sheet_rows(sheet)
    paragraph = document.add_paragraph()
    if not first:
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(title)
    run.bold, run.font.size = True, Pt(16)

    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.autofit = False
    widths = [sheet.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, width + 1)]
    scale = TEXT_WIDTH_CM / sum(widths)
    for c, w in enumerate(widths):
        table.columns[c].width = Cm(w * scale)
        for cell in table.columns[c].cells:
            cell.width = Cm(w * scale)
    at = {r: i for i, r in enumerate(rows)}
    for i, r in enumerate(rows):
        table.rows[i]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for c in range(1, width + 1):
            text = shown(sheet.cell(r, c))
            if text:
                set_text(table.cell(i, c - 1), text, bold=is_label(text))
    # merges after the texts: python-docx moves a merged-away cell's paragraphs into the anchor
    covered: set[tuple[int, int]] = set()
    for (top, left), (bottom, right) in sorted(merges.items()):
        if top not in at:
            continue  # the title row, written as a paragraph
        lower = max((r for r in rows if r <= bottom), default=top)
        if (lower, right) != (top, left):
            table.cell(at[top], left - 1).merge(table.cell(at[lower], right - 1))
        covered.update((r, c) for r in range(top, bottom + 1) for c in range(left, right + 1))
    for r in rows:  # a lone text in the first column (备注) spans the table, as in Word forms
        filled = [c for c in range(1, width + 1) if shown(sheet.cell(r, c)).strip()]
        if filled == [1] and not any((r, c) in covered for c in range(1, width + 1)):
            table.cell(at[r], 0).merge(table.cell(at[r], width - 1))


def build(workbook_path: Path = WORKBOOK, out: Path = OUT) -> int:
    import openpyxl

    with workbook_path.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, data_only=True)
    document = _docx_base()
    sheets = [s for s in workbook.worksheets if s.sheet_state == "visible"]
    for n, sheet in enumerate(sheets):
        write_project(document, sheet, first=n == 0)
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    write_deterministic_zip(buffer.getvalue(), out)
    return len(sheets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workbook", type=Path, default=WORKBOOK)
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    count = build(args.workbook, args.output)
    print(f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: {count} projects")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
