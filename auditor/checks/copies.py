"""``copies``: two projects whose indicator tables (or goal lists) are identical or nearly so
while the projects differ — a table lifted from another project. Within a draft, and across the
drafts of one run.

Each project is reduced to a signature: its indicator rows (三级指标 with its 指标值, and with its
绩效指标描述) and its goal items, normalised. Rows that recur in many projects of
the draft (``boilerplate_share``) are left out of the comparison: they are boilerplate, reported by
``boilerplate-indicator``, and would make every pair look alike. A row of one table matches a
row of the other when the 三级指标 is the same and the value or the description is.

Two projects are copies when they differ (another 项目编码, name or 预算数) and their tables
match on at least ``table_share`` of the rows, or on ``table_with_goals_share`` when their goal
lists are the same too (``goals_share``). A shared 资金用途 alone is not enough: two projects may
well serve one purpose. Candidates are found through an inverted index over the rows, so
a run compares each project with the few that share rows with it, never with all.

Across drafts, drafts of the same department (revisions of one draft) are not compared.
Parameters: ``table_share``, ``table_with_goals_share``, ``goals_share``, ``min_rows``,
``boilerplate_share``, ``across_drafts``.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.checks.base import CheckConfigError, Hit
from auditor.model import Document, Location, Project
from auditor.similarity import normalize_text
from auditor.targets import Target

POSTING_CAP = 200  # a row shared by more projects than this says nothing about copying
LISTED = 8  # rows with another value quoted in a finding's data
_FIELD, _ROW = "\x1f", "\x1e"
_SEPARATORS = str.maketrans({_FIELD: " ", _ROW: " "})


def _key(*parts: str) -> int:
    """A stable 64-bit key (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(_FIELD.join(parts).encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True, slots=True)
class ProjectPrint:
    """What a project is compared by: small (it is kept for every project of a run), picklable,
    and free of the document."""

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
    table: str  # every row as 三级指标, 指标值, 描述 (joined), to show the evidence once a copy is found

    @property
    def row_keys(self) -> Iterator[tuple[int, int]]:
        keys = self.keys
        return zip(keys[::2], keys[1::2])


    def rows(self) -> list[tuple[str, str, str]]:
        return [tuple(row.split(_FIELD)) for row in self.table.split(_ROW)] if self.table else []  # type: ignore[misc]

    def differs_from(self, other: ProjectPrint) -> bool:
        if self.code and other.code:
            return self.code != other.code or self.budget != other.budget
        return self.name != other.name or self.budget != other.budget


@dataclass
class CopyIndex:
    """Every project seen so far (in one draft, or in the whole run), by row key. A key found in
    more than ``POSTING_CAP`` projects stops collecting them: it no longer tells copies apart."""

    prints: list[ProjectPrint] = field(default_factory=list)
    postings: dict[int, list[int]] = field(default_factory=dict)

    def candidates(self, item: ProjectPrint) -> Counter:
        """For each project seen that shares rows with ``item``: how many of ``item``'s rows
        it has (same 三级指标 and the same value or description). Rows in more than
        ``POSTING_CAP`` projects do not count."""
        shared: Counter = Counter()
        for by_value, by_description in item.row_keys:
            projects: set[int] = set()
            for key in (by_value, by_description):
                posting = self.postings.get(key)
                if posting and len(posting) <= POSTING_CAP:
                    projects.update(posting)
            shared.update(projects)
        return shared

    def add(self, item: ProjectPrint) -> None:
        number = len(self.prints)
        self.prints.append(item)
        for by_value, by_description in item.row_keys:
            for key in {by_value, by_description}:
                posting = self.postings.setdefault(key, [])
                if len(posting) <= POSTING_CAP:
                    posting.append(number)


@dataclass(frozen=True)
class CopiesCheck:
    table_share: float
    table_with_goals_share: float
    goals_share: float
    min_rows: int
    boilerplate_share: float
    across_drafts: bool

    def run(self, target: Target) -> Iterator[Hit]:
        """Nothing per target: this check works on the whole run (``signature`` then ``cross``)."""
        return iter(())

    # -- across the drafts of a run ----------------------------------------------------------
    def signature(self, doc: Document) -> list[ProjectPrint]:
        """The draft's projects as they are compared (computed where the draft is read)."""
        boilerplate = _boilerplate(doc.projects, self.boilerplate_share)
        return [_print(doc, p, boilerplate) for p in doc.projects if p.indicators or p.goals]

    def cross(self, prints: list[ProjectPrint], index: CopyIndex) -> list[tuple[ProjectPrint, Hit]]:
        """Each project of this draft against the projects before it: earlier ones of the same
        draft, and (``across_drafts``) those of earlier drafts of the run. Called in input order,
        so the later of two copies is the one reported, whatever the number of workers."""
        hits: list[tuple[ProjectPrint, Hit]] = []
        for item in prints:
            for hit in self._match(item, index, same_draft=True):
                hits.append((item, hit))
            if self.across_drafts:
                for hit in self._match(item, index, same_draft=False):
                    hits.append((item, hit))
            index.add(item)
        return hits

    def new_index(self) -> CopyIndex:
        return CopyIndex()

    def _match(self, item: ProjectPrint, index: CopyIndex, same_draft: bool) -> Iterator[Hit]:
        if item.row_count < self.min_rows:
            return
        best: tuple[float, ProjectPrint, str] | None = None
        for number, matched in sorted(index.candidates(item).items()):
            other = index.prints[number]
            rows = max(item.row_count, other.row_count)
            if matched < self.table_with_goals_share * rows:
                continue  # too few shared rows to be a copy whatever the goals
            if same_draft != (other.path == item.path):
                continue
            if not same_draft and other.department and other.department == item.department:
                continue  # a revision of the same department's draft
            if not item.differs_from(other):
                continue
            verdict = self._verdict(item, other, matched)
            if verdict is not None and (best is None or verdict[0] > best[0]):
                best = (verdict[0], other, verdict[1])
        if best is None:
            return
        share, other, case = best
        rows = compare_tables(item.rows(), other.rows())
        changed = [f"{name} {theirs}→{ours}" for name, ours, theirs, status in rows if status == "changed"]
        yield Hit(
            evidence=item.name,
            field="indicators",
            loc=item.loc,
            case=case if same_draft else f"{case}_draft",
            data={
                "other_project": other.name,
                "other_index": other.index,
                "other_code": other.code or "—",
                "other_path": other.path,
                "other_at": other.loc,
                "share": round(share * 100),
                "rows": len(rows),
                "same": sum(status == "same" for *_, status in rows),
                "changed_count": len(changed),
                "changed": changed[:LISTED],
                "project_index": item.index,
            },
            context={"type": "comparison", "other": other.name, "other_index": other.index, "rows": [list(row) for row in rows]},
        )

    def _verdict(self, a: ProjectPrint, b: ProjectPrint, matched: int) -> tuple[float, str] | None:
        rows = max(a.row_count, b.row_count)
        if rows < self.min_rows:
            return None
        share = matched / rows
        if share >= self.table_share:
            return share, "table"
        if share >= self.table_with_goals_share and _overlap(a.goals, b.goals) >= self.goals_share:
            return share, "table_goals"
        return None


def compare_tables(ours: list[tuple[str, str, str]], theirs: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Each row of ``ours`` beside the row of ``theirs`` with the same 三级指标: ``same`` (same
    value), ``changed`` (another value) or ``own`` (no such row there). All rows count here,
    boilerplate too: this is the evidence a reviewer reads."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for name, value, _ in theirs:
        by_name.setdefault(normalize_text(name), []).append((value, normalize_text(value)))
    compared = []
    for name, value, _ in ours:
        candidates = by_name.get(normalize_text(name), [])
        plain = normalize_text(value)
        if any(other_plain == plain for _, other_plain in candidates):
            compared.append((name, value, value, "same"))
        elif candidates:
            compared.append((name, value, candidates[0][0], "changed"))
        else:
            compared.append((name, value, "", "own"))
    return compared


def _overlap(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b))


def _boilerplate(projects: list[Project], share: float) -> frozenset[str]:
    """三级指标 names that stand in so many of the draft's tables that they are boilerplate."""
    counts: Counter = Counter()
    tables = 0
    for project in projects:
        if project.indicators:
            tables += 1
            counts.update({normalize_text(row.level3) for row in project.indicators})
    if tables < 4:
        return frozenset()
    return frozenset(name for name, n in counts.items() if n >= 3 and n >= share * tables)


def _print(doc: Document, project: Project, boilerplate: frozenset[str]) -> ProjectPrint:
    keys = array("Q")
    table = []
    for row in project.indicators:
        table.append(_FIELD.join(cell.translate(_SEPARATORS) for cell in (row.level3, row.value.raw, row.description)))
        level3 = normalize_text(row.level3)
        if level3 and level3 not in boilerplate:
            keys.append(_key(level3, "v", normalize_text(row.value.raw)))
            keys.append(_key(level3, "d", normalize_text(row.description)))
    return ProjectPrint(
        path=doc.path,
        department=doc.department_code or doc.department or "",
        index=project.index,
        code=project.code or "",
        name=project.display_name,
        budget=project.budget.total.raw if project.budget else "",
        loc=project.loc_of("indicators"),
        keys=keys,
        row_count=len(keys) // 2,
        goals=frozenset(_key(text) for g in project.goals if (text := normalize_text(g.text))),
        table=_ROW.join(table),
    )


def build(params: Mapping[str, Any], compile_expression: Any) -> CopiesCheck:
    def share(name: str, default: float) -> float:
        value = float(params.get(name, default))
        if not 0 < value <= 1:
            raise CheckConfigError(f"`{name}` is a share between 0 and 1")
        return value

    return CopiesCheck(
        table_share=share("table_share", 0.85),
        table_with_goals_share=share("table_with_goals_share", 0.5),
        goals_share=share("goals_share", 0.9),
        min_rows=int(params.get("min_rows", 3)),
        boilerplate_share=share("boilerplate_share", 0.5),
        across_drafts=bool(params.get("across_drafts", True)),
    )
