"""Reader for published PDF drafts (pdfplumber).

Each page gives its ruled tables (``find_tables``) and the text lines outside them, merged in
reading order (top to bottom). Cells follow the Word convention of the other readers: a cell
that starts in a row is one ``Cell`` (however many columns it spans); a cell merged down from a
row above reads as an empty cell in the rows below. Lines wrapped by the layout are joined back:
inside a cell unless the break follows sentence punctuation or precedes a numbered item; outside
tables when a line runs to the right margin and the next one continues it (same font size, not
indented, not a numbered item). A table that goes on at the top of the next page is
the same table (a repeated header row is dropped). Page numbers in the top and bottom margins are
ignored.

PDF keeps no field codes, so headings have no TC text; reading reaches the same projects and
budgets as the source document, while the wrapping of long paragraphs may differ.

Locations: ``第4页`` for text, ``第4页 表格 2 第3行第2列`` for cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from auditor.model import Location
from auditor.readers.blocks import Block, BlockStream, Paragraph, Row, grid_row, text_paragraph
from auditor.readers.detect import FormatError

MAX_PDF_PAGES = 500
PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/共]\s*\d{1,4}\s*页?)?[-—–\s]*$")
SENTENCE_END = "。；;：:！!？?"
ITEM_START = re.compile(r"^\s*(?:\d{1,2}\s*[、.．](?!\d)|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)")
MARGIN_SHARE = 0.08  # top/bottom share of the page where a bare number is a page number


@dataclass
class _State:
    stream: BlockStream = field(default_factory=BlockStream)
    tables: int = 0
    table_rows: int = 0
    first_row: list[str] | None = None
    last_was_table: bool = False


def lex_pdf(path: Path) -> BlockStream:
    """Read a PDF's text and tables into the block stream."""
    import pdfplumber  # heavy: only when a PDF is met

    state = _State()
    chars = 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise FormatError(f"PDF 页数过多（{len(pdf.pages)} 页，上限 {MAX_PDF_PAGES}） / too many pages")
            for number, page in enumerate(pdf.pages, start=1):
                chars += len(page.chars)
                _page(page, number, state)
                page.close()
    except FormatError:
        raise
    except Exception as error:  # pdfminer's errors come in many classes, often wrapped by pdfplumber
        if _is_encryption_error(error):
            raise FormatError("PDF 已加密，请去除密码后再审核 / password-protected PDF: remove the password first") from None
        detail = f"{type(error).__name__}: {str(error)[:120]}".rstrip(": ")
        raise FormatError(f"PDF 文件已损坏或无法解析（{detail}） / damaged or unreadable PDF ({detail})") from None
    if chars == 0:
        raise FormatError("PDF 中没有可提取的文字（可能是扫描件），需先做文字识别 / the PDF has no text layer (a scan?): run OCR first")
    return state.stream


def _is_encryption_error(error: BaseException) -> bool:
    """pdfminer's PDFPasswordIncorrect / PDFEncryptionError, raised as is or wrapped."""
    chain = [error, *error.args, error.__cause__, error.__context__]
    return any(type(e).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError") for e in chain if e is not None)


def _page(page, number: int, state: _State) -> None:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = [
        line for line in page.filter(outside).extract_text_lines(strip=True, return_chars=True)
        if line["text"].strip() and not _page_number(line, page.height)
    ]
    items: list[tuple[float, int, object]] = [(t.bbox[1], 0, t) for t in tables]
    items += [(line["top"], 1, line) for line in lines]
    items.sort(key=lambda item: (item[0], item[1]))
    right = max((line["x1"] for line in lines), default=0.0)
    left = min((line["x0"] for line in lines), default=0.0)
    loc = Location(ref=f"第{number}页")
    pending: list[str] = []
    previous: float | None = None  # font size of the pending paragraph's last line
    first_item = True
    for _, kind, item in items:
        if kind == 0:
            _flush(pending, loc, state)
            continues = first_item and state.last_was_table
            _table(item, number, state, continues)
            state.last_was_table = True
        else:
            state.last_was_table = False
            text = item["text"]
            first = item["chars"][0] if item.get("chars") else {}
            size = float(first.get("size") or max(item["bottom"] - item["top"], 6))
            style = round(size, 1)
            starts_paragraph = (
                previous != style or ITEM_START.match(text) is not None or item["x0"] > left + 0.8 * size
            )
            if starts_paragraph:
                _flush(pending, loc, state)
            pending.append(text)
            previous = style
            if item["x1"] < right - 1.5 * size:  # ends before the margin: the paragraph ends here
                _flush(pending, loc, state)
                previous = None
        first_item = False
    _flush(pending, loc, state)


def _page_number(line: dict, height: float) -> bool:
    in_margin = line["top"] > height * (1 - MARGIN_SHARE) or line["bottom"] < height * MARGIN_SHARE
    return in_margin and bool(PAGE_NUMBER.match(line["text"]))


def _flush(pending: list[str], loc: Location, state: _State) -> None:
    if not pending:
        return
    text = _join_lines(pending, paragraph=True)
    pending.clear()
    block = text_paragraph(text, loc)
    if isinstance(block, Paragraph):
        state.stream.blocks.append(block)


def _join_lines(lines: list[str], paragraph: bool = False) -> str:
    """Join layout-wrapped lines without a space (the drafts are Chinese, and codes such as
    ``13068221…`` wrap mid-token); in cells keep a break after sentence punctuation or before a
    numbered item."""
    out = ""
    for line in lines:
        line = line.strip()
        if not out:
            out = line
        elif not paragraph and (out[-1] in SENTENCE_END or ITEM_START.match(line)):
            out += "\n" + line
        else:
            out += line
    return out


def _table(table, page: int, state: _State, continues: bool) -> None:
    if not continues:
        state.tables += 1
        state.table_rows = 0
        state.first_row = None
    rows = table.rows
    texts = table.extract()
    xs = sorted({c[0] for c in table.cells})
    for r, (row, row_texts) in enumerate(zip(rows, texts)):
        present = [bbox for bbox in row.cells if bbox is not None]
        if not present:
            continue
        values: list[str] = []
        for x, bbox, text in zip(xs, row.cells, row_texts):
            if bbox is not None:
                values.append(_join_lines((text or "").split("\n")))
            elif not _spanned_in_row(present, x):
                values.append("")  # merged down from a row above (or a hole in the ruling)
        if continues and r == 0 and state.first_row is not None and values == state.first_row:
            continue  # a header row repeated on the new page
        if state.first_row is None:
            state.first_row = values
        state.table_rows += 1
        located = [
            (text, Location(ref=f"第{page}页 表格 {state.tables} 第{state.table_rows}行第{c}列"))
            for c, text in enumerate(values, start=1)
        ]
        block: Block | None = grid_row(located, state.tables)
        if isinstance(block, Row):
            state.stream.blocks.append(block)


def _spanned_in_row(present: list[tuple], x: float) -> bool:
    """Whether column ``x`` lies inside a cell of this row that starts further left (a cell
    spanning several columns); otherwise an empty grid position is a vertically merged cell."""
    return any(c[0] < x - 0.5 and c[2] > x + 0.5 for c in present)
