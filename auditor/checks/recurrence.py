"""``recurrence``: one indicator row (三级指标 with the same 指标值 or 绩效指标描述) repeated across
many project tables of a draft — boilerplate pasted into unrelated projects. One hit per row,
listing the projects.

Parameters: ``min_projects`` and ``min_share`` (of the draft's tables) a row must stand in;
``exempt`` (regex on the 三级指标: rows every project may share, such as satisfaction);
``exempt_deadlines`` (a 时效 row whose value is a date or a period is a shared deadline, not
boilerplate).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit
from auditor.domain import category
from auditor.model import Indicator, Project
from auditor.similarity import normalize_text
from auditor.targets import Target

TIME_UNITS = frozenset({"年", "月", "个月", "天", "日", "工作日", "小时", "周", "季度"})
LISTED = 6  # projects named in a message; the rest are counted


@dataclass(frozen=True)
class RecurrenceCheck:
    min_projects: int
    min_share: float
    exempt: re.Pattern[str] | None
    exempt_deadlines: bool

    def run(self, target: Target) -> Iterator[Hit]:
        tables = [p for p in target.document.projects if p.indicators]
        if len(tables) < self.min_projects:
            return
        rows: dict[str, list[tuple[Project, Indicator]]] = defaultdict(list)
        for project in tables:
            for row in project.indicators:
                if row.not_applicable or self._exempt(row):
                    continue
                name = normalize_text(row.level3)
                if name:
                    rows[name].append((project, row))
        needed = max(self.min_projects, self.min_share * len(tables))
        for group in rows.values():
            if len(group) < needed:
                continue  # fewer rows than the projects it would need
            shared = _sharing(group)
            projects = list(dict.fromkeys(p.index for p, _ in shared))
            if len(projects) < needed:
                continue
            first_project, first_row = shared[0]
            names = list(dict.fromkeys(p.display_name for p, _ in shared))
            listed = "、".join(f"“{n}”" for n in names[:LISTED]) + (f"等{len(names)}个" if len(names) > LISTED else "")
            yield Hit(
                evidence=first_row.level3,
                field=f"projects[{first_project.index - 1}].indicators",
                loc=first_row.loc_of("level3"),
                data={
                    "row": first_row.level3,
                    "row_value": first_row.value.raw,
                    "row_description": first_row.description,
                    "count": len(projects),
                    "tables": len(tables),
                    "projects": listed,
                    "project_indexes": projects,
                },
            )

    def _exempt(self, row: Indicator) -> bool:
        if self.exempt is not None and (self.exempt.search(row.level3) or self.exempt.search(category(row.level1))):
            return True
        if self.exempt_deadlines and category(row.level2).startswith("时效"):
            value = row.value
            return value.kind == "date" or (value.kind == "quantity" and value.unit in TIME_UNITS)
        return False


def _sharing(group: list[tuple[Project, Indicator]]) -> list[tuple[Project, Indicator]]:
    """The rows of one 三级指标 that carry its most common value or its most common description."""
    values = Counter(normalize_text(row.value.raw) for _, row in group)
    descriptions = Counter(normalize_text(row.description) for _, row in group)
    value, _ = values.most_common(1)[0]
    description, _ = descriptions.most_common(1)[0]
    return [
        (project, row)
        for project, row in group
        if (value and normalize_text(row.value.raw) == value) or (description and normalize_text(row.description) == description)
    ]


def build(params: Mapping[str, Any], compile_expression: Any) -> RecurrenceCheck:
    share = float(params.get("min_share", 0.25))
    if not 0 < share <= 1:
        raise CheckConfigError("`min_share` is a share between 0 and 1")
    try:
        exempt = re.compile(params["exempt"]) if params.get("exempt") else None
    except re.error as error:
        raise CheckConfigError(f"bad `exempt` regex: {error}") from None
    return RecurrenceCheck(
        min_projects=int(params.get("min_projects", 3)),
        min_share=share,
        exempt=exempt,
        exempt_deadlines=bool(params.get("exempt_deadlines", True)),
    )
