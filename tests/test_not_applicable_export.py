"""Acceptance: a flat export built from three corpus drafts, with rows declared not to apply and
targets written as sentences, draws no finding on those rows and values.

Each project gets 不适用-style rows (不适用, 不涉及, 无, —, and the near-miss 不适应) for the
optional categories it does not fill, as fixed-row forms ask; and each quantified target that drew
no finding is rewritten the way departments write it (``≥95%`` → ``不低于95%``, ``≤20万元`` →
``控制在20万元以内``, ``≥10次`` → ``全年不少于10次``, ``=100%`` → ``达到100%``). The rewritten
export must draw exactly the findings of the plain export of the same drafts, minus none and
plus none on those rows."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest

from auditor.cli import main
from auditor.domain import category
from auditor.model import Document, Indicator
from auditor.values import parse_value
from tests.flat_export import write_flat_export

DRAFTS = ("000", "002", "004")
MARKERS = ("不适用", "不涉及", "无", "—", "不适应")
OPTIONAL = (("效益指标", "经济效益指标"), ("效益指标", "生态效益指标"), ("效益指标", "可持续影响指标"))


def sentence(value) -> str | None:
    """A quantified target as a department writes it in words, or None to leave it."""
    if value.kind != "quantity" or value.unit is None or value.tail is not None or value.number is None:
        return None
    number = f"{value.number.normalize():f}"
    unit = value.unit_raw or value.unit
    if value.op == "≥":
        return f"全年不少于{number}{unit}" if unit in ("次", "个", "人", "场", "家") else f"不低于{number}{unit}"
    if value.op == "≤":
        return f"控制在{number}{unit}以内"
    if value.op == "=" and value.unit == "%":
        return f"达到{number}{unit}"
    return None


def with_declared_rows(doc: Document, plain_findings: set[tuple[int, int]]) -> tuple[Document, dict[int, set[int]]]:
    """A copy of the draft with 不适用 rows for the optional categories each project lacks and
    sentence targets on rows without findings; returns it and, per project, the changed rows."""
    out = copy.deepcopy(doc)
    changed: dict[int, set[int]] = {}
    markers = iter(MARKERS * 100)
    for project in out.projects:
        rows = changed.setdefault(project.index, set())
        for i, row in enumerate(project.indicators):
            text = sentence(row.value)
            if text and (project.index, i) not in plain_findings:
                row.value = parse_value(text)
                rows.add(i)
        have = {category(r.level2) for r in project.indicators}
        if not project.indicators or "社会效益" not in have:
            continue  # only where a real outcome row stays, so no category is wholly 不适用
        for level1, level2 in OPTIONAL:
            if category(level2) in have:
                continue
            marker = next(markers)
            rows.add(len(project.indicators))
            project.indicators.append(Indicator(level1, level2, marker, marker, parse_value(marker), marker))
    return out, changed


def audit_json(path) -> dict:
    import io

    out = io.StringIO()
    main(["check", str(path), "--format", "json", "-q", "--fail-on", "never"], out=out, err=io.StringIO())
    (doc,) = json.loads(out.getvalue())["documents"]
    return doc


ROW = "indicators["


def row_of(finding: dict) -> tuple[int, int] | None:
    field = finding["location"].get("field") or ""
    if not field.startswith(ROW) or field.startswith(ROW + "*") or not finding.get("project"):
        return None
    return finding["project"]["index"], int(field[len(ROW) : field.index("]")])


@pytest.mark.parametrize("key", DRAFTS)
def test_declared_rows_and_sentence_targets_draw_no_finding(key, drafts, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plain = audit_json(write_flat_export(drafts[key], tmp_path, "joined", f"{key}-plain"))
    flagged = {row for f in plain["findings"] if (row := row_of(f)) is not None}
    doc, changed = with_declared_rows(drafts[key], flagged)
    assert sum(len(rows) for rows in changed.values()) >= 3, "the draft gives rows to rewrite"
    written = audit_json(write_flat_export(doc, tmp_path, "joined", f"{key}-written"))
    on_changed = [f for f in written["findings"] if (row := row_of(f)) and row[1] in changed.get(row[0], set())]
    assert on_changed == []
    assert all("不适用" not in f["evidence"] and "不涉及" not in f["evidence"] for f in written["findings"])
    assert Counter(f["rule"] for f in written["findings"]) == Counter(f["rule"] for f in plain["findings"])
