"""A large HTML report for load and filter measurements: the five bundled drafts audited once,
their results repeated under different paths (no re-audit), streamed through ``HtmlWriter``.

Run ``python -m tests.browser.large_report [--drafts 1000] [OUT.html]`` to write one and time it
in headless Chromium (page load and one filter change)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from auditor.findings import DocumentResult
from auditor.report import RuleInfo, RunInfo, SummaryBuilder
from auditor.writers.html import HtmlWriter

ROOT = Path(__file__).resolve().parents[2]
FRAME = "new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))"  # until the next frame is drawn


def sample_results() -> tuple[RunInfo, list[DocumentResult]]:
    """The run info and the audits of the five bundled drafts."""
    from auditor.engine import Engine
    from auditor.readers import read_document
    from auditor.rules import load_rules
    from auditor.values import parse_value

    ruleset = load_rules()
    rules = tuple(
        RuleInfo(r.id, r.severity, r.dimension, r.title, r.message, r.suggestion, r.source, r.rationale, r.scope)
        for r in ruleset.rules
    )
    engine = Engine.from_ruleset(ruleset)
    paths = sorted((ROOT / "samples").glob("*.txt"))
    results = [engine.audit(read_document(p, parse_value, display_path=f"samples/{p.name}")) for p in paths]
    return RunInfo(rules=rules, version="bench"), results


def repeated(results: list[DocumentResult], drafts: int) -> Iterator[DocumentResult]:
    """``drafts`` results cycling through ``results``, each under its own path."""
    for i in range(drafts):
        base = results[i % len(results)]
        path = f"batch/{i // len(results):04d}/{Path(base.path).name}"
        findings = [dataclasses.replace(f, path=path) for f in base.findings]
        yield dataclasses.replace(base, path=path, findings=findings)


def write_large_report(out_path: Path, drafts: int = 1000) -> tuple[int, Counter]:
    """Write a report of ``drafts`` drafts to ``out_path``; returns its size in bytes and the
    number of findings per rule in it."""
    run, results = sample_results()
    summary = SummaryBuilder(run)
    rules: Counter = Counter()
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        writer = HtmlWriter(out, run)
        for result in repeated(results, drafts):
            writer.document(result)
            summary.add(result)
            rules.update(f.rule for f in result.findings)
        writer.finish(summary.summary(), [])
    return out_path.stat().st_size, rules


def measure(path: Path) -> dict[str, float]:
    """Seconds to load the report until its cards are shown, and to apply a rule filter."""
    from tests.browser.conftest import launch_chromium

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("html[data-ready]", timeout=120_000)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        page.select_option("#f-rule", "typo")  # returns once the change handler has run
        page.evaluate(FRAME)  # …and the page has been laid out and painted
        filtered = time.perf_counter() - start
        before = page.inner_text("#count")
        start = time.perf_counter()
        page.fill("#f-q", "效益")
        while page.inner_text("#count") == before:  # the search input is debounced
            time.sleep(0.005)
        page.evaluate(FRAME)
        searched = time.perf_counter() - start
        count = page.inner_text("#count")
        timing = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0]; return {domInteractive: n.domInteractive, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd}; })()")
        browser.close()
    return {"load_s": loaded, "filter_s": filtered, "search_s": searched, "count": count, "navigation": timing}  # type: ignore[dict-item]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default=str(ROOT / "build" / "large-report.html"))
    parser.add_argument("--drafts", type=int, default=1000)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    size, _ = write_large_report(out, args.drafts)
    print(f"{out}: {args.drafts} drafts, {size / 1e6:.1f} MB, written in {time.perf_counter() - start:.1f} s")
    for key, value in measure(out).items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
