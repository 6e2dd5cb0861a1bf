"""``--format json``: the findings as JSON. The keys are a published interface (``version`` 1):
add keys, never rename or drop one."""

from __future__ import annotations

import json
from typing import Any

from auditor.findings import Finding
from auditor.report import AuditReport

REPORT_VERSION = 1


def finding_dict(finding: Finding, lang: str) -> dict[str, Any]:
    project = finding.project
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "dimension": finding.dimension,
        "message": finding.text(lang),
        "suggestion": finding.advice(lang),
        "messages": finding.message,
        "suggestions": finding.suggestion,
        "project": None if project is None else {"index": project.index, "code": project.code, "name": project.name},
        "location": {"line": finding.line, "column": finding.column, "field": finding.field, "ref": finding.ref},
        "evidence": finding.evidence,
        "waived": finding.waived,
        "baseline": bool(finding.data.get("baseline")),
    }


def report_dict(report: AuditReport, lang: str) -> dict[str, Any]:
    documents = [
        {
            "path": result.path,
            "department": result.department,
            "year": result.year,
            "projects": result.projects,
            "findings": [finding_dict(f, lang) for f in result.findings],
            "errors": result.errors,
        }
        for result in report.results
    ]
    documents.extend(
        {"path": e.path, "department": None, "year": None, "projects": 0, "findings": [], "errors": [e.message]}
        for e in report.input_errors
    )
    return {
        "version": REPORT_VERSION,
        "documents": documents,
        "notices": report.notices,
        "summary": report.summary(),
    }


def render(report: AuditReport, lang: str) -> str:
    return json.dumps(report_dict(report, lang), ensure_ascii=False, indent=2) + "\n"
