"""A verdict per project — 通过 / 修改后通过 / 不通过 — as a reviewer returns it, by a policy the
configuration may change (the ``verdict`` key of ``budget-audit.yaml``).

Defaults: a project the reader could not fully understand, with no applicable indicator, or with
no budget stated is 不通过; one with a finding at or above ``revise_from`` (warning) still to deal
with is 修改后通过; one with only notes (info) or nothing is 通过. A draft's verdict is its worst
project's; a draft that could not be read or understood is 不通过.

Verdicts are computed from a draft's result after waivers and the baseline have been applied, so
a waived finding never sends a project back. Reads findings only, never a draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.findings import SEVERITY_ORDER, DocumentResult, Finding, ProjectFacts

PASS, REVISE, REJECT = "pass", "revise", "reject"
VERDICTS = (PASS, REVISE, REJECT)  # best first
VERDICT_LABELS: dict[str, dict[str, str]] = {
    PASS: {"zh": "通过", "en": "pass"},
    REVISE: {"zh": "修改后通过", "en": "pass after revision"},
    REJECT: {"zh": "不通过", "en": "not passed"},
}
REJECT_CONDITIONS = ("no_indicators", "no_budget", "not_understood")
DEPARTMENT = "部门整体"
DEPARTMENT_NAMES = {"zh": DEPARTMENT, "en": "department level"}
TITLES_SHOWN = 3  # problems named in a 修改后通过 project's reason; the rest are in its findings


def verdict_label(verdict: str, lang: str) -> str:
    labels = VERDICT_LABELS[verdict]
    return labels.get(lang) or labels["zh"]


@dataclass(frozen=True)
class VerdictPolicy:
    """When a project passes, passes after revision, or does not pass.

    ``revise_from``: the lowest severity of a finding still to deal with that sends a project back
    for revision (``never``: findings alone never do). ``reject_when``: which of
    ``no_indicators``, ``no_budget``, ``not_understood`` make a project 不通过.
    ``reject_rules``: rules (canonical ids) any of whose findings make a project 不通过.
    """

    revise_from: str = "warning"
    reject_when: tuple[str, ...] = REJECT_CONDITIONS
    reject_rules: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | None) -> VerdictPolicy:
        if not data:
            return cls()
        default = cls()
        return cls(
            revise_from=data.get("revise_from", default.revise_from),
            reject_when=tuple(data.get("reject_when", default.reject_when)),
            reject_rules=tuple(data.get("reject_rules", default.reject_rules)),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"revise_from": self.revise_from, "reject_when": list(self.reject_when), "reject_rules": list(self.reject_rules)}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a project got its verdict, in both languages; ``code`` is ``no_indicators``,
    ``no_budget``, ``not_understood``, ``rule:<id>`` or ``findings``."""

    code: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class ProjectVerdict:
    """One project's verdict (``index`` None: the department-level part of the draft), why, the
    indicators (二级, 三级) whose findings send it back, and its findings still to deal with by
    severity."""

    index: int | None
    code: str | None
    name: str
    verdict: str
    reasons: tuple[Reason, ...]
    indicators: tuple[tuple[str, str], ...]
    findings: Mapping[str, int]

    def label(self, lang: str) -> str:
        return verdict_label(self.verdict, lang)

    def display_name(self, lang: str) -> str:
        """The project's name, or the department-level part's in the report's language."""
        return self.name if self.index is not None else DEPARTMENT_NAMES.get(lang, DEPARTMENT)


@dataclass(frozen=True, slots=True)
class DraftVerdict:
    """A draft's verdict (its worst project's, or its department-level part's), its projects'
    verdicts and their counts (projects only, not the department-level part)."""

    verdict: str
    projects: tuple[ProjectVerdict, ...]
    counts: Mapping[str, int]

    def label(self, lang: str) -> str:
        return verdict_label(self.verdict, lang)


def worst(verdicts: Iterable[str]) -> str:
    return max(verdicts, key=VERDICTS.index, default=PASS)


def draft_verdict(result: DocumentResult, policy: VerdictPolicy, titles: Mapping[str, Mapping[str, str]] | None = None) -> DraftVerdict:
    """The verdicts of one audited draft. ``titles``: rule titles by id (zh/en), for the reasons
    of ``reject_rules``."""
    active = [f for f in result.findings if not f.waived and not f.baseline]
    by_project: dict[int | None, list[Finding]] = {}
    for finding in active:
        by_project.setdefault(finding.project.index if finding.project else None, []).append(finding)
    unread: dict[int, int] = {}
    for note in result.notes:
        if note.project is not None:
            unread[note.project] = unread.get(note.project, 0) + 1
    projects = [
        project_verdict(facts, by_project.get(facts.index, []), unread.get(facts.index, 0), policy, titles or {})
        for facts in result.facts
    ]
    department = by_project.get(None)
    if department:
        projects.insert(0, _verdict(None, None, DEPARTMENT, [], department, policy, titles or {}))
    if not projects:
        reason = Reason("no_indicators", "未读到任何项目", "no project was read")
        projects.append(ProjectVerdict(None, None, DEPARTMENT, REJECT, (reason,), (), {}))
    counts = {v: sum(1 for p in projects if p.verdict == v and p.index is not None) for v in VERDICTS}
    return DraftVerdict(worst(p.verdict for p in projects), tuple(projects), counts)


def project_verdict(
    facts: ProjectFacts, findings: list[Finding], unread: int, policy: VerdictPolicy,
    titles: Mapping[str, Mapping[str, str]],
) -> ProjectVerdict:
    reasons: list[Reason] = []
    if "not_understood" in policy.reject_when and unread:
        reasons.append(Reason("not_understood", f"表中有{unread}处内容未能识别，无法完整审核",
                              f"{unread} cell(s) or row(s) of its table were not understood: it cannot be fully audited"))
    if "no_indicators" in policy.reject_when and facts.applicable_indicators == 0:
        reasons.append(Reason("no_indicators", "未设置适用的绩效指标", "no applicable indicator is set"))
    if "no_budget" in policy.reject_when and facts.funded is False:
        reasons.append(Reason("no_budget", "预算数为0或未填写", "its budget is 0 or not stated"))
    return _verdict(facts.index, facts.code, facts.name, reasons, findings, policy, titles)


def _verdict(
    index: int | None, code: str | None, name: str, reasons: list[Reason], findings: list[Finding],
    policy: VerdictPolicy, titles: Mapping[str, Mapping[str, str]],
) -> ProjectVerdict:
    for rule in dict.fromkeys(f.rule for f in findings if f.rule in policy.reject_rules):
        title = titles.get(rule, {})
        zh, en = title.get("zh", rule), title.get("en", rule)
        reasons.append(Reason(f"rule:{rule}", f"存在“{zh}”问题", f"has “{en}”"))
    sending_back = [f for f in findings if _sends_back(f, policy)]
    verdict = REJECT if reasons else REVISE if sending_back else PASS
    if sending_back and not reasons:
        n = len(sending_back)
        rules = list(dict.fromkeys(f.rule for f in sending_back))
        zh = "、".join(titles.get(r, {}).get("zh", r) for r in rules[:TITLES_SHOWN])
        en = "; ".join(titles.get(r, {}).get("en", r) for r in rules[:TITLES_SHOWN])
        more_zh, more_en = ("等", ", …") if len(rules) > TITLES_SHOWN else ("", "")
        reasons.append(Reason("findings", f"{n}个问题需修改：{zh}{more_zh}", f"{n} finding(s) to correct: {en}{more_en}"))
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    indicators = tuple(dict.fromkeys(f.indicator for f in sending_back if f.indicator))
    return ProjectVerdict(index, code, name, verdict, tuple(reasons), indicators, counts)


def in_opinion(finding: Finding, policy: VerdictPolicy) -> bool:
    """Whether a finding belongs in the 审核意见 sent to the department: one that sends a project
    back; every finding when findings never do (``revise_from: never``)."""
    return policy.revise_from == "never" or _sends_back(finding, policy)


def _sends_back(finding: Finding, policy: VerdictPolicy) -> bool:
    if policy.revise_from == "never":
        return False
    return SEVERITY_ORDER[finding.severity] >= SEVERITY_ORDER[policy.revise_from]


def indicator_name(indicator: tuple[str, str]) -> str:
    """``二级/三级`` as a department finds the row in its table."""
    level2, level3 = indicator
    return f"{level2}/{level3}" if level2 and level3 and level2 != level3 else (level3 or level2)


def verdict_counts_text(counts: Mapping[str, int], lang: str) -> str:
    """``通过0个、修改后通过19个、不通过1个`` / ``0 pass, 19 pass after revision, 1 not passed``."""
    if lang == "zh":
        return "、".join(f"{verdict_label(v, lang)}{counts[v]}个" for v in VERDICTS)
    return ", ".join(f"{counts[v]} {verdict_label(v, lang)}" for v in VERDICTS)


def verdict_dict(verdict: DraftVerdict, lang: str) -> dict[str, Any]:
    """A draft's verdict as the JSON and SARIF reports carry it."""
    return {
        "verdict": verdict.verdict,
        "label": verdict.label(lang),
        "counts": dict(verdict.counts),
        "projects": [
            {
                "index": p.index,
                "code": p.code,
                "name": p.display_name(lang),
                "verdict": p.verdict,
                "label": p.label(lang),
                "reasons": [{"code": r.code, "message": r.text(lang), "messages": {"zh": r.zh, "en": r.en}} for r in p.reasons],
                "indicators": [{"level2": level2, "level3": level3} for level2, level3 in p.indicators],
                "findings": dict(p.findings),
            }
            for p in verdict.projects
        ],
    }


def unread_verdict(reason_zh: str, reason_en: str) -> DraftVerdict:
    """The verdict of an input that was not audited (unreadable, or its layout not understood)."""
    reason = Reason("not_understood", reason_zh, reason_en)
    entry = ProjectVerdict(None, None, DEPARTMENT, REJECT, (reason,), (), {})
    return DraftVerdict(REJECT, (entry,), dict.fromkeys(VERDICTS, 0))
