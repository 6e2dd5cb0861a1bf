"""``--format xlsx`` (with ``--output FILE``): an Excel workbook for reviewers (Excel, WPS).

Four sheets: ``汇总`` (``Summary``) with the run's counts (and the projects' verdicts per unit) — by severity, dimension and rule
(findings, checked, not checkable), waived, baseline, the projects with most findings,
unreadable inputs, inputs whose layout was not understood (located), waiver notices, the layout
each draft was read with and the reader's notes (located) —; ``审核结论`` (``Verdicts``), one row
per project: 通过 / 修改后通过 / 不通过, why, and the indicators (二级/三级) to revise; ``问题清单`` (``Findings``), one row per finding (by
dimension within a draft with ``--group-by dimension``) with a frozen header row, an autofilter,
column widths fitted to the first rows (a CJK character counts two) and wrapped text in the long
columns; and ``审核意见`` (``Review opinion``): per draft and dimension, each problem once with
its count, places and advice. Headers are Chinese, English with ``--lang en``.

openpyxl runs in write-only mode: rows go to its temporary files as drafts arrive; only the
first ``SAMPLE_ROWS`` findings wait in memory until the column widths are known. The bytes are
deterministic: fixed document properties and zip entry dates (the archive is rewritten in
``finish`` with ``ZIP_DATE``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from auditor.findings import DocumentResult, Finding
from auditor.opinion import group_by_dimension, review_opinion
from auditor.report import DIMENSION_EN, SEVERITY_ZH, InputError, RunInfo, unit_name
from auditor.verdicts import REJECT, VERDICTS, indicator_name, verdict_label
from auditor.ziparchive import FIXED_TIME, save_workbook_fixed
from auditor.writers import ReportWriter, error_label, error_reason, relative_path

SAMPLE_ROWS = 200
MAX_CELL = 32767  # Excel's limit on the characters of a cell
SHEETS = {"zh": ("汇总", "审核结论", "问题清单", "审核意见"), "en": ("Summary", "Verdicts", "Findings", "Review opinion")}
VERDICT_HEADERS = {
    "zh": ["文件", "单位", "项目序号", "项目编码", "项目名称", "审核结论", "原因", "需修改的指标"],
    "en": ["File", "Unit", "Project no.", "Project code", "Project name", "Verdict", "Why", "Indicators to revise"],
}
VERDICT_WIDTHS = [30, 24, 8, 24, 36, 12, 44, 60]
HEADERS = {
    "zh": ["文件", "项目序号", "项目编码", "项目名称", "行", "列", "字段", "规则", "级别", "维度", "问题", "建议", "原文", "豁免理由", "基线"],
    "en": ["File", "Project no.", "Project code", "Project name", "Line", "Column", "Field", "Rule", "Severity", "Dimension", "Problem", "Suggestion", "Evidence", "Waiver reason", "Baseline"],
}
# the widest each column may grow to, in character widths; the wrapped columns stop there
MAX_WIDTHS = [40, 10, 26, 30, 8, 8, 24, 24, 10, 10, 60, 50, 30, 30, 8]
WRAPPED = {3, 10, 11, 12, 13}
OPINION_HEADERS = {
    "zh": ["文件", "维度", "问题", "规则", "级别", "条数", "位置", "示例", "建议"],
    "en": ["File", "Dimension", "Problem", "Rule", "Severity", "Count", "Places", "Example", "Suggestion"],
}
OPINION_WIDTHS = [30, 10, 24, 22, 8, 6, 50, 60, 50]
OPINION_WRAPPED = {2, 6, 7, 8}
WORDS = {
    "zh": {
        "title": "budget-audit 审核汇总",
        "version": "版本",
        "documents": "文本数",
        "unreadable": "无法读取",
        "projects": "项目数",
        "findings": "问题数（未豁免、非基线）",
        "failing": "达到失败级别",
        "waived": "已豁免",
        "baseline": "基线已有",
        "by_severity": "按级别",
        "by_dimension": "按维度",
        "by_rule": "按规则",
        "rule_header": ["规则", "名称", "级别", "维度", "问题数", "已检查", "无法判断"],
        "worst": "问题最多的项目",
        "worst_header": ["文件", "项目序号", "项目名称", "问题数"],
        "unreadable_header": ["文件", "行", "原因"],
        "not_understood": "未能识别版式",
        "not_understood_header": ["文件", "行", "位置", "原因"],
        "layouts": "读取版式与读取提示",
        "layouts_header": ["文件", "读取版式", "读取提示"],
        "notes": "读取提示",
        "notes_header": ["文件", "行", "位置", "读取提示"],
        "notices": "豁免提示",
        "yes": "是",
        "verdicts": "项目审核结论（按单位）",
        "unit": "单位",
        "drafts": "文本数",
        "all_projects": "合计",
    },
    "en": {
        "title": "budget-audit summary",
        "version": "version",
        "documents": "drafts",
        "unreadable": "unreadable",
        "projects": "projects",
        "findings": "findings (not waived, not in baseline)",
        "failing": "at or above the failure level",
        "waived": "waived",
        "baseline": "in baseline",
        "by_severity": "by severity",
        "by_dimension": "by dimension",
        "by_rule": "by rule",
        "rule_header": ["rule", "title", "severity", "dimension", "findings", "checked", "not checkable"],
        "worst": "projects with most findings",
        "worst_header": ["file", "project no.", "project name", "findings"],
        "unreadable_header": ["file", "line", "reason"],
        "not_understood": "layout not understood",
        "not_understood_header": ["file", "line", "location", "reason"],
        "layouts": "layouts and reader notes",
        "layouts_header": ["file", "layout", "reader notes"],
        "notes": "reader notes",
        "notes_header": ["file", "line", "location", "note"],
        "notices": "waiver notices",
        "yes": "yes",
        "verdicts": "verdicts of the projects, by unit",
        "unit": "unit",
        "drafts": "drafts",
        "all_projects": "all",
    },
}


def display_width(value: Any) -> int:
    """The width of the widest line of ``value`` in character cells: wide (CJK) characters
    count two."""
    lines = str(value).split("\n") if value is not None else [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


class XlsxWriter(ReportWriter):
    """Findings rows streamed to the second sheet; the summary sheet written in ``finish``."""

    binary = True

    def __init__(self, out: Any, run: RunInfo) -> None:
        super().__init__(out, run)
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font, PatternFill

        self._illegal = ILLEGAL_CHARACTERS_RE
        self.workbook = Workbook(write_only=True)
        summary_title, verdicts_title, findings_title, opinion_title = SHEETS[run.lang]
        self.summary_sheet = self.workbook.create_sheet(summary_title)
        self.verdict_sheet = self.workbook.create_sheet(verdicts_title)
        self.verdict_sheet.freeze_panes = "A2"
        self.verdict_rows: list[list[Any]] = []
        self.sheet = self.workbook.create_sheet(findings_title)
        self.sheet.freeze_panes = "A2"
        self.opinion_sheet = self.workbook.create_sheet(opinion_title)
        self.opinion_sheet.freeze_panes = "A2"
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="FFDDE4EE")
        self.top = Alignment(vertical="top")
        self.wrap = Alignment(vertical="top", wrap_text=True)
        self.pending: list[list[Any]] | None = []  # rows held back until the widths are set
        self.opinion_started = False
        self.rows = 0
        self.errors: list[InputError] = []
        # per draft for the summary sheet: (path, layout, number of notes), and the notes' rows
        self.layouts: list[tuple[str, str | None, int]] = []
        self.notes: list[list[Any]] = []

    # cells ------------------------------------------------------------------------------
    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._illegal.sub("", value)[:MAX_CELL]
        return value

    def _cell(self, sheet: Any, value: Any, alignment: Any = None, header: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, self._value(value))
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, even when the text starts with "="
        if header:
            cell.font = self.header_font
            cell.fill = self.header_fill
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def _set_widths(self, sheet: Any, rows: list[list[Any]], limits: list[int]) -> None:
        from openpyxl.utils import get_column_letter

        for i, limit in enumerate(limits):
            widest = max((display_width(row[i]) for row in rows if i < len(row) and row[i] is not None), default=4)
            sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(widest, 4), limit) + 2

    # findings sheet ---------------------------------------------------------------------
    def _row(self, finding: Finding, path: str) -> list[Any]:
        lang = self.run.lang
        project = finding.project
        return [
            path,
            None if project is None else project.index,
            None if project is None else project.code,
            None if project is None else project.name,
            finding.line,
            finding.column,
            finding.field,
            finding.rule,
            SEVERITY_ZH[finding.severity] if lang == "zh" else finding.severity,
            finding.dimension if lang == "zh" else DIMENSION_EN.get(finding.dimension, finding.dimension),
            finding.text(lang),
            finding.advice(lang),
            finding.evidence,
            finding.waived,
            WORDS[lang]["yes"] if finding.baseline else None,
        ]

    def _append(self, row: list[Any]) -> None:
        self.sheet.append([None if v is None else self._cell(self.sheet, v, self.wrap if i in WRAPPED else self.top) for i, v in enumerate(row)])
        self.rows += 1

    def _flush(self) -> None:
        """Fit the column widths to the rows held back, write the header and those rows."""
        if self.pending is None:
            return
        headers = HEADERS[self.run.lang]
        self._set_widths(self.sheet, [headers, *self.pending], MAX_WIDTHS)
        self.sheet.append([self._cell(self.sheet, h, self.top, header=True) for h in headers])
        pending, self.pending = self.pending, None
        for row in pending:
            self._append(row)

    def document(self, result: DocumentResult) -> None:
        path = relative_path(result.path, self.run.base)
        findings = result.findings
        if self.run.group_by == "dimension":
            findings = [f for group in group_by_dimension(findings, active_only=False).values() for f in group]
        self._opinion(result, path)
        self._verdicts(result, path)
        self.layouts.append((path, result.layout, len(result.notes)))
        self.notes.extend([path, n.line, n.ref, n.text(self.run.lang)] for n in result.notes)
        for finding in findings:
            row = self._row(finding, path)
            if self.pending is not None:
                self.pending.append(row)
                if len(self.pending) >= SAMPLE_ROWS:
                    self._flush()
            else:
                self._append(row)

    def unreadable(self, error: InputError) -> None:
        self.errors.append(error)

    # verdict sheet ----------------------------------------------------------------------
    def _verdicts(self, result: DocumentResult, path: str) -> None:
        """One row per project (and the department-level part when it has findings)."""
        lang = self.run.lang
        unit = unit_name(result.department)
        for p in self.run.verdict(result).projects:
            self.verdict_rows.append([
                path, unit, p.index, p.code, p.display_name(lang), p.label(lang),
                "；".join(r.text(lang) for r in p.reasons) if lang == "zh" else "; ".join(r.text(lang) for r in p.reasons),
                "、".join(indicator_name(i) for i in p.indicators) if lang == "zh" else ", ".join(indicator_name(i) for i in p.indicators),
            ])

    def _write_verdicts(self) -> None:
        """The verdict sheet (its rows are few: one per project), unread inputs as 不通过."""
        lang = self.run.lang
        rows = self.verdict_rows + [
            [relative_path(e.path, self.run.base), unit_name(None), None, None, None, verdict_label(REJECT, lang), error_label(e, lang), None]
            for e in self.errors
        ]
        headers = VERDICT_HEADERS[lang]
        sheet = self.verdict_sheet
        self._set_widths(sheet, [headers, *rows[:SAMPLE_ROWS]], VERDICT_WIDTHS)
        sheet.append([self._cell(sheet, h, self.top, header=True) for h in headers])
        for row in rows:
            sheet.append([None if v is None else self._cell(sheet, v, self.wrap if i in (4, 6, 7) else self.top) for i, v in enumerate(row)])

    # opinion sheet ----------------------------------------------------------------------
    def _opinion(self, result: DocumentResult, path: str) -> None:
        lang = self.run.lang
        sheet = self.opinion_sheet
        if not self.opinion_started:
            from openpyxl.utils import get_column_letter

            headers = OPINION_HEADERS[lang]
            for i, width in enumerate(OPINION_WIDTHS):  # fixed: the rows come later, draft by draft
                sheet.column_dimensions[get_column_letter(i + 1)].width = width
            sheet.append([self._cell(sheet, h, self.top, header=True) for h in headers])
            self.opinion_started = True
        more = "等{n}处" if lang == "zh" else "and {n} more"
        for part in review_opinion(result.findings, self.run):
            for item in part.items:
                places = "\n".join(item.places) + (("\n" + more.format(n=item.more_places)) if item.more_places else "")
                row = [
                    path,
                    part.label,
                    item.title,
                    item.rule,
                    SEVERITY_ZH[item.severity] if lang == "zh" else item.severity,
                    item.count,
                    places,
                    item.example,
                    item.suggestion,
                ]
                sheet.append([self._cell(sheet, v, self.wrap if i in OPINION_WRAPPED else self.top) for i, v in enumerate(row)])

    # summary sheet ----------------------------------------------------------------------
    def _summary_rows(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> list[tuple[list[Any], bool]]:
        """The summary sheet as (row, is_heading) pairs."""
        lang = self.run.lang
        words = WORDS[lang]
        severity_label = (lambda s: SEVERITY_ZH[s]) if lang == "zh" else (lambda s: s)
        dimension_label = (lambda d: d) if lang == "zh" else (lambda d: DIMENSION_EN.get(d, d))
        not_understood = summary["not_understood"]
        rows: list[tuple[list[Any], bool]] = [([words["title"]], True)]
        if self.run.version:
            rows.append(([words["version"], self.run.version], False))
        rows += [
            ([words["documents"], summary["documents"]], False),
            ([words["unreadable"], summary["unreadable"] - not_understood], False),
            ([words["not_understood"], not_understood], False),
            ([words["projects"], summary["projects"]], False),
            ([words["findings"], summary["findings"]], False),
            ([f"{words['failing']} ({summary['fail_on']})", summary["failing"]], False),
            ([words["waived"], summary["waived"]], False),
            ([words["baseline"], summary["baseline"]], False),
            ([], False),
            ([words["by_severity"]], True),
            *(([severity_label(s), n], False) for s, n in summary["by_severity"].items()),
            ([], False),
            ([words["by_dimension"]], True),
            *(([dimension_label(d), n], False) for d, n in summary["by_dimension"].items()),
            ([], False),
            ([words["by_rule"]], True),
            (words["rule_header"], True),
        ]
        for rule in self.run.rules:
            outcome = summary["rules"].get(rule.id, {})
            rows.append((
                [
                    rule.id,
                    rule.title.get(lang) or rule.title.get("zh", ""),
                    severity_label(rule.severity),
                    dimension_label(rule.dimension),
                    summary["by_rule"].get(rule.id, 0),
                    outcome.get("checked", 0),
                    outcome.get("not_checkable", 0),
                ],
                False,
            ))
        verdicts = summary.get("verdicts")
        if verdicts:
            labels = [verdict_label(v, lang) for v in VERDICTS]
            rows += [([], False), ([words["verdicts"]], True), ([words["unit"], words["drafts"], *labels], True)]
            rows += [([u["unit"], sum(u["drafts"].values()), *(u["projects"][v] for v in VERDICTS)], False) for u in verdicts["units"]]
            rows.append(([words["all_projects"], sum(verdicts["drafts"].values()), *(verdicts["projects"][v] for v in VERDICTS)], False))
        if summary["worst_projects"]:
            rows += [([], False), ([words["worst"]], True), (words["worst_header"], True)]
            rows += [
                ([relative_path(w["path"], self.run.base), w["index"], w["name"], w["findings"]], False)
                for w in summary["worst_projects"]
            ]
        unreadable = [e for e in self.errors if e.kind != "not_understood"]
        not_understood = [e for e in self.errors if e.kind == "not_understood"]
        if unreadable:
            rows += [([], False), ([words["unreadable"]], True), (words["unreadable_header"], True)]
            rows += [([relative_path(e.path, self.run.base), e.line, e.message], False) for e in unreadable]
        if not_understood:
            rows += [([], False), ([words["not_understood"]], True), (words["not_understood_header"], True)]
            rows += [([relative_path(e.path, self.run.base), e.line, e.ref, error_reason(e)], False) for e in not_understood]
        if notices:
            rows += [([], False), ([words["notices"]], True)]
            rows += [([n.get(lang) or n.get("zh", "")], False) for n in notices]
        if self.layouts:
            rows += [([], False), ([words["layouts"]], True), (words["layouts_header"], True)]
            rows += [([path, layout, count], False) for path, layout, count in self.layouts]
        if self.notes:
            rows += [([], False), ([words["notes"]], True), (words["notes_header"], True)]
            rows += [(row, False) for row in self.notes]
        return rows

    def _write_summary(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        rows = self._summary_rows(summary, notices)
        sheet = self.summary_sheet
        # the first column holds the long labels and titles: fit it to the rows below the title
        self._set_widths(sheet, [row for row, _ in rows[1:]], [40, 40, 12, 16, 10, 10, 12])
        for row, heading in rows:
            sheet.append([None if v is None else self._cell(sheet, v, self.top, header=heading) for v in row])

    # the end ----------------------------------------------------------------------------
    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        from openpyxl.utils import get_column_letter

        self._flush()
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS['zh']))}{self.rows + 1}"
        self._write_summary(summary, notices)
        self._write_verdicts()
        properties = self.workbook.properties
        properties.creator = "budget-audit"
        properties.lastModifiedBy = "budget-audit"
        properties.title = WORDS[self.run.lang]["title"]
        properties.created = properties.modified = FIXED_TIME
        save_workbook_fixed(self.workbook, self.out)
