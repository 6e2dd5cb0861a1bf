"""``--format json``: the findings as JSON. The keys are a published interface (``version`` 1):
add keys, never rename or drop one. Written draft by draft, one draft per line (compact JSON,
which the C encoder writes fast: thousands of drafts make large reports).

Each draft counts its findings by review dimension (``by_dimension``); with ``--group-by
dimension`` it also carries the ``opinion``: per dimension, each problem with its count, places
and advice — the 审核意见 to send back.

Each draft names the ``layout`` profile it was read with and the reader's ``notes`` (what it
noticed and worked around, in zh and en, located). An input that was not audited is an item of
its own after the drafts, with ``errors: [message]``, ``error_kind`` (``unreadable`` or
``not_understood``) and its ``location`` (``line``, ``ref``); an audited draft has
``error_kind: null`` and ``location: null``, so every item has the same keys.

Each item carries its ``verdict``: the draft's (通过 / 修改后通过 / 不通过 as ``pass`` / ``revise`` /
``reject`` with its ``label``), the count per verdict, and per project the verdict, the reasons
and the indicators (二级, 三级) that send it back; the summary counts verdicts per draft, project
and unit."""

from __future__ import annotations

import json
from typing import Any

from auditor.findings import DocumentResult, Finding, ReaderNote
from auditor.opinion import DimensionOpinion, group_by_dimension, review_opinion
from auditor.report import DIMENSIONS, InputError, RunInfo
from auditor.verdicts import unread_verdict, verdict_dict
from auditor.writers import ReportWriter, error_label

REPORT_VERSION = 1


def finding_dict(finding: Finding, lang: str) -> dict[str, Any]:
    project = finding.project
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "dimension": finding.dimension,
        "message": finding.text(lang),
        "suggestion": finding.advice(lang),
        "messages": dict(finding.message),
        "suggestions": dict(finding.suggestion),
        "project": None if project is None else {"index": project.index, "code": project.code, "name": project.name},
        "location": {"line": finding.line, "column": finding.column, "field": finding.field, "ref": finding.ref},
        "evidence": finding.evidence,
        "waived": finding.waived,
        "baseline": finding.baseline,
        "indicator": None if finding.indicator is None else {"level2": finding.indicator[0], "level3": finding.indicator[1]},
    }


def note_dict(note: ReaderNote, lang: str) -> dict[str, Any]:
    return {"message": note.text(lang), "messages": {"zh": note.zh, "en": note.en}, "line": note.line, "ref": note.ref,
            "project": note.project}


def document_dict(result: DocumentResult, run: RunInfo) -> dict[str, Any]:
    groups = group_by_dimension(result.findings)
    item = {
        "path": result.path,
        "department": result.department,
        "year": result.year,
        "projects": result.projects,
        "layout": result.layout,
        "findings": [finding_dict(f, run.lang) for f in result.findings],
        "errors": result.errors,
        "error_kind": None,
        "location": None,
        "notes": [note_dict(n, run.lang) for n in result.notes],
        "by_dimension": {d: len(groups.get(d, ())) for d in DIMENSIONS},
        "verdict": verdict_dict(run.verdict(result), run.lang),
    }
    if run.group_by == "dimension":
        item["opinion"] = [opinion_dict(part) for part in review_opinion(result.findings, run)]
    return item


def opinion_dict(part: DimensionOpinion) -> dict[str, Any]:
    return {
        "dimension": part.dimension,
        "label": part.label,
        "findings": part.count,
        "problems": [
            {
                "rule": item.rule,
                "title": item.title,
                "severity": item.severity,
                "findings": item.count,
                "places": list(item.places),
                "more_places": item.more_places,
                "example": item.example,
                "suggestion": item.suggestion,
            }
            for item in part.items
        ],
    }


def error_dict(error: InputError, lang: str = "zh") -> dict[str, Any]:
    """An input that was not audited, as an item of ``documents`` with the keys of a draft."""
    return {
        "path": error.path,
        "department": None,
        "year": None,
        "projects": 0,
        "layout": None,
        "findings": [],
        "errors": [error.message],
        "error_kind": error.kind,
        "location": {"line": error.line, "ref": error.ref},
        "notes": [],
        "by_dimension": dict.fromkeys(DIMENSIONS, 0),
        "verdict": verdict_dict(unread_verdict(error_label(error, "zh"), error_label(error, "en")), lang),
    }


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JsonWriter(ReportWriter):
    def __init__(self, out: Any, run: Any) -> None:
        super().__init__(out, run)
        self.count = 0
        self.errors: list[InputError] = []
        self.out.write('{"version":%d,"documents":[' % REPORT_VERSION)

    def _item(self, item: dict[str, Any]) -> None:
        self.out.write(("," if self.count else "") + "\n" + _compact(item))
        self.count += 1

    def document(self, result: DocumentResult) -> None:
        self._item(document_dict(result, self.run))

    def unreadable(self, error: InputError) -> None:
        self.errors.append(error)

    def finish(self, summary: dict[str, Any], notices: list[dict[str, str]]) -> None:
        for error in self.errors:
            self._item(error_dict(error, self.run.lang))
        self.out.write(("\n]" if self.count else "]") + ',\n"notices":' + _compact(notices))
        self.out.write(',\n"summary":' + _compact(summary))
        self.out.write(',\n"configuration":' + _compact(dict(self.run.configuration)) + "}\n")
