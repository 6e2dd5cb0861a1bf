"""Waivers (accepted exceptions, reported but not failing) and baselines (only new findings fail)."""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.baseline import Baseline, BaselineError, load_baseline, write_baseline
from auditor.engine import Engine
from auditor.findings import DocumentResult, Finding, ProjectRef
from auditor.readers import read_document
from auditor.rules import RuleSet, load_rules
from auditor.values import parse_value
from auditor.waivers import Waiver, WaiverError, apply_waivers, load_waivers

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "samples/004_2f558b6c4fb9792b.txt"
TODAY = datetime.date(2026, 3, 1)
CODE, NAME = "13022523P00L02410032K", "曹妃甸工业区临港商务区体育公园一期工程"


def finding(
    rule: str = "description-copy",
    *,
    path: str = "samples/002_5c6f3b5fd23eb4e3.txt",
    project: ProjectRef | None = ProjectRef(1, CODE, NAME),
    field: str = "indicators[*].description",
    line: int | None = 10,
    evidence: str = "安全检查次数",
    severity: str = "info",
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        dimension="规范性",
        message={"zh": f"问题 {evidence}", "en": f"problem {evidence}"},
        suggestion={"zh": "修改", "en": "fix it"},
        path=path,
        project=project,
        field=field,
        line=line,
        column=1 if line else None,
        ref=None,
        evidence=evidence,
        data={"evidence": evidence, "line": line},
    )


def result(*findings: Finding, path: str | None = None) -> DocumentResult:
    shown = path or (findings[0].path if findings else "samples/002_5c6f3b5fd23eb4e3.txt")
    return DocumentResult(shown, "经开区", 2026, 3, findings=list(findings))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


def audit_sample(ruleset: RuleSet, source: Path | None = None) -> DocumentResult:
    doc = read_document(source or ROOT / SAMPLE, parse_value, display_path=SAMPLE)
    return Engine(ruleset.rules).audit(doc)


# =============================================================================================
# Waivers: loading
# =============================================================================================

WAIVERS = """\
waivers:
  - rule: description-copy
    project: 13022523P00L02410032K
    file: samples/002_5c6f3b5fd23eb4e3.txt
    field: indicators[*].description
    reason: 表内描述按省厅模板填写，已与财政局沟通
    expires: 2027-03-31
    by: 王审核
  - rule: typo
    project: "0130"
    reason: 原文如此
"""


def test_load_waivers_reads_every_field(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path / "waivers.yaml", WAIVERS))
    first, second = waivers
    assert first == Waiver(
        rule="description-copy",
        reason="表内描述按省厅模板填写，已与财政局沟通",
        project=CODE,
        file="samples/002_5c6f3b5fd23eb4e3.txt",
        field="indicators[*].description",
        expires=datetime.date(2027, 3, 31),
        by="王审核",
        line=2,
        source=first.source,
    )
    assert first.source.endswith("waivers.yaml")
    assert (second.rule, second.project, second.expires, second.line) == ("typo", "0130", None, 9)


def test_unquoted_numeric_code_stays_text(tmp_path: Path) -> None:
    waivers = load_waivers(write(tmp_path / "w.yaml", "waivers:\n  - rule: typo\n    project: 0130\n    reason: x\n"))
    assert waivers[0].project == "0130"  # not the octal 88, not 130


def test_empty_waiver_file(tmp_path: Path) -> None:
    assert load_waivers(write(tmp_path / "w.yaml", "# none yet\n")) == []
    assert load_waivers(write(tmp_path / "w2.yaml", "waivers: []\n")) == []


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("waivers:\n  - rule: typo\n    project: x\n    reason: ok\n  - rule: typo\n    project: y\n", 5, "reason"),
        ("waivers:\n  - rule: typo\n    reason: '   '\n", 3, "must not be empty"),
        ("waivers:\n  - rule: typo\n    reason: ok\n    expires: 2027-02-30\n", 4, "not a valid date"),
        ("waivers:\n  - rule: typo\n    reason: ok\n    expires: next year\n", 4, "expires"),
        ("waivers:\n  - rule: typo\n    reason: ok\n    projcet: x\n", 4, "did you mean 'project'"),
        ("waivers:\n  - rule: typo\n    reason: [a, b]\n", 3, "must be a string"),
        ("waiver:\n  - rule: typo\n", 1, "waiver"),
        ("waivers:\n  - rule: typo\n    reason: ok\n   bad: indent\n", 4, "YAML"),
    ],
)
def test_invalid_waiver_files_name_the_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = write(tmp_path / "waivers.yaml", text)
    with pytest.raises(WaiverError) as caught:
        load_waivers(path)
    assert caught.value.line == line
    assert needle in str(caught.value)
    assert str(caught.value).startswith(f"{caught.value.path}:{line}: ")


def test_missing_waiver_file(tmp_path: Path) -> None:
    with pytest.raises(WaiverError, match="no such waiver file"):
        load_waivers(tmp_path / "missing.yaml")


# =============================================================================================
# Waivers: matching
# =============================================================================================


def waiver(**fields: object) -> Waiver:
    values: dict[str, object] = {"rule": "description-copy", "reason": "已沟通", "line": 3, "source": "waivers.yaml"}
    values.update(fields)
    return Waiver(**values)  # type: ignore[arg-type]


def waived(results: list[DocumentResult]) -> list[str | None]:
    return [f.waived for r in results for f in r.findings]


def test_match_by_project_code() -> None:
    results = [result(finding(), finding(project=ProjectRef(2, "OTHER", "别的项目")))]
    notices = apply_waivers(results, [waiver(project=CODE)], TODAY)
    assert waived(results) == ["已沟通", None]
    assert notices == []


def test_match_by_project_name_ignoring_surrounding_spaces() -> None:
    results = [result(finding(project=ProjectRef(1, None, f"{NAME} ")), finding(project=ProjectRef(2, None, "别的项目")))]
    apply_waivers(results, [waiver(project=f"  {NAME}")], TODAY)
    assert waived(results) == ["已沟通", None]


def test_project_match_is_exact() -> None:
    results = [result(finding(project=ProjectRef(1, CODE, NAME)))]
    notices = apply_waivers(results, [waiver(project=CODE[:-1]), waiver(project=NAME[:4])], TODAY)
    assert waived(results) == [None]
    assert [n.kind for n in notices] == ["unused", "unused"]


def test_waiver_without_project_matches_with_and_without_project() -> None:
    results = [result(finding(), finding(project=None, field="sections[0].items[1]"))]
    apply_waivers(results, [waiver()], TODAY)
    assert waived(results) == ["已沟通", "已沟通"]


def test_waiver_with_project_does_not_match_draft_level_findings() -> None:
    results = [result(finding(project=None))]
    apply_waivers(results, [waiver(project=CODE)], TODAY)
    assert waived(results) == [None]


def test_only_the_waived_rule() -> None:
    results = [result(finding(), finding("typo"))]
    apply_waivers(results, [waiver()], TODAY)
    assert waived(results) == ["已沟通", None]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("samples/002_5c6f3b5fd23eb4e3.txt", [True, False, False]),
        ("samples/00[0-2]_*.txt", [True, True, False]),
        ("002_*.txt", [True, False, False]),  # no "/": the file name alone
        ("*.txt", [True, True, False]),
        ("./samples/*", [True, True, False]),
        ("other/*", [False, False, True]),
    ],
)
def test_match_by_file_glob(pattern: str, expected: list[bool]) -> None:
    paths = ["samples/002_5c6f3b5fd23eb4e3.txt", "./samples/000_462a8d09a638f69f.txt", "other/x.docx"]
    results = [result(finding(path=p)) for p in paths]
    apply_waivers(results, [waiver(file=pattern)], TODAY)
    assert [w is not None for w in waived(results)] == expected


def test_match_by_field_glob() -> None:
    fields = ["indicators[*].description", "indicators[3].description", "indicators[3].value", "goals[0]"]
    results = [result(*(finding(field=f) for f in fields))]
    apply_waivers(results, [waiver(field="indicators[*].description")], TODAY)
    assert [w is not None for w in waived(results)] == [True, True, False, False]


def test_field_glob_question_mark_and_literal_brackets() -> None:
    fields = ["indicators[3].value", "indicators[12].value", "indicators3.value"]
    results = [result(*(finding(field=f) for f in fields))]
    apply_waivers(results, [waiver(field="indicators[?].value")], TODAY)
    assert [w is not None for w in waived(results)] == [True, False, False]


def test_all_conditions_must_hold() -> None:
    results = [
        result(
            finding(),
            finding(field="indicators[2].value"),
            finding(path="samples/003_247e9d6eca422fe5.txt"),
        )
    ]
    apply_waivers(results, [waiver(project=CODE, file="*/002_*", field="indicators[*].description")], TODAY)
    assert [w is not None for w in waived(results)] == [True, False, False]


def test_alias_is_resolved() -> None:
    results = [result(finding())]
    notices = apply_waivers(results, [waiver(rule="desc-copy")], TODAY, resolve=lambda name: {"desc-copy": "description-copy"}.get(name, name))
    assert waived(results) == ["已沟通"] and notices == []


def test_waived_finding_keeps_every_other_field() -> None:
    original = finding()
    results = [result(original)]
    apply_waivers(results, [waiver()], TODAY)
    marked = results[0].findings[0]
    assert marked.waived == "已沟通"
    assert replace(marked, waived=None) == original
    assert marked.data == original.data and marked.message == original.message and marked.line == original.line
    assert original.waived is None  # the frozen original is untouched


def test_first_matching_waiver_gives_the_reason_and_both_count_as_used() -> None:
    results = [result(finding())]
    notices = apply_waivers(results, [waiver(reason="第一条"), waiver(reason="第二条", project=CODE)], TODAY)
    assert waived(results) == ["第一条"]
    assert notices == []


def test_expired_waiver_is_not_applied_and_reported() -> None:
    results = [result(finding())]
    expired = waiver(project=CODE, expires=datetime.date(2026, 1, 31))
    notices = apply_waivers(results, [expired], TODAY)
    assert waived(results) == [None]
    assert len(notices) == 1
    notice = notices[0]
    assert notice.kind == "expired" and notice.waiver is expired
    assert notice.message["zh"] == f"豁免已过期（2026-01-31）：waivers.yaml 第3行 description-copy 项目 {CODE}"
    assert notice.message["en"] == f"waiver expired on 2026-01-31: waivers.yaml line 3, description-copy, project {CODE}"


def test_waiver_is_live_on_its_expiry_day() -> None:
    results = [result(finding())]
    notices = apply_waivers(results, [waiver(expires=TODAY)], TODAY)
    assert waived(results) == ["已沟通"] and notices == []


def test_unused_waiver_is_reported() -> None:
    results = [result(finding())]
    notices = apply_waivers(results, [waiver(), waiver(rule="typo", line=9, file="*.docx")], TODAY)
    assert [(n.kind, n.waiver.line) for n in notices] == [("unused", 9)]
    assert "第9行" in notices[0].message["zh"] and "typo" in notices[0].message["zh"] and "*.docx" in notices[0].message["zh"]
    assert "line 9" in notices[0].message["en"]


def test_notices_follow_the_waiver_file_order() -> None:
    ws = [waiver(rule="typo", line=2), waiver(line=5, expires=datetime.date(2020, 1, 1)), waiver(line=8, project="x")]
    notices = apply_waivers([result(finding())], ws, TODAY)
    assert [(n.kind, n.waiver.line) for n in notices] == [("unused", 2), ("expired", 5), ("unused", 8)]


def test_end_to_end_waivers_on_a_corpus_draft(tmp_path: Path, ruleset: RuleSet) -> None:
    audited = audit_sample(ruleset)
    before = list(audited.findings)
    copies = [f for f in before if f.rule == "description-copy" and f.project and f.project.code == "13020922P00H00E100020"]
    typos = [f for f in before if f.rule == "typo" and f.field.endswith(".description")]
    assert len(copies) == 1 and len(typos) == 2
    path = write(
        tmp_path / "waivers.yaml",
        """\
waivers:
  - rule: description-copy
    project: 13020922P00H00E100020
    reason: 表内描述按省厅模板填写
  - rule: typo
    file: 004_*.txt
    field: indicators[*].description
    reason: 原文引用，不改
    by: 王审核
  - rule: typo
    project: 园区办公用电费和专项购置费2022
    reason: 已过期
    expires: 2026-01-31
  - rule: budget-sum
    reason: 本文本无此问题
""",
    )
    notices = apply_waivers([audited], load_waivers(path), TODAY, resolve=lambda n: ruleset.resolve(n).id if ruleset.resolve(n) else n)
    marked = {id_: f for id_, f in enumerate(audited.findings) if f.waived}
    assert sorted(f.waived for f in marked.values()) == ["原文引用，不改", "原文引用，不改", "表内描述按省厅模板填写"]
    assert len(audited.findings) == len(before)  # reported, never hidden
    for old, new in zip(before, audited.findings):
        assert replace(new, waived=None) == old
    assert [(n.kind, n.waiver.line) for n in notices] == [("expired", 10), ("unused", 14)]
    assert "第10行" in notices[0].message["zh"] and "园区办公用电费和专项购置费2022" in notices[0].message["zh"]


# =============================================================================================
# Baseline
# =============================================================================================


def known(results: list[DocumentResult]) -> list[bool]:
    return [f.baseline for r in results for f in r.findings]


def test_round_trip(tmp_path: Path) -> None:
    results = [result(finding(), finding("typo", evidence="补低于", field="indicators[2].description"))]
    path = tmp_path / "baseline.json"
    assert write_baseline(results, path) == 2
    baseline = load_baseline(path)
    assert len(baseline) == 2
    split = baseline.split(results)
    assert known(split) == [True, True]
    assert baseline.fixed(split) == []


def test_file_format(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding(), finding())], path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "安全检查次数" in text  # UTF-8, not \\u escapes
    data = json.loads(text)
    assert data == {
        "version": 1,
        "findings": [
            {
                "count": 2,
                "evidence": "安全检查次数",
                "field": "indicators[*].description",
                "path": "samples/002_5c6f3b5fd23eb4e3.txt",
                "project": CODE,
                "rule": "description-copy",
            }
        ],
    }
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_project_identity_falls_back_to_the_name(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    write_baseline([result(finding(project=ProjectRef(1, None, NAME)), finding(project=None, field="sections[0]"))], path)
    assert sorted(e["project"] for e in json.loads(path.read_text(encoding="utf-8"))["findings"]) == ["", NAME]


def test_counts_are_honoured(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding())], path)
    split = load_baseline(path).split([result(finding(line=10), finding(line=30))])
    assert known(split) == [True, False]  # one was known, one is new


def test_fewer_findings_than_the_baseline_count(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline([result(finding(), finding(), finding())], path) == 1
    baseline = load_baseline(path)
    current = [result(finding())]
    assert known(baseline.split(current)) == [True]
    (gone,) = baseline.fixed(current)
    assert (gone.rule, gone.evidence, gone.count) == ("description-copy", "安全检查次数", 2)


def test_shifted_lines_still_match(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding(line=10))], path)
    split = load_baseline(path).split([result(replace(finding(line=10), line=57, column=9))])
    assert known(split) == [True]


@pytest.mark.parametrize(
    "changed",
    [
        {"evidence": "安全检查次数2"},
        {"field": "indicators[4].description"},
        {"rule": "typo"},
        {"path": "samples/003_247e9d6eca422fe5.txt"},
        {"project": ProjectRef(1, "13022523P00L02410099X", NAME)},
    ],
)
def test_a_changed_identity_no_longer_matches(tmp_path: Path, changed: dict[str, object]) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding())], path)
    baseline = load_baseline(path)
    current = [result(finding(**changed))]  # type: ignore[arg-type]
    assert known(baseline.split(current)) == [False]


def test_severity_and_message_are_not_part_of_the_identity(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding())], path)
    changed = replace(finding(), severity="error", message={"zh": "新措辞", "en": "new wording"})
    assert known(load_baseline(path).split([result(changed)])) == [True]


def test_split_marks_copies_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    original = finding()
    results = [result(original, finding("typo"))]
    write_baseline([result(original)], path)
    split = load_baseline(path).split(results)
    assert results[0].findings[0].baseline is False  # inputs unchanged
    marked = split[0].findings[0]
    assert marked.baseline and replace(marked, baseline=False) == original
    assert split[0].path == results[0].path and split[0].year == results[0].year
    assert split[0].findings[1].baseline is False


def test_paths_compare_without_dot_slash(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding(path="./samples/002_5c6f3b5fd23eb4e3.txt"))], path)
    assert json.loads(path.read_text(encoding="utf-8"))["findings"][0]["path"] == "samples/002_5c6f3b5fd23eb4e3.txt"
    assert known(load_baseline(path).split([result(finding())])) == [True]


def test_deterministic_bytes(tmp_path: Path) -> None:
    a = finding()
    b = finding("typo", evidence="补低于", field="indicators[2].description", line=3)
    c = finding("value-syntax", path="samples/000_462a8d09a638f69f.txt", evidence="1台", field="indicators[0].value")
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    write_baseline([result(a, b, a), result(c)], one)
    write_baseline([result(c), result(b, a, a)], two)
    assert one.read_bytes() == two.read_bytes()
    write_baseline([result(a, b, a), result(c)], one)  # rewriting gives the same bytes
    assert one.read_bytes() == two.read_bytes()


def test_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "ci" / ".budget-audit-baseline.json"
    write_baseline([result(finding())], path)
    write_baseline([result(finding(), finding("typo"))], path)  # overwrite in place
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert len(load_baseline(path)) == 2


def test_failed_write_keeps_the_old_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([result(finding())], path)
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(BaselineError, match="No space left"):
        write_baseline([result(finding("typo"))], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ('{"version": 1,\n "findings": [\n  {"rule": "x",}\n]}\n', "not valid JSON", 3),
        ("", "not valid JSON", 1),
        ('{"version": 2, "findings": []}\n', "unsupported baseline version 2", None),
        ('{"findings": []}\n', "not a baseline file", None),
        ("[1, 2]\n", "not a baseline file", None),
        ('{"version": 1, "findings": {}}\n', "must be a list", None),
        ('{"version": 1, "findings": [{"rule": "typo"}]}\n', "findings[0]", None),
        ('{"version": 1, "findings": [{"rule": "t", "path": "p", "project": "", "field": "f", "evidence": "e", "count": 0}]}\n', "findings[0]", None),
    ],
)
def test_corrupt_baseline(tmp_path: Path, text: str, needle: str, line: int | None) -> None:
    path = write(tmp_path / "baseline.json", text)
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    assert needle in str(caught.value)
    assert caught.value.line == line
    assert str(caught.value).startswith(str(path))


def test_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="--write-baseline"):
        load_baseline(tmp_path / "nope.json")


def test_fixed_counts_only_audited_drafts(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    elsewhere = finding(path="samples/003_247e9d6eca422fe5.txt")
    gone = finding("typo", evidence="补低于", field="indicators[2].description")
    write_baseline([result(finding(), gone), result(elsewhere)], path)
    baseline = load_baseline(path)
    fixed = baseline.fixed([result(finding())])  # 003 was not audited this time
    assert [(e.rule, e.path, e.count) for e in fixed] == [("typo", "samples/002_5c6f3b5fd23eb4e3.txt", 1)]
    unreadable = DocumentResult("samples/003_247e9d6eca422fe5.txt", None, None, 0, errors=["cannot read"])
    assert [e.rule for e in baseline.fixed([result(finding()), unreadable])] == ["typo"]
    # 003 audited and clean now: its finding is fixed too (entries listed by draft)
    both = baseline.fixed([result(finding()), result(path="samples/003_247e9d6eca422fe5.txt")])
    assert [(e.rule, e.path) for e in both] == [
        ("typo", "samples/002_5c6f3b5fd23eb4e3.txt"),
        ("description-copy", "samples/003_247e9d6eca422fe5.txt"),
    ]


def test_empty_baseline(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline([result()], path) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == {"findings": [], "version": 1}
    assert known(load_baseline(path).split([result(finding())])) == [False]
    assert Baseline().split([result(finding())])[0].findings[0].baseline is False


def test_end_to_end_baseline_on_a_corpus_draft(tmp_path: Path, ruleset: RuleSet) -> None:
    original = audit_sample(ruleset)
    assert len(original.findings) > 20
    path = tmp_path / ".budget-audit-baseline.json"
    entries = write_baseline([original], path)
    assert entries == len({f.identity for f in original.findings})
    baseline = load_baseline(path)
    assert all(known(baseline.split([original])))

    # The draft is revised: two lines added near the top (every line below moves), one typo
    # corrected and another introduced in its place, and one timeliness target given a rate.
    lines = (ROOT / SAMPLE).read_text(encoding="utf-8").split("\n")
    typo_at = next(i for i, text in enumerate(lines) if "补低于" in text)
    lines[typo_at] = lines[typo_at].replace("补低于", "因该")
    value_at = next(i for i, text in enumerate(lines) if text == "\t按时完成" and i > 118)  # the 指标值 of 及时性
    lines[value_at] = "\t≥95%"
    lines[3:3] = ["", ""]
    revised_file = tmp_path / "004_revised.txt"
    revised_file.write_text("\n".join(lines), encoding="utf-8")
    revised = audit_sample(ruleset, revised_file)

    split = baseline.split([revised])
    new = [f for f in split[0].findings if not f.baseline]
    assert [(f.rule, f.evidence) for f in new] == [("typo", "因该")]
    shifted = [f for f in split[0].findings if f.baseline and f.line is not None]
    by_identity = {f.identity: f.line for f in original.findings}
    assert shifted and all(f.line == by_identity[f.identity] + 2 for f in shifted)  # matched despite the move
    fixed = baseline.fixed(split)
    assert sorted((e.rule, e.evidence, e.count) for e in fixed) == [("timeliness-no-deadline", "按时完成", 1), ("typo", "补低于", 1)]


def test_a_waiver_for_an_unknown_rule_is_an_error_like_select(tmp_path: Path) -> None:
    import io

    from auditor.cli import main
    from tests.conftest import DRAFT_FILES

    path = write(tmp_path / "w.yaml", "waivers:\n  - rule: typo\n    reason: 已沟通\n  - rule: no-such-rule\n    reason: 已沟通\n")
    err = io.StringIO()
    code = main(["check", str(DRAFT_FILES["002"]), "--waivers", str(path), "--fail-on", "never"], io.StringIO(), err)
    assert code == 2
    assert "w.yaml:4" in err.getvalue() and "no-such-rule" in err.getvalue() and "未知规则" in err.getvalue()
