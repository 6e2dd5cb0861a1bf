"""Fixtures of the browser tests: headless Chromium (Debian's ``chromium`` package) through
Playwright for Python, never a downloaded browser.

Where Chromium or Playwright is missing the tests skip — unless ``BUDGET_AUDIT_BROWSER_TESTS=required``
(set by ``.ci/run``), where they fail with what to install."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("BUDGET_AUDIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Any) -> Any:
    """Launch the system Chromium headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _unavailable(reason: str) -> None:
    if os.environ.get("BUDGET_AUDIT_BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests are required (BUDGET_AUDIT_BROWSER_TESTS=required) but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium for the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except Exception as error:  # noqa: BLE001 - reported as unavailable
            _unavailable(f"Chromium ({CHROMIUM}) does not start: {error}")
        yield browser
        browser.close()
