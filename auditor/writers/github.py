"""``--format github``: GitHub Actions workflow commands, so findings show as annotations on the
drafts in a pull request, and a Markdown step summary with the findings annotations cannot show.

A finding still to be dealt with is a line
``::error file=<path>,line=<n>,col=<n>,title=budget-audit(<rule>)::<message>%0A<suggestion>``
(``::warning`` for warnings, ``::notice`` for info), the path relative to ``run.base`` (the
workspace). Waived findings and findings of the baseline are not annotated (they are counted in
the summary). Inputs that were not audited are ``::error`` lines at the file (and line, when
known): unreadable ones titled ``budget-audit``, those whose layout was not understood titled
``budget-audit 未能识别版式`` (``layout not understood``) with the cell or part in the message.
Waiver notices are ``::warning`` lines.

GitHub shows only the first few annotations of each kind per step (``ANNOTATION_LIMITS``), so the
writer keeps the first ones of each kind in bounded memory and writes them at the end, most
severe first: ``::error`` (the inputs not audited, then error findings in the findings' order),
``::warning`` (warning findings, then waiver notices), ``::notice`` (info findings), then one last
``::notice`` that sums the run up, counts the annotations shown and not shown and says where the
full list is. When ``GITHUB_STEP_SUMMARY`` names a file, a Markdown summary is appended to it:
the counts per draft and a table of the findings, most severe first, bounded well under GitHub's
1 MiB per step.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from typing import IO, Any

from auditor.findings import DocumentResult, Finding
from auditor.report import SEVERITIES, InputError, RunInfo, is_active
from auditor.verdicts import VERDICTS, verdict_counts_text
from auditor.writers import ReportWriter, error_label, error_text, relative_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
WORDS = {
    "zh": {"suggestion": "建议：", "unreadable": "无法读取", "notice": "豁免提示"},
    "en": {"suggestion": "Suggestion: ", "unreadable": "unreadable", "notice": "waiver notice"},
}

# What GitHub shows of a step's annotations: "10 warning annotations, 10 error annotations, and
# 10 notice annotations per step; 50 annotations per job (sum of annotations from all the
# steps)" — actions/toolkit, docs/problem-matchers.md, "Limitations" (added in
# actions/toolkit#734); the same limits are reported in community discussions #26680 and #68471.
# Annotations past these are dropped silently, so one notice of each step is kept for the
# summary line: 10 + 10 + 10 stays under the 50 of a job.
ANNOTATION_LIMITS = {"error": 10, "warning": 10, "notice": 10}
# "Job summaries are isolated between steps and each step is restricted to a maximum size of
# 1MiB … If more than 1MiB of content is added for a step, then the upload for the step will
# fail" — GitHub Docs, Workflow commands for GitHub Actions, "Step isolation and limits". The
# step summary stays well under it: at most SUMMARY_ROWS findings and SUMMARY_DRAFTS drafts, each
# cell at most SUMMARY_CELL characters, and never more than SUMMARY_BYTES in all.
STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"
SUMMARY_ROWS = 500
SUMMARY_DRAFTS = 200
SUMMARY_CELL = 300
SUMMARY_BYTES = 512 * 1024

TEXTS = {
    "zh": {
        "shown": "GitHub 每个步骤每类注释只显示前{limit}条：已显示注释{shown}条，未显示{hidden}条（错误{error}、警告{warning}、提示{notice}）",
        "all_shown": "注释已全部显示（{shown}条）",
        "where_summary": "全部问题见本次运行的摘要页（步骤摘要）",
        "where_other": "全部问题见 --json、--html 或 --sarif 报告",
        "summary_failed": "步骤摘要未能写入（{reason}），全部问题见 --json、--html 或 --sarif 报告",
        "title": "budget-audit 审核结果",
        "drafts": "各文本问题数",
        "draft": "文本",
        "verdict": "审核结论（通过/修改后通过/不通过项目数）",
        "findings": "问题清单",
        "severity": "级别",
        "rule": "规则",
        "location": "位置",
        "message": "问题",
        "more_rows": "另有{n}条问题未列出，见 --json、--html 或 --sarif 报告。",
        "more_drafts": "另有{n}份文本未列出。",
        "none": "没有待处理的问题。",
        "severities": {"error": "错误", "warning": "警告", "info": "提示"},
    },
    "en": {
        "shown": "GitHub shows only the first {limit} annotations of each kind per step: {shown} shown, {hidden} not shown ({error} errors, {warning} warnings, {notice} notices)",
        "all_shown": "all {shown} annotations shown",
        "where_summary": "every finding is in this run's summary page (the step summary)",
        "where_other": "every finding is in the --json, --html or --sarif report",
        "summary_failed": "the step summary could not be written ({reason}); every finding is in the --json, --html or --sarif report",
        "title": "budget-audit results",
        "drafts": "Findings per draft",
        "draft": "Draft",
        "verdict": "Verdict (projects pass / after revision / not passed)",
        "findings": "Findings",
        "severity": "Severity",
        "rule": "Rule",
        "location": "Location",
        "message": "Finding",
        "more_rows": "{n} more findings not listed; see the --json, --html or --sarif report.",
        "more_drafts": "{n} more drafts not listed.",
        "none": "No findings to deal with.",
        "severities": {"error": "error", "warning": "warning", "info": "info"},
    },
}


# other line separators (VT, FF, NEL, U+2028/9…) become LF; other control characters go
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded (GitHub's rules); other line
    separators as LF and other control characters dropped, so a command stays on one line."""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as the message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: Any) -> str:
    """One workflow command line; properties whose value is None are left out."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}\n"


def summary_text(summary: dict[str, Any], lang: str) -> str:
    """The run in one sentence (inputs not audited counted apart: unreadable, not understood)."""
    not_understood = summary["not_understood"]
    unreadable = summary["unreadable"] - not_understood
    severity = summary["by_severity"]
    if lang == "zh":
        text = (
            f"budget-audit：{summary['documents']}份文本，{summary['projects']}个项目，问题{summary['findings']}条"
            f"（错误{severity['error']}、警告{severity['warning']}、提示{severity['info']}），"
            f"达到失败级别（{summary['fail_on']}）{summary['failing']}条"
        )
        if summary["waived"] or summary["baseline"]:
            text += f"，已豁免{summary['waived']}条，基线已有{summary['baseline']}条"
        if unreadable > 0:
            text += f"，无法读取{unreadable}份"
        if not_understood:
            text += f"，未能识别版式{not_understood}份"
        verdicts = summary.get("verdicts", {}).get("projects")
        if verdicts:
            text += "；项目" + verdict_counts_text(verdicts, lang)
        return text
    text = (
        f"budget-audit: {summary['documents']} drafts, {summary['projects']} projects, {summary['findings']} findings "
        f"({severity['error']} errors, {severity['warning']} warnings, {severity['info']} info), "
        f"{summary['failing']} at or above {summary['fail_on']}"
    )
    if summary["waived"] or summary["baseline"]:
        text += f", {summary['waived']} waived, {summary['baseline']} in baseline"
    if unreadable > 0:
        text += f", {unreadable} unreadable"
    if not_understood:
        text += f", {not_understood} layout not understood"
    verdicts = summary.get("verdicts", {}).get("projects")
    if verdicts:
        text += "; projects: " + verdict_counts_text(verdicts, lang)
    return text


@dataclass
class Kept:
    """The first ``limit`` items of a stream and how many there were (bounded memory)."""

    limit: int
    items: list[Any] = field(default_factory=list)
    total: int = 0

    def add(self, item: Any) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(item)


def shown_counts(kept: dict[str, list[str]], totals: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Per command kind (``error``, ``warning``, ``notice``): (annotations shown, not shown)."""
    return {kind: (len(kept[kind]), totals[kind] - len(kept[kind])) for kind in ANNOTATION_LIMITS}


def limits_text(counts: dict[str, tuple[int, int]], where: str, lang: str) -> str:
    """What the annotations show of the run, and where the rest is."""
    words = TEXTS[lang]
    shown = sum(s for s, _ in counts.values())
    hidden = sum(h for _, h in counts.values())
    if not hidden:
        return f"{words['all_shown'].format(shown=shown)}; {where}" if lang == "en" else f"{words['all_shown'].format(shown=shown)}，{where}"
    text = words["shown"].format(
        limit=ANNOTATION_LIMITS["error"], shown=shown, hidden=hidden, **{kind: h for kind, (_, h) in counts.items()}
    )
    return f"{text}; {where}" if lang == "en" else f"{text}，{where}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def markdown_cell(text: str, limit: int = SUMMARY_CELL) -> str:
    """``text`` as one cell of a Markdown table: at most ``limit`` characters, on one line,
    Markdown punctuation backslash-escaped and HTML escaped (so no text of a draft can format
    or inject markup)."""
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text)).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", text), quote=False)
    return text.replace("\n", "<br>")


def location(path: str, line: int | None, column: int | None, ref: str | None) -> str:
    """``path:line:col``, ``path:line``, ``path (ref)`` or ``path``."""
    where = path
    if line is not None:
        where += f":{line}" + (f":{column}" if column is not None else "")
    elif ref:
        where += f" ({ref})"
    return where


def table_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(markdown_cell(cell) for cell in cells) + " |\n"


def bounded(lines: list[str], budget: int) -> tuple[list[str], int]:
    """The first of ``lines`` whose UTF-8 size stays within ``budget`` bytes, and how many did not fit."""
    used = 0
    for n, line in enumerate(lines):
        used += len(line.encode("utf-8"))
        if used > budget:
            return lines[:n], len(lines) - n
    return lines, 0


def step_summary_markdown(
    lang: str,
    summary_line: str,
    drafts: Kept,
    rows: dict[str, Kept],
) -> str:
    """The Markdown appended to the step summary: the run in one sentence, the counts per draft
    (at most ``drafts.limit``) and the findings most severe first, in the findings' order within
    a severity (at most ``SUMMARY_ROWS``), each part cut to its share of ``SUMMARY_BYTES``."""
    words = TEXTS[lang]
    out = [f"## {words['title']}\n\n", f"{markdown_cell(summary_line, 2000)}\n\n"]
    out.append(f"### {words['drafts']}\n\n")
    names = words["severities"]
    out.append(table_row((words["draft"], words["verdict"], names["error"], names["warning"], names["info"])))
    out.append("| --- | --- | ---: | ---: | ---: |\n")
    draft_lines, _ = bounded([table_row(row) for row in drafts.items], SUMMARY_BYTES // 4)
    out.extend(draft_lines)
    more = drafts.total - len(draft_lines)
    if more:
        out.append(f"\n{words['more_drafts'].format(n=more)}\n")
    out.append(f"\n### {words['findings']}\n\n")
    total = sum(kept.total for kept in rows.values())
    if not total:
        out.append(f"{words['none']}\n")
        return "".join(out)
    ordered = [row for severity in SEVERITIES for row in rows[severity].items][:SUMMARY_ROWS]
    out.append(table_row((words["severity"], words["rule"], words["location"], words["message"])))
    out.append("| --- | --- | --- | --- |\n")
    room = SUMMARY_BYTES - sum(len(part.encode("utf-8")) for part in out) - 1024  # the closing line
    finding_lines, _ = bounded([table_row(row) for row in ordered], room)
    out.extend(finding_lines)
    if total > len(finding_lines):
        out.append(f"\n{words['more_rows'].format(n=total - len(finding_lines))}\n")
    return "".join(out)


class GithubWriter(ReportWriter):
    """The first annotations of each kind, kept as drafts arrive and written at the end most
    severe first; the summary notice; the step summary when ``GITHUB_STEP_SUMMARY`` is set."""

    def __init__(self, out: IO[Any], run: RunInfo, step_summary: str | None = None) -> None:
        super().__init__(out, run)
        # None: from the environment, as the runner sets it for each step
        self.step_summary = step_summary if step_summary is not None else os.environ.get(STEP_SUMMARY_VARIABLE, "")
        self.not_audited = Kept(ANNOTATION_LIMITS["error"])
        # one notice of the step is kept for the summary line
        limits = {"error": ANNOTATION_LIMITS["error"], "warning": ANNOTATION_LIMITS["warning"], "info": ANNOTATION_LIMITS["notice"] - 1}
        self.annotations = {severity: Kept(limits[severity]) for severity in SEVERITIES}
        self.drafts = Kept(SUMMARY_DRAFTS)
        self.rows = {severity: Kept(SUMMARY_ROWS) for severity in SEVERITIES}

    def annotation(self, finding: Finding, path: str) -> str:
        lang = self.run.lang
        message = finding.text(lang)
        advice = finding.advice(lang)
        if advice:
            message += f"\n{WORDS[lang]['suggestion']}{advice}"
        return command(
            COMMANDS[finding.severity],
            message,
            file=path,
            line=finding.line,
            col=finding.column if finding.line is not None else None,
            title=f"budget-audit({finding.rule})",
        )

    def document(self, result: DocumentResult) -> None:
        path = relative_path(result.path, self.run.base)
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in result.findings:
            if not is_active(finding):
                continue
            counts[finding.severity] += 1
            kept = self.annotations[finding.severity]
            kept.add(self.annotation(finding, path) if len(kept.items) < kept.limit else None)  # counted, not rendered
            if self.step_summary:
                self.rows[finding.severity].add(
                    (
                        TEXTS[self.run.lang]["severities"][finding.severity],
                        finding.rule,
                        location(path, finding.line, finding.column, finding.ref),
                        finding.text(self.run.lang),
                    )
                )
        if self.step_summary:
            verdict = self.run.verdict(result)
            shown = verdict.label(self.run.lang) + " (" + "/".join(str(verdict.counts[v]) for v in VERDICTS) + ")"
            self.drafts.add((path, shown, *(str(counts[s]) for s in SEVERITIES)))

    def unreadable(self, error: InputError) -> None:
        path = relative_path(error.path, self.run.base)
        lang = self.run.lang
        if error.kind == "not_understood":
            title = f"budget-audit {error_label(error, lang)}"
            line = command("error", error_text(error, lang), file=path, line=error.line, title=title)
        else:
            label = WORDS[lang]["unreadable"]
            line = command("error", f"{label}: {error.message}", file=path, line=error.line, title="budget-audit")
        self.not_audited.add(line)
        if self.step_summary:
            where = location(path, error.line, None, error.ref)
            self.rows["error"].add((TEXTS[lang]["severities"]["error"], error_label(error, lang), where, error_text(error, lang, located=False)))

    def write_step_summary(self, summary_line: str) -> str | None:
        """Appends the Markdown summary to the step summary file; the reason when it cannot."""
        text = step_summary_markdown(self.run.lang, summary_line, self.drafts, self.rows)
        try:
            with open(self.step_summary, "a", encoding="utf-8", newline="\n") as stream:
                stream.write(text + "\n")
        except OSError as exc:
            return exc.strerror or type(exc).__name__
        return None

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        lang = self.run.lang
        waiver_lines = Kept(ANNOTATION_LIMITS["warning"])
        for notice in notices:
            text = notice.get(lang) or notice.get("zh", "")
            waiver_lines.add(command("warning", text, title=f"budget-audit {WORDS[lang]['notice']}"))
        kept = {
            "error": (self.not_audited.items + self.annotations["error"].items)[: ANNOTATION_LIMITS["error"]],
            "warning": (self.annotations["warning"].items + waiver_lines.items)[: ANNOTATION_LIMITS["warning"]],
            "notice": self.annotations["info"].items,
        }
        totals = {
            "error": self.not_audited.total + self.annotations["error"].total,
            "warning": self.annotations["warning"].total + waiver_lines.total,
            "notice": self.annotations["info"].total,
        }
        run_line = summary_text(summary, lang)
        where = TEXTS[lang]["where_other"]
        if self.step_summary:
            failure = self.write_step_summary(run_line)
            where = TEXTS[lang]["summary_failed"].format(reason=failure) if failure else TEXTS[lang]["where_summary"]
        self.out.write("".join(line for kind in ANNOTATION_LIMITS for line in kept[kind]))
        separator = "; " if lang == "en" else "；"
        text = run_line + separator + limits_text(shown_counts(kept, totals), where, lang)
        self.out.write(command("notice", text, title="budget-audit"))

