"""``budget-audit check`` end to end on the corpus drafts: formats, exit codes, selection,
configuration, waivers and baselines, and ``budget-audit rules``."""

from __future__ import annotations

import io
import json
import shutil
import textwrap

import pytest

from auditor.cli import main
from tests.conftest import DRAFT_FILES, SAMPLES


def run(*argv: str, cwd=None, monkeypatch=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Run from an empty folder so no budget-audit.yaml of the checkout is picked up."""
    monkeypatch.chdir(tmp_path)


def test_json_report_shape_and_exit_code():
    code, out, err = run("check", str(DRAFT_FILES["004"]), "--format", "json")
    assert code == 1  # 004 has errors
    report = json.loads(out)
    assert report["version"] == 1
    (doc,) = report["documents"]
    assert {"path", "department", "year", "projects", "findings", "errors"} <= doc.keys()
    finding = next(f for f in doc["findings"] if f["rule"] == "budget-text-mismatch")
    assert finding["severity"] == "error"
    assert finding["project"] == {"index": 6, "code": "13020922P008HH010002P", "name": "入区项目用海预审手续办理费用2022"}
    assert finding["location"] == {"line": 749, "column": 16, "field": "purpose", "ref": None}
    assert finding["evidence"] == "12.61万元"
    assert "126.61" in finding["message"] and finding["message"] == finding["messages"]["zh"]
    summary = report["summary"]
    assert summary["documents"] == 1 and summary["projects"] == 9
    assert summary["by_rule"]["budget-text-mismatch"] == 1
    assert summary["rules"]["budget-text-mismatch"] == {"checked": 9, "findings": 1, "not_checkable": 0}


def test_english_messages():
    _, out, _ = run("check", str(DRAFT_FILES["004"]), "--format", "json", "--lang", "en")
    doc = json.loads(out)["documents"][0]
    finding = next(f for f in doc["findings"] if f["rule"] == "budget-text-mismatch")
    assert finding["message"].startswith("Project “入区项目用海预审手续办理费用2022”: the amount “12.61万元”")


def test_table_groups_by_draft_and_project():
    code, out, _ = run("check", str(SAMPLES))
    assert code == 1
    for path in DRAFT_FILES.values():
        assert f"文件: {path}" in out
    assert "[项目 6  13020922P008HH010002P 入区项目用海预审手续办理费用2022]" in out
    assert "汇总：5份文本，77个项目" in out
    assert "无法判断" in out  # 003 cannot be checked for budgets and schedules


def test_same_input_same_bytes():
    first = run("check", str(SAMPLES), "--format", "json")[1]
    second = run("check", str(SAMPLES), "--format", "json")[1]
    assert first == second


def test_fail_on_threshold():
    path = str(DRAFT_FILES["001"])
    assert run("check", path, "--select", "basis-missing")[0] == 0  # warnings only: default error
    assert run("check", path, "--select", "basis-missing", "--fail-on", "warning")[0] == 1
    assert run("check", path, "--fail-on", "never")[0] == 0


def test_select_and_ignore():
    _, out, _ = run("check", str(DRAFT_FILES["001"]), "--format", "json", "--select", "typo,goal-duplicate")
    rules = {f["rule"] for f in json.loads(out)["documents"][0]["findings"]}
    assert rules == {"typo", "goal-duplicate"}
    _, out, _ = run("check", str(DRAFT_FILES["001"]), "--format", "json", "--ignore", "indicator-placeholder")
    rules = {f["rule"] for f in json.loads(out)["documents"][0]["findings"]}
    assert "indicator-placeholder" not in rules and "basis-missing" in rules


def test_unknown_rule_is_a_usage_error():
    code, _, err = run("check", str(DRAFT_FILES["001"]), "--select", "no-such-rule")
    assert code == 2 and "no-such-rule" in err


def test_unreadable_input_gives_exit_2_and_the_run_goes_on(tmp_path):
    bad = tmp_path / "gbk.txt"
    bad.write_bytes(b"\x80\x81\xfe\xff\x00\x01 binary \x00" * 4)
    code, out, err = run("check", str(bad), str(DRAFT_FILES["004"]), "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert [d["path"] for d in report["documents"]] == [str(DRAFT_FILES["004"]), str(bad)]
    assert report["documents"][1]["errors"] and report["summary"]["unreadable"] == 1
    assert "gbk.txt" in err and "Traceback" not in err


def test_bad_rule_file_stops_the_run(tmp_path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("rules:\n  - id: Bad_Id\n", encoding="utf-8")
    code, out, err = run("check", str(DRAFT_FILES["004"]), "--rules", str(rules))
    assert code == 2 and out == ""
    assert "bad.yaml" in err


def test_config_file_selects_and_overrides(tmp_path):
    (tmp_path / "budget-audit.yaml").write_text(
        textwrap.dedent(
            """\
            select: [basis-missing]
            severity: {basis-missing: error}
            lang: en
            """
        ),
        encoding="utf-8",
    )
    code, out, _ = run("check", str(DRAFT_FILES["001"]), "--format", "json")
    assert code == 1
    findings = json.loads(out)["documents"][0]["findings"]
    assert {f["rule"] for f in findings} == {"basis-missing"}
    assert all(f["severity"] == "error" for f in findings)
    assert findings[0]["message"].startswith("Project")


def test_waivers_are_reported_not_hidden(tmp_path):
    draft = tmp_path / "004.txt"
    shutil.copy(DRAFT_FILES["004"], draft)
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        textwrap.dedent(
            """\
            waivers:
              - rule: budget-text-mismatch
                project: 13020922P008HH010002P
                reason: 资金用途为部门口径，已核实
              - rule: typo
                project: 不存在的项目
                reason: 旧豁免
              - rule: unit-mismatch
                reason: 已过期的豁免
                expires: 2020-01-01
            """
        ),
        encoding="utf-8",
    )
    code, out, _ = run(
        "check", str(draft), "--format", "json", "--select", "budget-text-mismatch,typo,unit-mismatch",
        "--waivers", str(waivers), "--today", "2026-11-25",
    )
    report = json.loads(out)
    waived = [f for f in report["documents"][0]["findings"] if f["waived"]]
    assert [f["rule"] for f in waived] == ["budget-text-mismatch"]
    assert report["summary"]["waived"] == 1
    kinds = " ".join(n["zh"] for n in report["notices"])
    assert "过期" in kinds and len(report["notices"]) == 2
    assert code == 1  # unit-mismatch errors still count (their waiver expired)


def test_baseline_fails_only_on_new_findings(tmp_path):
    draft = tmp_path / "draft.txt"
    shutil.copy(DRAFT_FILES["004"], draft)
    baseline = tmp_path / "baseline.json"
    code, _, err = run("check", str(draft), "--write-baseline", str(baseline))
    assert baseline.exists() and "baseline written" in err
    assert run("check", str(draft), "--baseline", str(baseline))[0] == 0
    # a revision adds text above (lines shift) and introduces a new defect
    text = draft.read_text(encoding="utf-8")
    text = "（修订稿）\n" + text.replace("用于园区内的环境治理费用50万元", "用于园区内的环境治理费用5万元")
    draft.write_text(text, encoding="utf-8")
    code, out, _ = run("check", str(draft), "--baseline", str(baseline), "--format", "json")
    assert code == 1
    findings = json.loads(out)["documents"][0]["findings"]
    new = [f for f in findings if not f["baseline"]]
    assert [(f["rule"], f["evidence"]) for f in new] == [("budget-text-mismatch", "5万元")]


def test_output_file_is_written_atomically(tmp_path):
    target = tmp_path / "out" / "report.json"
    code, out, _ = run("check", str(DRAFT_FILES["000"]), "--format", "json", "--output", str(target))
    assert out == "" and json.loads(target.read_text(encoding="utf-8"))["version"] == 1
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_rules_list_show_test_docs(tmp_path):
    code, out, _ = run("rules", "list")
    assert code == 0 and "budget-text-mismatch" in out and "文字中的金额与预算数不符" in out
    code, out, _ = run("rules", "show", "unit-mismatch")
    assert code == 0 and "unit_fits(level3, value.unit)" in out and "协管员人数" in out
    code, out, _ = run("rules", "test")
    assert code == 0 and "examples passed" in out
    docs = tmp_path / "rules.md"
    assert run("rules", "docs", "--output", str(docs))[0] == 0
    text = docs.read_text(encoding="utf-8")
    assert text.count("### `") == len(run("rules", "list")[1].strip().split("\n")) - 2
    assert run("rules", "show", "nope")[0] == 2


def test_committed_rule_reference_is_current():
    """docs/rules.md is generated; regenerate it with `budget-audit rules docs -o docs/rules.md`."""
    from auditor.rules import load_rules
    from auditor.ruledocs import reference_markdown

    committed = (SAMPLES.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(load_rules().rules)
