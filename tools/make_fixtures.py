"""Build the .docx, .xlsx, PDF and GBK fixtures under tests/fixtures/formats/ from the corpus.

Each corpus draft (``samples/*.txt``) is read through the text reader's block stream, so the
fixtures hold exactly its paragraphs, rows and cells:

* ``<stem>.docx`` — real Word tables (``Table Grid`` borders, rows that do not break across
  pages). A row with fewer cells than the table's widest row has its last cell widened with
  ``gridSpan``; an empty first-column cell under an 一级指标 (or under 预算规模及资金用途 /
  资金支出计划) is a real ``vMerge`` continuation of the cell above. Headings use Word heading
  styles; the export's ``TC … \\f C \\l 1`` residue becomes a real TC field (a complex field:
  ``fldChar`` begin / ``instrText`` / end) and ``[bookmark: …]`` a real bookmark. A 目录 (002)
  becomes a real TOC field whose entries carry PAGEREF fields. Multi-line cells are one paragraph
  per line.
* ``<stem>.xlsx`` — the same blocks on sheets: running text in column A (a 目录 line as title |
  page), tables as bordered cells, short rows widened by a merged range, the same vertical merges
  in column A, amounts like ``50.00`` / ``25.00%`` / ``1,862.00`` as numbers with that number
  format. One project per sheet, except 003 (ten projects per sheet). Headings are written
  without the Word field residue.
* ``<stem>.pdf`` — the .docx printed by LibreOffice (``soffice --headless --convert-to pdf``),
  only when LibreOffice is installed; the generated PDFs are committed so tests need no LibreOffice.
* ``edge_*.docx`` / ``edge_*.xlsx`` / ``edge_split_table.pdf`` — small hand-shaped cases: merged
  cells across rows, a table split over two pages, an empty table, a nested table.
* ``edge_merged.doc`` — the merged-cells case saved as Word 97 by LibreOffice (made once: a .doc
  carries LibreOffice's time stamps, so it is not rebuilt when present).
* ``004_gbk.txt`` — draft 004 encoded as GBK.

Output is deterministic: fixed core properties, fixed ZIP entry times, fixed PDF dates and IDs.
Run: ``.venv/bin/python tools/make_fixtures.py`` (``--no-pdf`` to skip LibreOffice).
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.readers.assemble import SECTION_HEADING, TC_FIELD, assemble, label_key  # noqa: E402
from auditor.readers.blocks import BOOKMARK, BlockStream, Paragraph, Row  # noqa: E402
from auditor.readers.text import lex_text  # noqa: E402
from auditor.values import parse_value  # noqa: E402

SAMPLES = ROOT / "samples"
OUT = ROOT / "tests" / "fixtures" / "formats"
FIXED = datetime.datetime(2024, 1, 1, 0, 0, 0)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
SEVERAL_PER_SHEET = {"003": 10}  # draft → projects per sheet (others: one per sheet)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NUMBER_FORMATS = (
    (re.compile(r"^\d{1,3}(?:,\d{3})+\.\d{2}$"), "#,##0.00"),
    (re.compile(r"^\d+\.\d{2}%$"), "0.00%"),
    (re.compile(r"^\d+\.\d{2}$"), "0.00"),
)
MERGE_TOPS = ("预算规模", "资金支出计划")  # labels whose empty cells below are merged into them


def stream_of(path: Path) -> BlockStream:
    return lex_text(path.read_text(encoding="utf-8"))


def groups(blocks: list) -> list[tuple[str, list]]:
    """Consecutive blocks as ``("p", [Paragraph])`` or ``("t", [Row, …])`` (one per table)."""
    out: list[tuple[str, list]] = []
    for block in blocks:
        if isinstance(block, Row):
            if out and out[-1][0] == "t" and out[-1][1][-1].table == block.table:
                out[-1][1].append(block)
            else:
                out.append(("t", [block]))
        else:
            out.append(("p", [block]))
    return out


def vertical_merges(rows: list[Row]) -> list[tuple[int, int]]:
    """``(top, bottom)`` row indexes of first-column cells merged down: an empty first cell under
    an indicator category (一级指标) or under the 预算规模 / 资金支出计划 label."""
    merges: list[tuple[int, int]] = []
    in_indicators = False
    top: int | None = None
    for i, row in enumerate(rows):
        keys = [label_key(t) for t in row.texts]
        first = row.texts[0].strip() if row.texts else ""
        wide = len(row.cells) >= 2
        if "一级指标" in keys:
            in_indicators, top = True, None
            continue
        if first and wide and (in_indicators or first.startswith(MERGE_TOPS)):
            top = i
            continue
        if not first and wide and top is not None:
            if merges and merges[-1][0] == top:
                merges[-1] = (top, i)
            else:
                merges.append((top, i))
            continue
        top = None
    return merges


# -- .docx ------------------------------------------------------------------------------------
def _docx_base():
    import docx
    from docx.enum.section import WD_ORIENT  # noqa: F401
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    props = document.core_properties
    props.author = props.last_modified_by = "budget-audit fixtures"
    props.created = props.modified = props.last_printed = FIXED
    props.revision = 1
    props.title = ""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    for name in ("Normal", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = "Noto Sans CJK SC"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans CJK SC")
    document.styles["Normal"].font.size = Pt(10.5)
    return document


def _run(paragraph, text: str):
    return paragraph.add_run(text)


def _field_char(paragraph, kind: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def _instr(paragraph, text: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    element = OxmlElement("w:instrText")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    run._r.append(element)


def _bookmark(paragraph, name: str, ident: int):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    paragraph._p.append(start)
    paragraph._p.append(end)


def _tc_instruction(residue: str) -> str:
    toc = TC_FIELD.search(residue)
    switch = re.search(r"\\f\s+(\w+)", residue)
    level = re.search(r"\\l\s+(\d+)", residue)
    text = toc.group("toc").strip() if toc else ""
    return f' TC "{text}" \\f {switch.group(1) if switch else "C"} \\l {level.group(1) if level else "1"} '


class DocxWriter:
    def __init__(self) -> None:
        self.document = _docx_base()
        self.bookmarks = 0

    def paragraph(self, block: Paragraph, style: str | None) -> None:
        paragraph = self.document.add_paragraph(style=style)
        text = block.text
        for match in BOOKMARK.finditer(text):
            self.bookmarks += 1
            _bookmark(paragraph, match.group(0)[len("[bookmark: "):-1].strip() or f"_bm{self.bookmarks}", self.bookmarks)
        text = BOOKMARK.sub("", text)
        residue = TC_FIELD.search(text)
        visible = text[: residue.start()] if residue else text
        if visible:
            _run(paragraph, visible)
        if residue:
            _field_char(paragraph, "begin")
            _instr(paragraph, _tc_instruction(residue.group(0)))
            _field_char(paragraph, "end")

    def toc(self, entries: list[Paragraph]) -> None:
        for i, entry in enumerate(entries):
            paragraph = self.document.add_paragraph()
            if i == 0:
                _field_char(paragraph, "begin")
                _instr(paragraph, ' TOC \\o "1-3" \\h \\z \\u ')
                _field_char(paragraph, "separate")
            _run(paragraph, entry.text)
            _run(paragraph, "\t")
            _field_char(paragraph, "begin")
            _instr(paragraph, f" PAGEREF _Toc{i:04d} \\h ")
            _field_char(paragraph, "separate")
            _run(paragraph, entry.toc_page or "")
            _field_char(paragraph, "end")
            if i == len(entries) - 1:
                _field_char(paragraph, "end")

    def table(self, rows: list[Row], nested: dict[tuple[int, int], list[list[str]]] | None = None) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        width = max(len(r.cells) for r in rows)
        table = self.document.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        merges = vertical_merges(rows)
        continuing = {i: top for top, bottom in merges for i in range(top + 1, bottom + 1)}
        starts = {top for top, _ in merges}
        for r, row in enumerate(rows):
            tr = table.add_row()
            tr_pr = tr._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
            cells = tr.cells
            count = len(row.cells)
            if count < width:
                cells[count - 1].merge(cells[width - 1])
            tcs = tr._tr.findall(qn("w:tc"))
            for c, (tc, cell) in enumerate(zip(tcs, row.cells)):
                from docx.table import _Cell

                target = _Cell(tc, table)
                lines = cell.text.split("\n")
                target.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    target.add_paragraph(line)
                if c == 0 and (r in starts or r in continuing):
                    merge = OxmlElement("w:vMerge")
                    if r in starts:
                        merge.set(qn("w:val"), "restart")
                    tc.get_or_add_tcPr().append(merge)
                if nested and (r, c) in nested:
                    inner = target.add_table(rows=0, cols=max(len(x) for x in nested[(r, c)]))
                    inner.style = "Table Grid"
                    for texts in nested[(r, c)]:
                        inner_row = inner.add_row()
                        for inner_cell, text in zip(inner_row.cells, texts):
                            inner_cell.text = text
                    target.add_paragraph("")  # Word requires a paragraph after a nested table
        self.document.add_paragraph()  # and one after every table (between tables, at the end)

    def empty_paragraph(self) -> None:
        self.document.add_paragraph()

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        self.document.save(buffer)
        write_deterministic_zip(buffer.getvalue(), path)


def heading_style(block: Paragraph, next_is_table: bool) -> str | None:
    text = BOOKMARK.sub("", block.text).strip()
    if TC_FIELD.search(text) or SECTION_HEADING.match(TC_FIELD.sub("", text).strip()):
        return "Heading 2" if next_is_table else "Heading 1"
    if next_is_table:
        return "Heading 2"
    return None


def write_docx(stream: BlockStream, path: Path) -> None:
    writer = DocxWriter()
    parts = groups(stream.blocks)
    i = 0
    while i < len(parts):
        kind, blocks = parts[i]
        if kind == "t":
            writer.table(blocks)
            i += 1
            continue
        block = blocks[0]
        if block.toc_page is not None:
            entries = []
            while i < len(parts) and parts[i][0] == "p" and parts[i][1][0].toc_page is not None:
                entries.append(parts[i][1][0])
                i += 1
            writer.toc(entries)
            continue
        next_is_table = i + 1 < len(parts) and parts[i + 1][0] == "t"
        writer.paragraph(block, heading_style(block, next_is_table))
        i += 1
    writer.save(path)


# -- .xlsx ------------------------------------------------------------------------------------
class XlsxWriter:
    def __init__(self) -> None:
        from openpyxl import Workbook

        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        props = self.workbook.properties
        props.creator = props.lastModifiedBy = "budget-audit fixtures"
        props.created = props.modified = FIXED
        self.sheet = None
        self.row = 0

    def new_sheet(self, title: str) -> None:
        from openpyxl.utils import get_column_letter

        self.sheet = self.workbook.create_sheet(title)
        self.row = 0
        for column, width in zip(range(1, 14), (18, 16, 22, 28, 18, 18, 18, 12, 12, 12, 12, 12, 12)):
            self.sheet.column_dimensions[get_column_letter(column)].width = width

    def paragraph(self, block: Paragraph) -> None:
        self.row += 1
        if block.toc_page is not None:
            self.sheet.cell(self.row, 1, block.text)
            self.sheet.cell(self.row, 2, block.toc_page)
            return
        text = BOOKMARK.sub("", block.text)
        residue = TC_FIELD.search(text)
        if residue:
            text = text[: residue.start()]
        self.sheet.cell(self.row, 1, text.rstrip())

    def table(self, rows: list[Row]) -> None:
        from openpyxl.styles import Alignment, Border, Side

        thin = Side(style="thin")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        wrap = Alignment(wrap_text=True, vertical="center")
        width = max(len(r.cells) for r in rows)
        first = self.row + 1
        for row in rows:
            self.row += 1
            for c in range(1, width + 1):
                cell = self.sheet.cell(self.row, c)
                if c <= len(row.cells):
                    text = row.cells[c - 1].text
                    number = _as_number(text)
                    if number is not None:
                        cell.value, cell.number_format = number
                    elif text:
                        cell.value = text
                        if text.startswith("="):  # typed text, not a formula (Excel's ' prefix)
                            cell.data_type = "s"
                            cell.quotePrefix = True
                cell.border = border
                cell.alignment = wrap
            if len(row.cells) < width:
                self.sheet.merge_cells(start_row=self.row, start_column=len(row.cells), end_row=self.row, end_column=width)
        for top, bottom in vertical_merges(rows):
            self.sheet.merge_cells(start_row=first + top, start_column=1, end_row=first + bottom, end_column=1)

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        write_deterministic_zip(buffer.getvalue(), path)


def _as_number(text: str) -> tuple[float, str] | None:
    for pattern, number_format in NUMBER_FORMATS:
        if pattern.match(text):
            value = float(text.replace(",", "").rstrip("%"))
            return (value / 100 if number_format.endswith("%") else value), number_format
    return None


def write_xlsx(stream: BlockStream, path: Path, key: str) -> None:
    doc = assemble(stream, str(path), "text", parse_value)
    starts = {p.loc.line: p.index for p in doc.projects}
    per_sheet = SEVERAL_PER_SHEET.get(key, 1)
    writer = XlsxWriter()
    writer.new_sheet("第一部分")
    for kind, blocks in groups(stream.blocks):
        first_line = blocks[0].loc.line
        index = starts.get(first_line)
        if index is not None and (index - 1) % per_sheet == 0:
            last = min(index + per_sheet - 1, len(doc.projects))
            writer.new_sheet(f"项目{index}" if per_sheet == 1 else f"项目{index}-{last}")
        if kind == "t":
            writer.table(blocks)
            writer.row += 1  # a blank row after each table
        else:
            writer.paragraph(blocks[0])
    writer.save(path)


# -- deterministic packaging ------------------------------------------------------------------
CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def write_deterministic_zip(data: bytes, path: Path) -> None:
    """Rewrite an OOXML package with fixed entry times and fixed core-property dates."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries:
            if name == "docProps/core.xml":
                content = CORE_DATES.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", content)
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content, compresslevel=9)
    path.write_bytes(out.getvalue())


PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[^)]*\)")
PDF_ID = re.compile(rb"/ID\s*\[\s*<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*\]|/DocChecksum\s*/[0-9A-Fa-f]+")


def _same_length(pattern: re.Pattern, data: bytes, make) -> bytes:
    def replace(match: re.Match) -> bytes:
        new = make(match)
        return new[: len(match.group(0))].ljust(len(match.group(0)), b" ")

    return pattern.sub(replace, data)


def normalise_pdf(path: Path) -> None:
    """Fix the PDF's dates, document ID and checksum (same byte lengths, so the xref table stays valid)."""
    data = path.read_bytes()
    data = _same_length(PDF_DATE, data, lambda m: b"/" + m.group(1) + b"(D:20240101000000Z)")
    data = _same_length(PDF_ID, data, lambda m: re.sub(rb"(?<=[</])[0-9A-Fa-f]+(?=>|$)", lambda h: b"0" * len(h.group(0)), m.group(0)))
    path.write_bytes(data)


def to_format(source: Path, target: Path, fmt: str) -> bool:
    """Convert with LibreOffice (``soffice --headless --convert-to``); False when not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                        "--outdir", tmp, str(source)], check=True, capture_output=True, timeout=300)
        shutil.copyfile(Path(tmp) / f"{source.stem}.{fmt}", target)
    return True


def to_pdf(docx_path: Path, pdf_path: Path) -> bool:
    if not to_format(docx_path, pdf_path, "pdf"):
        return False
    normalise_pdf(pdf_path)
    return True


# -- hand-shaped edge cases -------------------------------------------------------------------
def _row(*texts: str) -> Row:
    from auditor.model import Location
    from auditor.readers.blocks import Cell

    return Row([Cell(t, Location()) for t in texts], Location(), 1)


def _para(text: str) -> Paragraph:
    from auditor.model import Location

    return Paragraph(text, Location())


INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")


def edge_project_rows(indicators: int = 6) -> list[Row]:
    rows = [
        _row("100001测试单位", "单位：万元"),
        _row("项目编码", "100-0001-TEST", "项目名称", "边界测试项目"),
        _row("预算规模及资金用途", "预算数", "12.50", "其中：财政资金", "12.50", "其他资金", ""),
        _row("", "用于边界测试"),
        _row("资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"),
        _row("", "10.00", "40.00", "80.00", "100.00"),
        _row("绩效目标", "1、完成测试\n2、覆盖合并单元格"),
        _row(*INDICATOR_HEADER),
    ]
    categories = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
                  ("效益指标", "社会效益指标"), ("效益指标", "可持续影响指标"), ("满意度指标", "服务对象满意度指标")]
    previous = None
    for n in range(indicators):
        level1, level2 = categories[n % len(categories)]
        shown = "" if level1 == previous else level1
        previous = level1
        rows.append(_row(shown, level2, f"测试指标{n + 1}", f"第{n + 1}项测试指标", f"≥{90 + n % 10}%", "测试依据"))
    return rows


def write_edge_cases(pdf: bool) -> None:
    # merged cells across rows (vMerge in the first column, gridSpan on short rows)
    writer = DocxWriter()
    writer.paragraph(_para("1、边界测试项目绩效目标表"), "Heading 2")
    writer.table(edge_project_rows())
    writer.save(OUT / "edge_merged.docx")
    if pdf and not (OUT / "edge_merged.doc").exists():  # Word 97: LibreOffice stamps it; made once
        to_format(OUT / "edge_merged.docx", OUT / "edge_merged.doc", "doc")
    xlsx = XlsxWriter()
    xlsx.new_sheet("合并单元格")
    xlsx.paragraph(_para("1、边界测试项目绩效目标表"))
    xlsx.table(edge_project_rows())
    xlsx.save(OUT / "edge_merged.xlsx")

    # a table split over two pages: in Word, a long table flowing over the page break, and a
    # table continued after a manual page break (two tables, one empty paragraph between)
    writer = DocxWriter()
    for n in range(30):
        writer.paragraph(_para(f"填充段落 {n + 1}：使表格从第一页底部开始。"), None)
    writer.paragraph(_para("1、跨页表格项目绩效目标表"), "Heading 2")
    writer.table(edge_project_rows(24))
    writer.save(OUT / "edge_split_table.docx")
    if pdf:
        to_pdf(OUT / "edge_split_table.docx", OUT / "edge_split_table.pdf")
    writer = DocxWriter()
    writer.paragraph(_para("1、分成两个表格的项目绩效目标表"), "Heading 2")
    rows = edge_project_rows(12)
    writer.table(rows[:14])
    writer.page_break()
    writer.table(rows[14:])
    writer.save(OUT / "edge_two_tables.docx")

    # an empty table (rows with no text) and a table with no rows
    writer = DocxWriter()
    writer.paragraph(_para("空表格"), None)
    writer.table([_row("", "", ""), _row("", "", "")])
    writer.empty_paragraph()
    from docx.oxml import OxmlElement

    writer.document.element.body.append(OxmlElement("w:tbl"))
    writer.paragraph(_para("表格之后的段落"), None)
    writer.save(OUT / "edge_empty_table.docx")

    # a nested table inside the 绩效目标 cell
    writer = DocxWriter()
    writer.paragraph(_para("1、嵌套表格项目绩效目标表"), "Heading 2")
    rows = edge_project_rows()
    writer.table(rows, nested={(6, 1): [["子目标", "完成时间"], ["完成验收", "12月底"]]})
    writer.save(OUT / "edge_nested_table.docx")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-pdf", action="store_true", help="do not run LibreOffice")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = not args.no_pdf and bool(shutil.which("soffice") or shutil.which("libreoffice"))
    for source in sorted(SAMPLES.glob("*.txt")):
        key = source.name[:3]
        stream = stream_of(source)
        write_docx(stream, OUT / f"{key}.docx")
        write_xlsx(stream, OUT / f"{key}.xlsx", key)
        if pdf:
            to_pdf(OUT / f"{key}.docx", OUT / f"{key}.pdf")
        print(f"{key}: docx, xlsx{', pdf' if pdf else ''}")
    (OUT / "004_gbk.txt").write_bytes(
        (SAMPLES / "004_2f558b6c4fb9792b.txt").read_text(encoding="utf-8").encode("gbk")
    )
    write_edge_cases(pdf)
    if not pdf:
        print("PDFs not rebuilt (LibreOffice not found, or --no-pdf): the committed ones are kept")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
