"""One audit run as the writers see it: per-draft results, the rules that ran, inputs that could
not be read, waiver notices, and the summary a reviewer reads first. Writers render this and
nothing else."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from auditor.findings import SEVERITY_ORDER, DocumentResult, Finding

DIMENSIONS = ("完整性", "相关性", "可测性", "适当性", "规范性")
DIMENSION_EN = {
    "完整性": "completeness",
    "相关性": "relevance",
    "可测性": "measurability",
    "适当性": "appropriateness",
    "规范性": "form",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report needs to know about a rule (never its implementation)."""

    id: str
    severity: str
    dimension: str
    title: dict[str, str]
    source: str
    rationale: str
    scope: str


@dataclass(frozen=True, slots=True)
class InputError:
    """An input that could not be read: path, message, line if known."""

    path: str
    message: str
    line: int | None = None


@dataclass
class AuditReport:
    results: list[DocumentResult]
    rules: list[RuleInfo]
    input_errors: list[InputError] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)  # waiver notices, {zh, en}
    fail_on: str = "error"

    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def counts(self, finding: Finding) -> bool:
        """Whether a finding counts toward failing the run: not waived, not in the baseline,
        at or above the threshold."""
        if finding.waived or finding.data.get("baseline"):
            return False
        if self.fail_on == "never":
            return False
        return SEVERITY_ORDER[finding.severity] >= SEVERITY_ORDER[self.fail_on]

    def failing(self) -> list[Finding]:
        return [f for f in self.findings() if self.counts(f)]

    def summary(self) -> dict[str, Any]:
        findings = self.findings()
        active = [f for f in findings if not f.waived and not f.data.get("baseline")]
        outcomes: dict[str, dict[str, int]] = {}
        for rule in self.rules:
            checked = found = not_checkable = 0
            for result in self.results:
                outcome = result.outcomes.get(rule.id)
                if outcome:
                    checked += outcome.checked
                    found += outcome.findings
                    not_checkable += outcome.not_checkable
            outcomes[rule.id] = {"checked": checked, "findings": found, "not_checkable": not_checkable}
        by_project = Counter(
            (f.path, f.project.index, f.project.name) for f in active if f.project is not None
        )
        return {
            "documents": len(self.results),
            "unreadable": len(self.input_errors),
            "projects": sum(r.projects for r in self.results),
            "findings": len(active),
            "waived": sum(1 for f in findings if f.waived),
            "baseline": sum(1 for f in findings if f.data.get("baseline")),
            "failing": len(self.failing()),
            "fail_on": self.fail_on,
            "by_severity": {s: sum(1 for f in active if f.severity == s) for s in ("error", "warning", "info")},
            "by_dimension": {d: sum(1 for f in active if f.dimension == d) for d in DIMENSIONS},
            "by_rule": {r.id: sum(1 for f in active if f.rule == r.id) for r in self.rules},
            "rules": outcomes,
            "worst_projects": [
                {"path": path, "index": index, "name": name, "findings": n}
                for (path, index, name), n in sorted(by_project.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            ],
        }
