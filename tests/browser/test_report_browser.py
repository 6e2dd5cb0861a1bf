"""The HTML report in headless Chromium, opened from ``file://`` like a reviewer double-clicking
it: filters and their counts (checked against the JSON report of the same run), sorting, deep
links, the URL hash, print media, no console errors, no network, hostile text, a large report,
and screenshots under ``build/screenshots/``."""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
TODAY = "2026-01-01"
WAIVERS = """\
waivers:
  - rule: repeated-word
    reason: 原文如此，已与部门确认
    expires: 2099-12-31
  - rule: typo
    project: 不存在的项目
    reason: 用于检查“未使用的豁免”提示
"""


@dataclass
class Run:
    """One ``budget-audit check`` of the bundled drafts, written as HTML and as JSON."""

    html: Path
    report: dict[str, Any]

    @property
    def url(self) -> str:
        return self.html.as_uri()

    @property
    def total(self) -> int:
        return sum(len(d["findings"]) for d in self.report["documents"])

    def count(self, *, sev: set[str] | None = None, rule: str = "", dim: str = "", doc: int | None = None,
              status: str = "", q: str = "") -> int:
        """Findings the page should show for a filter, from the JSON report (the page searches the
        message, suggestion, evidence, field, rule id, project code and name)."""
        n = 0
        words = q.lower().split()
        for number, document in enumerate(self.report["documents"], start=1):
            if doc is not None and number != doc:
                continue
            for f in document["findings"]:
                state = "waived" if f["waived"] is not None else "baseline" if f["baseline"] else "active"
                project = f["project"] or {}
                hay = "\n".join([f["message"], f["suggestion"], f["evidence"], f["location"]["field"], f["rule"],
                                 project.get("code") or "", project.get("name") or ""]).lower()
                if ((sev is None or f["severity"] in sev) and (not rule or f["rule"] == rule)
                        and (not dim or f["dimension"] == dim) and (not status or state == status)
                        and all(w in hay for w in words)):
                    n += 1
        return n


@pytest.fixture(scope="session")
def run(tmp_path_factory) -> Run:
    """The five bundled drafts checked once, with a waiver file, to HTML and JSON together."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    (folder / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(folder)  # relative paths in the report; no budget-audit.yaml of the checkout
    try:
        code = main(["check", "samples", "--format", "json", "--output", "report.json", "--html", "report.html",
                     "--waivers", "waivers.yaml", "--today", TODAY, "--fail-on", "never"], out=io.StringIO(), err=io.StringIO())
    finally:
        os.chdir(cwd)
    assert code == 0
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return Run(folder / "report.html", report)


@dataclass
class Watch:
    """What a page did besides rendering: console messages, errors, requests, dialogs."""

    url: str = ""
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.console == [], self.console
        assert self.dialogs == [], self.dialogs
        base = self.url.split("#")[0]
        assert [r for r in self.requests if r.split("#")[0] != base] == [], self.requests


@pytest.fixture
def context(browser) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="zh-CN")
    yield ctx
    ctx.close()


def watch(page: Any, url: str) -> Watch:
    seen = Watch(url=url)
    page.on("console", lambda m: seen.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
    return seen


def open_report(context: Any, url: str) -> tuple[Any, Watch]:
    page = context.new_page()
    seen = watch(page, url)
    page.goto(url)
    page.wait_for_selector("html[data-ready]", state="attached", timeout=60_000)
    return page, seen


def expect_count(page: Any, shown: int, total: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#count")).to_have_text(f"显示 {shown} / {total} 条")


# ------------------------------------------------------------------ tests


def test_opens_from_disk_with_no_errors_and_no_network(context, run):
    page, seen = open_report(context, run.url)
    expect_count(page, run.total, run.total)
    assert page.locator("#summary").count() == 1
    # the summary was moved above the controls
    order = page.evaluate("document.getElementById('summary').compareDocumentPosition(document.getElementById('controls'))")
    assert order & 4  # DOCUMENT_POSITION_FOLLOWING
    assert page.locator("#documents section.doc").count() >= 1
    seen.assert_clean()
    assert seen.requests == [run.url]


def test_severity_filter(context, run):
    page, seen = open_report(context, run.url)
    page.locator('input[name="sev"][value="warning"]').uncheck()
    page.locator('input[name="sev"][value="info"]').uncheck()
    expect_count(page, run.count(sev={"error"}), run.total)
    assert page.locator("#documents tr.f").count() == run.count(sev={"error"})
    assert page.locator("#documents tr.f:not(.sev-error)").count() == 0
    page.locator('input[name="sev"][value="info"]').check()
    expect_count(page, run.count(sev={"error", "info"}), run.total)
    seen.assert_clean()


def test_rule_and_dimension_filters(context, run):
    page, seen = open_report(context, run.url)
    page.select_option("#f-rule", "typo")
    expect_count(page, run.count(rule="typo"), run.total)
    rules = page.locator("#documents tr.f").evaluate_all("rows => rows.map(r => r.dataset.rule)")
    assert rules and set(rules) == {"typo"} and len(rules) == run.count(rule="typo")
    page.select_option("#f-rule", "")
    page.select_option("#f-dim", "适当性")
    expect_count(page, run.count(dim="适当性"), run.total)
    seen.assert_clean()


def test_document_filter(context, run):
    page, seen = open_report(context, run.url)
    page.select_option("#f-doc", "4")
    expect_count(page, run.count(doc=4), run.total)
    assert page.locator("#documents section.doc").evaluate_all("s => s.map(e => e.id)") == ["doc-4"]
    # the document filter alone keeps every project card, clean ones included
    assert page.locator("#doc-4 article.card:not(.general)").count() == run.report["documents"][3]["projects"]
    seen.assert_clean()


def test_free_text_and_status_filters(context, run):
    page, seen = open_report(context, run.url)
    page.fill("#f-q", "效益")
    expect_count(page, run.count(q="效益"), run.total)
    page.fill("#f-q", "INDICATOR-PLACEHOLDER 数量")
    expect_count(page, run.count(q="indicator-placeholder 数量"), run.total)
    page.fill("#f-q", "")
    page.select_option("#f-status", "waived")
    waived = run.count(status="waived")
    assert waived == 1
    expect_count(page, waived, run.total)
    assert "原文如此，已与部门确认" in page.locator("#documents tr.f.waived .state-tag").inner_text()
    page.click("#f-reset")
    expect_count(page, run.total, run.total)
    seen.assert_clean()


def test_summary_tiles_filter(context, run):
    page, seen = open_report(context, run.url)
    page.click('#summary button[data-filter-rule="description-copy"]')
    expect_count(page, run.count(rule="description-copy"), run.total)
    page.click('#summary button.tile[data-filter-sev="warning"]')
    expect_count(page, run.count(sev={"warning"}), run.total)
    seen.assert_clean()


def busiest_project(run: Run, doc: int) -> int:
    """The project of a document with the most findings among those with all three severities."""
    found: dict[int, list[str]] = {}
    for f in run.report["documents"][doc - 1]["findings"]:
        if f["project"]:
            found.setdefault(f["project"]["index"], []).append(f["severity"])
    return max((len(v), -k) for k, v in found.items() if len(set(v)) == 3)[1] * -1


def test_sorting(context, run):
    page, seen = open_report(context, run.url)
    page.select_option("#f-doc", "3")
    selector = f"#project-3-{busiest_project(run, 3)}"
    card = page.locator(selector)
    lines = card.locator("td.loc").evaluate_all("c => c.map(e => parseInt(e.textContent, 10))")
    assert len(lines) >= 3 and lines == sorted(lines)
    card.locator('th[data-sort="severity"]').click()
    order = {"错误": 0, "警告": 1, "提示": 2}
    card = page.locator(selector)
    severities = [order[s] for s in card.locator("td .sev-tag").all_text_contents()]
    assert severities == sorted(severities) and len(set(severities)) > 1
    card.locator('th[data-sort="severity"]').click()
    severities = [order[s] for s in page.locator(f"{selector} td .sev-tag").all_text_contents()]
    assert severities == sorted(severities, reverse=True)
    page.select_option("#f-sort", "rule")
    rules = page.locator(f"{selector} td.rule").all_text_contents()
    assert rules == sorted(rules)
    seen.assert_clean()


def test_hash_restores_the_filter(context, run):
    from playwright.sync_api import expect

    page, seen = open_report(context, run.url)
    page.locator('input[name="sev"][value="info"]').uncheck()
    page.select_option("#f-doc", "2")
    page.fill("#f-q", "数量")
    expected = run.count(sev={"error", "warning"}, doc=2, q="数量")
    expect_count(page, expected, run.total)
    expect(page).to_have_url(re.compile(r"#filter:.*q="))
    url = page.url
    again, seen_again = open_report(context, url)
    expect_count(again, expected, run.total)
    assert again.input_value("#f-doc") == "2" and again.input_value("#f-q") == "数量"
    assert not again.locator('input[name="sev"][value="info"]').is_checked()
    seen.assert_clean()
    seen_again.assert_clean()


def test_deep_links(context, run):
    from playwright.sync_api import expect

    page, seen = open_report(context, run.url)
    link = page.locator("#summary .worst a").first
    target = link.get_attribute("href")[1:]
    assert re.fullmatch(r"project-\d+-\d+", target)
    page.select_option("#f-rule", "typo")  # a filter that hides the card: following the link clears it
    link.click()
    card = page.locator(f"#{target}")
    expect(card).to_be_in_viewport()
    expect(card).to_have_class(re.compile(r"\btarget\b"))
    # a link into a document on the second page of the pager, opened directly
    last = len(run.report["documents"])
    index = run.report["documents"][-1]["findings"][-1]["project"]["index"]
    direct, seen_direct = open_report(context, f"{run.url}#project-{last}-{index}")
    expect(direct.locator(f"#project-{last}-{index}")).to_be_in_viewport()
    assert direct.locator(f"#doc-{last}").count() == 1
    seen.assert_clean()
    seen_direct.assert_clean()


def test_print_media_hides_the_controls(context, run):
    from playwright.sync_api import expect

    page, seen = open_report(context, run.url)
    page.emulate_media(media="print")
    expect(page.locator("#controls")).to_be_hidden()
    expect(page.locator("#pager-top")).to_be_hidden()
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#signature")).to_be_visible()
    assert "审核人：" in page.locator("#signature").inner_text() and "日期：" in page.locator("#signature").inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector('section.doc')).breakBefore") == "page"
    # printing renders every matching document, not just the current page of the pager
    pages_before = page.locator("#documents section.doc").count()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("#documents section.doc").count() == len(run.report["documents"]) > pages_before
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("#documents section.doc").count() == pages_before
    page.emulate_media(media="screen")
    expect(page.locator("#controls")).to_be_visible()
    seen.assert_clean()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_text_stays_inert(browser, tmp_path, bypass_csp):
    from playwright.sync_api import expect

    from tests.test_html_report import HOSTILE, PAYLOADS, hostile_results, html_of

    results, errors, notices = hostile_results()
    path = tmp_path / "hostile.html"
    path.write_text(html_of(results, errors, notices), encoding="utf-8")
    ctx = browser.new_context(bypass_csp=bypass_csp)
    try:
        page, seen = open_report(ctx, path.as_uri())
        page.wait_for_timeout(300)  # give any injected handler time to fire
        assert seen.dialogs == []
        assert page.locator("img, iframe, object, embed, #documents svg").count() == 0
        assert page.locator("script").count() == 2  # the config and the page's JS (data blocks are consumed)
        with_handlers = page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length"
        )
        assert with_handlers == 0
        messages = page.locator("#documents .msg").all_text_contents()
        assert messages and all(m == "问题：" + HOSTILE for m in messages)
        marks = set(page.locator("#documents mark").all_text_contents())
        assert {PAYLOADS[0], PAYLOADS[2], PAYLOADS[3], PAYLOADS[7]} <= marks  # evidence marked as text
        assert "{{ 7*7 }}" in page.locator("#documents").inner_text()
        assert PAYLOADS[0] in page.locator("#unreadable").inner_text()
        page.fill("#f-q", "<script>")
        expect(page.locator("#count")).to_have_text("显示 5 / 5 条")
        seen.assert_clean()
    finally:
        ctx.close()


def test_screenshots(context, run):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, seen = open_report(context, run.url)
    page.locator("#summary").screenshot(path=str(SCREENSHOTS / "summary.png"))
    card = page.locator("#project-3-1")  # 002 project 1: spending plan and indicator findings
    card.scroll_into_view_if_needed()
    expect(card.locator(".msg").first).to_be_visible()  # drawn, not the placeholder of its estimated height
    card.screenshot(path=str(SCREENSHOTS / "project-card.png"))
    page.locator('input[name="sev"][value="info"]').uncheck()
    page.select_option("#f-rule", "indicator-placeholder")
    page.locator("#controls").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "filtered.png"))
    page.emulate_media(media="print")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "print-preview.png"), full_page=False)
    for name in ("summary.png", "project-card.png", "filtered.png", "print-preview.png"):
        assert (SCREENSHOTS / name).stat().st_size > 10_000
    # the printed report (A4): what is filtered now, every matching document, not one page of the pager
    page.pdf(path=str(SCREENSHOTS / "report-filtered.pdf"), format="A4", print_background=True, prefer_css_page_size=True)
    assert (SCREENSHOTS / "report-filtered.pdf").read_bytes().startswith(b"%PDF")
    seen.assert_clean()


def test_large_report_opens_and_filters(browser, tmp_path):
    """1,000 drafts (the five samples' results repeated): loads and filters within generous
    bounds; the timings are written to build/screenshots/large-report.txt."""
    from tests.browser.large_report import FRAME, write_large_report

    path = tmp_path / "large.html"
    start = time.perf_counter()
    size, rules = write_large_report(path, 1000)
    written = time.perf_counter() - start
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        seen = watch(page, path.as_uri())
        start = time.perf_counter()
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_selector("html[data-ready]", state="attached", timeout=120_000)
        loaded = time.perf_counter() - start
        total = int(re.search(r"/ (\d+)", page.inner_text("#count")).group(1))
        start = time.perf_counter()
        page.select_option("#f-rule", "typo")
        page.evaluate(FRAME)
        filtered = time.perf_counter() - start
        shown = int(re.search(r"显示 (\d+)", page.inner_text("#count")).group(1))
        start = time.perf_counter()
        page.select_option("#f-doc", "777")
        page.evaluate(FRAME)
        one_doc = time.perf_counter() - start
        seen.assert_clean()
    finally:
        ctx.close()
    assert total == sum(rules.values()) and shown == rules["typo"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "large-report.txt").write_text(
        f"drafts: 1000\nfindings: {total}\nsize: {size / 1e6:.1f} MB\nwritten: {written:.1f} s\n"
        f"load: {loaded:.2f} s\nfilter (rule): {filtered:.2f} s\nfilter (document): {one_doc:.2f} s\n",
        encoding="utf-8",
    )
    assert loaded < 30 and filtered < 5 and one_doc < 5


def test_sorting_by_dimension(context, run):
    page, seen = open_report(context, run.url)
    page.select_option("#f-doc", "1")
    page.select_option("#f-sort", "dimension")
    order = ["完整性", "相关性", "可测性", "适当性", "规范性"]
    card = page.locator("#project-1-2")
    dims = [order.index(d) for d in card.locator("td.dim").all_text_contents()]
    assert len(set(dims)) > 1 and dims == sorted(dims)
    seen.assert_clean()


def test_table_copy_shows_both_tables_side_by_side(context, run):
    page, seen = open_report(context, run.url + "#filter:rule=table-copy&doc=4")
    tables = page.locator("table.comparison")
    assert tables.count() == 6  # 003: the six copied tables
    air = page.locator("#project-4-34 table.comparison")
    rows = air.locator("tr").all_text_contents()
    assert "项目33" in rows[0]
    changed = air.locator("tr.cmp-changed td.hit").all_text_contents()
    assert changed == ["≥95％", "≥98％", "≥95％", "≥98％"]
    assert air.locator("tr.cmp-same").count() == 5
    seen.assert_clean()


def test_review_opinion_by_dimension(context, run):
    """The signature block drafts the 审核意见 of the drafts shown: per dimension, each problem
    with its count, places and advice; the reviewer can edit it before printing."""
    page, seen = open_report(context, run.url + "#filter:doc=1")
    opinion = page.locator("#opinion")
    assert opinion.get_attribute("contenteditable") == "true"
    headings = opinion.locator("h4").all_text_contents()
    active = [f for f in run.report["documents"][0]["findings"] if not f["waived"] and not f["baseline"] and f["severity"] != "info"]
    by_dim = {}
    for f in active:
        by_dim[f["dimension"]] = by_dim.get(f["dimension"], 0) + 1
    order = [d for d in ["完整性", "相关性", "可测性", "适当性", "规范性"] if d in by_dim]
    assert headings == [f"{'一二三四五'[i]}、{d}（{by_dim[d]}条）" for i, d in enumerate(order)]
    first = opinion.locator("li").first.inner_text()
    assert first.startswith("缺少必设指标类别（6条）") and "项目1“光明养猪场基础设施建设”（第90行）" in first
    assert "建议：补设“数量指标”" in first
    page.select_option("#f-doc", "2")
    assert opinion.locator("h4").first.inner_text().startswith("一、")
    assert run.report["documents"][1]["path"] in opinion.locator("h3").first.inner_text()  # whose opinion
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.locator("#signature").screenshot(path=str(SCREENSHOTS / "opinion.png"))
    seen.assert_clean()
