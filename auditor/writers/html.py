"""``--format html``: one self-contained report file for reviewers to read, filter, print and sign.

Data flow (streaming, bounded memory):

* construction — the page head: inline CSS, the run's configuration (labels, rules, severities,
  dimensions) as JSON, the filter controls and an empty container for the documents;
* ``document(result)`` — one ``<script type="application/json" class="doc-data">`` block holding
  that draft in a compact form (project facts, findings as arrays, contexts deduplicated); the
  result is then dropped, only its path and number are kept for the summary's links;
* ``finish(summary, notices)`` — the summary (counts, SVG chart, rule table, worst projects),
  the inputs that were not audited (unreadable ones, then those whose layout was not understood,
  located), waiver notices, the signature block and the inline JS.

A draft's block carries the layout profile it was read with and the reader's notes (in the run's
language, located); the page shows both in the draft's head.

The JS (``reports/report.js``) parses the data blocks, moves the summary to the top, and renders
the project cards of one page of documents at a time (all matching documents when printing), so
a report over thousands of drafts opens and filters quickly. Draft text reaches the page only
through Jinja's autoescaping or as escaped JSON rendered with ``textContent``.

Templates and assets live in ``reports/`` (``report.html.j2``, ``report.css``, ``report.js``).
Output is deterministic: no timestamps, no random ids.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import IO, Any

from auditor.findings import DocumentResult, Finding, ProjectFacts
from auditor.opinion import review_opinion
from auditor.report import DIMENSION_EN, DIMENSIONS, SEVERITIES, SEVERITY_ZH, InputError, RunInfo, written_date
from auditor.resources import resource_path
from auditor.verdicts import VERDICTS, DraftVerdict, indicator_name, verdict_label
from auditor.writers import ReportWriter, error_reason

SEVERITY_CODE = {s: i for i, s in enumerate(SEVERITIES)}  # error 0, warning 1, info 2

# Layout of one finding in the per-document JSON (kept in step with F_* in report.js).
FINDING_FIELDS = (
    "rule", "severity", "dimension", "project", "line", "column", "field", "evidence",
    "message", "suggestion", "context", "waived", "baseline", "ref",
)
# Layout of one project's facts (kept in step with P_* in report.js).
PROJECT_FIELDS = (
    "index", "code", "name", "heading", "line", "money_unit", "budget", "schedule_header",
    "schedule", "goals", "indicators",
)

# Characters that must not appear raw inside a <script> block (or break JS string literals).
_SCRIPT_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "部门预算绩效目标审核报告",
        "generated_by": "budget-audit {version} 生成",
        "fail_on": "失败阈值",
        "never": "不设",
        "rules_run": "规则 {n} 条",
        "summary": "审核汇总",
        "documents": "文本",
        "documents_unit": "份",
        "projects": "项目",
        "projects_unit": "个",
        "findings": "问题",
        "findings_unit": "条",
        "findings_note": "不含已豁免、基线已有的问题",
        "cap_documents": "份文本",
        "cap_projects": "个项目",
        "cap_findings": "条问题",
        "status": "状态",
        "unreadable": "无法读取",
        "waived": "已豁免",
        "baseline": "基线已有",
        "active": "待处理",
        "failing": "达到阈值",
        "verdict_fail": "未通过：{n} 条问题达到“{level}”级别",
        "verdict_pass": "通过：没有达到“{level}”级别的问题",
        "verdict_never": "未设失败阈值",
        "by_severity": "按级别",
        "by_dimension": "按审核维度",
        "by_rule": "按规则",
        "rule": "规则",
        "rule_title": "规则名称",
        "severity": "级别",
        "dimension": "维度",
        "checked": "已检查",
        "not_checkable": "无法判断",
        "not_checkable_note": "“无法判断”指文本缺少规则所需的内容（如预算数、资金支出计划），规则无法运行，不等于通过。",
        "worst_projects": "问题最多的项目",
        "no_worst": "没有项目级问题。",
        "filters": "筛选",
        "all_rules": "全部规则",
        "all_dimensions": "全部维度",
        "all_documents": "全部文件",
        "all_status": "全部状态",
        "search": "搜索",
        "search_placeholder": "搜索问题、建议、原文、字段、项目…",
        "reset": "重置",
        "print": "打印",
        "sort": "排序",
        "shown": "显示 {shown} / {total} 条",
        "shown_docs": "涉及 {docs} 份文本、{cards} 个项目卡片",
        "page": "第 {page} / {pages} 页",
        "prev": "上一页",
        "next": "下一页",
        "line": "行",
        "column": "列",
        "field": "字段",
        "message": "问题",
        "suggestion": "建议",
        "evidence": "原文",
        "context": "上下文",
        "show_context": "原文上下文",
        "part_one": "部门整体（第一部分）",
        "project": "项目",
        "index": "序号",
        "code": "项目编码",
        "name": "项目名称",
        "budget": "预算数",
        "fiscal": "其中：财政资金",
        "other": "其他资金",
        "unit": "单位",
        "schedule": "资金支出计划",
        "source_line": "所在行",
        "goals": "绩效目标",
        "indicators": "绩效指标",
        "items": "条",
        "level1": "一级指标",
        "level2": "二级指标",
        "level3": "三级指标",
        "description": "绩效指标描述",
        "value": "指标值",
        "basis": "指标值确定依据",
        "kind_section": "段落",
        "kind_heading": "标题",
        "kind_purpose": "资金用途",
        "this_project": "本项目",
        "other_project": "项目{index}",
        "cmp_same": "相同",
        "cmp_changed": "只改了指标值",
        "cmp_own": "本项目独有",
        "no_findings": "未发现问题",
        "no_match": "没有符合筛选条件的问题。",
        "doc_errors": "读取提示",
        "layout": "读取版式",
        "reader_notes": "读取提示",
        "notes_count": "（{n}条）",
        "at_line": "第{n}行",
        "not_understood": "未能识别版式",
        "not_understood_n": "其中未能识别版式 {n}",
        "notices": "豁免提示",
        "unreadable_inputs": "无法读取的文件",
        "not_understood_inputs": "未能识别版式的文件（未审核）",
        "signature_title": "审核意见",
        "verdicts_title": "审核结论",
        "verdict_col": "审核结论",
        "reasons_col": "原因",
        "indicators_col": "需修改的指标",
        "verdict_counts": "通过{pass}个，修改后通过{revise}个，不通过{reject}个",
        "projects_verdicts": "项目审核结论",
        "by_unit": "按单位统计",
        "drafts_col": "文本",
        "issuer": "审核单位",
        "deadline_line": "请于{deadline}前按上述意见修改后重新报送。",
        "opinion_hint": "以下意见按审核维度由本报告生成，可直接修改后打印。",
        "opinion_empty": "未发现需要退回修改的问题。",
        "opinion_count": "（{n}条）",
        "opinion_places": "位置",
        "opinion_example": "例",
        "opinion_more": "等{n}处",
        "numerals": "一二三四五六七八九十",
        "dimension_sort": "审核维度",
        "reviewer": "审核人",
        "date": "日期",
        "department": "部门",
        "year": "年度",
        "file": "文件",
        "filter_desc": "筛选条件",
        "none": "—",
        "waived_reason": "已豁免：{reason}",
        "nc_doc": "{rule}：{n} 处无法判断（缺少{reasons}）",
        "noscript": "本报告需要启用 JavaScript 才能显示各项目的审核问题；汇总见文末。",
        "loading": "正在载入…",
        "chart_title": "问题分布（按审核维度、级别）",
        "colon": "：",
        "list_sep": "、",
        "comma": "，",
        "semicolon": "；",
        "open_paren": "（",
        "close_paren": "）",
    },
    "en": {
        "title": "Budget performance target audit report",
        "generated_by": "generated by budget-audit {version}",
        "fail_on": "fail on",
        "never": "never",
        "rules_run": "{n} rules",
        "summary": "Summary",
        "documents": "drafts",
        "documents_unit": "",
        "projects": "projects",
        "projects_unit": "",
        "findings": "findings",
        "findings_unit": "",
        "findings_note": "waived findings and findings in the baseline not included",
        "cap_documents": "drafts",
        "cap_projects": "projects",
        "cap_findings": "findings",
        "status": "status",
        "unreadable": "unreadable",
        "waived": "waived",
        "baseline": "in baseline",
        "active": "open",
        "failing": "failing",
        "verdict_fail": "FAILED: {n} findings at or above “{level}”",
        "verdict_pass": "PASSED: no finding at or above “{level}”",
        "verdict_never": "no failure threshold",
        "by_severity": "By severity",
        "by_dimension": "By review dimension",
        "by_rule": "By rule",
        "rule": "rule",
        "rule_title": "title",
        "severity": "severity",
        "dimension": "dimension",
        "checked": "checked",
        "not_checkable": "not checkable",
        "not_checkable_note": "“Not checkable” (无法判断): the draft lacks what the rule needs (e.g. 预算数, 资金支出计划), so the rule could not run — this is not a pass.",
        "worst_projects": "Projects with the most findings",
        "no_worst": "No project-level findings.",
        "filters": "Filter",
        "all_rules": "all rules",
        "all_dimensions": "all dimensions",
        "all_documents": "all drafts",
        "all_status": "any status",
        "search": "search",
        "search_placeholder": "search messages, suggestions, text, fields, projects…",
        "reset": "reset",
        "print": "print",
        "sort": "sort",
        "shown": "showing {shown} / {total} findings",
        "shown_docs": "in {docs} drafts, {cards} cards",
        "page": "page {page} / {pages}",
        "prev": "previous",
        "next": "next",
        "line": "line",
        "column": "column",
        "field": "field",
        "message": "finding",
        "suggestion": "suggestion",
        "evidence": "text",
        "context": "context",
        "show_context": "context",
        "part_one": "Department level (part one)",
        "project": "Project",
        "index": "No. (序号)",
        "code": "Code (项目编码)",
        "name": "Name (项目名称)",
        "budget": "Budget (预算数)",
        "fiscal": "fiscal funds (财政资金)",
        "other": "other funds (其他资金)",
        "unit": "unit",
        "schedule": "Spending plan (资金支出计划)",
        "source_line": "line",
        "goals": "goals (绩效目标)",
        "indicators": "indicators (绩效指标)",
        "items": "",
        "level1": "level 1 (一级指标)",
        "level2": "level 2 (二级指标)",
        "level3": "indicator (三级指标)",
        "description": "description (绩效指标描述)",
        "value": "target (指标值)",
        "basis": "basis (指标值确定依据)",
        "kind_section": "paragraph",
        "kind_heading": "heading",
        "kind_purpose": "use of funds (资金用途)",
        "this_project": "this project",
        "other_project": "project {index}",
        "cmp_same": "identical",
        "cmp_changed": "other target only",
        "cmp_own": "only here",
        "no_findings": "no findings",
        "no_match": "No finding matches the filter.",
        "doc_errors": "reader notes",
        "layout": "layout",
        "reader_notes": "reader notes",
        "notes_count": " ({n})",
        "at_line": "line {n}",
        "not_understood": "layout not understood",
        "not_understood_n": "{n} of them: layout not understood",
        "notices": "Waiver notices",
        "unreadable_inputs": "Unreadable inputs",
        "not_understood_inputs": "Inputs whose layout was not understood (not audited)",
        "signature_title": "Review opinion",
        "verdicts_title": "Verdicts",
        "verdict_col": "Verdict",
        "reasons_col": "Why",
        "indicators_col": "Indicators to revise",
        "verdict_counts": "{pass} pass, {revise} pass after revision, {reject} not passed",
        "projects_verdicts": "Verdicts of the projects",
        "by_unit": "By unit",
        "drafts_col": "Drafts",
        "issuer": "Reviewing body (审核单位)",
        "deadline_line": "Please revise as above and resubmit by {deadline}.",
        "opinion_hint": "Drafted from the findings by review dimension; edit it here before printing.",
        "opinion_empty": "No problem to send back.",
        "opinion_count": " ({n})",
        "opinion_places": "Where",
        "opinion_example": "e.g.",
        "opinion_more": "and {n} more",
        "numerals": "",
        "dimension_sort": "dimension",
        "reviewer": "Reviewer (审核人)",
        "date": "Date (日期)",
        "department": "department",
        "year": "year",
        "file": "file",
        "filter_desc": "filter",
        "none": "—",
        "waived_reason": "waived: {reason}",
        "nc_doc": "{rule}: not checkable {n}× (missing {reasons})",
        "noscript": "This report needs JavaScript to show the findings per project; the summary is at the end.",
        "loading": "loading…",
        "chart_title": "Findings by review dimension and severity",
        "colon": ": ",
        "list_sep": ", ",
        "comma": ", ",
        "semicolon": "; ",
        "open_paren": " (",
        "close_paren": ")",
    },
}


# What a rule found missing when it could not run (``RuleOutcome.reasons``), in the draft's terms.
REASON_TERMS: dict[str, dict[str, str]] = {
    "zh": {
        "budget.total": "预算数", "budget.fiscal": "财政资金", "budget.other": "其他资金", "budget": "预算数",
        "plan": "资金支出计划", "spending_plan": "资金支出计划", "indicators": "绩效指标表", "goals": "绩效目标",
        "purpose": "资金用途", "code": "项目编码", "basis": "指标值确定依据", "money_unit": "金额单位",
    },
    "en": {
        "budget.total": "budget (预算数)", "budget.fiscal": "fiscal funds (财政资金)", "budget.other": "other funds (其他资金)",
        "budget": "budget (预算数)", "plan": "spending plan (资金支出计划)", "spending_plan": "spending plan (资金支出计划)",
        "indicators": "indicator table (绩效指标表)", "goals": "goals (绩效目标)", "purpose": "use of funds (资金用途)",
        "code": "project code (项目编码)", "basis": "basis (指标值确定依据)", "money_unit": "money unit (金额单位)",
    },
}


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element: ``<``, ``>``, ``&`` and U+2028/2029 are
    written as ``\\uXXXX`` escapes (only possible inside strings, so the JSON means the same)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return text.translate(_SCRIPT_JSON_ESCAPES)


def _inline(name: str, closing: str) -> str:
    """A ``reports/`` asset to inline; refuses one that would close its element early."""
    text = resource_path("reports", name).read_text(encoding="utf-8")
    if closing in text.lower():
        raise ValueError(f"reports/{name} must not contain {closing!r}")
    return text


def _csp_hash(text: str) -> str:
    """A Content-Security-Policy source for an inline element with exactly this content."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _severity_label(severity: str, lang: str) -> str:
    return SEVERITY_ZH.get(severity, severity) if lang == "zh" else severity


def _facts_row(facts: ProjectFacts) -> list[Any]:
    return [
        facts.index, facts.code, facts.name, facts.heading, facts.line, facts.money_unit,
        list(facts.budget) if facts.budget else None, facts.schedule_header,
        [list(point) for point in facts.schedule], facts.goals, facts.indicators,
    ]


def document_payload(result: DocumentResult, number: int, lang: str) -> dict[str, Any]:
    """One draft in the compact form the page's JS reads (see ``FINDING_FIELDS``)."""
    contexts: list[Any] = []
    context_ids: dict[str, int] = {}
    texts: list[str] = []
    text_ids: dict[str, int] = {}

    def intern_text(text: str) -> int:
        if text not in text_ids:
            text_ids[text] = len(texts)
            texts.append(text)
        return text_ids[text]

    def intern_context(context: Mapping[str, Any] | None) -> int | None:
        if not context:
            return None
        context = dict(context)
        key = json.dumps(context, ensure_ascii=False, sort_keys=True, default=str)
        if key not in context_ids:
            context_ids[key] = len(contexts)
            contexts.append(context)
        return context_ids[key]

    projects = [_facts_row(f) for f in result.facts]
    known = {f.index for f in result.facts}
    findings = []
    for finding in result.findings:
        project = finding.project
        if project is not None and project.index not in known:  # a project without facts
            known.add(project.index)
            projects.append([project.index, project.code, project.name, None, None, None, None, None, [], None, None])
        findings.append(_finding_row(finding, lang, intern_text, intern_context))
    projects.sort(key=lambda p: p[0])
    not_checkable = [
        [rule_id, outcome.not_checkable, dict(sorted(outcome.reasons.items()))]
        for rule_id, outcome in result.outcomes.items()
        if outcome.not_checkable
    ]
    return {
        "n": number,
        "path": result.path,
        "department": result.department,
        "year": result.year,
        "projects": result.projects,
        "layout": result.layout,
        "notes": [[note.text(lang), note.line, note.ref] for note in result.notes],
        "errors": list(result.errors),
        "nc": not_checkable,
        "facts": projects,
        "texts": texts,
        "contexts": contexts,
        "findings": findings,
    }


def opinion_payload(result: DocumentResult, run: RunInfo) -> list[Any]:
    """The draft's 审核意见 for the signature block: per dimension [label, count, problems], each
    problem [title, rule, severity code, count, places, more places, example, suggestion]."""
    return [
        [
            part.label,
            part.count,
            [
                [i.title, i.rule, SEVERITY_CODE.get(i.severity, 2), i.count, list(i.places), i.more_places, i.example, i.suggestion]
                for i in part.items
            ],
        ]
        for part in review_opinion(result.findings, run)
    ]


def verdict_payload(verdict: DraftVerdict, lang: str) -> list[Any]:
    """A draft's verdict for the page: [verdict, label, counts, projects], each project
    [index or null, name, verdict, label, reasons, indicators (二级/三级)]."""
    return [
        verdict.verdict,
        verdict.label(lang),
        dict(verdict.counts),
        [
            [p.index, p.display_name(lang), p.verdict, p.label(lang), [r.text(lang) for r in p.reasons], [indicator_name(i) for i in p.indicators]]
            for p in verdict.projects
        ],
    ]


def _finding_row(finding: Finding, lang: str, intern_text: Any, intern_context: Any) -> list[Any]:
    return [
        finding.rule,
        SEVERITY_CODE.get(finding.severity, 2),
        finding.dimension,
        None if finding.project is None else finding.project.index,
        finding.line,
        finding.column,
        finding.field,
        finding.evidence,
        finding.text(lang),
        intern_text(finding.advice(lang)),
        intern_context(finding.context),
        finding.waived,
        1 if finding.baseline else 0,
        finding.ref,
    ]


def _bar_chart(summary: dict[str, Any], lang: str) -> dict[str, Any]:
    """Geometry of the summary's SVG chart: a bar per review dimension, then a bar per severity,
    on one scale."""
    rows: list[dict[str, Any]] = []
    for dim in DIMENSIONS:
        label = dim if lang == "zh" else DIMENSION_EN[dim]
        rows.append({"kind": "dim", "key": dim, "label": label, "n": summary["by_dimension"].get(dim, 0)})
    for sev in SEVERITIES:
        label = SEVERITY_ZH[sev] if lang == "zh" else sev
        rows.append({"kind": "sev", "key": sev, "label": label, "n": summary["by_severity"].get(sev, 0)})
    top = max([r["n"] for r in rows] + [1])
    label_w, bar_w, row_h, gap = 110, 300, 22, 12
    y = 6
    for i, row in enumerate(rows):
        if i == len(DIMENSIONS):
            y += gap
        row["y"] = y
        row["w"] = round(bar_w * row["n"] / top, 1)
        y += row_h
    return {"rows": rows, "label_w": label_w, "bar_w": bar_w, "row_h": row_h, "height": y + 6, "width": label_w + bar_w + 60}


class HtmlWriter(ReportWriter):
    """Writes the report head on construction, one data block per draft, the summary at the end."""

    def __init__(self, out: IO[str], run: RunInfo) -> None:
        super().__init__(out, run)
        import jinja2  # heavy import only when the HTML format is used
        from markupsafe import Markup

        self._markup = Markup
        self.lang = run.lang if run.lang in LABELS else "zh"
        self.labels = LABELS[self.lang]
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(resource_path("reports"))),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["fmt"] = lambda template, **kw: template.format(**kw)
        self.template = env.get_template("report.html.j2")
        self.numbers: dict[str, int] = {}  # path → document number, for the summary's links
        self.errors: list[InputError] = []
        self.count = 0
        css = _inline("report.css", "</style")
        self.js = _inline("report.js", "</script")
        fail_on = run.fail_on
        self._write(
            "head",
            css=Markup(css),
            config=Markup(script_json(self._config())),
            style_hash=_csp_hash(css),
            script_hash=_csp_hash(self.js),
            fail_on_label=self.labels["never"] if fail_on == "never" else _severity_label(fail_on, self.lang),
            severities=[[s, _severity_label(s, self.lang)] for s in SEVERITIES],
            dimensions=[[d, d if self.lang == "zh" else DIMENSION_EN[d]] for d in DIMENSIONS],
        )

    def _config(self) -> dict[str, Any]:
        lang = self.lang
        return {
            "lang": lang,
            "labels": self.labels,
            "severities": [[s, _severity_label(s, lang)] for s in SEVERITIES],
            "dimensions": [[d, d if lang == "zh" else DIMENSION_EN[d]] for d in DIMENSIONS],
            "rules": [[r.id, r.title.get(lang) or r.title.get("zh", ""), r.severity, r.dimension] for r in self.run.rules],
            "reasons": REASON_TERMS[lang],
        }

    def _context(self, **values: Any) -> dict[str, Any]:
        return {"t": self.labels, "lang": self.lang, "run": self.run, **values}

    def _write(self, block: str, **values: Any) -> None:
        context = self.template.new_context(self._context(**values))
        self.out.write("".join(self.template.blocks[block](context)))

    def document(self, result: DocumentResult) -> None:
        self.count += 1
        self.numbers.setdefault(result.path, self.count)
        payload = document_payload(result, self.count, self.lang)
        payload["opinion"] = opinion_payload(result, self.run)
        payload["verdict"] = verdict_payload(self.run.verdict(result), self.lang)
        self._write("document", n=self.count, payload=self._markup(script_json(payload)))

    def unreadable(self, error: InputError) -> None:
        self.errors.append(error)

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        lang = self.lang
        rules = []
        for rule in self.run.rules:
            outcome = summary["rules"].get(rule.id, {})
            rules.append({
                "id": rule.id,
                "title": rule.title.get(lang) or rule.title.get("zh", ""),
                "severity": rule.severity,
                "severity_label": _severity_label(rule.severity, lang),
                "dimension": rule.dimension if lang == "zh" else DIMENSION_EN.get(rule.dimension, rule.dimension),
                "findings": summary["by_rule"].get(rule.id, 0),
                "checked": outcome.get("checked", 0),
                "not_checkable": outcome.get("not_checkable", 0),
            })
        worst = [
            {**w, "anchor": f"project-{self.numbers[w['path']]}-{w['index']}" if w["path"] in self.numbers else None}
            for w in summary["worst_projects"]
        ]
        fail_on = summary.get("fail_on", self.run.fail_on)
        level = _severity_label(fail_on, lang)
        if fail_on == "never":
            verdict, verdict_class = self.labels["verdict_never"], "none"
        elif summary["failing"]:
            verdict, verdict_class = self.labels["verdict_fail"].format(n=summary["failing"], level=level), "fail"
        else:
            verdict, verdict_class = self.labels["verdict_pass"].format(level=level), "pass"
        severities = [{"key": s, "label": _severity_label(s, lang), "n": summary["by_severity"].get(s, 0)} for s in SEVERITIES]
        verdicts = summary.get("verdicts", {})
        opinion = self.run.opinion
        self._write(
            "tail",
            summary=summary,
            severities_summary=severities,
            rules=rules,
            worst=worst,
            chart=_bar_chart(summary, lang),
            verdict=verdict,
            verdict_class=verdict_class,
            errors=[e for e in self.errors if e.kind != "not_understood"],
            not_understood=[
                {"path": e.path, "line": e.line, "ref": e.ref, "message": error_reason(e)}
                for e in self.errors
                if e.kind == "not_understood"
            ],
            notices=[n.get(lang) or n.get("zh") or next(iter(n.values()), "") for n in notices],
            not_checkable_total=sum(r["not_checkable"] for r in rules),
            verdict_tiles=[{"key": v, "label": verdict_label(v, lang), "n": verdicts.get("projects", {}).get(v, 0)} for v in VERDICTS],
            units=[{**u, "drafts_n": sum(u["drafts"].values())} for u in verdicts.get("units", [])],
            issuer=opinion.get("issuer", ""),
            reviewer=opinion.get("reviewer", ""),
            opinion_date=written_date(opinion.get("date"), lang),
            deadline=written_date(opinion.get("deadline"), lang),
            js=self._markup(self.js),
        )


__all__ = ["HtmlWriter", "document_payload", "script_json", "LABELS", "FINDING_FIELDS", "PROJECT_FIELDS"]
