"""Browser tests of the HTML report (headless Chromium driven by Playwright)."""
