"""``--format github``: GitHub Actions workflow commands, so findings show as annotations on the
drafts in a pull request.

One line per finding still to be dealt with, as it arrives:
``::error file=<path>,line=<n>,col=<n>,title=budget-audit(<rule>)::<message>%0A<suggestion>``
(``::warning`` for warnings, ``::notice`` for info), the path relative to ``run.base`` (the
workspace). Waived findings and findings of the baseline are not annotated (they are counted in
the summary). Inputs that were not audited are ``::error`` lines at the file (and line, when
known): unreadable ones titled ``budget-audit``, those whose layout was not understood titled
``budget-audit 未能识别版式`` (``layout not understood``) with the cell or part in the message.
Waiver notices are ``::warning`` lines, and a last ``::notice`` line sums the run up. GitHub shows only the first few annotations of each kind
per step; the summary line tells the totals.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.findings import DocumentResult, Finding
from auditor.report import InputError, is_active
from auditor.writers import ReportWriter, error_label, error_text, relative_path

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
WORDS = {
    "zh": {"suggestion": "建议：", "unreadable": "无法读取", "notice": "豁免提示"},
    "en": {"suggestion": "Suggestion: ", "unreadable": "unreadable", "notice": "waiver notice"},
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
    return text


class GithubWriter(ReportWriter):
    """Annotations as drafts arrive; the summary at the end."""

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
        self.out.write("".join(self.annotation(f, path) for f in result.findings if is_active(f)))

    def unreadable(self, error: InputError) -> None:
        path = relative_path(error.path, self.run.base)
        if error.kind == "not_understood":
            title = f"budget-audit {error_label(error, self.run.lang)}"
            self.out.write(command("error", error_text(error, self.run.lang), file=path, line=error.line, title=title))
            return
        label = WORDS[self.run.lang]["unreadable"]
        self.out.write(command("error", f"{label}: {error.message}", file=path, line=error.line, title="budget-audit"))

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        lang = self.run.lang
        for notice in notices:
            text = notice.get(lang) or notice.get("zh", "")
            self.out.write(command("warning", text, title=f"budget-audit {WORDS[lang]['notice']}"))
        self.out.write(command("notice", summary_text(summary, lang), title="budget-audit"))
