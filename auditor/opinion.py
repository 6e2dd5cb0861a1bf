"""A draft's findings in the shape of the 审核意见 a reviewer writes back: by review dimension
(完整性, 相关性, 可测性, 适当性, 规范性), each problem once with how often and where it occurs,
and what the department should do.

Reports build on this (``--group-by dimension``, the HTML opinion, the Excel sheet); it reads
findings only, never a draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from auditor.findings import SEVERITY_ORDER, Finding, ProjectRef
from auditor.messages import where
from auditor.model import Location
from auditor.report import DIMENSION_EN, DIMENSIONS, RunInfo, is_active
from auditor.verdicts import DEPARTMENT, DEPARTMENT_NAMES, in_opinion, indicator_name

PLACES = 6  # places named per problem; the rest are counted


@dataclass(frozen=True, slots=True)
class OpinionItem:
    """One problem of a dimension (one rule, or one case of a rule: each case has its own
    advice): how often, where, one finding's message as the example, and the advice that goes
    with that example."""

    rule: str
    title: str
    severity: str
    count: int
    places: tuple[str, ...]
    more_places: int
    example: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class DimensionOpinion:
    dimension: str  # the Chinese name, the key in every output
    label: str  # in the report's language
    count: int
    items: tuple[OpinionItem, ...]


def dimension_label(dimension: str, lang: str) -> str:
    return dimension if lang == "zh" else DIMENSION_EN.get(dimension, dimension)


def group_by_dimension(findings: Iterable[Finding], active_only: bool = True) -> dict[str, list[Finding]]:
    """Findings by dimension, in the reviewers' order of dimensions (a dimension no shipped rule
    uses comes last); only those still to deal with (not waived, not in the baseline) unless
    ``active_only`` is false."""
    groups: dict[str, list[Finding]] = {d: [] for d in DIMENSIONS}
    for finding in findings:
        if not active_only or is_active(finding):
            groups.setdefault(finding.dimension, []).append(finding)
    return {d: found for d, found in groups.items() if found}


ADVICE_SHOWN = 3  # distinct pieces of advice of one problem shown; the rest are in the findings


def review_opinion(findings: Iterable[Finding], run: RunInfo) -> list[DimensionOpinion]:
    """The opinion on one draft: what is sent back, the findings that send a project back under
    the run's verdict policy (notes below ``revise_from`` stay in the findings lists, not in the
    opinion a department receives). Problems within a dimension come worst first (severity,
    then how often), then in rule order."""
    lang = run.lang
    order = {rule.id: n for n, rule in enumerate(run.rules)}
    opinion = []
    sent_back = [f for f in findings if in_opinion(f, run.verdict_policy)]
    for dimension, found in group_by_dimension(sent_back).items():
        items = [_item(hits[0].rule, hits, run) for hits in _problems(found, lang)]
        items.sort(key=lambda i: (-SEVERITY_ORDER[i.severity], -i.count, order.get(i.rule, len(order)), i.rule))
        opinion.append(DimensionOpinion(dimension, dimension_label(dimension, lang), len(found), tuple(items)))
    return opinion


def _problems(findings: list[Finding], lang: str) -> list[list[Finding]]:
    """Findings by problem: one per rule, whatever its cases, so a heading (the rule's title)
    appears once under its dimension with the count of all its findings."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    return list(by_rule.values())


def _item(rule_id: str, findings: list[Finding], run: RunInfo) -> OpinionItem:
    lang = run.lang
    info = run.rule(rule_id)
    title = (info.title.get(lang) or info.title.get("zh", rule_id)) if info else rule_id
    places = _places(findings, lang)
    return OpinionItem(
        rule=rule_id,
        title=title,
        severity=max((f.severity for f in findings), key=SEVERITY_ORDER.__getitem__),
        count=len(findings),
        places=tuple(places[:PLACES]),
        more_places=max(0, len(places) - PLACES),
        example=findings[0].text(lang),
        suggestion=_advice(findings, lang),
    )


VARIABLE_PART = re.compile(r"[\d“\"（(]")


def advice_opening(text: str) -> str:
    """The fixed opening of a piece of advice, up to the first figure, quotation or bracket: what a
    rule's advice says before it names the row or amount it is about."""
    return VARIABLE_PART.split(text, maxsplit=1)[0]


MIN_OPENING = 4  # shorter openings say too little to tell two pieces of advice apart


def same_advice(text: str, other: str) -> bool:
    """Whether two pieces of advice are one template's: their openings equal, or one goes on where
    the other met a figure; pieces with a shorter opening only when they are the same text."""
    opening, other_opening = advice_opening(text), advice_opening(other)
    if min(len(opening), len(other_opening)) < MIN_OPENING:
        return text == other
    return opening.startswith(other_opening) or other_opening.startswith(opening)


def _advice(findings: list[Finding], lang: str) -> str:
    """The advice of a problem: its distinct advice, in the order first met; advice of one template
    naming other rows or amounts is given once, the first finding's."""
    texts = [(finding, finding.advice(lang)) for finding in findings]
    kept: list[str] = []
    distinct: list[str] = []
    for finding, text in texts:
        if len(distinct) == ADVICE_SHOWN:
            break
        if text and not any(same_advice(text, seen) for seen in kept):
            kept.append(text)
            # another project's advice of this template names other rows or amounts: say whose this is
            differs = any(other != text and same_advice(other, text) for _, other in texts if other)
            distinct.append(_for_project(text, finding.project, lang) if differs else text)
    if lang != "zh":
        return " ".join(distinct)
    # pieces that end their sentence follow on directly (never “。；”); the others take “；”
    return "".join(piece if n == len(distinct) - 1 or piece.endswith(("。", "；")) else piece + "；" for n, piece in enumerate(distinct))


def _for_project(advice: str, project: ProjectRef | None, lang: str) -> str:
    """Advice naming one project's rows or amounts, marked with that project (another project's
    figures would otherwise read as the reader's own)."""
    if project is None:
        return advice
    return f"（如项目{project.index}）{advice}" if lang == "zh" else f"(e.g. project {project.index}) {advice}"


def _places(findings: list[Finding], lang: str) -> list[str]:
    """Where a problem occurs, as a department finds it in its own file: one entry per project
    (or the department part) and indicator row (二级/三级) it concerns, with the cells or table
    rows of the file (``'1.政府…'!D13``, ``表格 3 第5行第2列``) — text line numbers only where the
    input has no cells (a text draft). Findings from several files name their file first."""
    several_files = len({f.path for f in findings}) > 1
    grouped: dict[tuple[str, ProjectRef | None, tuple[str, str] | None], list[Location]] = {}
    for finding in findings:
        at = grouped.setdefault((finding.path, finding.project, finding.indicator), [])
        if finding.ref is not None:
            at.append(Location(None, None, readable_ref(finding.ref, lang)))
        elif finding.line is not None:
            at.append(Location(finding.line))
    return [
        _place(path if several_files else None, project, indicator, list(dict.fromkeys(locations)), lang)
        for (path, project, indicator), locations in grouped.items()
    ]


SHEET_CELL = re.compile(r"^(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!]+))!(?P<cell>\$?[A-Z]{1,3}\$?\d+)$")


def readable_ref(ref: str, lang: str) -> str:
    """A cell as a department reads it rather than as a formula writes it:
    ``'3.背街小巷路面修缮工程'!A12`` → ``“3.背街小巷路面修缮工程”表A12`` (``sheet “…” A12``);
    Word places (``表格 3 第5行第2列``) and bare cells stay as they are."""
    match = SHEET_CELL.match(ref)
    if match is None:
        return ref
    sheet = match.group("quoted").replace("''", "'") if match.group("quoted") else match.group("plain")
    cell = match.group("cell").replace("$", "")
    if sheet.lower().endswith((".csv", ".tsv")):  # a file of a two-file export, not a sheet
        return f"“{sheet}”{cell}" if lang == "zh" else f"file “{sheet}” {cell}"
    return f"“{sheet}”表{cell}" if lang == "zh" else f"sheet “{sheet}” {cell}"


def _place(
    path: str | None, project: ProjectRef | None, indicator: tuple[str, str] | None, locations: list[Location], lang: str
) -> str:
    """``项目1“…”指标“数量/服务社区个数”（'1.政府…'!D13）`` / ``project 1 “…”, indicator “…” (line 90)``."""
    zh = lang == "zh"
    if project is None:
        name = DEPARTMENT_NAMES.get(lang, DEPARTMENT)
    else:
        name = f"项目{project.index}“{project.name}”" if zh else f"project {project.index} “{project.name}”"
    if indicator is not None and indicator_name(indicator):
        name += f"指标“{indicator_name(indicator)}”" if zh else f", indicator “{indicator_name(indicator)}”"
    if path is not None:
        name = f"{PurePath(path).name}：{name}" if zh else f"{PurePath(path).name}: {name}"
    if locations:
        name += f"（{where(locations, lang)}）" if zh else f" ({where(locations, lang)})"
    return name
