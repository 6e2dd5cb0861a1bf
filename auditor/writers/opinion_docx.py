"""``--format docx`` (with ``--output FILE``): the 审核意见 a finance bureau's reviewer sends each
unit (预算单位), as a Word document written with python-docx.

One opinion per unit — drafts of one unit together in input order, each unit on a new page,
drafts naming no unit under ``未注明单位`` with the inputs that were not audited — laid out as
a bureau's 审核意见表: title, addressee, an opening sentence, a verdict table (序号 | 项目编码 |
项目名称 | 审核结论 | 主要问题/需修改的指标), per review dimension ``一、完整性（N条）`` with each
problem once (count, places, an example, the advice), the inputs not audited, the request to
revise and resubmit (by the deadline if one is set), and the signature block. English with
``--lang en``.

Drafts are kept until ``finish`` (a unit's drafts may be far apart in the input), with only
their findings still to deal with, without the draft text around them. The bytes are
deterministic: core properties dated with the opinion's date, zip entries with ``ZIP_DATE``.
``--docx-dir DIR`` (``OpinionFolderWriter``) writes the same document per unit, one file each.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from auditor.atomic import atomic_output
from auditor.findings import DocumentResult, Finding
from auditor.opinion import review_opinion
from auditor.report import UNKNOWN_UNIT, InputError, RunInfo, is_active, unit_name, written_date
from auditor.verdicts import PASS, REJECT, VERDICTS, DraftVerdict, ProjectVerdict, indicator_name, verdict_label
from auditor.writers import ReportWriter, error_place, error_text, relative_path
from auditor.ziparchive import write_fixed

NUMERALS = "一二三四五六七八九十"
FILE_NAME_BYTES = 200  # a unit's file name, within the 255 bytes file systems allow, room left for -N.docx
INDICATORS_SHOWN = 8  # indicators named in a project's row of the verdict table; the rest are counted
PAGE_MM = (210, 297)  # A4
MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right, as GB/T 9704 sets them for official documents
COLUMN_MM = (12, 38, 36, 24, 46)  # the verdict table's columns, within the 156 mm of text width
FONTS = {  # style → (east-Asian font, Latin font, size in points, bold)
    "Normal": ("仿宋", "Times New Roman", 14, False),
    "Opinion Title": ("宋体", "Times New Roman", 22, True),
    "Heading 1": ("黑体", "Times New Roman", 16, False),
    "Heading 2": ("楷体", "Times New Roman", 14, True),
    "Opinion Table": ("宋体", "Times New Roman", 10.5, False),
}
WORDS: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "{year}年度项目支出绩效目标审核意见",
        "title_no_year": "项目支出绩效目标审核意见",
        "year_sep": "、",
        "addressee": "{unit}：",
        "unknown_unit": UNKNOWN_UNIT,
        "opening": "经审核，{parts}。审核意见如下：",
        "projects": "你单位报送的{n}个项目中，{counts}",
        "count": "{label}{n}个",
        "count_sep": "、",
        "unread": "你单位报送的{n}个文件未能审核",
        "unread_also": "另有{n}个文件未能审核",
        "parts_sep": "；",
        "header": ("序号", "项目编码", "项目名称", "审核结论", "主要问题/需修改的指标"),
        "file_row": "文件：{path}",
        "indicators": "需修改的指标：{names}",
        "more_indicators": "等{n}个",
        "list_sep": "、",
        "reason_sep": "；",
        "none": "—",
        "dimension": "{numeral}、{label}（{n}条）",
        "problem": "（{numeral}）{title}（{n}条）",
        "places": "涉及：{places}",
        "places_sep": "；",
        "more_places": "等{n}处",
        "example": "例：{text}",
        "advice": "修改建议：{text}",
        "no_problem": "未发现需要修改的问题。",
        "unread_heading": "{numeral}、未能审核的文件（{n}个）",
        "unread_item": "{place}：{reason}。请核对文件后重新报送。",
        "revise": "请你单位对照上述意见修改完善绩效目标，{due}重新报送。",
        "due": "于{date}前",
        "due_none": "修改后",
        "all_pass": "你单位报送的项目绩效目标审核通过，请据此组织实施。",
        "issuer": "审核单位：{name}",
        "reviewer": "审核人：{name}",
        "blank": "＿＿＿＿＿＿＿＿",
    },
    "en": {
        "title": "Review opinion on the {year} project expenditure performance targets",
        "title_no_year": "Review opinion on the project expenditure performance targets",
        "year_sep": ", ",
        "addressee": "To {unit}:",
        "unknown_unit": "unit not stated (未注明单位)",
        "opening": "Having reviewed the drafts: {parts}. Our opinion is as follows:",
        "projects": "of the {n} projects your unit submitted, {counts}",
        "count": "{n} {label}",
        "count_sep": ", ",
        "unread": "{n} file(s) could not be audited",
        "unread_also": "{n} file(s) could not be audited",
        "parts_sep": "; ",
        "header": ("No.", "Project code", "Project name", "Verdict", "Main problems / indicators to revise"),
        "file_row": "File: {path}",
        "indicators": "indicators to revise: {names}",
        "more_indicators": " and {n} more",
        "list_sep": ", ",
        "reason_sep": "; ",
        "none": "—",
        "dimension": "{numeral}. {label} ({n})",
        "problem": "({numeral}) {title} ({n})",
        "places": "Where: {places}",
        "places_sep": "; ",
        "more_places": "and {n} more",
        "example": "e.g. {text}",
        "advice": "Advice: {text}",
        "no_problem": "No problem to correct was found.",
        "unread_heading": "{numeral}. Files that could not be audited ({n})",
        "unread_item": "{place}: {reason}. Please check the file and submit it again.",
        "revise": "Please revise the performance targets as set out above and resubmit them{due}.",
        "due": " by {date}",
        "due_none": "",
        "all_pass": "The performance targets your unit submitted pass the review.",
        "issuer": "Reviewing body: {name}",
        "reviewer": "Reviewer: {name}",
        "blank": "________________",
    },
}
def numeral(n: int, lang: str) -> str:
    """The 1-based ``n`` as a heading numbers it: ``一`` … ``十``, ``十一`` … (zh); ``1`` (en)."""
    if lang != "zh":
        return str(n)
    if n <= 10:
        return NUMERALS[n - 1]
    tens, units = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[units - 1] if units else "")


@dataclass(frozen=True, slots=True)
class DraftEntry:
    """What a unit's opinion needs of one input: an audited draft's verdict and findings still
    to deal with, or the error that kept an input from being audited."""

    path: str
    year: int | None
    verdict: DraftVerdict | None = None
    findings: tuple[Finding, ...] = ()
    error: InputError | None = None


class OpinionDocxWriter(ReportWriter):
    """Drafts collected by unit; the whole document written in ``finish``."""

    binary = True

    def __init__(self, out: Any, run: RunInfo) -> None:
        super().__init__(out, run)
        self.units: dict[str, list[DraftEntry]] = {}  # unit → its inputs, units in order first met
        self.words = WORDS["zh" if run.lang == "zh" else "en"]

    def document(self, result: DocumentResult) -> None:
        findings = tuple(replace(f, context=None) for f in result.findings if is_active(f))
        entry = DraftEntry(relative_path(result.path, self.run.base), result.year, self.run.verdict(result), findings)
        self.units.setdefault(unit_name(result.department), []).append(entry)

    def unreadable(self, error: InputError) -> None:
        self.units.setdefault(UNKNOWN_UNIT, []).append(DraftEntry(relative_path(error.path, self.run.base), None, error=error))

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        self.out.write(self.render(list(self.units)))

    def render(self, units: list[str]) -> bytes:
        """The document holding the opinions of ``units`` (of those collected), each on a new
        page: every unit's for the single file, one unit's for its own file."""
        document = Document()
        _set_up(document)
        for n, unit in enumerate(units):
            self._unit(document, unit, self.units[unit], new_page=n > 0)
        date = datetime.datetime.fromisoformat(self.run.opinion["date"])
        properties = document.core_properties
        properties.title = self.words["title_no_year"]
        properties.author = properties.last_modified_by = self.run.opinion.get("issuer") or "budget-audit"
        properties.created = properties.modified = properties.last_printed = date
        properties.revision = 1
        fixed = io.BytesIO()
        write_fixed(document.save, fixed)
        return fixed.getvalue()

    # one unit ---------------------------------------------------------------------------
    def _unit(self, document: Any, unit: str, entries: list[DraftEntry], new_page: bool) -> None:
        words, lang = self.words, self.run.lang
        years = sorted({e.year for e in entries if e.year is not None})
        title = words["title"].format(year=words["year_sep"].join(map(str, years))) if years else words["title_no_year"]
        heading = document.add_paragraph(title, style="Opinion Title")
        heading.paragraph_format.page_break_before = new_page
        addressee = words["unknown_unit"] if unit == UNKNOWN_UNIT else unit
        document.add_paragraph(words["addressee"].format(unit=addressee)).paragraph_format.first_line_indent = 0
        rows = [p for e in entries if e.verdict for p in e.verdict.projects]
        errors = [e for e in entries if e.error is not None]
        document.add_paragraph(self._opening(rows, len(errors)))
        self._verdict_table(document, entries)
        opinion = review_opinion([f for e in entries for f in e.findings], self.run)
        for n, part in enumerate(opinion, 1):
            document.add_paragraph(words["dimension"].format(numeral=numeral(n, lang), label=part.label, n=part.count), style="Heading 1")
            for m, item in enumerate(part.items, 1):
                document.add_paragraph(words["problem"].format(numeral=numeral(m, lang), title=item.title, n=item.count), style="Heading 2")
                places = list(item.places) + ([words["more_places"].format(n=item.more_places)] if item.more_places else [])
                document.add_paragraph(words["places"].format(places=words["places_sep"].join(places)))
                document.add_paragraph(words["example"].format(text=item.example))
                if item.suggestion:
                    document.add_paragraph(words["advice"].format(text=item.suggestion))
        if errors:
            document.add_paragraph(
                words["unread_heading"].format(numeral=numeral(len(opinion) + 1, lang), n=len(errors)), style="Heading 1"
            )
            for error, path in ((e.error, e.path) for e in errors if e.error is not None):
                reason = error_text(error, lang, located=False)
                document.add_paragraph(words["unread_item"].format(place=error_place(error, path), reason=reason))
        if not opinion and not errors:
            document.add_paragraph(words["no_problem"])
        if errors or any(p.verdict != PASS for p in rows):
            deadline = self.run.opinion.get("deadline")
            due = words["due"].format(date=written_date(deadline, lang)) if deadline else words["due_none"]
            document.add_paragraph(words["revise"].format(due=due))
        else:
            document.add_paragraph(words["all_pass"])
        self._signature(document)

    def _opening(self, rows: list[ProjectVerdict], unread: int) -> str:
        words, lang = self.words, self.run.lang
        projects = [p for p in rows if p.index is not None]
        parts = []
        if projects:
            counts = {}
            for p in projects:
                counts[p.verdict] = counts.get(p.verdict, 0) + 1
            shown = words["count_sep"].join(
                words["count"].format(label=verdict_label(v, lang), n=n) for v, n in sorted(counts.items(), key=lambda c: VERDICTS.index(c[0]))
            )
            parts.append(words["projects"].format(n=len(projects), counts=shown))
        if unread:
            parts.append(words["unread_also" if parts else "unread"].format(n=unread))
        if not parts:
            parts.append(words["projects"].format(n=0, counts=words["none"]))
        return words["opening"].format(parts=words["parts_sep"].join(parts))

    def _verdict_table(self, document: Any, entries: list[DraftEntry]) -> None:
        words, lang = self.words, self.run.lang
        style_id = document.styles["Opinion Table"].style_id
        table = document.add_table(rows=1, cols=len(COLUMN_MM))
        table.style = "Table Grid"
        table.autofit = False
        for cell, text in zip(table.rows[0].cells, words["header"]):
            _fill(cell, text, style_id, bold=True)
        _repeat_as_header(table.rows[0])
        several = len(entries) > 1
        for entry in entries:
            if several:
                cells = table.add_row().cells
                _fill(cells[0].merge(cells[-1]), words["file_row"].format(path=entry.path), style_id, bold=True)
            if entry.error is not None:
                row = (words["none"], words["none"], error_place(entry.error, entry.path), verdict_label(REJECT, lang),
                       error_text(entry.error, lang, located=False))
                for cell, text in zip(table.add_row().cells, row):
                    _fill(cell, text, style_id)
                continue
            for project in entry.verdict.projects if entry.verdict else ():
                row = (
                    words["none"] if project.index is None else str(project.index),
                    project.code or words["none"],
                    project.display_name(lang),
                    project.label(lang),
                    self._problems(project),
                )
                for cell, text in zip(table.add_row().cells, row):
                    _fill(cell, text, style_id)
        for column, width in zip(table.columns, COLUMN_MM):
            column.width = Mm(width)  # the grid, which LibreOffice and WPS lay out by
        for row in table.rows:
            for cell, width in zip(row.cells, COLUMN_MM):
                cell.width = Mm(width)  # each cell's, which Word lays out by

    def _problems(self, project: ProjectVerdict) -> str:
        """The verdict table's last column: the reasons, then the indicators that send it back."""
        words, lang = self.words, self.run.lang
        parts = [r.text(lang) for r in project.reasons]  # a passing project has none
        names = [indicator_name(i) for i in project.indicators]
        if names:
            shown = words["list_sep"].join(names[:INDICATORS_SHOWN])
            if len(names) > INDICATORS_SHOWN:
                shown += words["more_indicators"].format(n=len(names) - INDICATORS_SHOWN)
            parts.append(words["indicators"].format(names=shown))
        return words["reason_sep"].join(parts) or words["none"]

    def _signature(self, document: Any) -> None:
        words, opinion = self.words, self.run.opinion
        lines = [
            words["issuer"].format(name=opinion.get("issuer") or words["blank"]),
            words["reviewer"].format(name=opinion.get("reviewer") or words["blank"]),
            written_date(opinion["date"], self.run.lang),
        ]
        for n, text in enumerate(lines):
            paragraph = document.add_paragraph(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.first_line_indent = 0
            if n == 0:
                paragraph.paragraph_format.space_before = Pt(28)


class OpinionFolderWriter(OpinionDocxWriter):
    """``--docx-dir DIR``: each unit's opinion in a file of its own, ``DIR/<unit>.docx``, the same
    document the single file holds for that unit; each file written atomically. ``out`` is DIR."""

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        folder = Path(self.out)
        folder.mkdir(parents=True, exist_ok=True)
        for unit, name in zip(self.units, unit_file_names(list(self.units))):
            with atomic_output(folder / f"{name}.docx", binary=True) as handle:
                handle.write(self.render([unit]))


def unit_file_names(units: list[str]) -> list[str]:
    """Each unit's file name (without ``.docx``), safe on Windows and Linux; a name equal to an
    earlier one (ignoring case, as Windows and macOS do) gets ``-2``, ``-3``, …"""
    taken: set[str] = set()
    names = []
    for unit in units:
        base = safe_file_name(unit)
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        names.append(name)
    return names


def safe_file_name(text: str) -> str:
    """``text`` as a file name valid on Windows, macOS and Linux (pathvalidate: forbidden characters
    as ``_``, no trailing dot or space, ``CON`` → ``CON_``), at most ``FILE_NAME_BYTES`` of UTF-8;
    ``未注明单位`` when nothing is left."""
    from pathvalidate import sanitize_filename

    name = sanitize_filename(text.strip(), platform="universal", replacement_text="_", max_len=FILE_NAME_BYTES)
    return name if name.strip(". ") else UNKNOWN_UNIT  # "." and ".." name folders, not files


def _set_up(document: Any) -> None:
    """A4 with official-document margins; styles with a CJK font on their east-Asian slot."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (Mm(m) for m in MARGINS_MM)
    styles = document.styles
    for name in ("Opinion Title", "Opinion Table"):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    for name, (east_asian, latin, size, bold) in FONTS.items():
        style = styles[name]
        style.font.name = latin
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian_font(style, east_asian)
    normal = styles["Normal"].paragraph_format
    normal.first_line_indent = Pt(28)  # two characters
    normal.space_after = Pt(0)
    normal.line_spacing = 1.25
    title = styles["Opinion Title"].paragraph_format
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.first_line_indent = 0
    title.space_after = Pt(18)
    table = styles["Opinion Table"].paragraph_format
    table.first_line_indent = 0
    table.line_spacing = 1.0
    for name in ("Heading 1", "Heading 2"):
        heading = styles[name].paragraph_format
        heading.first_line_indent = Pt(28)
        heading.space_before, heading.space_after = Pt(6), Pt(0)


def _east_asian_font(style: Any, name: str) -> None:
    """Set the font CJK text is drawn in (python-docx sets only the Latin slots), dropping the
    theme fonts that would override it."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _fill(cell: Any, text: str, style_id: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    # by the style's id: python-docx resolves a style given by name (or object) by scanning every
    # style, per cell, which was most of the document's writing time
    paragraph._p.style = style_id
    run = paragraph.add_run(text)
    if bold:
        run.bold = True


def _repeat_as_header(row: Any) -> None:
    """The table's first row repeats on every page it spans (python-docx has no setting)."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)
