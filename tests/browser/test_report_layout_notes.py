"""What the page itself renders of the layout a draft was read with and of the reader's notes, and
that a project card shows only the budget parts its form has (the 申报表 has no 财政资金 or 其他资金
field; a corpus draft has both)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_report_browser import open_report
from tests.conftest import DRAFT_FILES
from tests.test_reports_layout_notes import (
    EMPTY_TABLE,
    FORM_NOTE,
    NOT_UNDERSTOOD,
    NOT_UNDERSTOOD_REF,
    NOTED_FORM,
    SAMPLE,
    SAMPLE_NOTE,
    UNREADABLE,
    make_not_understood,
    make_noted_form,
    write_reports,
)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """The HTML report of the four inputs of ``tests/test_reports_layout_notes.py``, in zh and
    en, as file URLs."""
    folder = tmp_path_factory.mktemp("inputs")
    make_noted_form(folder / NOTED_FORM)
    shutil.copyfile(DRAFT_FILES["001"], folder / SAMPLE)
    make_not_understood(folder / NOT_UNDERSTOOD)
    shutil.copyfile(EMPTY_TABLE, folder / UNREADABLE)
    urls = {}
    for lang in ("zh", "en"):
        code, err = write_reports(folder, folder / lang, "--lang", lang)
        assert code == 2, err
        urls[lang] = (folder / lang / "r.html").as_uri()
    return urls


@pytest.fixture
def context(browser) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="zh-CN")
    yield ctx
    ctx.close()


def test_the_draft_head_names_the_layout_and_lists_the_reader_notes(context: Any, pages):
    page, seen = open_report(context, pages["zh"])
    form, sample = page.locator("#doc-1 .doc-head"), page.locator("#doc-2 .doc-head")
    assert "读取版式：project-form" in form.locator(".doc-meta").inner_text()
    assert "读取版式：corpus-report" in sample.locator(".doc-meta").inner_text()
    assert form.locator(".reader-notes summary").inner_text() == "读取提示（1条）"
    assert form.locator(".reader-notes li").all_inner_texts() == [f"填表说明!A1：{FORM_NOTE['zh']}"]
    assert sample.locator(".reader-notes li").all_inner_texts() == [f"第1230行：{SAMPLE_NOTE['zh']}"]
    notes = page.locator("#unreadable li[data-kind=not_understood]").inner_text()
    assert notes.startswith(f"未能识别版式 {NOT_UNDERSTOOD} {NOT_UNDERSTOOD_REF} — 未能识别版式：")
    seen.assert_clean()


def test_english_page(context: Any, pages):
    page, seen = open_report(context, pages["en"])
    head = page.locator("#doc-1 .doc-head")
    assert "layout: project-form" in head.locator(".doc-meta").inner_text()
    assert head.locator(".reader-notes summary").inner_text() == "reader notes (1)"
    assert page.locator("#doc-2 .reader-notes li").all_inner_texts() == [f"line 1230: {SAMPLE_NOTE['en']}"]
    seen.assert_clean()


def test_a_card_shows_only_the_budget_parts_the_form_has(context: Any, pages):
    page, seen = open_report(context, pages["zh"])

    def budget(card: str) -> str:
        facts = page.locator(f"{card} dl.facts")
        labels = facts.locator("dt").all_text_contents()
        return facts.locator("dd").all_text_contents()[labels.index("预算数")]

    assert budget("#project-1-1") == "10,185,500.00 万元"  # the 申报表: this year's amount only
    assert "财政资金" in budget("#project-2-1") and "其他资金" in budget("#project-2-1")  # a corpus draft
    seen.assert_clean()
