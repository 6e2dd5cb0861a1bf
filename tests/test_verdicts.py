"""The verdict per project (通过 / 修改后通过 / 不通过) on the real Shenzhen workbook and the corpus,
under the default policy and configured ones, and how every report carries it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from auditor.cli import main
from auditor.engine import Engine
from auditor.readers import read_document
from auditor.report import RuleInfo, RunInfo
from auditor.rules import load_rules
from auditor.values import complete_document, parse_value
from auditor.verdicts import PASS, REJECT, REVISE, VerdictPolicy
from tests.conftest import DRAFT_FILES, FORM_WORKBOOK

ZERO_BUDGET = 4  # 政府购买服务（专业技术服务类）: 本年度项目金额 0 (budget-missing reports it)
NO_INDICATORS = 15  # 002: 乐亭森宇再生资源有限公司土地款, a table without indicators


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def run_info(rules, policy: VerdictPolicy | None = None) -> RunInfo:
    infos = tuple(RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope) for r in rules.rules)
    return RunInfo(rules=infos, verdict_policy=policy or VerdictPolicy())


def audit(rules, path: Path):
    doc = read_document(path, parse_value)
    complete_document(doc)
    return Engine.from_ruleset(rules).audit(doc)


@pytest.fixture(scope="module")
def workbook(rules):
    return audit(rules, FORM_WORKBOOK)


def test_the_workbooks_zero_budget_project_does_not_pass_and_the_others_go_back_for_revision(rules, workbook):
    verdict = run_info(rules).verdict(workbook)
    by_index = {p.index: p for p in verdict.projects}
    assert [p.index for p in verdict.projects] == list(range(1, 21))  # no department-level findings here
    zero = by_index[ZERO_BUDGET]
    assert zero.verdict == REJECT and [r.code for r in zero.reasons] == ["no_budget"]
    assert zero.name == "政府购买服务（专业技术服务类）"
    assert any(f.rule == "budget-missing" and f.project.index == ZERO_BUDGET for f in workbook.findings)
    for project in verdict.projects:
        if project.index == ZERO_BUDGET:
            continue
        sending_back = [f for f in workbook.findings if f.project and f.project.index == project.index and f.severity != "info"]
        assert (project.verdict == REVISE) == bool(sending_back), project.name
        # the indicators listed are those of its findings that send it back, as the draft names them
        expected = {f.indicator for f in sending_back if f.indicator}
        assert set(project.indicators) == expected
    assert verdict.verdict == REJECT and verdict.counts == {PASS: 0, REVISE: 19, REJECT: 1}


def test_a_project_without_indicators_does_not_pass(rules):
    result = audit(rules, DRAFT_FILES["002"])
    verdict = run_info(rules).verdict(result)
    project = next(p for p in verdict.projects if p.index == NO_INDICATORS)
    assert project.verdict == REJECT and [r.code for r in project.reasons] == ["no_indicators"]
    assert project.name == "乐亭森宇再生资源有限公司土地款"


def test_a_project_with_cells_the_reader_could_not_place_does_not_pass(rules, tmp_path):
    book = openpyxl.load_workbook(FORM_WORKBOOK)
    book.worksheets[1]["F13"] = "另见附件3的服务清单"  # beside the grid: not read
    path = tmp_path / "beside_the_grid.xlsx"
    book.save(path)
    verdict = run_info(rules).verdict(audit(rules, path))
    project = next(p for p in verdict.projects if p.index == 2)
    assert project.verdict == REJECT and "not_understood" in [r.code for r in project.reasons]
    assert "1处内容未能识别" in project.reasons[0].zh
    assert all(p.verdict != REJECT for p in verdict.projects if p.index not in (2, ZERO_BUDGET))


def test_the_policy_is_configurable(rules, workbook):
    lenient = run_info(rules, VerdictPolicy(revise_from="error", reject_when=())).verdict(workbook)
    for project in lenient.projects:
        errors = [f for f in workbook.findings if f.project and f.project.index == project.index and f.severity == "error"]
        assert project.verdict == (REVISE if errors else PASS)
    assert lenient.counts[PASS] > 0 and lenient.counts[REJECT] == 0
    strict = run_info(rules, VerdictPolicy(reject_rules=("calculation-basis",))).verdict(workbook)
    rejected = {p.index for p in strict.projects if p.verdict == REJECT}
    calculated = {f.project.index for f in workbook.findings if f.rule == "calculation-basis"}
    assert calculated and rejected == calculated | {ZERO_BUDGET}
    reason = next(r for p in strict.projects for r in p.reasons if r.code == "rule:calculation-basis")
    assert reason.zh.startswith("存在“") and "calculation" not in reason.zh


def test_waived_findings_do_not_send_a_project_back(rules, tmp_path, capsys):
    code = main(["check", str(FORM_WORKBOOK), "--format", "json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    first = report["documents"][0]["verdict"]["projects"][0]
    assert first["verdict"] == REVISE
    rules = sorted({f["rule"] for f in report["documents"][0]["findings"] if f["project"]["index"] == 1})
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n" + "".join(f"  - rule: {rule}\n    project: '{first['code']}'\n    reason: 已与单位核实\n" for rule in rules),
        encoding="utf-8",
    )
    code = main(["check", str(FORM_WORKBOOK), "--format", "json", "--quiet", "--waivers", str(waivers)])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    first = report["documents"][0]["verdict"]["projects"][0]
    assert first["verdict"] == PASS and first["reasons"] == []


def test_the_json_report_counts_verdicts_per_draft_and_unit(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    main(["check", str(FORM_WORKBOOK), str(DRAFT_FILES["002"]), str(broken), "--format", "json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    documents = {Path(d["path"]).name: d for d in report["documents"]}
    assert documents["broken.xlsx"]["verdict"]["verdict"] == REJECT
    form = documents[FORM_WORKBOOK.name]["verdict"]
    assert form["label"] == "不通过" and form["counts"] == {"pass": 0, "revise": 19, "reject": 1}
    rejected = next(p for p in form["projects"] if p["verdict"] == REJECT)
    assert rejected["reasons"][0]["messages"]["en"] == "its budget is 0 or not stated"
    assert {"level2", "level3"} == set(rejected["indicators"][0])
    verdicts = report["summary"]["verdicts"]
    units = {u["unit"]: u for u in verdicts["units"]}
    assert units["深圳市宝安区松岗街道办事处（本级）"]["projects"] == form["counts"]
    assert units["未注明单位"]["drafts"][REJECT] == 1  # the unreadable file
    projects = sum(sum(d["verdict"]["counts"].values()) for d in report["documents"])
    assert sum(verdicts["projects"].values()) == projects == report["summary"]["projects"]
    assert report["configuration"]["verdict"]["revise_from"] == "warning"
    assert report["configuration"]["opinion"] == {}  # no issuer, reviewer or deadline invented; the day of the run is not recorded


def test_a_configured_policy_and_its_mistakes(tmp_path, capsys):
    config = tmp_path / "budget-audit.yaml"
    config.write_text("verdict:\n  revise_from: error\n  reject_when: [no_indicators]\n  reject_rules: [budget-unit]\n", encoding="utf-8")
    main(["check", str(FORM_WORKBOOK), "--format", "json", "--quiet", "--config", str(config)])
    report = json.loads(capsys.readouterr().out)
    projects = report["documents"][0]["verdict"]["projects"]
    assert projects[0]["verdict"] == REJECT and projects[0]["reasons"][0]["code"] == "rule:budget-unit"
    assert projects[ZERO_BUDGET - 1]["verdict"] == REVISE  # no_budget is not configured
    config.write_text("verdict:\n  reject_rules: [budget-unti]\n", encoding="utf-8")
    assert main(["check", str(FORM_WORKBOOK), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "budget-unti" in err and "budget-unit" in err and f"{config}:2" in err
    config.write_text("verdict:\n  revise_from: sometimes\n", encoding="utf-8")
    assert main(["check", str(FORM_WORKBOOK), "--config", str(config)]) == 2
    assert "revise_from" in capsys.readouterr().err
    assert main(["check", str(FORM_WORKBOOK), "--deadline", "next week"]) == 2
    assert "--deadline" in capsys.readouterr().err


def test_the_table_html_and_excel_reports_show_the_verdicts(tmp_path, capsys):
    main(["check", str(FORM_WORKBOOK), "--quiet"])
    out = capsys.readouterr().out
    assert "审核结论：不通过（通过0个、修改后通过19个、不通过1个）；不通过：项目4 政府购买服务（专业技术服务类）（预算数为0或未填写）" in out
    assert "项目审核结论：通过0个、修改后通过19个、不通过1个" in out
    html = tmp_path / "report.html"
    xlsx = tmp_path / "report.xlsx"
    main(["check", str(FORM_WORKBOOK), "--format", "html", "-o", str(html), "--xlsx", str(xlsx), "--quiet",
          "--issuer", "宝安区财政局", "--reviewer", "张三", "--today", "2026-12-03", "--deadline", "14"])
    page = html.read_text(encoding="utf-8")
    assert 'data-k="verdict-revise">19<' in page and 'data-k="verdict-reject">1<' in page
    assert "宝安区财政局" in page and "张三" in page and "2026年12月3日" in page and "请于2026年12月17日前" in page
    assert '"verdict":["reject","不通过"' in page.replace(" ", "")
    book = openpyxl.load_workbook(xlsx)
    rows = list(book["审核结论"].iter_rows(values_only=True))
    assert rows[0][:6] == ("文件", "单位", "项目序号", "项目编码", "项目名称", "审核结论")
    assert len(rows) == 21 and [r[5] for r in rows[1:]].count("不通过") == 1
    rejected = next(r for r in rows[1:] if r[5] == "不通过")
    assert rejected[2] == ZERO_BUDGET and rejected[6] == "预算数为0或未填写"


def test_english_verdicts(capsys):
    main(["check", str(FORM_WORKBOOK), "--quiet", "--lang", "en"])
    out = capsys.readouterr().out
    assert "verdict: not passed (0 pass, 19 pass after revision, 1 not passed)" in out
    assert "its budget is 0 or not stated" in out


def test_sarif_and_the_github_summary_carry_the_verdicts(tmp_path, capsys, monkeypatch):
    main(["check", str(FORM_WORKBOOK), "--format", "sarif", "--quiet"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    (verdict,) = run["properties"]["verdicts"].values()
    assert verdict["verdict"] == REJECT and verdict["counts"] == {"pass": 0, "revise": 19, "reject": 1}
    assert run["properties"]["summary"]["verdicts"]["projects"] == verdict["counts"]
    summary = tmp_path / "step.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    main(["check", str(FORM_WORKBOOK), "--format", "github", "--quiet"])
    assert "项目通过0个、修改后通过19个、不通过1个" in capsys.readouterr().out
    assert "| 不通过 (0/19/1) |" in summary.read_text(encoding="utf-8")


def test_junit_suites_carry_the_drafts_verdict(capsys):
    import xml.etree.ElementTree as ET

    main(["check", str(FORM_WORKBOOK), "--format", "junit", "--quiet"])
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["verdict"] == "不通过"
    assert (properties["verdict.pass"], properties["verdict.revise"], properties["verdict.reject"]) == ("0", "19", "1")


def test_the_department_level_part_is_named_in_the_reports_language(capsys):
    main(["check", str(DRAFT_FILES["000"]), "--format", "json", "--quiet", "--lang", "en"])
    department = json.loads(capsys.readouterr().out)["documents"][0]["verdict"]["projects"][0]
    assert (department["index"], department["name"]) == (None, "department level")
    main(["check", str(DRAFT_FILES["000"]), "--format", "json", "--quiet"])
    assert json.loads(capsys.readouterr().out)["documents"][0]["verdict"]["projects"][0]["name"] == "部门整体"
