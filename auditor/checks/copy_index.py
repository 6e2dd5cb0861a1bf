"""The memory of the ``copies`` check: every project seen so far in a run, by row key.

A run over a province's drafts sees hundreds of thousands of projects; keeping them in Python
objects would make memory grow with the run. They live instead in a private temporary SQLite
database (``sqlite3.connect("")``: on disk beyond SQLite's page cache, deleted when closed), so a
run's memory stays flat. Lookups go through an index on the row keys: each project is compared
with the few projects that share rows with it, never with all.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from auditor.model import Location

POSTING_CAP = 50  # a row in more projects than this is a template row, no sign of copying
BATCH = 400  # keys per query (below SQLite's limit on parameters)
CACHE_KIB = 8192  # SQLite's page cache
COMMIT_EVERY = 2000  # projects per transaction


@dataclass
class Postings:
    """What the index holds for some keys: their projects, and which are template rows."""

    projects: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    templates: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class ProjectPrint:
    """What a project is compared by: small, picklable (a worker computes it), free of the
    document. The index keeps what a finding says about the earlier of two copies: not
    ``keys`` nor ``names``."""

    path: str
    department: str
    index: int
    code: str
    name: str
    budget: str
    loc: Location
    keys: array  # per compared row: key of 三级指标+指标值, key of 三级指标+描述 (boilerplate left out)
    row_count: int  # compared rows (half the keys)
    goals: frozenset[int]
    level3: array  # every row's 三级指标 key, in table order (the evidence pairs rows by it)
    values: tuple[str, ...]  # every row's 指标值 as written
    names: tuple[str, ...]  # every row's 三级指标 as written

    @property
    def row_keys(self) -> Iterator[tuple[int, int]]:
        keys = self.keys
        return zip(keys[::2], keys[1::2])

    def differs_from(self, other: ProjectPrint) -> bool:
        if self.code and other.code:
            return self.code != other.code or self.budget != other.budget
        return self.name != other.name or self.budget != other.budget


class CopyIndex:
    """Projects by the keys of their rows (see ``ProjectPrint``), with posting lists capped at
    ``POSTING_CAP``."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KIB}", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE prints (id INTEGER PRIMARY KEY, path TEXT, department TEXT, idx INTEGER,
                code TEXT, name TEXT, budget TEXT, line INTEGER, col INTEGER, ref TEXT,
                row_count INTEGER, goals BLOB, level3 BLOB, vals TEXT);
            CREATE TABLE postings (key INTEGER, id INTEGER, draft INTEGER, department INTEGER);
            CREATE INDEX postings_by_key ON postings (key);
            CREATE TABLE template_keys (key INTEGER PRIMARY KEY);
            """
        )
        self.size = 0
        self.drafts: dict[str, int] = {}  # path → number, in the order drafts were added
        self.departments: dict[str, int] = {"": 0}  # department → number (0: unknown)
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.db.close()

    def draft_number(self, path: str) -> int:
        return self.drafts.setdefault(path, len(self.drafts) + 1)

    def department_number(self, department: str) -> int:
        return self.departments.setdefault(department, len(self.departments))

    def postings(self, keys: Iterable[int]) -> Postings:
        """The projects that hold each key, as (id, draft number, department number), in the
        order they were added; keys found in more than ``POSTING_CAP`` projects are template
        rows and come back as such, without their projects."""
        wanted = list(dict.fromkeys(keys))
        found = Postings()
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT key, id, draft, department FROM postings WHERE key IN ({marks}) ORDER BY id"
            for key, number, draft, department in self.db.execute(query, batch):
                found.projects.setdefault(key, []).append((number, draft, department))
            found.templates.update(key for (key,) in self.db.execute(f"SELECT key FROM template_keys WHERE key IN ({marks})", batch))
        return found

    @staticmethod
    def matches(rows: Iterable[tuple[int, int]], postings: Postings) -> Counter:
        """For each project that shares rows with a table, as (id, draft number, department
        number): how many of the table's rows it has (the same value key or the same
        description key; template rows do not count)."""
        shared: Counter = Counter()
        for by_value, by_description in rows:
            projects: set[tuple[int, int, int]] = set()
            for key in (by_value, by_description):
                projects.update(postings.projects.get(key, ()))
            shared.update(projects)
        return shared

    def fetch(self, ids: list[int]) -> Iterator[ProjectPrint]:
        """The stored projects, in the order of ``ids``."""
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        rows = {row[0]: row for row in self.db.execute(f"SELECT * FROM prints WHERE id IN ({marks})", ids)}
        for number in ids:
            (_, path, department, index, code, name, budget, line, col, ref, row_count, goals, level3, vals) = rows[number]
            yield ProjectPrint(
                path, department, index, code, name, budget, Location(line, col, ref), array("q"), row_count,
                frozenset(array("q", goals)), array("q", level3), tuple(vals.split("\x1f")) if vals else (), (),
            )

    def add(self, item: ProjectPrint, keys: Iterable[int], postings: Postings) -> None:
        """Remember a project (a ``ProjectPrint``) under its keys; ``postings`` are the current
        lists of those keys (from ``postings``), to leave full ones alone."""
        self.size += 1
        number = self.size
        loc = item.loc
        self.db.execute(
            "INSERT INTO prints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                number, item.path, item.department, item.index, item.code, item.name, item.budget,
                loc.line, loc.column, loc.ref, item.row_count,
                array("q", sorted(item.goals)).tobytes(), item.level3.tobytes(), "\x1f".join(item.values),
            ),
        )
        draft = self.draft_number(item.path)
        department = self.department_number(item.department)
        fresh, full = [], []
        for key in dict.fromkeys(keys):
            if key in postings.templates:
                continue
            if len(postings.projects.get(key, ())) < POSTING_CAP:
                fresh.append((key, number, draft, department))
            else:
                full.append((key,))
        self.db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", fresh)
        if full:  # a template row from now on: its projects are forgotten
            self.db.executemany("INSERT INTO template_keys VALUES (?)", full)
            self.db.executemany("DELETE FROM postings WHERE key = ?", full)
        if number % COMMIT_EVERY == 0:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
