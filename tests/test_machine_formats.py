"""The machine-readable formats — SARIF, JUnit XML, GitHub workflow commands and the Excel
workbook — on real audits of the corpus drafts: they validate, load in their consumers' parsers,
locate findings right, stay stable across runs and stream."""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import jsonschema
import openpyxl
import pytest
from junitparser import Error, Failure, JUnitXml

from auditor import __version__
from auditor.cli import main
from auditor.engine import Engine
from auditor.readers import read_document
from auditor.report import DIMENSIONS, InputError, RuleInfo, RunInfo, SummaryBuilder, counts_toward_failure, is_active
from auditor.rules import load_rules
from auditor.values import parse_value
from auditor.writers import relative_path, render
from auditor.writers.github import GithubWriter, command, escape_data, escape_property
from auditor.writers.sarif import FINGERPRINT_KEY, HELP_BASE, SarifWriter
from auditor.writers.xlsx import SAMPLE_ROWS, XlsxWriter
from auditor.ziparchive import ZIP_DATE
from tests.conftest import DRAFT_FILES, ROOT

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PATH_004 = "samples/004_2f558b6c4fb9792b.txt"
PROJECT_6 = "项目6 13020922P008HH010002P 入区项目用海预审手续办理费用2022"
NASTY = "50%，\n第二行: a,b"


@functools.cache
def run_info(lang: str = "zh", fail_on: str = "error", base: Path = ROOT, group_by: str = "project") -> RunInfo:
    """The run the CLI would set up for the shipped rules."""
    infos = tuple(
        RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
        for r in load_rules().rules
    )
    return RunInfo(rules=infos, lang=lang, fail_on=fail_on, version=__version__, base=base, group_by=group_by)


@pytest.fixture(scope="module")
def results(audits):
    """The five audited drafts in input order."""
    return [audits[key] for key in sorted(audits)]


def mismatch(result):
    return next(f for f in result.findings if f.rule == "budget-text-mismatch")


def with_marks(result):
    """``result`` with its first finding waived, its second in the baseline, and a third whose
    texts are hostile to every format."""
    findings = list(result.findings)
    findings[0] = replace(findings[0], waived="经复核属实 <ok> & \"done\"")
    findings[1] = replace(findings[1], baseline=True)
    findings[2] = replace(
        findings[2],
        message={"zh": NASTY + "\x01 <&> ]]>", "en": NASTY},
        suggestion={"zh": "改为“=1台”\x0b", "en": "x"},
        evidence="=1台\x02",
    )
    return replace(result, findings=findings)


# SARIF ------------------------------------------------------------------------------------


def sarif(results, run=None, errors=(), notices=None) -> dict:
    return json.loads(render("sarif", results, run or run_info(), errors, notices))


def github_slugs(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file (written independently of the
    writer): text without code ticks, lower case, punctuation dropped, spaces → hyphens."""
    slugs = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().replace("`", "").lower()
            slug = "".join(ch for ch in text if ch.isalnum() or ch in "-_ ").replace(" ", "-")
            slugs.add(quote(slug, safe="-_"))
    return slugs


def test_sarif_validates_against_the_official_schema(results):
    errors = [InputError("samples/broken.docx", "无法读取 / cannot read", 3)]
    notices = [{"zh": "豁免已过期", "en": "waiver expired"}]
    for log in (
        sarif([with_marks(r) for r in results], errors=errors, notices=notices),
        sarif(results, run_info(lang="en")),
        sarif([]),
    ):
        validator = jsonschema.validators.validator_for(SCHEMA)
        validator.check_schema(SCHEMA)
        validator(SCHEMA, format_checker=validator.FORMAT_CHECKER).validate(log)


def test_sarif_meets_github_code_scanning_constraints(results):
    log = sarif(results)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]  # one run per tool
    driver = run["tool"]["driver"]
    assert driver["name"] == "budget-audit" and driver["version"] == __version__ and driver["informationUri"]
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == [r.id for r in run_info().rules] and len(set(ids)) == len(ids)
    slugs = github_slugs((ROOT / "docs" / "rules.md").read_text(encoding="utf-8"))
    for rule in rules:
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", rule["name"])
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert 0 < len(rule["properties"]["tags"]) <= 20
        base, anchor = rule["helpUri"].split("#")
        assert base == HELP_BASE and anchor in slugs  # the link lands on the rule's heading
    assert next(r for r in rules if r["id"] == "budget-text-mismatch")["name"] == "BudgetTextMismatch"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    assert 0 < len(run["results"]) <= 25_000
    assert len(run["results"]) == sum(len(r.findings) for r in results)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"} and result["message"]["text"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith("samples/") and "://" not in artifact["uri"]
        assert location["physicalLocation"]["region"]["startLine"] >= 1
        assert re.fullmatch(r"[0-9a-f]{32}(:\d+)?", result["partialFingerprints"][FINGERPRINT_KEY])
        assert result["baselineState"] == "new" and "suppressions" not in result
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"]["summary"]["documents"] == 5


def test_sarif_result_for_the_budget_text_mismatch_of_004(results):
    log = sarif(results)
    finding = mismatch(results[4])
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "budget-text-mismatch" and PATH_004 in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    location = result["locations"][0]
    assert result["level"] == "error"
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": PATH_004, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 749, "startColumn": 16},
    }
    assert location["logicalLocations"] == [
        {"name": "入区项目用海预审手续办理费用2022", "fullyQualifiedName": f"{PATH_004}#project-6", "kind": "module"}
    ]
    assert result["message"]["text"] == finding.text("zh") + "\n建议：" + finding.advice("zh")
    assert "126.61" in result["message"]["text"]
    assert result["properties"]["evidence"] == "12.61万元" and result["properties"]["field"] == "purpose"
    english = sarif(results[4:], run_info(lang="en"))["runs"][0]
    (result_en,) = [r for r in english["results"] if r["ruleId"] == "budget-text-mismatch"]
    assert result_en["message"]["text"].startswith("Project “入区项目用海预审手续办理费用2022”: the amount “12.61万元”")
    assert result_en["partialFingerprints"] == result["partialFingerprints"]  # not language-bound


def test_sarif_fingerprints_survive_a_line_inserted_above(results, tmp_path):
    shifted = tmp_path / PATH_004
    shifted.parent.mkdir()
    shifted.write_text("\n" + DRAFT_FILES["004"].read_text(encoding="utf-8"), encoding="utf-8")
    moved = Engine.from_ruleset(load_rules()).audit(read_document(shifted, parse_value))
    before = sarif(results[4:])["runs"][0]["results"]
    after = sarif([moved], run_info(base=tmp_path))["runs"][0]["results"]
    old = next(r for r in before if r["ruleId"] == "budget-text-mismatch")
    new = next(r for r in after if r["ruleId"] == "budget-text-mismatch")
    assert new["locations"][0]["physicalLocation"]["region"] == {"startLine": 750, "startColumn": 16}
    assert new["partialFingerprints"] == old["partialFingerprints"]
    fingerprints = lambda rs: sorted(r["partialFingerprints"][FINGERPRINT_KEY] for r in rs)  # noqa: E731
    assert fingerprints(after) == fingerprints(before)
    assert len(set(fingerprints(before))) == len(before)  # each alert tracked on its own


def test_sarif_suppressions_baseline_state_and_unreadable_inputs(results):
    marked = with_marks(results[4])
    errors = [InputError("samples/broken.docx", "无法读取 / cannot read", 3)]
    run = sarif([marked], errors=errors, notices=[{"zh": "豁免已过期", "en": "waiver expired"}])["runs"][0]
    first, second, third = run["results"][:3]
    assert first["suppressions"] == [{"kind": "external", "justification": "经复核属实 <ok> & \"done\""}]
    assert first["baselineState"] == "new"
    assert second["baselineState"] == "unchanged" and "suppressions" not in second
    assert third["message"]["text"].startswith(NASTY)
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error" and "cannot read" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "samples/broken.docx", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3},
    }
    assert invocation["toolConfigurationNotifications"] == [{"level": "warning", "message": {"text": "豁免已过期"}}]


def test_sarif_streams_results_and_is_deterministic(results):
    out = io.StringIO()
    writer = SarifWriter(out, run_info())
    assert '"budget-text-mismatch"' in out.getvalue()  # the rules before the first draft
    writer.document(results[4])
    written = out.getvalue()
    fingerprint = sarif(results[4:])["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]
    assert fingerprint in written and '"invocations"' not in written  # results before the end
    assert render("sarif", results, run_info()) == render("sarif", results, run_info())


def test_sarif_paths_are_relative_to_the_base_and_uri_encoded(results, tmp_path):
    draft = tmp_path / "草稿 一" / "部门预算%.txt"
    draft.parent.mkdir()
    draft.write_bytes(DRAFT_FILES["000"].read_bytes())
    result = Engine.from_ruleset(load_rules()).audit(read_document(draft, parse_value))
    run = sarif([result], run_info(base=tmp_path))["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": quote("草稿 一/部门预算%.txt"), "uriBaseId": "%SRCROOT%"}
    assert "%25" in artifact["uri"] and " " not in artifact["uri"]
    outside = sarif([result], run_info(base=ROOT))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert outside["artifactLocation"] == {"uri": draft.as_uri()}  # not under %SRCROOT%


# JUnit XML --------------------------------------------------------------------------------


def junit(results, run=None, errors=()) -> JUnitXml:
    return JUnitXml.fromstring(render("junit", results, run or run_info(), errors).encode("utf-8"))


def case_counts(suite) -> dict[str, int]:
    cases = list(suite)
    return {
        "tests": len(cases),
        "failures": sum(1 for c in cases if any(isinstance(r, Failure) for r in c.result)),
        "errors": sum(1 for c in cases if any(isinstance(r, Error) for r in c.result)),
        "skipped": 0,
    }


def assert_counts(xml: JUnitXml) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in xml:
        counts = case_counts(suite)
        assert {k: getattr(suite, k) for k in counts} == counts, suite.name
        totals = {k: totals[k] + counts[k] for k in totals}
    assert {k: getattr(xml, k) for k in totals} == totals


def assert_unique(xml: JUnitXml) -> None:
    keys = [(case.classname, case.name) for suite in xml for case in suite]
    assert len(keys) == len(set(keys))


def test_junit_loads_with_correct_counts_and_unique_cases(results):
    xml = junit(results, errors=[InputError("samples/broken.docx", "无法读取 / cannot read", 3)])
    assert_counts(xml)
    assert_unique(xml)
    suites = list(xml)
    assert [s.name for s in suites] == [f"samples/{p.name}" for p in DRAFT_FILES.values()] + ["samples/broken.docx"]
    for suite, result in zip(suites, results):
        assert suite.tests == result.projects + 1  # the department level and each project
    failing = [f for r in results for f in r.findings if counts_toward_failure(f, "error")]
    assert sum(1 for s in suites for c in s for r in c.result if isinstance(r, Failure)) == len(failing)
    assert (xml.tests, xml.errors) == (77 + 5 + 1, 1)
    broken = suites[-1]
    (case,) = list(broken)
    (error,) = case.result
    assert isinstance(error, Error) and error.message == "无法读取 / cannot read" and "samples/broken.docx:3" in error.text


def test_junit_failure_for_the_budget_text_mismatch_of_004(results):
    (suite,) = list(junit(results[4:]))
    case = next(c for c in suite if c.name == PROJECT_6)
    assert case.classname == "samples.004_2f558b6c4fb9792b.txt"
    failure = next(r for r in case.result if r.type == "budget-text-mismatch")
    finding = mismatch(results[4])
    assert failure.message == finding.text("zh")
    for part in (f"{PATH_004}:749:16", "purpose", "12.61万元", finding.advice("zh"), "文字中的金额与预算数不符"):
        assert part in failure.text
    assert [c.name for c in suite][0] == "部门整体 / document"


def test_junit_threshold_and_below_threshold_findings(results):
    strict = list(junit(results[4:], run_info(fail_on="warning")))[0]
    default = list(junit(results[4:]))[0]
    count = lambda suite: sum(1 for c in suite for r in c.result if isinstance(r, Failure))  # noqa: E731
    findings = results[4].findings
    assert count(strict) == sum(1 for f in findings if f.severity != "info") > count(default)
    assert count(list(junit(results[4:], run_info(fail_on="never")))[0]) == 0
    document = next(c for c in default if c.name == "部门整体 / document")
    assert "[提示] repeated-word samples/004_2f558b6c4fb9792b.txt:34:52" in document.system_out


def test_junit_escaping_control_characters_and_marks(results):
    text = render("junit", [with_marks(results[4])], run_info(fail_on="info"))
    assert "\x01" not in text and "\x02" not in text and "\x0b" not in text
    (suite,) = list(JUnitXml.fromstring(text.encode("utf-8")))
    assert_counts(JUnitXml.fromstring(text.encode("utf-8")))
    failures = [r for c in suite for r in c.result if isinstance(r, Failure)]
    assert any(r.message == NASTY + " <&> ]]>" for r in failures)
    assert any("=1台" in r.text for r in failures)
    outs = "\n".join(c.system_out or "" for c in suite)
    assert "已豁免: 经复核属实 <ok> & \"done\"" in outs and "基线已有" in outs


def test_junit_empty_and_clean_reports(results):
    empty = junit([])
    assert (empty.tests, empty.failures, len(list(empty))) == (0, 0, 0)
    clean = junit([replace(r, findings=[]) for r in results])
    assert_counts(clean)
    assert clean.tests == 82 and clean.failures == 0 and clean.errors == 0


def test_junit_classnames_stay_unique_when_paths_collide(tmp_path):
    (tmp_path / "a").mkdir()
    first, second = tmp_path / "a" / "b.txt", tmp_path / "a.b.txt"
    for path in (first, second):
        path.write_bytes(DRAFT_FILES["004"].read_bytes())
    engine = Engine.from_ruleset(load_rules())
    docs = [engine.audit(read_document(p, parse_value)) for p in (first, second)]
    xml = junit(docs, run_info(base=tmp_path))
    assert_unique(xml)
    assert_counts(xml)
    assert [{c.classname for c in s} for s in xml] == [{"a.b.txt"}, {"a.b.txt~2"}]


# GitHub workflow commands -----------------------------------------------------------------


def test_github_escaping():
    assert escape_data(NASTY) == "50%25，%0A第二行: a,b"
    assert escape_property(NASTY) == "50%25，%0A第二行%3A a%2Cb"
    assert escape_data("a\r\nb") == "a%0D%0Ab"
    assert escape_data("a\x0bb\u2028c\x01d\te") == "a%0Ab%0Acd\te"  # one command, one line
    line = command("warning", NASTY, file="x,y:z.txt", line=3, col=None, title=NASTY)
    assert line == "::warning file=x%2Cy%3Az.txt,line=3,title=50%25，%0A第二行%3A a%2Cb::50%25，%0A第二行: a,b\n"


def test_github_annotations_for_the_corpus(results, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    text = render("github", results, run_info())
    lines = text.splitlines()
    # GitHub shows 10 annotations of each kind per step: the first of each, one notice kept for the summary
    assert len(lines) == 10 + 10 + 9 + 1
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::notice file=") for line in lines) == 9
    assert lines[-1].startswith("::notice title=budget-audit::budget-audit：5份文本，77个项目，问题504条")
    for line in lines:
        assert re.fullmatch(r"::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::.+", line), line
    finding = mismatch(results[4])
    expected = (
        f"::error file={PATH_004},line=749,col=16,title=budget-audit(budget-text-mismatch)::"
        f"{finding.text('zh')}%0A建议：{finding.advice('zh')}"
    )
    assert expected in render("github", [replace(results[4], findings=[finding])], run_info()).splitlines()


def test_github_skips_waived_and_baseline_findings_and_reports_unreadable(results, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    marked = with_marks(replace(results[4], findings=results[4].findings[:5]))
    errors = [InputError("samples/broken.docx", "无法读取: cannot, read", 3)]
    text = render("github", [marked], run_info(), errors, [{"zh": "豁免已过期", "en": "waiver expired"}])
    lines = text.rstrip("\n").split("\n")
    assert len(lines) == len(text.splitlines()) == sum(1 for f in marked.findings if is_active(f)) + 3
    assert any(escape_data(NASTY) + " <&> ]]>%0A建议：改为“=1台”%0A" in line for line in lines)
    assert "::error file=samples/broken.docx,line=3,title=budget-audit::无法读取: 无法读取: cannot, read" in lines
    assert "::warning title=budget-audit 豁免提示::豁免已过期" in lines
    assert "已豁免1条，基线已有1条" in lines[-1]
    out = io.StringIO()
    GithubWriter(out, run_info()).document(results[4])
    assert out.getvalue() == ""  # kept until the end, to be written most severe first


# Excel workbook ---------------------------------------------------------------------------


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_sheets_header_row_and_a_known_finding(results):
    data = render("xlsx", results, run_info())
    book = workbook(data)
    assert book.sheetnames == ["汇总", "审核结论", "问题清单", "审核意见"]
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    assert header == ["文件", "项目序号", "项目编码", "项目名称", "行", "列", "字段", "规则", "级别", "维度", "问题", "建议", "原文", "豁免理由", "基线"]
    total = sum(len(r.findings) for r in results)
    assert sheet.max_row == total + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:O{total + 1}"
    finding = mismatch(results[4])
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[7] == "budget-text-mismatch" and row[0] == PATH_004]
    assert rows == [(
        PATH_004, 6, "13020922P008HH010002P", "入区项目用海预审手续办理费用2022", 749, 16, "purpose",
        "budget-text-mismatch", "错误", "适当性", finding.text("zh"), finding.advice("zh"), "12.61万元", None, None,
    )]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNO"}
    assert all(w and w >= 6 for w in widths.values())
    assert widths["K"] > widths["E"] and widths["K"] <= 62  # the problem column: wide, capped, wrapped
    assert sheet.cell(2, 11).alignment.wrap_text and not sheet.cell(2, 1).alignment.wrap_text
    assert sheet.cell(1, 1).font.bold


def test_xlsx_review_opinion_sheet(results):
    """One row per problem of a draft, by review dimension, with its count, places and advice."""
    book = workbook(render("xlsx", results, run_info()))
    rows = list(book["审核意见"].iter_rows(values_only=True))
    assert rows[0] == ("文件", "维度", "问题", "规则", "级别", "条数", "位置", "示例", "建议")
    first = rows[1]
    assert first[:6] == ("samples/000_462a8d09a638f69f.txt", "完整性", "缺少必设指标类别", "indicator-missing", "错误", 6)
    assert first[6].split("\n")[0] == "项目1“光明养猪场基础设施建设”（第90行）"
    for result in results:
        path = relative_path(result.path, ROOT)
        mine = [row for row in rows[1:] if row[0] == path]
        sent_back = [f for f in result.findings if not f.waived and not f.baseline and f.severity != "info"]
        assert sum(row[5] for row in mine) == len(sent_back)  # every finding sent back counted once (notes are not)
        order = [DIMENSIONS.index(row[1]) for row in mine]
        assert order == sorted(order)


def test_xlsx_findings_by_dimension(results):
    book = workbook(render("xlsx", results[:1], run_info(group_by="dimension")))
    dimensions = [row[9] for row in book["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert [DIMENSIONS.index(d) for d in dimensions] == sorted(DIMENSIONS.index(d) for d in dimensions)
    assert len(dimensions) == len(results[0].findings)


def test_xlsx_summary_sheet(results):
    book = workbook(render("xlsx", results, run_info(), [InputError("samples/broken.docx", "cannot read", 3)]))
    rows = [tuple(v for v in row if v is not None) for row in book["汇总"].iter_rows(values_only=True)]
    for expected in [("文本数", 5), ("无法读取", 1), ("项目数", 77), ("问题数（未豁免、非基线）", 504), ("错误", 162), ("规范性", 111)]:
        assert expected in rows
    assert ("规则", "名称", "级别", "维度", "问题数", "已检查", "无法判断") in rows
    rule_rows = {row[0]: row for row in rows if row and row[0] in {r.id for r in run_info().rules}}
    assert len(rule_rows) == len(run_info().rules)
    assert rule_rows["budget-text-mismatch"][4:] == (2, 43, 34)
    assert ("samples/broken.docx", 3, "cannot read") in rows
    assert any(row[:2] == ("samples/001_d26b87afc6305476.txt", 7) for row in rows)  # the worst project


def test_xlsx_is_byte_identical_across_runs(results):
    first = render("xlsx", results, run_info())
    assert first == render("xlsx", results, run_info())
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_DATE}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "2000-01-01T00:00:00Z" in core and "budget-audit" in core


def test_xlsx_english_text_and_hostile_cells(results):
    book = workbook(render("xlsx", [with_marks(results[4])], run_info(lang="en")))
    assert book.sheetnames == ["Summary", "Verdicts", "Findings", "Review opinion"]
    sheet = book["Findings"]
    assert [c.value for c in sheet[1]][:4] == ["File", "Project no.", "Project code", "Project name"]
    waived, baseline, hostile = (list(r) for r in sheet.iter_rows(min_row=2, max_row=4))
    assert waived[13].value == "经复核属实 <ok> & \"done\"" and baseline[14].value == "yes"
    assert hostile[12].value == "=1台" and hostile[12].data_type == "s"  # text, never a formula
    assert hostile[10].value == NASTY and hostile[8].value == results[4].findings[2].severity


def test_xlsx_streams_rows(results):
    writer = XlsxWriter(io.BytesIO(), run_info())
    for result in results:
        writer.document(result)
        assert writer.pending is None or len(writer.pending) < SAMPLE_ROWS
    assert writer.pending is None and writer.rows == sum(len(r.findings) for r in results)
    writer.finish(SummaryBuilder(writer.run).summary(), [])
    assert writer.out.getvalue().startswith(b"PK")


# the CLI ----------------------------------------------------------------------------------


def test_cli_writes_every_machine_format_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    out, err = io.StringIO(), io.StringIO()
    files = {fmt: tmp_path / f"report.{fmt}" for fmt in ("sarif", "junit", "xlsx")}
    code = main(["check", "samples", "--format", "github", *(a for fmt, p in files.items() for a in (f"--{fmt}", str(p)))], out=out, err=err)
    assert code == 1
    assert "::error file=samples/000_462a8d09a638f69f.txt,line=90,col=2,title=budget-audit(indicator-missing)::" in out.getvalue()
    log = json.loads(files["sarif"].read_text(encoding="utf-8"))
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    assert JUnitXml.fromfile(str(files["junit"])).failures == 38
    assert workbook(files["xlsx"].read_bytes())["问题清单"].max_row == 505
    assert main(["check", "samples", "--format", "xlsx"], out=out, err=err) == 2  # needs --output


def test_json_and_sarif_record_the_effective_configuration(tmp_path):
    import io

    from auditor.cli import main

    config = tmp_path / "budget-audit.yaml"
    config.write_text("ignore: [typo]\nseverity: {year-mismatch: error}\nparams:\n  goal-duplicate: {threshold: 0.9}\n",
                      encoding="utf-8")
    report, sarif_file = tmp_path / "r.json", tmp_path / "r.sarif"
    sample = ROOT / "samples" / "000_462a8d09a638f69f.txt"
    main(["check", str(sample), "--config", str(config), "--select", "goal-duplicate,year-mismatch,indicator-missing",
          "--format", "json", "--output", str(report), "--sarif", str(sarif_file), "-q", "--fail-on", "never"],
         io.StringIO(), io.StringIO())
    recorded = json.loads(report.read_text(encoding="utf-8"))["configuration"]
    assert recorded["file"] == str(config) and recorded["ignore"] == ["typo"]
    assert recorded["select"] == ["goal-duplicate", "year-mismatch", "indicator-missing"]
    assert recorded["severity"] == {"year-mismatch": "error"} and recorded["params"] == {"goal-duplicate": {"threshold": 0.9}}
    assert recorded["rules"] == ["shipped"] and recorded["fail_on"] == "never"
    (run,) = json.loads(sarif_file.read_text(encoding="utf-8"))["runs"]
    assert run["properties"]["configuration"] == recorded


def test_sources_shown_to_users_are_citable_and_the_docs_keep_their_verification_status(results):
    text = json.dumps(sarif(results), ensure_ascii=False)
    assert "未核实" not in text and "转引" not in text
    assert "财预〔2015〕88号" in text  # the document stays
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "条文未核实" in docs  # maintainers still see what was not verified


def test_english_messages_name_categories_in_english():
    import io

    from auditor.cli import main

    out = io.StringIO()
    main(["check", str(ROOT / "samples"), "--lang", "en", "--format", "json", "-q", "--fail-on", "never"], out, io.StringIO())
    messages = [f["message"] for doc in json.loads(out.getvalue())["documents"] for f in doc.get("findings") or []
                if f["rule"] in ("indicator-missing", "category-misfiled")]
    suggestions = [f["suggestion"] for doc in json.loads(out.getvalue())["documents"] for f in doc.get("findings") or []
                   if f["rule"] == "category-misfiled"]
    assert messages and suggestions
    for text in messages:
        assert not re.search(r"(?<![“(])(?:产出|效益|满意度|数量|质量|时效|成本)(?:指标)? (?:indicators|indicator)", text), text
    assert any("output indicators lack cost" in text for text in messages)
    assert all(re.search(r"under (?:quantity|quality|timeliness|cost|output|outcome|economic|social|ecological|sustained|satisfaction)", s)
               for s in suggestions), suggestions
