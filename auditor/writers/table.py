"""``--format table``: findings by draft, then by project (default) or by review dimension
(``--group-by dimension``, the shape of a 审核意见), for a terminal.

A draft's head names the layout it was read with; its reader notes are only counted (one line,
pointing at ``--format json``), never listed, so a terminal is not flooded. Inputs that were not
audited come after the drafts: the unreadable ones, then those whose layout was not understood,
located.

The report fits the terminal (``COLUMNS``, else the terminal's width, else 120 cells for a pipe or
a file), measuring text in display cells with wcwidth (a CJK character takes two): 问题 and 建议
wrap within their columns, and a terminal too narrow for the table gets one finding per block
(its place, then 问题 and 建议 each wrapped). No message or suggestion is ever cut."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

from wcwidth import wcswidth, wcwidth

from auditor.findings import DocumentResult, Finding
from auditor.opinion import dimension_label, group_by_dimension
from auditor.report import DIMENSION_EN, SEVERITY_ZH, InputError
from auditor.verdicts import REJECT, DraftVerdict, verdict_counts_text, verdict_label
from auditor.writers import ReportWriter, error_place, error_reason

HEADERS = {
    "zh": ["行", "级别", "规则", "维度", "问题", "建议"],
    "en": ["line", "severity", "rule", "dimension", "problem", "suggestion"],
}
DIMENSION_HEADERS = {
    "zh": ["行", "级别", "规则", "项目", "问题", "建议"],
    "en": ["line", "severity", "rule", "project", "problem", "suggestion"],
}
WORDS = {
    "zh": {
        "document": "文件",
        "department": "部门",
        "year": "年度",
        "part_one": "部门整体",
        "project": "项目",
        "none": "未发现问题",
        "summary": "汇总",
        "unreadable": "无法读取",
        "not_understood": "未能识别版式",
        "layout": "读取版式",
        "notes": "读取提示 {n} 条（见 --format json）",
        "notices": "豁免提示",
        "waived": "已豁免",
        "baseline": "基线已有",
        "not_checkable": "无法判断",
        "findings": "条",
    },
    "en": {
        "document": "file",
        "department": "department",
        "year": "year",
        "part_one": "department level",
        "project": "project",
        "none": "no findings",
        "summary": "summary",
        "unreadable": "unreadable",
        "not_understood": "layout not understood",
        "layout": "layout",
        "notes": "reader notes: {n} (see --format json)",
        "notices": "waiver notices",
        "waived": "waived",
        "baseline": "in baseline",
        "not_checkable": "not checkable",
        "findings": " findings",
    },
}


DEFAULT_WIDTH = 120  # when the output is not a terminal (a pipe, a file, a CI log) and COLUMNS is not set
MIN_WIDTH = 24  # narrower terminals are written for as if they had this many cells
GAP = "  "  # between two table columns
# The narrowest 问题 and 建议 columns a table is drawn with; below them each finding is a block.
MIN_PROBLEM = 28
MIN_ADVICE = 22

# Wrapping units: a run of whitespace, a run of printable ASCII (a word, a number, a rule id) or
# one other character, with the opening punctuation before it and the closing punctuation after
# it, so that no line starts with ，。） or ends with （《“.
_OPEN = "（(《〈「『【〔“‘"
_CLOSE = "）)》〉」』】〕”’，。、；：？！…%％·"
_UNIT = re.compile(rf"\s+|[{_OPEN}]*(?:[!-~]+|.)[{_CLOSE}]*", re.DOTALL)


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes (CJK characters take two), measured by wcwidth;
    a character wcwidth cannot measure (a control character) counts as none."""
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(c), 0) for c in text)


def output_width(out: Any, environ: Mapping[str, str] = os.environ) -> int:
    """The width to write for: ``COLUMNS`` when set, else the terminal's when ``out`` is one,
    else ``DEFAULT_WIDTH`` (a pipe or a file)."""
    columns = environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    try:
        if out.isatty():
            return max(os.get_terminal_size(out.fileno()).columns, MIN_WIDTH)
    except (AttributeError, OSError, ValueError):
        pass
    return DEFAULT_WIDTH


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _split_wide(unit: str, width: int) -> list[str]:
    """A unit wider than ``width`` (a long path or number) cut into pieces that fit."""
    pieces, piece = [], ""
    for char in unit:
        if piece and display_width(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return pieces + [piece] if piece else pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` display cells, whitespace collapsed, nothing
    dropped but the spaces where a line breaks: CJK text breaks between any two characters,
    ASCII words only between words (or inside one that alone is wider than a line)."""
    lines: list[str] = []
    line = ""
    for unit in _UNIT.findall(" ".join(text.split())):
        if unit == " ":
            if line and display_width(line) < width:
                line += " "
            continue
        if display_width(line + unit) <= width:
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        pieces = _split_wide(unit, width) if display_width(unit) > width else [unit]
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _fit(text: str, width: int) -> list[str]:
    """A line of free text (a draft's head, a title, a summary line) within ``width``: as it is
    when it fits, else wrapped with its continuation lines indented two cells more than it."""
    if display_width(text) <= width:
        return [text]
    lead = " " * (len(text) - len(text.lstrip(" ")))
    collapsed = " ".join(text.split())
    first = wrap(collapsed, max(width - len(lead), 8))[0]  # a prefix of ``collapsed``
    rest = collapsed[len(first):]
    more = lead + "  "
    return [lead + first] + ([more + part for part in wrap(rest, max(width - len(more), 8))] if rest.strip() else [])


def _fit_all(text: str, width: int) -> str:
    """Every line of ``text`` fitted to ``width``."""
    return "\n".join(part for line in text.split("\n") for part in _fit(line, width))


def _column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """Widths of the table's columns within ``width`` cells: the leading columns as wide as their
    widest cell, the last two (问题, 建议) sharing what is left; ``None`` when that is too little
    for a table."""
    natural = [max(display_width(str(c)) for c in column) for column in zip(headers, *rows)]
    room = width - sum(natural[:-2]) - len(GAP) * (len(headers) - 1)
    problem, advice = natural[-2], natural[-1]
    if room < MIN_PROBLEM + MIN_ADVICE:
        return None
    if problem + advice > room:
        if advice <= room * 2 // 5:
            problem = room - advice
        elif problem <= room * 3 // 5:
            advice = room - problem
        else:
            problem, advice = room * 3 // 5, room - room * 3 // 5
    return natural[:-2] + [problem, advice]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    """A plain-text table (header, a rule of dashes, rows) whose cells wrap within their column
    and whose columns start at the same display cell on every line."""
    def render(cells: Sequence[Sequence[str]]) -> list[str]:
        height = max(len(c) for c in cells)
        return [
            GAP.join(_pad(c[i] if i < len(c) else "", w) for c, w in zip(cells, widths)).rstrip()
            for i in range(height)
        ]

    out = render([[h] for h in headers])
    out.append(GAP.join("-" * w for w in widths))
    for row in rows:
        out.extend(render([wrap(str(cell), w) for cell, w in zip(row, widths)]))
    return "\n".join(out)


def _blocks(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, lang: str) -> str:
    """One finding per block, for a terminal too narrow for the table: a line with the leading
    columns (行 12 · 错误 · rule · 维度; a number named by its header), then 问题 and 建议, each
    wrapped under its label."""
    colon = "：" if lang == "zh" else ": "
    out = []
    for row in rows:
        head = " · ".join(
            f"{header} {cell}" if str(cell).isdigit() else str(cell) for header, cell in zip(headers, row[:-2]) if cell
        )
        out.extend(_fit("  " + head, width))
        for label, text in ((headers[-2], row[-2]), (headers[-1], row[-1])):
            prefix = f"    {label}{colon}"
            room = width - display_width(prefix)
            if room < 16:  # a label too wide for what is left: the text goes on under it
                out.append(prefix.rstrip())
                out.extend("      " + part for part in wrap(text, width - 6))
                continue
            parts = wrap(text, room)
            out.append(prefix + parts[0])
            out.extend(" " * display_width(prefix) + part for part in parts[1:])
    return "\n".join(out)


def findings_text(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, lang: str = "zh") -> str:
    """The findings of a group as a table fitted to ``width`` or, when it is too narrow for one,
    as blocks; every message and suggestion whole."""
    widths = _column_widths(headers, rows, width)
    return _blocks(headers, rows, width, lang) if widths is None else _table(headers, rows, widths)


def _severity(finding: Finding, lang: str) -> str:
    label = SEVERITY_ZH[finding.severity] if lang == "zh" else finding.severity
    if finding.waived:
        label += f" ({WORDS[lang]['waived']})"
    elif finding.baseline:
        label += f" ({WORDS[lang]['baseline']})"
    return label


def _row(finding: Finding, lang: str) -> list[str]:
    dimension = finding.dimension if lang == "zh" else DIMENSION_EN.get(finding.dimension, finding.dimension)
    line = "" if finding.line is None else str(finding.line)
    return [line, _severity(finding, lang), finding.rule, dimension, finding.text(lang), finding.advice(lang)]


def _dimension_row(finding: Finding, lang: str) -> list[str]:
    line = "" if finding.line is None else str(finding.line)
    project = "" if finding.project is None else str(finding.project.index)
    return [line, _severity(finding, lang), finding.rule, project, finding.text(lang), finding.advice(lang)]


class TableWriter(ReportWriter):
    """Blocks per draft as they come, then unreadable inputs, notices and the summary."""

    def __init__(self, out: Any, run: Any, width: int | None = None) -> None:
        super().__init__(out, run)
        self.errors: list[InputError] = []
        self.width = max(width, MIN_WIDTH) if width else output_width(out)

    def document(self, result: DocumentResult) -> None:
        lang = self.run.lang
        words = WORDS[lang]
        head = f"{words['document']}: {result.path}  {words['department']}: {result.department or '—'}  {words['year']}: {result.year or '—'}"
        if result.layout:
            head += f"  {words['layout']}: {result.layout}"
        blocks = [head]
        if result.notes:
            blocks.append("  " + words["notes"].format(n=len(result.notes)))
        verdict = self.run.verdict(result)
        blocks.append("  " + verdict_line(verdict, lang))
        if not result.findings:
            blocks.append(f"  {words['none']}")
        elif self.run.group_by == "dimension":
            blocks.extend(_by_dimension(result.findings, lang, self.width))
        else:
            labels = {p.index: p.label(lang) for p in verdict.projects}
            for project, findings in groupby(result.findings, key=lambda f: f.project):
                title = words["part_one"] if project is None else f"{words['project']} {project.index}  {project.code or ''} {project.name}"
                label = labels.get(None if project is None else project.index, "")
                rows = [_row(f, lang) for f in findings]
                blocks.append(f"[{title.strip()}]  {label}\n" + findings_text(HEADERS[lang], rows, self.width, lang))
        self.out.write(_fit_all("\n".join(blocks), self.width) + "\n\n")

    def unreadable(self, error: InputError) -> None:
        self.errors.append(error)

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        lang = self.run.lang
        words = WORDS[lang]
        parts = []
        unreadable = [e for e in self.errors if e.kind != "not_understood"]
        not_understood = [e for e in self.errors if e.kind == "not_understood"]
        if unreadable:
            parts.append(f"{words['unreadable']}:\n" + "\n".join(f"  {e.path}: {e.message}" for e in unreadable))
        if not_understood:
            parts.append(
                f"{words['not_understood']}:\n" + "\n".join(f"  {error_place(e, e.path)}: {error_reason(e)}" for e in not_understood)
            )
        if notices:
            parts.append(f"{words['notices']}:\n" + "\n".join(f"  {n[lang]}" for n in notices))
        parts.append(_summary(summary, lang))
        self.out.write(_fit_all("\n\n".join(parts), self.width) + "\n")


def verdict_line(verdict: DraftVerdict, lang: str) -> str:
    """``审核结论：修改后通过（通过0个、修改后通过19个、不通过1个）；不通过：项目4 …（预算数为0或未填写）``."""
    counts = verdict_counts_text(verdict.counts, lang)
    rejected = [p for p in verdict.projects if p.verdict == REJECT]
    if lang == "zh":
        line = f"审核结论：{verdict.label(lang)}（{counts}）"
        shown = [f"{'项目' + str(p.index) + ' ' if p.index is not None else ''}{p.display_name(lang)}（{'；'.join(r.zh for r in p.reasons)}）" for p in rejected]
        return line + (f"；{verdict_label(REJECT, lang)}：" + "，".join(shown) if shown else "")
    line = f"verdict: {verdict.label(lang)} ({counts})"
    shown = [f"{'project ' + str(p.index) + ' ' if p.index is not None else ''}{p.display_name(lang)} ({'; '.join(r.en for r in p.reasons)})" for p in rejected]
    return line + ("; not passed: " + ", ".join(shown) if shown else "")


def _by_dimension(findings: list[Finding], lang: str, width: int) -> list[str]:
    """One block per review dimension, in the reviewers' order; within it the draft's order."""
    words = WORDS[lang]
    groups = group_by_dimension(findings, active_only=False)
    return [
        f"[{dimension_label(dimension, lang)} {len(found)}{words['findings']}]\n"
        + findings_text(DIMENSION_HEADERS[lang], [_dimension_row(f, lang) for f in found], width, lang)
        for dimension, found in groups.items()
    ]


def _summary(summary: dict[str, Any], lang: str) -> str:
    words = WORDS[lang]
    not_understood = summary["not_understood"]
    severity = summary["by_severity"]
    if lang == "zh":
        line = (
            f"{words['summary']}：{summary['documents']}份文本，{summary['projects']}个项目，"
            f"问题{summary['findings']}条（错误{severity['error']}、警告{severity['warning']}、提示{severity['info']}）"
        )
        if summary["waived"] or summary["baseline"]:
            line += f"，已豁免{summary['waived']}条，基线已有{summary['baseline']}条"
        if summary["unreadable"] > not_understood:
            line += f"，无法读取{summary['unreadable'] - not_understood}份"
        if not_understood:
            line += f"，未能识别版式{not_understood}份"
    else:
        line = (
            f"{words['summary']}: {summary['documents']} drafts, {summary['projects']} projects, "
            f"{summary['findings']} findings ({severity['error']} errors, {severity['warning']} warnings, {severity['info']} info)"
        )
        if summary["waived"] or summary["baseline"]:
            line += f", {summary['waived']} waived, {summary['baseline']} in baseline"
        if summary["unreadable"] > not_understood:
            line += f", {summary['unreadable'] - not_understood} unreadable"
        if not_understood:
            line += f", {not_understood} layout not understood"
    by_dimension = summary["by_dimension"]
    dims = "  ".join(
        f"{d if lang == 'zh' else DIMENSION_EN[d]} {n}" for d, n in by_dimension.items() if n
    )
    not_checkable = {rid: o["not_checkable"] for rid, o in summary["rules"].items() if o["not_checkable"]}
    lines = [line]
    verdicts = summary.get("verdicts")
    if verdicts:
        projects = verdicts["projects"]
        if lang == "zh":
            lines.append("  项目审核结论：" + verdict_counts_text(projects, lang))
        else:
            lines.append("  verdicts of the projects: " + verdict_counts_text(projects, lang))
    if dims:
        lines.append(("  按维度：" if lang == "zh" else "  by dimension: ") + dims)
    if not_checkable:
        lines.append(
            f"  {words['not_checkable']}: " + "  ".join(f"{rid} {n}" for rid, n in sorted(not_checkable.items()))
        )
    return "\n".join(lines)
