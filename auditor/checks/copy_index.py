"""The memory of the ``copies`` check: every project seen so far in a run, by row key.

A run over a province's drafts sees hundreds of thousands of projects; keeping them in Python
objects would make memory grow with the run. They live instead in a SQLite database in a
temporary file of its own (on disk beyond SQLite's page cache, gone when closed), so a run's
memory stays flat. (Not ``sqlite3.connect("")``: that is a temporary database, which
``temp_store=MEMORY`` — wanted for each query's small sorts — would keep wholly in memory.)
Lookups go through an index on the row keys: each project is compared with the few projects
that share rows with it, never with all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor.model import Location

POSTING_CAP = 50  # a row in more projects than this is a template row, no sign of copying
CACHE_KIB = 2048  # SQLite's page cache
COMMIT_EVERY = 2000  # projects per transaction


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

    def differs_from(self, other: ProjectPrint) -> bool:
        if self.code and other.code:
            return self.code != other.code or self.budget != other.budget
        return self.name != other.name or self.budget != other.budget


def _private_database() -> tuple[sqlite3.Connection, str | None]:
    """A new database in a temporary file that no one else can open: unlinked at once where the
    system allows it (the file lives while it is open), else removed on ``close``."""
    fd, path = tempfile.mkstemp(prefix="budget-audit-", suffix=".sqlite")
    os.close(fd)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        os.unlink(path)
    except OSError:  # Windows: an open file cannot be removed
        return db, path
    return db, None


class CopyIndex:
    """Projects by the keys of their rows (see ``ProjectPrint``), with posting lists capped at
    ``POSTING_CAP``. SQLite does the counting: a table's rows are staged in a small table and
    joined with the postings, so no posting list is read into Python."""

    def __init__(self) -> None:
        self.db, self._path = _private_database()
        # The index is a file of its own (pages beyond the cache go to disk); the small tables
        # and sorts of each query are kept in memory (temp_store).
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KIB}", "temp_store=MEMORY"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE prints (id INTEGER PRIMARY KEY, path TEXT, department TEXT, idx INTEGER,
                code TEXT, name TEXT, budget TEXT, line INTEGER, col INTEGER, ref TEXT,
                row_count INTEGER, goals BLOB, level3 BLOB, vals TEXT);
            CREATE TABLE postings (key INTEGER, id INTEGER, draft INTEGER, department INTEGER);
            CREATE INDEX postings_by_key ON postings (key, id, draft, department);
            CREATE TABLE template_keys (key INTEGER PRIMARY KEY);
            CREATE TEMP TABLE probe (key INTEGER, row INTEGER);
            """
        )
        self.size = 0
        self.drafts: dict[str, int] = {}  # path → number, in the order drafts were added
        self.departments: dict[str, int] = {"": 0}  # department → number (0: unknown)
        self._probed: ProjectPrint | None = None
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.db.close()
        if self._path is not None:
            Path(self._path).unlink(missing_ok=True)

    def draft_number(self, path: str) -> int:
        return self.drafts.setdefault(path, len(self.drafts) + 1)

    def department_number(self, department: str) -> int:
        return self.departments.setdefault(department, len(self.departments))

    def _probe(self, item: ProjectPrint) -> None:
        """Stage the item's compared rows as (key, row number)."""
        if self._probed is item:
            return
        keys = item.keys
        self.db.execute("DELETE FROM probe")
        self.db.executemany("INSERT INTO probe VALUES (?, ?)", ((key, i // 2) for i, key in enumerate(keys)))
        self._probed = item

    def shared(self, item: ProjectPrint, at_least: float = 1) -> list[tuple[int, int, int, int]]:
        """The projects that share at least ``at_least`` of the item's compared rows (the same
        value key or the same description key; template rows do not count), as (id, draft
        number, department number, rows shared), in the order they were added."""
        self._probe(item)
        return self.db.execute(
            """SELECT p.id, p.draft, p.department, COUNT(DISTINCT q.row) AS n
               FROM probe q JOIN postings p ON p.key = q.key
               GROUP BY p.id HAVING n >= ? ORDER BY p.id""",
            (at_least,),
        ).fetchall()

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
                frozenset(array("q", goals)), array("q", level3), tuple(json.loads(vals)), (),
            )

    def add(self, item: ProjectPrint) -> None:
        """Remember a project under its keys. A key already held by ``POSTING_CAP`` projects
        becomes a template row instead: its projects are forgotten and it counts no more."""
        self._probe(item)
        self.size += 1
        number = self.size
        loc = item.loc
        self.db.execute(
            "INSERT INTO prints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                number, item.path, item.department, item.index, item.code, item.name, item.budget,
                loc.line, loc.column, loc.ref, item.row_count,
                array("q", sorted(item.goals)).tobytes(), item.level3.tobytes(), json.dumps(item.values, ensure_ascii=False),
            ),
        )
        full = self.db.execute(
            "SELECT DISTINCT q.key FROM probe q WHERE (SELECT COUNT(*) FROM postings p WHERE p.key = q.key) >= ?",
            (POSTING_CAP,),
        ).fetchall()
        if full:
            self.db.executemany("INSERT OR IGNORE INTO template_keys VALUES (?)", full)
            self.db.executemany("DELETE FROM postings WHERE key = ?", full)
        self.db.execute(
            """INSERT INTO postings SELECT DISTINCT key, ?, ?, ? FROM probe
               WHERE key NOT IN (SELECT key FROM template_keys)""",
            (number, self.draft_number(item.path), self.department_number(item.department)),
        )
        if number % COMMIT_EVERY == 0:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")

    def is_template(self, key: int) -> bool:
        return self.db.execute("SELECT 1 FROM template_keys WHERE key = ?", (key,)).fetchone() is not None
