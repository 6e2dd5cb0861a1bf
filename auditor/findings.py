"""What an audit produces: findings, and per-rule outcomes for each draft.

Report writers read only these types; they never see a rule's implementation or re-read a draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


def rebuilt_by_init(obj: Any) -> tuple:
    """``__reduce__`` for the slotted dataclasses of a result: rebuilt by one call of
    ``__init__``. A worker's results are unpickled in the process that writes the reports, where
    the default for slotted classes (a setattr per field) cost more than the writing."""
    cls = type(obj)
    return (cls, tuple([getattr(obj, name) for name in cls.__slots__]))


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """The project a finding is about, as a reviewer names it."""

    index: int
    code: str | None
    name: str

    __reduce__ = rebuilt_by_init


@dataclass(frozen=True, slots=True)
class Finding:
    """One defect found by one rule at one place.

    ``field`` names the model field (``indicators[3].value``, ``budget.total``…); ``line`` and
    ``column`` (1-based, in characters) locate the evidence in the source; ``ref`` locates it in
    formats without lines. ``evidence`` is the offending text as written.
    """

    rule: str
    severity: Severity
    dimension: str
    message: Mapping[str, str]  # {"zh": …, "en": …}, rendered on first read
    suggestion: Mapping[str, str]
    path: str
    project: ProjectRef | None
    field: str
    line: int | None
    column: int | None
    ref: str | None
    evidence: str
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    waived: str | None = None  # the waiver's reason when a waiver accepts this finding
    baseline: bool = False  # already in the baseline the run compares against
    context: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    """The draft text around the evidence, for reports: the indicator row, the schedule, the
    goal items or the paragraph (``{"type": "indicator", "cells": {…}}`` …)."""
    case: str | None = None  # which of the rule's cases (message variants) this is
    indicator: tuple[str, str] | None = None
    """The indicator row a finding is about, as the draft names it: (二级指标, 三级指标)."""

    __reduce__ = rebuilt_by_init

    def text(self, lang: str) -> str:
        return self.message.get(lang) or self.message["zh"]

    def advice(self, lang: str) -> str:
        return self.suggestion.get(lang) or self.suggestion.get("zh", "")

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What makes a finding the same finding across revisions of a draft: rule, project,
        field and evidence — not the line, which moves when text is added above it."""
        project = ""
        if self.project is not None:
            project = self.project.code or self.project.name
        return (self.rule, self.path, project, self.field, self.evidence)


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """A project's key facts as a report shows them on its card (so no report re-reads a draft)."""

    index: int
    code: str | None
    name: str
    heading: str
    line: int | None
    money_unit: str | None
    budget: tuple[str, str | None, str | None] | None  # 预算数, 财政资金, 其他资金 as written (None: the form has none)
    schedule_header: str | None
    schedule: tuple[tuple[str, str], ...]  # (3月底, "25.00") …
    goals: int
    indicators: int
    applicable_indicators: int = 0  # indicators not marked 不适用
    funded: bool | None = None  # a budget above zero is stated; None: the form has no budget field

    __reduce__ = rebuilt_by_init


@dataclass(frozen=True, slots=True)
class ReaderNote:
    """Something the reader noticed and worked around (a cell it skipped, a sheet that is not
    part of the form), in both languages, with where it is."""

    zh: str
    en: str
    line: int | None
    ref: str | None
    project: int | None = None  # the project part of whose content was not understood

    __reduce__ = rebuilt_by_init

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(slots=True)
class RuleOutcome:
    """How one rule fared on one draft: targets checked, findings, targets it could not check
    (the draft lacks a field the rule needs) and why."""

    checked: int = 0
    findings: int = 0
    not_checkable: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    __reduce__ = rebuilt_by_init

    def add_not_checkable(self, reason: str) -> None:
        self.not_checkable += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


@dataclass(slots=True)
class DocumentResult:
    """The audit of one draft (or the error that stopped it from being read)."""

    path: str
    department: str | None
    year: int | None
    projects: int
    findings: list[Finding] = field(default_factory=list)
    outcomes: dict[str, RuleOutcome] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    facts: list[ProjectFacts] = field(default_factory=list)
    signatures: dict[str, Any] = field(default_factory=dict)  # run-level rules' view of the draft, until compared
    layout: str | None = None  # the layout profile the draft was read with
    notes: list[ReaderNote] = field(default_factory=list)  # what the reader noticed and worked around
    # the verdict under a policy, (policy, DraftVerdict), kept by RunInfo.verdict so that every report
    # of a run reads one verdict; recomputed when asked under another policy
    verdict: Any = None

    __reduce__ = rebuilt_by_init
