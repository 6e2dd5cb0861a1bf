"""A rule file's parsed form kept between runs, so start-up does not parse YAML and expressions
that have not changed.

Reading the shipped rules costs more than auditing one draft: YAML (~40 ms), the syntax trees of
~80 expressions (~30 ms) and, the first time, JSON Schema validation. What they produce — the
file's data, the line of each key and each expression's syntax tree — is stored as JSON in the
user's cache folder (``$XDG_CACHE_HOME/budget-audit/rules``), under the SHA-256 of everything it
depends on: the file's text, the schema, the expression grammar, this module's ``FORMAT``,
budget-audit's and Lark's versions. An entry exists only for a file that validated, so a hit also
skips validation. The rules are still built (checks compiled) on every run.

Any entry that cannot be read back is ignored; a cache folder that cannot be written is no cache.
Only JSON is read (never pickle), and at most ``KEEP`` entries are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.datafile import KeyPath
from auditor.expr import GRAMMAR_PATH, tree_from_data, tree_to_data

FORMAT = 1  # bump when what an entry holds, or how YAML is read into data and lines, changes
KEEP = 32  # entries kept (each shipped rule file, and some of the user's own)


@dataclass
class ParsedRuleFile:
    """What a rule file parses into: its data, the line of each key, the expressions' trees."""

    data: Any
    lines: dict[KeyPath, int]
    trees: dict[str, Any]


def cache_dir() -> Path | None:
    """The user's cache folder for budget-audit (``$XDG_CACHE_HOME/budget-audit``), or None
    when it cannot be made."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "budget-audit"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def entry_path(text: str, schema_path: Path) -> Path | None:
    """Where the entry for a rule file with this text (validated by this schema) lives."""
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(_depends_on(schema_path) + text.encode("utf-8")).hexdigest()
    return folder / "rules" / f"{digest}.json"


@lru_cache(maxsize=4)
def _depends_on(schema_path: Path) -> bytes:
    """The digest of what every entry depends on besides its file's text: read once a run."""
    from lark import __version__ as lark_version

    parts = [schema_path.read_bytes(), GRAMMAR_PATH.read_bytes(), f"{FORMAT} {__version__} {lark_version}".encode()]
    return hashlib.sha256(b"\0".join(parts)).digest()


def load_entry(path: Path | None) -> ParsedRuleFile | None:
    """The stored parse, or None when there is none that reads back."""
    if path is None:
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        lines = {tuple(key): line for key, line in stored["lines"]}
        trees = {source: tree_from_data(tree) for source, tree in stored["trees"].items()}
        parsed = ParsedRuleFile(stored["data"], lines, trees)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    try:
        os.utime(path)  # recently used: kept by ``_prune``
    except OSError:
        pass
    return parsed


def store_entry(path: Path | None, parsed: ParsedRuleFile) -> None:
    """Keep a parse for the next run, if its data survive JSON unchanged (YAML can hold what
    JSON cannot: dates, keys that are not strings)."""
    if path is None:
        return
    stored = {
        "data": parsed.data,
        "lines": [[list(key), line] for key, line in parsed.lines.items()],
        "trees": {source: tree_to_data(tree) for source, tree in parsed.trees.items()},
    }
    try:
        text = json.dumps(stored, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return
    if json.loads(text)["data"] != parsed.data:
        return
    try:
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
        _prune(path.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Delete all but the ``KEEP`` most recently written entries."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
