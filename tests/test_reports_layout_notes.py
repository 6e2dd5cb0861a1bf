"""Every report shows the layout profile a draft was read with and the reader's notes, and lists
an input whose layout was not understood apart from unreadable ones, located — on real inputs
through the real CLI: the Shenzhen 申报表 workbook (layout ``project-form``; a copy with a sheet
that is not part of the form, which the reader notes), corpus draft 001 (``corpus-report``; one
short indicator row, noted at its line), a 申报表 made here without its indicator-grid header (not
understood) and an empty Word table (unreadable)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest

from auditor import __version__
from auditor.cli import main
from auditor.report import InputError, RuleInfo, RunInfo
from auditor.rules import load_rules
from auditor.writers import render
from tests.conftest import DRAFT_FILES, ROOT

FORM = ROOT / "tests" / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"
EMPTY_TABLE = ROOT / "tests" / "fixtures" / "formats" / "edge_empty_table.docx"
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

NOTED_FORM, SAMPLE, NOT_UNDERSTOOD, UNREADABLE = "form_notes.xlsx", "001.txt", "not_understood.xlsx", "empty.docx"
INPUTS = (NOTED_FORM, SAMPLE, NOT_UNDERSTOOD, UNREADABLE)
FORM_NOTE = {
    "zh": "“填表说明”不是项目支出绩效目标申报表（一项目一表），未读取",
    "en": "'填表说明' is not a project target form (one project per sheet or table): not read",
}
SAMPLE_NOTE = {"zh": "指标行有 5 个单元格，表头有 6 个", "en": "indicator row has 5 cells, the header has 6"}
NOT_UNDERSTOOD_REF = "项目1!A3"  # the first indicator row, with no grid header above it
REPORTS = {"json": "r.json", "html": "r.html", "sarif": "r.sarif", "junit": "r.xml", "xlsx": "r.xlsx"}


def make_not_understood(path: Path) -> None:
    """A 申报表 sheet with its header block but without the grid header (一级指标 | 二级指标 |
    三级指标 | 目标值 | 指标解释) above its indicator rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "项目1"
    sheet.append(["项目编码：", "4403001", "项目名称：", "社区饭堂"])
    sheet.append(["申请单位：", "某街道办事处"])
    sheet.append(["产出", "数量", "服务人数", "≥300人", "说明"])
    sheet.append(["效益", "社会效益", "服务对象满意度", "≥90%", "说明"])
    book.save(path)


def make_noted_form(path: Path) -> None:
    """The real 申报表 workbook with a sheet of instructions added, which the reader skips and
    notes."""
    book = openpyxl.load_workbook(FORM)
    sheet = book.create_sheet("填表说明")
    sheet["A1"] = "本表由申请单位填写。"
    sheet["A2"] = "如有疑问请联系财政局。"
    book.save(path)


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Run from ``folder``: report paths are relative to it, and no configuration of the checkout
    is picked up."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def check(folder: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with inside(folder):
        code = main(["check", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    make_noted_form(folder / NOTED_FORM)
    shutil.copyfile(DRAFT_FILES["001"], folder / SAMPLE)
    make_not_understood(folder / NOT_UNDERSTOOD)
    shutil.copyfile(EMPTY_TABLE, folder / UNREADABLE)
    return folder


def write_reports(folder: Path, target: Path, *extra: str) -> tuple[int, str]:
    """One run writing every file report into ``target``; returns the exit code and stderr."""
    target.mkdir(exist_ok=True)
    args = [f"--{fmt}={target / name}" for fmt, name in REPORTS.items() if fmt != "json"]
    code, _, err = check(folder, *INPUTS, "--format", "json", "--output", str(target / REPORTS["json"]), *args, *extra)
    return code, err


@pytest.fixture(scope="module")
def reports(folder) -> dict[str, Any]:
    """The reports of one run over the four inputs (zh), as bytes by format."""
    code, err = write_reports(folder, folder / "zh")
    assert code == 2, err  # an input was not audited
    return {fmt: (folder / "zh" / name).read_bytes() for fmt, name in REPORTS.items()}


@pytest.fixture(scope="module")
def reports_en(folder) -> dict[str, Any]:
    code, err = write_reports(folder, folder / "en", "--lang", "en")
    assert code == 2, err
    return {fmt: (folder / "en" / name).read_bytes() for fmt, name in REPORTS.items()}


def run_info(lang: str = "zh") -> RunInfo:
    infos = tuple(
        RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
        for r in load_rules().rules
    )
    return RunInfo(rules=infos, lang=lang, version=__version__, base=ROOT)


# a not-understood input with a line (a text or CSV export) instead of a cell
LINED = InputError("drafts/export.csv", "未能识别版式：第4行没有项目编码 / layout not understood: line 4 has no 项目编码", 4, "not_understood")


# the CLI on its own ------------------------------------------------------------------------


def test_a_form_without_its_grid_header_is_not_understood_and_not_audited(folder):
    code, out, err = check(folder, NOT_UNDERSTOOD, "--format", "json")
    assert code == 2
    (item,) = json.loads(out)["documents"]
    assert item["error_kind"] == "not_understood"
    assert item["location"] == {"line": None, "ref": NOT_UNDERSTOOD_REF}
    (message,) = item["errors"]
    assert "未能识别版式" in message and "layout not understood" in message
    assert item["layout"] is None and item["notes"] == [] and item["findings"] == [] and item["projects"] == 0
    assert NOT_UNDERSTOOD in err and NOT_UNDERSTOOD_REF in err


def test_the_real_form_workbook_reads_with_the_form_layout():
    code, out, _ = check(FORM.parent, FORM.name, "--format", "json", "--fail-on", "never")
    assert code == 0
    (doc,) = json.loads(out)["documents"]
    assert doc["layout"] == "project-form" and doc["projects"] == 20
    assert doc["notes"] == [] and doc["error_kind"] is None and doc["location"] is None


# JSON --------------------------------------------------------------------------------------


def test_json_carries_layout_notes_and_the_kind_and_place_of_input_errors(reports, reports_en):
    documents = json.loads(reports["json"])["documents"]
    assert [d["path"] for d in documents] == list(INPUTS)
    form, sample, not_understood, unreadable = documents
    assert len({frozenset(d) for d in documents}) == 1  # every item has the same keys
    assert (form["layout"], form["projects"], sample["layout"]) == ("project-form", 20, "corpus-report")
    assert form["notes"] == [{"message": FORM_NOTE["zh"], "messages": FORM_NOTE, "line": None, "ref": "填表说明!A1", "project": None}]
    assert sample["notes"] == [{"message": SAMPLE_NOTE["zh"], "messages": SAMPLE_NOTE, "line": 1230, "ref": None, "project": None}]
    assert form["error_kind"] is None and form["location"] is None and form["errors"] == []
    assert not_understood["error_kind"] == "not_understood"
    assert not_understood["location"] == {"line": None, "ref": NOT_UNDERSTOOD_REF}
    assert not_understood["errors"][0].startswith(f"{NOT_UNDERSTOOD_REF}: 未能识别版式：")
    assert unreadable["error_kind"] == "unreadable" and unreadable["location"] == {"line": None, "ref": None}
    assert "未找到绩效目标内容" in unreadable["errors"][0]
    assert (not_understood["layout"], not_understood["notes"]) == (None, [])
    english = json.loads(reports_en["json"])["documents"]
    assert english[0]["notes"][0]["message"] == FORM_NOTE["en"] and english[0]["notes"][0]["messages"] == FORM_NOTE
    assert json.loads(reports["json"])["summary"]["unreadable"] == 2


# SARIF -------------------------------------------------------------------------------------


def validate(log: dict) -> None:
    validator = jsonschema.validators.validator_for(SCHEMA)
    validator(SCHEMA, format_checker=validator.FORMAT_CHECKER).validate(log)


def test_sarif_names_the_layouts_and_locates_the_not_understood_input(reports, reports_en):
    for data in (reports["sarif"], reports_en["sarif"]):
        validate(json.loads(data))
    (run,) = json.loads(reports["sarif"])["runs"]
    assert run["properties"]["layouts"] == {NOTED_FORM: "project-form", SAMPLE: "corpus-report"}
    descriptors = run["tool"]["driver"]["notifications"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in invocation["toolExecutionNotifications"]}
    assert set(by_uri) == {NOT_UNDERSTOOD, UNREADABLE}
    bad, broken = by_uri[NOT_UNDERSTOOD], by_uri[UNREADABLE]
    assert bad["descriptor"]["id"] == "not-understood" and broken["descriptor"]["id"] == "unreadable"
    for notification in (bad, broken):  # each reference lands on the driver's descriptor
        assert descriptors[notification["descriptor"]["index"]]["id"] == notification["descriptor"]["id"]
    assert (bad["properties"]["kind"], broken["properties"]["kind"]) == ("not_understood", "unreadable")
    (location,) = bad["locations"]
    assert location["physicalLocation"] == {"artifactLocation": {"uri": NOT_UNDERSTOOD, "uriBaseId": "%SRCROOT%"}}
    assert location["message"] == {"text": NOT_UNDERSTOOD_REF} and location["properties"] == {"ref": NOT_UNDERSTOOD_REF}
    assert bad["message"]["text"].startswith(f"{NOT_UNDERSTOOD_REF}: 未能识别版式：")
    assert broken["message"]["text"].startswith("无法读取: ") and "message" not in broken["locations"][0]
    english = json.loads(reports_en["sarif"])["runs"][0]["tool"]["driver"]["notifications"]
    assert "layout not understood" in english[1]["shortDescription"]["text"]


def test_sarif_gives_the_line_of_a_not_understood_export():
    log = json.loads(render("sarif", [], run_info(), [LINED]))
    validate(log)
    (notification,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}
    assert notification["descriptor"]["id"] == "not-understood"
    assert notification["message"]["text"] == LINED.message  # it says so already: no second label


# JUnit -------------------------------------------------------------------------------------


def suites(data: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(data)
    return {suite.get("name"): suite for suite in root.iter("testsuite")}


def test_junit_errors_for_inputs_not_audited_and_notes_in_the_suite_output(reports, reports_en):
    from junitparser import JUnitXml

    xml = JUnitXml.fromstring(reports["junit"])
    assert xml.errors == 2
    found = suites(reports["junit"])
    form = found[NOTED_FORM]
    assert {p.get("name"): p.get("value") for p in form.iter("property")}["layout"] == "project-form"
    (out,) = form.findall("system-out")  # the suite's own, after its testcases
    assert out.text == f"读取提示 (1):\n  {NOTED_FORM} (填表说明!A1): {FORM_NOTE['zh']}"
    assert f"{SAMPLE}:1230: {SAMPLE_NOTE['zh']}" in found[SAMPLE].find("system-out").text
    (case,) = found[NOT_UNDERSTOOD].findall("testcase")
    assert case.get("name") == "未能识别版式 / layout not understood"
    (error,) = case.findall("error")
    assert error.get("type") == "not_understood"
    assert error.get("message").startswith(f"{NOT_UNDERSTOOD_REF}: 未能识别版式：")
    assert error.text.startswith(f"{NOT_UNDERSTOOD} ({NOT_UNDERSTOOD_REF}): 未能识别版式：")
    (broken,) = found[UNREADABLE].findall("testcase")
    assert broken.get("name") == "无法读取 / unreadable" and broken.find("error").get("type") == "unreadable"
    english = suites(reports_en["junit"])
    assert english[NOT_UNDERSTOOD].find("testcase").get("name") == "layout not understood"
    assert english[NOTED_FORM].find("system-out").text == f"reader notes (1):\n  {NOTED_FORM} (填表说明!A1): {FORM_NOTE['en']}"


def test_junit_not_understood_with_a_line():
    (suite,) = suites(render("junit", [], run_info("en"), [LINED]).encode("utf-8")).values()
    error = suite.find("testcase/error")
    assert error.get("type") == "not_understood" and error.text.startswith("drafts/export.csv:4: 未能识别版式")


# HTML --------------------------------------------------------------------------------------


def data_blocks(html: str) -> list[dict[str, Any]]:
    return [json.loads(block) for block in re.findall(r'<script type="application/json" class="doc-data" id="doc-data-\d+">(.*?)</script>', html)]


def section(html: str, start: str) -> str:
    at = html.index(start)
    return html[at:html.index("</section>", at)]


def test_html_shows_layout_notes_and_not_understood_inputs_apart(reports, reports_en):
    html = reports["html"].decode("utf-8")
    form, sample = data_blocks(html)
    assert (form["layout"], sample["layout"]) == ("project-form", "corpus-report")
    assert form["notes"] == [[FORM_NOTE["zh"], None, "填表说明!A1"]]
    assert sample["notes"] == [[SAMPLE_NOTE["zh"], 1230, None]]
    assert form["facts"][0][6] == ["10,185,500.00", None, None]  # the 申报表 has no 财政资金/其他资金 field
    config = json.loads(re.search(r'<script type="application/json" id="report-config">(.*?)</script>', html).group(1))
    assert config["labels"]["layout"] == "读取版式" and config["labels"]["reader_notes"] == "读取提示"
    listed = section(html, '<section id="unreadable"')
    unreadable, not_understood = listed.split('<h3 class="not-understood">')
    assert "无法读取的文件" in unreadable and UNREADABLE in unreadable and NOT_UNDERSTOOD not in unreadable
    assert not_understood.startswith("未能识别版式的文件") and UNREADABLE not in not_understood
    assert f'<li data-kind="not_understood"><span class="kind-tag">未能识别版式</span> <span class="path">{NOT_UNDERSTOOD}</span>' in not_understood
    assert f'<span class="ref">{NOT_UNDERSTOOD_REF}</span> — 未能识别版式：' in not_understood
    assert 'data-k="not-understood" data-n="1">其中未能识别版式 1<' in html
    english = reports_en["html"].decode("utf-8")
    assert data_blocks(english)[0]["notes"] == [[FORM_NOTE["en"], None, "填表说明!A1"]]
    assert "Inputs whose layout was not understood" in english and '<span class="kind-tag">layout not understood</span>' in english


# table and GitHub --------------------------------------------------------------------------


def test_table_names_the_layout_counts_the_notes_and_lists_not_understood_inputs(folder, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the table fits the terminal: these lines are pinned unwrapped
    code, out, _ = check(folder, *INPUTS)
    assert code == 2
    assert f"文件: {NOTED_FORM}  部门: 深圳市宝安区松岗街道办事处（本级）  年度: 2023  读取版式: project-form\n  读取提示 1 条（见 --format json）\n" in out
    assert "读取版式: corpus-report\n  读取提示 1 条（见 --format json）\n" in out
    assert FORM_NOTE["zh"] not in out and SAMPLE_NOTE["zh"] not in out  # counted, not listed
    unreadable = out[out.index("\n无法读取:\n"):out.index("\n未能识别版式:\n")]
    assert UNREADABLE in unreadable and NOT_UNDERSTOOD not in unreadable
    assert f"\n未能识别版式:\n  {NOT_UNDERSTOOD} ({NOT_UNDERSTOOD_REF}): 未能识别版式：表“项目1”" in out
    assert "无法读取1份，未能识别版式1份" in out
    code, out, _ = check(folder, *INPUTS, "--lang", "en")
    assert "layout: project-form\n  reader notes: 1 (see --format json)\n" in out
    assert f"\nlayout not understood:\n  {NOT_UNDERSTOOD} ({NOT_UNDERSTOOD_REF}): " in out
    assert ", 1 unreadable, 1 layout not understood" in out


def test_github_annotates_a_not_understood_input_at_its_file(folder, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    _, out, _ = check(folder, *INPUTS, "--format", "github")
    lines = out.splitlines()
    (bad,) = [line for line in lines if f"file={NOT_UNDERSTOOD}" in line]
    assert bad.startswith(f"::error file={NOT_UNDERSTOOD},title=budget-audit 未能识别版式::{NOT_UNDERSTOOD_REF}: 未能识别版式：")
    (broken,) = [line for line in lines if f"file={UNREADABLE}" in line]
    assert broken.startswith(f"::error file={UNREADABLE},title=budget-audit::无法读取: ")
    assert "无法读取1份，未能识别版式1份；" in lines[-1]
    lined = render("github", [], run_info("en"), [LINED])
    assert lined.startswith("::error file=drafts/export.csv,line=4,title=budget-audit layout not understood::未能识别版式：第4行")


# Excel -------------------------------------------------------------------------------------


def summary_rows(data: bytes, title: str = "汇总") -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[title]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    return [row[: max(i for i, v in enumerate(row) if v is not None) + 1] for row in rows if any(v is not None for v in row)]


def block(rows: list[tuple], heading: str) -> list[tuple]:
    """The rows under a heading of the summary sheet, its column header first."""
    at = rows.index((heading,))
    end = next((i for i in range(at + 2, len(rows)) if len(rows[i]) == 1), len(rows))
    return rows[at + 1:end]


def test_xlsx_summary_lists_layouts_notes_and_not_understood_inputs(reports, reports_en):
    rows = summary_rows(reports["xlsx"])
    assert ("无法读取", 1) in rows and ("未能识别版式", 1) in rows
    assert block(rows, "无法读取")[1][0] == UNREADABLE
    header, bad = block(rows, "未能识别版式")
    assert header == ("文件", "行", "位置", "原因")
    assert bad[:3] == (NOT_UNDERSTOOD, None, NOT_UNDERSTOOD_REF) and bad[3].startswith("未能识别版式：表“项目1”")
    assert block(rows, "读取版式与读取提示") == [
        ("文件", "读取版式", "读取提示"), (NOTED_FORM, "project-form", 1), (SAMPLE, "corpus-report", 1),
    ]
    assert block(rows, "读取提示") == [
        ("文件", "行", "位置", "读取提示"), (NOTED_FORM, None, "填表说明!A1", FORM_NOTE["zh"]), (SAMPLE, 1230, None, SAMPLE_NOTE["zh"]),
    ]
    english = summary_rows(reports_en["xlsx"], "Summary")
    assert block(english, "reader notes")[1] == (NOTED_FORM, None, "填表说明!A1", FORM_NOTE["en"])
    assert block(english, "layouts and reader notes")[0] == ("file", "layout", "reader notes")


# determinism -------------------------------------------------------------------------------


def test_same_bytes_across_runs_and_jobs(folder, reports):
    code, err = write_reports(folder, folder / "jobs", "--jobs", "2")
    assert code == 2, err
    for fmt, name in REPORTS.items():
        assert (folder / "jobs" / name).read_bytes() == reports[fmt], fmt
