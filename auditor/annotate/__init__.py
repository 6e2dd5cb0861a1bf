"""A reviewer's marked-up copy of a draft: one comment per active finding at the finding's cell
or paragraph (``budget-audit annotate``).

The copy is written by the library that reads the format (python-docx for Word, openpyxl for
Excel), so the draft's own content is carried over as that library keeps it. The input is never
written to: the caller checks the output is another file, and the copy appears atomically.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from auditor.findings import Finding

SEVERITY_LABEL = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "Error", "warning": "Warning", "info": "Info"},
}


@dataclass(frozen=True)
class AnnotateOptions:
    """Who the comments are from, in which language, dated when, and the rules' titles."""

    author: str = "budget-audit"
    initials: str = "BA"
    lang: str = "zh"
    date: datetime.datetime | None = None  # the comments' date (None: now)
    titles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # rule id → {"zh": …, "en": …}


@dataclass(frozen=True)
class Unplaced:
    """A finding whose ref names no cell or paragraph of the file: commented at the start."""

    finding: Finding
    reason_zh: str
    reason_en: str


@dataclass
class Annotated:
    """What was written: comments (one per finding), the places they sit at, findings not placed."""

    comments: int = 0
    places: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)


class AnnotateError(Exception):
    """The draft cannot be opened or written by the format's library (message zh / en)."""


def comment_text(finding: Finding, options: AnnotateOptions, note: str | None = None) -> str:
    """``【错误】<title>：<message>\\n建议：<advice>`` (or its English), with a first line saying
    where the comment really belongs when it is not at the finding's place. The rule's id is left
    out: the department reads the title; the reviewer finds the id in the reports."""
    lang = options.lang
    severity = SEVERITY_LABEL[lang].get(finding.severity, finding.severity)
    title = options.titles.get(finding.rule, {})
    name = title.get(lang) or title.get("zh") or finding.rule
    advice = finding.advice(lang)
    if lang == "zh":
        lines = [f"【{severity}】{name}：{finding.text(lang)}"]
        lines += [f"建议：{advice}"] if advice else []
    else:
        lines = [f"[{severity}] {name}: {finding.text(lang)}"]
        lines += [f"Suggestion: {advice}"] if advice else []
    return "\n".join(([note] if note else []) + lines)


def whole_draft_note(lang: str) -> str:
    return "（针对整份草稿）" if lang == "zh" else "(about the whole draft)"


def unplaced_note(ref: str, lang: str) -> str:
    return f"（位置“{ref}”在文件中未找到）" if lang == "zh" else f"(place {ref!r} not found in the file)"


Place = TypeVar("Place")


def placed(findings: Sequence[Finding], locate: Callable[[str], Place | None], start: Callable[[], Place],
           options: AnnotateOptions, result: Annotated, missing: tuple[str, str]) -> Iterator[tuple[Finding, Place, str]]:
    """Each finding with its place and its comment's text. A finding without a ref, or whose ref
    names no place of the file (recorded in ``result.unplaced`` with the ``missing`` reason, zh and
    en), goes to the document's ``start``, its comment saying so."""
    for finding in findings:
        place = locate(finding.ref) if finding.ref else None
        note = None
        if not finding.ref:
            note = whole_draft_note(options.lang)
        elif place is None:
            note = unplaced_note(finding.ref, options.lang)
            result.unplaced.append(Unplaced(finding, *missing))
        yield finding, (place if place is not None else start()), comment_text(finding, options, note)


def annotate(source: Path, target: Path, kind: str, findings: Sequence[Finding], options: AnnotateOptions) -> Annotated:
    """Write to ``target`` a copy of ``source`` (a ``kind`` file: "docx" or "xlsx", as sniffed
    from its content) with one comment per finding."""
    if kind == "docx":
        from auditor.annotate.docx import annotate_docx

        return annotate_docx(source, target, findings, options)
    if kind == "xlsx":
        from auditor.annotate.xlsx import annotate_xlsx

        return annotate_xlsx(source, target, findings, options)
    raise AnnotateError(f"不能批注 {kind} 文件 / cannot annotate a {kind} file")
