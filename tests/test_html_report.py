"""The HTML report without a browser: self-contained, escaped, deterministic, streamed, in zh and
en, with the summary's counts, unreadable inputs, waived findings and notices."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from auditor.findings import DocumentResult, Finding, ProjectFacts, ProjectRef, RuleOutcome
from auditor.report import InputError, RuleInfo, RunInfo, SummaryBuilder
from auditor.writers import render
from auditor.writers.html import FINDING_FIELDS, HtmlWriter, script_json

ROOT = Path(__file__).resolve().parent.parent

# Hostile text a draft (or a file name, a waiver reason, a rule file) might carry.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
    "{{ 7*7 }}",
    "{% if true %}jinja{% endif %}",
    "<!-- <script>",
    "'; alert(3); '",
    "<svg onload=alert(4)>",
    "\u2028\u2029",
    "&amp; &lt;b&gt;",
)
HOSTILE = "".join(PAYLOADS)


def hostile_rules() -> tuple[RuleInfo, ...]:
    title = {"zh": "规则" + PAYLOADS[0], "en": "rule" + PAYLOADS[1]}
    return (
        RuleInfo("typo", "warning", "规范性", title, {"zh": "m"}, {"zh": "s"}, "source", "why", "text"),
        RuleInfo("value-syntax", "error", "可测性", {"zh": "指标值写法不规范", "en": "value syntax"}, {"zh": "m"}, {"zh": "s"}, "", "", "indicator"),
    )


def _finding(rule: str, severity: str, project: ProjectRef | None, **changes: Any) -> Finding:
    base = Finding(
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        dimension="规范性",
        message={"zh": "问题：" + HOSTILE, "en": "finding: " + HOSTILE},
        suggestion={"zh": "建议：" + PAYLOADS[1], "en": "fix: " + PAYLOADS[1]},
        path="drafts/" + PAYLOADS[1] + ".txt",
        project=project,
        field="indicators[0].value",
        line=12,
        column=3,
        ref=None,
        evidence=PAYLOADS[0],
    )
    return replace(base, **changes)


def hostile_results() -> tuple[list[DocumentResult], list[InputError], list[dict[str, str]]]:
    """A draft whose every text is hostile, an unreadable input and a notice likewise."""
    path = "drafts/" + PAYLOADS[1] + ".txt"
    project = ProjectRef(1, "<b>P001</b>", "项目" + PAYLOADS[0])
    facts = ProjectFacts(
        index=1, code="<b>P001</b>", name="项目" + PAYLOADS[0], heading="1." + PAYLOADS[2], line=5,
        money_unit="万元" + PAYLOADS[3], budget=(PAYLOADS[1], "10.00", PAYLOADS[7]),
        schedule_header="资金支出计划（%）" + PAYLOADS[0], schedule=(("3月底", PAYLOADS[2]), ("12月底", "100%")),
        goals=2, indicators=1,
    )
    cells = {"level1": "产出指标", "level2": PAYLOADS[5], "level3": PAYLOADS[3], "description": PAYLOADS[6],
             "basis": PAYLOADS[4], "value": "≥" + PAYLOADS[0] + "件"}
    findings = [
        _finding("value-syntax", "error", project, context={"type": "indicator", "line": 11, "cells": cells}),
        _finding("typo", "warning", project, field="goals[1]", evidence=PAYLOADS[2],
                 context={"type": "goals", "items": [["1", "目标" + PAYLOADS[1]], ["2", "目标" + PAYLOADS[2]]], "selected": 1}),
        _finding("typo", "warning", None, field="sections[0].items[0]", line=3, evidence=PAYLOADS[7],
                 context={"type": "section", "heading": PAYLOADS[0], "items": ["段落" + PAYLOADS[7]]}),
        _finding("typo", "info", project, field="purpose", evidence=PAYLOADS[3], waived="豁免理由" + PAYLOADS[0],
                 context={"type": "text", "kind": PAYLOADS[1], "text": "资金用途" + PAYLOADS[3]}),
        _finding("<i>odd-rule</i>", "info", project, field="spending_plan.points[0]", evidence="",
                 context={"type": "schedule", "header": PAYLOADS[0], "points": [["3月底", PAYLOADS[1]]], "budget": PAYLOADS[2],
                          "money_unit": PAYLOADS[3]}),
    ]
    result = DocumentResult(path, "部门" + PAYLOADS[0], 2024, 1, findings=findings, facts=[facts],
                            errors=["读取提示" + PAYLOADS[2]],
                            outcomes={"typo": RuleOutcome(checked=3, findings=3, not_checkable=1, reasons={PAYLOADS[1]: 1})})
    errors = [InputError("bad/" + PAYLOADS[0] + ".txt", "无法读取" + PAYLOADS[1], 7)]
    notices = [{"zh": "豁免未使用" + PAYLOADS[2], "en": "unused waiver" + PAYLOADS[2]}]
    return [result], errors, notices


def html_of(results: list[DocumentResult], errors: list[InputError] = (), notices: list[dict[str, str]] | None = None,
            lang: str = "zh", rules: tuple[RuleInfo, ...] | None = None) -> str:
    run = RunInfo(rules=rules if rules is not None else hostile_rules(), lang=lang, version="test")
    text = render("html", results, run, errors, notices or [])
    assert isinstance(text, str)
    return text


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>/<style> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))
            self.raw.append((tag, dict(attrs), ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            tag, attrs, text = self.raw[-1]
            self.raw[-1] = (tag, attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._open = None


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def sample_html(audits) -> str:
    run = RunInfo(rules=_rule_infos(), version="test")
    return render("html", [audits[k] for k in sorted(audits)], run)


def _rule_infos() -> tuple[RuleInfo, ...]:
    from auditor.rules import load_rules

    return tuple(
        RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
        for r in load_rules().rules
    )


def data_blocks(html: str) -> list[dict[str, Any]]:
    return [json.loads(text) for tag, attrs, text in parse(html).raw if "doc-data" in (attrs.get("class") or "")]


# ------------------------------------------------------------------ self-contained


def test_self_contained(sample_html):
    elements = parse(sample_html)
    for tag, attrs in elements.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:", "file:")), (tag, name, value)
        if tag == "link":
            pytest.fail(f"external resource: <link {attrs}>")
        if tag in ("script", "img", "iframe", "object", "embed", "audio", "video"):
            assert not attrs.get("src"), (tag, attrs)
    assert "http://" not in sample_html and "https://" not in sample_html
    css = next(text for tag, _, text in elements.raw if tag == "style")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_content_security_policy_allows_exactly_the_inline_css_and_js(sample_html):
    elements = parse(sample_html)
    csp = next(a["content"] for t, a in elements.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp

    def digest(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    css = next(text for tag, _, text in elements.raw if tag == "style")
    js = next(text for tag, attrs, text in elements.raw if tag == "script" and not attrs.get("type"))
    assert f"style-src '{digest(css)}'" in csp
    assert f"script-src '{digest(js)}'" in csp


def test_jinja2_is_imported_only_when_the_html_format_is_used():
    code = "import sys, auditor.cli, auditor.writers, auditor.report; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------ escaping


def test_hostile_text_is_escaped_everywhere():
    results, errors, notices = hostile_results()
    html = html_of(results, errors, notices)
    for payload in PAYLOADS:
        if "<" in payload or ">" in payload:
            assert payload not in html, payload
    assert "<img" not in html and "<svg onload" not in html and "<i>odd-rule" not in html
    assert "{{ 7*7 }}" in html and "{% if true %}jinja{% endif %}" in html  # shown as written, never evaluated
    assert "\u2028" not in html and "\u2029" not in html
    elements = parse(html)
    assert {tag for tag, _ in elements.tags} <= {
        "html", "head", "meta", "title", "style", "script", "body", "header", "h1", "h2", "h3", "p", "div", "noscript",
        "nav", "fieldset", "legend", "label", "input", "span", "select", "option", "button", "main", "section", "b",
        "figure", "figcaption", "svg", "g", "title", "text", "rect", "ol", "ul", "li", "a", "table", "thead", "tbody",
        "tr", "th", "td",
    }
    handlers = [(tag, name) for tag, attrs in elements.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    scripts = [attrs for tag, attrs, _ in elements.raw if tag == "script"]
    assert len(scripts) == 3  # the config, one draft, the page's JS
    assert [a.get("type") for a in scripts] == ["application/json", "application/json", None]
    assert html.lower().count("</script") == 3


def test_escaped_json_reads_back_as_the_original_text():
    results, errors, notices = hostile_results()
    (block,) = data_blocks(html_of(results, errors, notices))
    findings = [dict(zip(FINDING_FIELDS, f)) for f in block["findings"]]
    assert findings[0]["message"] == "问题：" + HOSTILE
    assert findings[0]["evidence"] == PAYLOADS[0]
    assert block["path"] == results[0].path and block["department"] == results[0].department
    assert block["contexts"][0]["cells"]["value"] == "≥" + PAYLOADS[0] + "件"
    assert findings[3]["waived"] == "豁免理由" + PAYLOADS[0]


def test_script_json_escapes_what_could_end_a_script():
    text = script_json({"a": "</script><!-- & \u2028\u2029 >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028\u2029 >"}


def test_hostile_text_in_the_server_rendered_parts_is_entity_escaped():
    results, errors, notices = hostile_results()
    html = html_of(results, errors, notices)
    summary = html[html.index('<section id="summary"'):]
    assert "bad/&lt;script&gt;alert(1)&lt;/script&gt;.txt:7" in summary  # unreadable input
    assert "无法读取&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in summary
    assert "豁免未使用&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in summary  # notice
    assert "规则&lt;script&gt;alert(1)&lt;/script&gt;" in summary  # rule title from a rule file


# ------------------------------------------------------------------ determinism, streaming


def test_same_input_same_bytes(audits):
    run = RunInfo(rules=_rule_infos(), version="test")
    results = [audits[k] for k in sorted(audits)]
    first = render("html", results, run)
    second = render("html", results, run)
    assert first == second
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", first)  # no timestamps


def test_writer_streams_one_chunk_per_document(audits):
    out = io.StringIO()
    run = RunInfo(rules=_rule_infos(), version="test")
    writer = HtmlWriter(out, run)
    head = out.getvalue()
    assert head.startswith("<!DOCTYPE html>") and 'id="controls"' in head and "doc-data" not in head
    summary = SummaryBuilder(run)
    sizes = [len(head)]
    for n, key in enumerate(sorted(audits), start=1):
        writer.document(audits[key])
        summary.add(audits[key])
        chunk = out.getvalue()[sizes[-1]:]
        assert chunk.count('class="doc-data"') == 1 and f'id="doc-data-{n}"' in chunk
        sizes.append(len(out.getvalue()))
    assert 'id="summary"' not in out.getvalue()
    writer.finish(summary.summary(), [])
    assert out.getvalue().rstrip().endswith("</html>")
    assert not hasattr(writer, "results") and not any(isinstance(v, list) and v and isinstance(v[0], DocumentResult) for v in vars(writer).values())


# ------------------------------------------------------------------ content


def _numbers(html: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for key, value in re.findall(r'data-k="([\w-]+)">(\d+)<', html):
        found.setdefault(key, []).append(int(value))
    return found


def test_summary_counts_match_the_summary_builder(audits, sample_html):
    run = RunInfo(rules=_rule_infos(), version="test")
    builder = SummaryBuilder(run)
    for key in sorted(audits):
        builder.add(audits[key])
    summary = builder.summary()
    numbers = _numbers(sample_html)
    for key in ("documents", "projects", "findings", "waived", "baseline", "unreadable"):
        assert numbers[key] == [summary[key]], key
    for severity, n in summary["by_severity"].items():
        assert numbers[f"severity-{severity}"] == [n]
        assert numbers[f"chart-{severity}"] == [n]
    for dimension, n in summary["by_dimension"].items():
        assert re.search(rf'data-k="chart-{dimension}">{n}<', sample_html)
    assert numbers["rule-findings"] == [summary["by_rule"][r.id] for r in run.rules]
    assert numbers["rule-not-checkable"] == [summary["rules"][r.id]["not_checkable"] for r in run.rules]
    assert numbers["not-checkable"] == [sum(o["not_checkable"] for o in summary["rules"].values())]
    assert summary["rules"]["budget-sum"]["not_checkable"] == 34  # 003 has no 预算数
    assert len(re.findall(r'<a href="#project-\d+-\d+">', sample_html)) == len(summary["worst_projects"]) > 0
    # the data blocks carry every finding of every draft
    blocks = data_blocks(sample_html)
    assert [b["n"] for b in blocks] == [1, 2, 3, 4, 5]
    assert sum(len(b["findings"]) for b in blocks) == sum(len(audits[k].findings) for k in audits)


def test_worst_projects_link_to_their_cards(audits, sample_html):
    blocks = data_blocks(sample_html)
    links = re.findall(r'<a href="#project-(\d+)-(\d+)">([^<]+)</a>', sample_html)
    assert links
    for number, index, name in links:
        block = blocks[int(number) - 1]
        facts = {f[0]: f for f in block["facts"]}
        assert facts[int(index)][2] == name


def test_project_facts_and_contexts_are_carried(sample_html):
    block = data_blocks(sample_html)[0]  # 000
    facts = block["facts"][0]
    assert facts[:3] == [1, "441-0601-YBN-2CCC", "光明养猪场基础设施建设"]
    assert facts[5] == "万元" and facts[6] == ["50.00", "50.00", ""]
    assert facts[7] == "资金支出计划（%）" and facts[8][0] == ["3月底", "25.00"]
    types = {c["type"] for c in block["contexts"]}
    assert {"indicator", "table", "section", "goals"} <= types


def test_unreadable_inputs_waived_findings_and_notices_appear(audits):
    waived = replace(audits["004"], findings=[
        replace(f, waived="表内描述按省厅模板填写") if f.rule == "repeated-word" else f for f in audits["004"].findings
    ])
    run = RunInfo(rules=_rule_infos(), version="test")
    errors = [InputError("drafts/gbk.txt", "不是 UTF-8 编码", None)]
    notices = [{"zh": "豁免第3行（typo）未匹配任何问题", "en": "waiver at line 3 (typo) matched nothing"}]
    html = render("html", [waived], run, errors, notices)
    assert "无法读取的文件" in html and "drafts/gbk.txt" in html and "不是 UTF-8 编码" in html
    assert "豁免提示" in html and "豁免第3行（typo）未匹配任何问题" in html
    numbers = _numbers(html)
    assert numbers["waived"] == [1] and numbers["unreadable"] == [1]
    (block,) = data_blocks(html)
    rows = [dict(zip(FINDING_FIELDS, f)) for f in block["findings"]]
    assert [r["waived"] for r in rows if r["rule"] == "repeated-word"] == ["表内描述按省厅模板填写"]
    assert len(rows) == len(audits["004"].findings)  # waived findings are shown, not dropped


def test_english_report(audits):
    run = RunInfo(rules=_rule_infos(), lang="en", version="test")
    html = render("html", [audits["004"]], run)
    assert '<html lang="en">' in html
    assert "Budget performance target audit report" in html and "Reviewer (审核人)" in html
    (block,) = data_blocks(html)
    config = json.loads(next(t for tag, a, t in parse(html).raw if a.get("id") == "report-config"))
    assert config["lang"] == "en" and config["severities"][0] == ["error", "error"]
    message = next(f[8] for f in block["findings"] if f[0] == "budget-text-mismatch")
    assert message.startswith("Project “入区项目用海预审手续办理费用2022”")


def test_chinese_report_uses_the_drafts_terms(sample_html):
    assert '<html lang="zh-CN">' in sample_html
    config = json.loads(next(t for tag, a, t in parse(sample_html).raw if a.get("id") == "report-config"))
    labels = config["labels"]
    for key, term in (("code", "项目编码"), ("name", "项目名称"), ("budget", "预算数"), ("schedule", "资金支出计划"),
                      ("level3", "三级指标"), ("value", "指标值"), ("not_checkable", "无法判断"), ("waived", "已豁免")):
        assert labels[key] == term
    assert [s[1] for s in config["severities"]] == ["错误", "警告", "提示"]
    assert "审核人：" in sample_html and "日期：" in sample_html


def test_cli_writes_the_html_report(tmp_path, monkeypatch):
    from auditor.cli import main

    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.html"
    code = main(["check", str(ROOT / "samples" / "004_2f558b6c4fb9792b.txt"), "--format", "json", "--html", str(out),
                 "--fail-on", "never"], out=io.StringIO(), err=io.StringIO())
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and _numbers(html)["documents"] == [1]


def test_the_page_reads_the_data_layout_the_writer_writes():
    from auditor.writers.html import PROJECT_FIELDS

    js = (ROOT / "reports" / "report.js").read_text(encoding="utf-8")
    for prefix, fields in (("F", FINDING_FIELDS), ("P", PROJECT_FIELDS)):
        declared = {name.lower(): int(i) for name, i in re.findall(rf"\b{prefix}_([A-Z_]+) = (\d+)", js)}
        assert declared == {name: i for i, name in enumerate(fields)}, prefix


def test_a_run_with_no_readable_draft():
    html = html_of([], [InputError("a.txt", "无法解码", None)], rules=())
    numbers = _numbers(html)
    assert numbers["documents"] == [0] and numbers["unreadable"] == [1] and numbers["findings"] == [0]
    assert data_blocks(html) == [] and "a.txt" in html
