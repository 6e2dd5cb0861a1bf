"""Reader for Word .docx drafts (python-docx opens the package; the body XML is walked here).

The body is read in order: paragraphs (headings included) become ``Paragraph`` blocks, tables
become ``Row`` blocks, one ``Cell`` per ``w:tc`` as the text export has them: a vertically merged
continuation cell (``w:vMerge`` without ``restart``) reads as an empty cell, and a cell spanning
several grid columns (``w:gridSpan``) is still one cell. Field codes are hidden and their results
kept (a TOC's entries, PAGEREF page numbers); a TC field's instruction is appended to its
paragraph as ``{ TC … }`` so headings carry the same TOC text as the export. Nested tables are
flattened into their outer cell (one line per nested row) and noted. Deleted revisions, text
boxes and the legacy fallback copies of drawings are skipped.

Each top-level table is also given whole as a ``Grid`` (``表格 T``, what the form layout reads):
one ``GridCell`` per cell of the row stream, its first grid column counted from ``w:gridBefore``
and the ``w:gridSpan`` of the cells before it (a Word 97 ``hMerge`` continuation widens the cell
it continues), a ``vMerge`` continuation ``continued`` with empty text; rows without text are
left out.

Locations: ``段落 N`` for the N-th paragraph with text (1-based), ``表格 T 第R行第C列`` for cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from auditor.model import Location, ReadNote
from auditor.readers.blocks import BlockStream, Grid, GridCell, Paragraph, clean_cell_text, grid_row, text_paragraph

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    W + "p", W + "tbl", W + "tr", W + "tc", W + "sdt", W + "sdtContent", W + "customXml"
)
SKIP = {  # subtrees that hold no visible body text (or only a duplicate of it)
    W + "pPr", W + "rPr", W + "tblPr", W + "trPr", W + "tcPr", W + "tblGrid", W + "sectPr",
    W + "del", W + "moveFrom", W + "txbxContent", W + "drawing", W + "pict", W + "object",
    W + "footnoteReference", W + "endnoteReference", W + "commentReference", W + "sdtPr",
    W + "sdtEndPr", MC + "Fallback",
}
MAX_FIELD_DEPTH = 64
MAX_NESTING = 32


@dataclass
class _Field:
    instruction: list[str] = field(default_factory=list)
    in_result: bool = False


@dataclass
class BodyWalker:
    """One pass over the body; field state runs across paragraphs (a TOC spans many). Its
    numbering of paragraphs and tables is what ``段落 N`` and ``表格 T 第R行第C列`` mean, so the
    annotated copy (``auditor.annotate.docx``) walks the body with it too."""

    stream: BlockStream = field(default_factory=BlockStream)
    fields: list[_Field] = field(default_factory=list)
    paragraphs: int = 0
    tables: int = 0
    since_table: int = 0  # paragraphs with text since the last table
    after_table: int = 0  # the stream's blocks up to the end of the last table

    # -- body -----------------------------------------------------------------------------
    def body(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == P:
                self.paragraph(child)
            elif tag == TBL:
                self.tables += 1
                self.table(child, self.tables)
            elif tag in (SDT, SDT_CONTENT, CUSTOM_XML):
                self.body(child)
            elif tag == W + "altChunk":
                self.stream.notes.append(ReadNote("embedded (altChunk) content not read", self.here(), "嵌入的（altChunk）内容未读取"))

    def here(self) -> Location:
        return Location(ref=f"段落 {self.paragraphs + 1}")

    def paragraph(self, element) -> None:
        text, toc_fields = self.paragraph_text(element)
        if toc_fields:
            text = text.rstrip() + "".join(f"{{ {instr} }}" for instr in toc_fields)
        if not text.strip():
            return
        self.paragraphs += 1
        self.since_table += 1
        loc = Location(ref=f"段落 {self.paragraphs}")
        for line in text.split("\n"):
            block = text_paragraph(line, loc)
            if block is not None:
                self.stream.blocks.append(block)

    # -- tables ---------------------------------------------------------------------------
    def table(self, element, number: int) -> None:
        previous = self.stream.blocks[-1] if self.stream.blocks else None
        caption = previous.text.strip() if isinstance(previous, Paragraph) and self.since_table else None
        before = self.stream.blocks[self.after_table :]
        preamble = tuple(block.text.strip() for block in before if isinstance(block, Paragraph))
        whole = Grid(f"表格 {number}", "table", caption=caption, preamble=preamble, follows=number > 1 and self.since_table == 0)
        self.since_table = 0
        self.stream.grids.append(whole)
        for r, row in enumerate(table_rows(element), start=1):
            cells = []
            grid_cells = []
            for c, (cell, col, span) in enumerate(placed_cells(row), start=1):
                loc = Location(ref=f"表格 {number} 第{r}行第{c}列")
                continued = _is_merge_continuation(cell)
                text = "" if continued else self.cell_text(cell, loc, 0)
                cells.append((text, loc))
                grid_cells.append(GridCell(clean_cell_text(text), loc, col, span, continued))
            block = grid_row(cells, number)
            if block is not None:
                self.stream.blocks.append(block)
            if any(cell.text for cell in grid_cells):
                whole.rows.append(grid_cells)
        self.after_table = len(self.stream.blocks)

    def cell_text(self, cell, loc: Location, depth: int) -> str:
        lines: list[str] = []
        for child in element_content(cell):
            if child.tag == P:
                lines.append(self.paragraph_text(child)[0])
            elif child.tag == TBL:
                if depth >= MAX_NESTING:
                    continue
                if depth == 0:
                    self.stream.notes.append(ReadNote("nested table flattened into the cell text", loc, "嵌套表格已展开为单元格文字"))
                for row in table_rows(child):
                    texts = [
                        t for t in (self.cell_text(c, loc, depth + 1).replace("\n", " ").strip()
                                    for c in _cells(row)) if t
                    ]
                    if texts:
                        lines.append(" ".join(texts))
        return "\n".join(lines)

    # -- runs and fields ------------------------------------------------------------------
    def paragraph_text(self, element) -> tuple[str, list[str]]:
        """Visible text of a paragraph (fields shown by their results) and its TC instructions."""
        parts: list[str] = []
        tc: list[str] = []
        self._runs(element, parts, tc)
        return "".join(parts), tc

    def _hidden(self) -> bool:
        return any(not f.in_result for f in self.fields)

    def _runs(self, element, parts: list[str], tc: list[str]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == W + "t":
                if not self._hidden():
                    parts.append(child.text or "")
            elif tag == W + "tab":
                if not self._hidden():
                    parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                if not self._hidden() and child.get(W + "type") in (None, "textWrapping"):
                    parts.append("\n")
            elif tag == W + "noBreakHyphen":
                if not self._hidden():
                    parts.append("-")
            elif tag == W + "fldChar":
                self._field_char(child.get(W + "fldCharType"), tc)
            elif tag == W + "instrText":
                if self.fields:
                    self.fields[-1].instruction.append(child.text or "")
            elif tag == W + "fldSimple":
                instr = (child.get(W + "instr") or "").strip()
                if instr.upper().startswith("TC "):
                    tc.append(instr)
                self._runs(child, parts, tc)
            elif tag == TBL:
                continue  # a table inside a paragraph-level container: not text of this paragraph
            else:
                self._runs(child, parts, tc)  # w:r, w:hyperlink, w:ins, w:smartTag, w:sdt …

    def _field_char(self, kind: str | None, tc: list[str]) -> None:
        if kind == "begin":
            if len(self.fields) < MAX_FIELD_DEPTH:
                self.fields.append(_Field())
        elif kind == "separate":
            if self.fields:
                self.fields[-1].in_result = True
        elif kind == "end" and self.fields:
            done = self.fields.pop()
            instr = "".join(done.instruction).strip()
            if instr.upper().startswith("TC "):
                tc.append(instr)


def element_content(element):
    """Block-level children of a body, cell or content control, content controls unwrapped."""
    for child in element:
        if child.tag in (SDT, SDT_CONTENT, CUSTOM_XML):
            yield from element_content(child)
        else:
            yield child


def table_rows(table):
    """The rows of a table as the reader counts them (content controls unwrapped)."""
    return (child for child in element_content(table) if child.tag == TR)


def _cells(row):
    for child in element_content(row):
        if child.tag == TC and not _is_hmerge_continuation(child):
            yield child


def placed_cells(row):
    """The row's cells as ``_cells`` gives them, each with its first grid column (0-based) and
    the grid columns it spans."""
    col = max(0, _int_val(row.find(f"{W}trPr/{W}gridBefore"), 0))
    placed: list[list] = []
    for child in element_content(row):
        if child.tag != TC:
            continue
        span = max(1, _int_val(child.find(f"{W}tcPr/{W}gridSpan"), 1))
        if not _is_hmerge_continuation(child):
            placed.append([child, col, span])
        elif placed:
            placed[-1][2] += span
        col += span
    return [tuple(p) for p in placed]


def _int_val(element, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(W + "val", default))
    except (TypeError, ValueError):
        return default


def _is_merge_continuation(cell) -> bool:
    merge = cell.find(f"{W}tcPr/{W}vMerge")
    return merge is not None and merge.get(W + "val", "continue") == "continue"


def _is_hmerge_continuation(cell) -> bool:
    """Word 97-style horizontal merge: the continuation cells belong to the first one."""
    merge = cell.find(f"{W}tcPr/{W}hMerge")
    return merge is not None and merge.get(W + "val", "continue") == "continue"


def lex_docx(path: Path) -> BlockStream:
    """Read a .docx body into the block stream (the package has been checked by ``detect``)."""
    import docx  # heavy: only when a .docx is met

    document = docx.Document(str(path))
    walker = BodyWalker()
    walker.body(document.element.body)
    return walker.stream
