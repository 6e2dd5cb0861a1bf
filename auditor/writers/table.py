"""``--format table``: findings by draft, then by project (default) or by review dimension
(``--group-by dimension``, the shape of a 审核意见), for a terminal.

A draft's head names the layout it was read with; its reader notes are only counted (one line,
pointing at ``--format json``), never listed, so a terminal is not flooded. Inputs that were not
audited come after the drafts: the unreadable ones, then those whose layout was not understood,
located."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from tabulate import tabulate

from auditor.findings import DocumentResult, Finding
from auditor.opinion import dimension_label, group_by_dimension
from auditor.report import DIMENSION_EN, SEVERITY_ZH, InputError
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


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


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
    return [line, _severity(finding, lang), finding.rule, dimension, _one_line(finding.text(lang), 90), _one_line(finding.advice(lang), 50)]


def _dimension_row(finding: Finding, lang: str) -> list[str]:
    line = "" if finding.line is None else str(finding.line)
    project = "" if finding.project is None else str(finding.project.index)
    return [line, _severity(finding, lang), finding.rule, project, _one_line(finding.text(lang), 90), _one_line(finding.advice(lang), 50)]


class TableWriter(ReportWriter):
    """Blocks per draft as they come, then unreadable inputs, notices and the summary."""

    def __init__(self, out: Any, run: Any) -> None:
        super().__init__(out, run)
        self.errors: list[InputError] = []

    def document(self, result: DocumentResult) -> None:
        lang = self.run.lang
        words = WORDS[lang]
        head = f"{words['document']}: {result.path}  {words['department']}: {result.department or '—'}  {words['year']}: {result.year or '—'}"
        if result.layout:
            head += f"  {words['layout']}: {result.layout}"
        blocks = [head]
        if result.notes:
            blocks.append("  " + words["notes"].format(n=len(result.notes)))
        if not result.findings:
            blocks.append(f"  {words['none']}")
        elif self.run.group_by == "dimension":
            blocks.extend(_by_dimension(result.findings, lang))
        else:
            for project, findings in groupby(result.findings, key=lambda f: f.project):
                title = words["part_one"] if project is None else f"{words['project']} {project.index}  {project.code or ''} {project.name}"
                rows = [_row(f, lang) for f in findings]
                blocks.append(f"[{title.strip()}]\n" + tabulate(rows, headers=HEADERS[lang], disable_numparse=True))
        self.out.write("\n".join(blocks) + "\n\n")

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
        self.out.write("\n\n".join(parts) + "\n")


def _by_dimension(findings: list[Finding], lang: str) -> list[str]:
    """One block per review dimension, in the reviewers' order; within it the draft's order."""
    words = WORDS[lang]
    groups = group_by_dimension(findings, active_only=False)
    return [
        f"[{dimension_label(dimension, lang)} {len(found)}{words['findings']}]\n"
        + tabulate([_dimension_row(f, lang) for f in found], headers=DIMENSION_HEADERS[lang], disable_numparse=True)
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
    if dims:
        lines.append(("  按维度：" if lang == "zh" else "  by dimension: ") + dims)
    if not_checkable:
        lines.append(
            f"  {words['not_checkable']}: " + "  ".join(f"{rid} {n}" for rid, n in sorted(not_checkable.items()))
        )
    return "\n".join(lines)
