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
well serve one purpose. Candidates are found through an inverted index over the rows
(``copy_index``, kept on disk so that memory stays flat), so a run compares each project with
the few that share the most rows with it, never with all.

Across drafts, drafts of the same department (revisions of one draft) are not compared.
Parameters: ``table_share``, ``table_with_goals_share``, ``goals_share``, ``min_rows``,
``boilerplate_share``, ``across_drafts``.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit
from auditor.checks.copy_index import CopyIndex, ProjectPrint
from auditor.model import Document, Project
from auditor.similarity import normalize_text
from auditor.targets import Target

LISTED = 8  # rows with another value quoted in a finding's data
FIRST_BATCH = 4  # candidates read from the index first (most shared rows first): the best is usually among them
BATCH = 32  # and then at a time


def _key(*parts: str) -> int:
    """A stable signed 64-bit key (the same in every process, unlike ``hash``)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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
            if item.row_count >= self.min_rows:
                for other, share, case in self._best(item, index):
                    hits.append((item, _hit(item, other, share, case)))
            index.add(item)
        return hits

    def new_index(self) -> CopyIndex:
        return CopyIndex()

    def _best(self, item: ProjectPrint, index: CopyIndex) -> list[tuple[ProjectPrint, float, str]]:
        """The closest earlier copy in the same draft and the closest in another draft (not a
        revision of the same department's draft). Candidates come most shared rows first, and are
        read only while one could still beat the best found."""
        draft = index.draft_number(item.path)
        department = index.department_number(item.department)
        floor = self.table_with_goals_share * item.row_count
        same: list[tuple[int, int]] = []
        other: list[tuple[int, int]] = []
        for number, their_draft, their_department, n in index.shared(item, floor):
            if their_draft == draft:
                same.append((-n, number))
            elif self.across_drafts and not (department and their_department == department):
                other.append((-n, number))
        found = []
        for ranked in (same, other):
            best = self._closest(item, index, sorted(ranked))
            if best is not None:
                found.append(best)
        return found

    def _closest(self, item: ProjectPrint, index: CopyIndex, ranked: list[tuple[int, int]]) -> tuple[ProjectPrint, float, str] | None:
        best: tuple[ProjectPrint, float, str] | None = None
        start, size = 0, FIRST_BATCH
        while start < len(ranked):
            batch = ranked[start : start + size]
            start, size = start + size, BATCH
            if best is not None and -batch[0][0] / item.row_count <= best[1]:
                break  # no later candidate can share more
            for (negative, _), other in zip(batch, index.fetch([number for _, number in batch])):
                if best is not None and -negative / item.row_count <= best[1]:
                    break
                if not item.differs_from(other):
                    continue
                verdict = self._verdict(item, other, -negative)
                if verdict is not None and (best is None or verdict[0] > best[1]):
                    best = (other, *verdict)
        return best

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


def _hit(item: ProjectPrint, other: ProjectPrint, share: float, case: str) -> Hit:
    rows = compare_tables(item, other)
    changed = [f"{name} {theirs}→{ours}" for name, ours, theirs, status in rows if status == "changed"]
    same_draft = other.path == item.path
    return Hit(
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


def compare_tables(ours: ProjectPrint, theirs: ProjectPrint) -> list[tuple[str, str, str, str]]:
    """Each row of ``ours`` beside the row of ``theirs`` with the same 三级指标: ``same`` (same
    value), ``changed`` (another value) or ``own`` (no such row there). All rows count here,
    boilerplate too: this is the evidence a reviewer reads."""
    by_name: dict[int, list[str]] = {}
    for level3, value in zip(theirs.level3, theirs.values):
        by_name.setdefault(level3, []).append(value)
    compared = []
    for name, level3, value in zip(ours.names, ours.level3, ours.values):
        candidates = by_name.get(level3, [])
        plain = normalize_text(value)
        if any(normalize_text(other) == plain for other in candidates):
            compared.append((name, value, value, "same"))
        elif candidates:
            compared.append((name, value, candidates[0], "changed"))
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
            counts.update({normalize_text(row.level3) for row in project.indicators if not row.not_applicable})
    if tables < 4:
        return frozenset()
    return frozenset(name for name, n in counts.items() if n >= 3 and n >= share * tables)


def _print(doc: Document, project: Project, boilerplate: frozenset[str]) -> ProjectPrint:
    keys = array("q")
    level3_keys = array("q")
    values = []
    names = []
    for row in project.indicators:
        if row.not_applicable:
            continue  # a row declared not to apply says nothing of the project, copied or not
        level3 = normalize_text(row.level3)
        level3_keys.append(_key(level3))
        values.append(row.value.raw)
        names.append(row.level3)
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
        level3=level3_keys,
        values=tuple(values),
        names=tuple(names),
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
