"""Shared fixtures: the bundled corpus drafts, read once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import Document
from auditor.readers import read_document
from auditor.values import complete_document, parse_value

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FORM_WORKBOOK = ROOT / "tests" / "fixtures" / "forms" / "shenzhen_2023_project_form_workbook.xlsx"
DRAFT_FILES = {
    "000": SAMPLES / "000_462a8d09a638f69f.txt",
    "001": SAMPLES / "001_d26b87afc6305476.txt",
    "002": SAMPLES / "002_5c6f3b5fd23eb4e3.txt",
    "003": SAMPLES / "003_247e9d6eca422fe5.txt",
    "004": SAMPLES / "004_2f558b6c4fb9792b.txt",
}


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory):
    """The suite keeps its rule cache (``auditor.rulecache``) in a folder of its own, never the
    user's, and a terminal width of its own; the CLI processes tests start inherit both."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        # the terminal table fits the terminal: tests that pin its lines get a wide one, whatever
        # the terminal they run in (tests of the fitting set COLUMNS themselves)
        patch.setenv("COLUMNS", "200")
        yield


@pytest.fixture(scope="session")
def drafts() -> dict[str, Document]:
    """The five corpus drafts, keyed by their number ("000" … "004"), read and completed as a
    run does (``auditor.values.complete_document``)."""
    documents = {key: read_document(path, parse_value) for key, path in DRAFT_FILES.items()}
    for doc in documents.values():
        complete_document(doc)
    return documents


@pytest.fixture
def line_of():
    """The text of a line of a corpus file, to check that a location points at the right place."""

    def read(key: str, line: int) -> str:
        return DRAFT_FILES[key].read_text(encoding="utf-8").split("\n")[line - 1]

    return read


@pytest.fixture(scope="session")
def audits(drafts):
    """The five corpus drafts audited with the shipped rules, keyed like ``drafts``."""
    from auditor.engine import Engine
    from auditor.rules import load_rules

    engine = Engine.from_ruleset(load_rules())
    return {key: engine.audit(doc) for key, doc in drafts.items()}


@pytest.fixture(scope="session")
def form_workbook() -> Document:
    """The real Shenzhen 2023 申报表 workbook (20 projects), read and completed as a run does."""
    doc = read_document(FORM_WORKBOOK, parse_value)
    complete_document(doc)
    return doc


def assert_not_checkable_on_the_corpus(rule: str, audits: dict, drafts: dict) -> None:
    """A rule reading a field the corpus template lacks: not checkable on every project of every
    draft, never clean, no finding."""
    for key, result in audits.items():
        outcome = result.outcomes[rule]
        assert outcome.checked == 0, key
        assert outcome.not_checkable == len(drafts[key].projects), key
        assert not [f for f in result.findings if f.rule == rule]
