"""One audit run as the writers see it: the rules that ran and how, the drafts' results one by
one, inputs that could not be read, waiver notices, and the summary a reviewer reads first.

A run streams: each draft's result goes to every writer as soon as it is audited and is then
dropped; ``SummaryBuilder`` keeps only counts. Writers render what they are given and never see
a rule's implementation or re-read a draft.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.findings import SEVERITY_ORDER, DocumentResult, Finding
from auditor.verdicts import REJECT, VERDICTS, DraftVerdict, VerdictPolicy, draft_verdict

DIMENSIONS = ("完整性", "相关性", "可测性", "适当性", "规范性")
DIMENSION_EN = {
    "完整性": "completeness",
    "相关性": "relevance",
    "可测性": "measurability",
    "适当性": "appropriateness",
    "规范性": "form",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITIES = ("error", "warning", "info")
WORST_PROJECTS = 10


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report needs to know about a rule (never its implementation)."""

    id: str
    severity: str
    dimension: str
    title: dict[str, str]
    message: dict[str, str]
    suggestion: dict[str, str]
    source: str
    rationale: str
    scope: str

    @property
    def citable_source(self) -> str:
        """The source as a reviewer may cite it: the document and article, without the
        maintainers' note that the article was not verified (kept in the rule data and
        docs/rules.md)."""
        return citable(self.source)


UNVERIFIED = re.compile(r"[，,、；;]?\s*(?:转引[，,]\s*)?条文未核实|[，,]?\s*转引(?=\s*[）)])|\[unverified[^\]]*\]")
EMPTY_BRACKETS = re.compile(r"（\s*）|\(\s*\)")


def citable(source: str) -> str:
    """``…审核（与资金量相匹配，条文未核实）`` → ``…审核（与资金量相匹配）``; ``…（条文未核实）`` → ``…``."""
    return EMPTY_BRACKETS.sub("", UNVERIFIED.sub("", source)).strip()


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def written_date(iso: str | None, lang: str) -> str:
    """A date as a signed document writes it: ``2026-12-03`` → ``2026年12月3日`` /
    ``3 December 2026``; empty when there is none."""
    if not iso:
        return ""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日" if lang == "zh" else f"{day} {MONTHS_EN[month - 1]} {year}"


UNKNOWN_UNIT = "未注明单位"


def unit_name(department: str | None) -> str:
    """The unit (department) a draft is from, as the verdict counts group it."""
    return (department or "").strip() or UNKNOWN_UNIT


@dataclass(frozen=True, slots=True)
class InputError:
    """An input that could not be read, or was read but not understood: path, message (zh / en),
    line or cell reference if known. ``kind`` is ``unreadable`` (damaged, empty, not a draft) or
    ``not_understood`` (no layout profile explains it with confidence: it was not audited)."""

    path: str
    message: str
    line: int | None = None
    kind: str = "unreadable"
    ref: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """What every writer knows before the first draft arrives."""

    rules: tuple[RuleInfo, ...]
    lang: str = "zh"
    fail_on: str = "error"
    version: str = ""
    group_by: str = "project"  # how text reports order findings: by "project" or by "dimension"
    base: Path = field(default_factory=Path.cwd)  # paths in reports are relative to this
    # the effective configuration: which file, rule files, selection, severities and parameters
    # changed (recorded in the JSON and SARIF reports, so a result can be traced to its set-up)
    configuration: Mapping[str, Any] = field(default_factory=dict)
    verdict_policy: VerdictPolicy = field(default_factory=VerdictPolicy)
    # what the 审核意见 is signed and dated with: issuer, reviewer, date and deadline (YYYY-MM-DD)
    opinion: Mapping[str, str] = field(default_factory=dict)

    def rule(self, rule_id: str) -> RuleInfo | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @cached_property
    def rule_titles(self) -> dict[str, Mapping[str, str]]:
        return {r.id: r.title for r in self.rules}

    def verdict(self, result: DocumentResult) -> DraftVerdict:
        """The draft's verdict and its projects' under this run's policy, computed once per
        settled draft (the summary and every writer ask for it). Ask only once waivers and the
        baseline are applied: the run's drivers do."""
        kept = result.verdict
        if kept is None or kept[0] != self.verdict_policy:
            kept = result.verdict = (self.verdict_policy, draft_verdict(result, self.verdict_policy, self.rule_titles))
        return kept[1]


def counts_toward_failure(finding: Finding, fail_on: str) -> bool:
    """Whether a finding fails the run: not waived, not in the baseline, at or above the
    threshold."""
    if finding.waived or finding.baseline or fail_on == "never":
        return False
    return SEVERITY_ORDER[finding.severity] >= SEVERITY_ORDER[fail_on]


def is_active(finding: Finding) -> bool:
    """A finding still to be dealt with: neither waived nor already in the baseline."""
    return not finding.waived and not finding.baseline


@dataclass
class SummaryBuilder:
    """Counts of a run, kept draft by draft in bounded memory."""

    run: RunInfo
    documents: int = 0
    projects: int = 0
    unreadable: int = 0
    not_understood: int = 0  # of the unreadable inputs, those whose layout no profile explains
    findings: int = 0
    waived: int = 0
    baseline: int = 0
    failing: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_dimension: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    outcomes: dict[str, Counter] = field(default_factory=dict)
    worst: list[tuple[int, str, int, str]] = field(default_factory=list)
    draft_verdicts: Counter = field(default_factory=Counter)
    project_verdicts: Counter = field(default_factory=Counter)
    units: dict[str, tuple[Counter, Counter]] = field(default_factory=dict)  # unit → (drafts, projects) by verdict

    def add(self, result: DocumentResult) -> None:
        self.documents += 1
        verdict = self.run.verdict(result)
        drafts, projects = self.units.setdefault(unit_name(result.department), (Counter(), Counter()))
        drafts[verdict.verdict] += 1
        self.draft_verdicts[verdict.verdict] += 1
        projects.update(verdict.counts)  # projects only, not the department-level part
        self.project_verdicts.update(verdict.counts)
        self.projects += result.projects
        per_project: Counter = Counter()
        for finding in result.findings:
            if finding.waived:
                self.waived += 1
            elif finding.baseline:
                self.baseline += 1
            else:
                self.findings += 1
                self.by_severity[finding.severity] += 1
                self.by_dimension[finding.dimension] += 1
                self.by_rule[finding.rule] += 1
                if finding.project is not None:
                    per_project[(finding.project.index, finding.project.name)] += 1
            if counts_toward_failure(finding, self.run.fail_on):
                self.failing += 1
        for rule_id, outcome in result.outcomes.items():
            counts = self.outcomes.setdefault(rule_id, Counter())
            counts["checked"] += outcome.checked
            counts["findings"] += outcome.findings
            counts["not_checkable"] += outcome.not_checkable
        for (index, name), n in per_project.items():
            heapq.heappush(self.worst, (n, result.path, -index, name))
            if len(self.worst) > WORST_PROJECTS:
                heapq.heappop(self.worst)

    def add_unreadable(self, error: InputError | None = None) -> None:
        self.unreadable += 1
        self.draft_verdicts[REJECT] += 1
        self.units.setdefault(unit_name(None), (Counter(), Counter()))[0][REJECT] += 1
        if error is not None and error.kind == "not_understood":
            self.not_understood += 1

    def summary(self) -> dict[str, Any]:
        worst = sorted(self.worst, key=lambda w: (-w[0], w[1], -w[2]))
        return {
            "documents": self.documents,
            "unreadable": self.unreadable,
            "not_understood": self.not_understood,
            "projects": self.projects,
            "findings": self.findings,
            "waived": self.waived,
            "baseline": self.baseline,
            "failing": self.failing,
            "fail_on": self.run.fail_on,
            "by_severity": {s: self.by_severity[s] for s in SEVERITIES},
            "by_dimension": {d: self.by_dimension[d] for d in DIMENSIONS},
            "by_rule": {r.id: self.by_rule[r.id] for r in self.run.rules},
            "rules": {
                r.id: {key: self.outcomes.get(r.id, Counter())[key] for key in ("checked", "findings", "not_checkable")}
                for r in self.run.rules
            },
            "worst_projects": [{"path": path, "index": -index, "name": name, "findings": n} for n, path, index, name in worst],
            "verdicts": {
                "drafts": {v: self.draft_verdicts[v] for v in VERDICTS},
                "projects": {v: self.project_verdicts[v] for v in VERDICTS},
                "units": [
                    {"unit": unit, "drafts": {v: drafts[v] for v in VERDICTS}, "projects": {v: projects[v] for v in VERDICTS}}
                    for unit, (drafts, projects) in sorted(self.units.items())
                ],
            },
        }
