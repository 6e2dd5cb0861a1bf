"""Filling the model from labelled values: what the form and flat-export readers share.

A layout profile says which label or column holds which field (``auditor/layouts.py``); these
functions put a value read under such a label into the model, typed (amounts with the unit their
label declares, 实施期限 in years, 是否新增 as yes/no), and build indicator rows from named cells.
A field the layout has but the draft leaves blank is empty; one the layout lacks stays None.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

from auditor.model import Amount, Budget, Document, Indicator, Location, Project, TextItem
from auditor.readers.assemble import TEXT_YEAR, ValueParser, code_year, parse_amount, split_goals

TEXT_FIELDS = ("policy_basis", "calculation_basis", "annual_goal", "long_term_goal", "purpose")
PLAIN_FIELDS = ("applicant", "parent_unit", "project_type", "allocation")
YEAR_SPAN = re.compile(
    r"((?:19|20)\d{2})\s*(?:年度?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?|[./]\d{1,2}(?:[./]\d{1,2})?)?"
    r"\s*[-—–~～至到]+\s*((?:19|20)\d{2})"
)
YEARS = re.compile(r"^\s*(\d{1,2})\s*(?:年|个年度)?\s*$")
YEARS_NOTED = re.compile(r"[（(]\s*(?:共|计)?\s*(\d{1,2})\s*(?:年|个年度)\s*[）)]")  # …（3年）
ONE_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*年?度?\s*$")  # 2025年
YES = {"是", "Y", "YES", "新增", "TRUE"}
NO = {"否", "N", "NO", "延续", "FALSE", "非新增"}
INDICATOR_TEXT_FIELDS = ("level3", "description", "basis", "scoring")


def set_field(project: Project, name: str, text: str, loc: Location, unit: str | None = None) -> None:
    """Put one labelled value into the project (``name`` a profile field such as
    ``budget.total`` or ``policy_basis``); ``unit`` is the money unit its label declares."""
    text = text.strip()
    project.fields[name] = loc
    if name in ("code", "name"):
        setattr(project, name, text or None)
    elif name in PLAIN_FIELDS:
        setattr(project, name, text)
    elif name in TEXT_FIELDS:
        item = TextItem(text, loc)
        setattr(project, name, item)
        if name == "annual_goal":
            project.goals = goal_items(text, loc)
            project.goals_loc = loc
            project.fields["goals"] = loc
    elif name == "duration_years":
        project.raw_fields[name] = text
        project.duration_years = duration_years(text)
        project.duration_span = duration_span(text)
    elif name == "is_new":
        project.raw_fields[name] = text
        key = unicodedata.normalize("NFKC", text).strip().upper()
        project.is_new = True if key in YES else False if key in NO else None
    elif name.startswith("budget."):
        part = name.split(".", 1)[1]
        amount = Amount(text, parse_amount(text), loc, unit)
        if project.budget is None:
            project.budget = Budget(total=Amount("", None, loc)) if part != "total" else Budget(total=amount)
            project.fields.setdefault("budget", loc)
        setattr(project.budget, part, amount)
        if part == "total":
            project.fields["budget"] = loc
            if unit:
                project.money_unit = unit
        elif unit and project.money_unit is None:
            project.money_unit = unit


def goal_items(text: str, loc: Location) -> list[TextItem]:
    """A goal text as numbered items (``1.…2.…``), each located at the goal's cell."""
    return [TextItem(item, loc, number) for number, item, _, _ in split_goals(text)]


def duration_years(text: str) -> int | None:
    """实施期限 in years: ``3``, ``3年``, ``2023-2025`` and ``2024年1月—2026年12月`` (three budget
    years), ``…（3年）``, ``2025年`` (one); None when not a duration."""
    norm = unicodedata.normalize("NFKC", text)
    noted = YEARS_NOTED.search(norm)
    if noted:
        return int(noted.group(1))
    span = YEAR_SPAN.search(norm)
    if span:
        first, last = int(span.group(1)), int(span.group(2))
        return last - first + 1 if last >= first else None
    match = YEARS.match(norm)
    if match:
        return int(match.group(1))
    return 1 if ONE_YEAR.match(norm) else None


def duration_span(text: str) -> tuple[int, int] | None:
    """The first and last budget year a 实施期限 writes (``2024年1月—2026年12月`` → 2024, 2026)."""
    span = YEAR_SPAN.search(unicodedata.normalize("NFKC", text))
    if span and int(span.group(1)) <= int(span.group(2)):
        return int(span.group(1)), int(span.group(2))
    return None


def category(text: str) -> str:
    """A category cell (一级/二级指标) as one word: a wrapped ``社会\\n效益`` reads ``社会效益``."""
    return "".join(text.split())


def grid_indicator(
    cells: Mapping[str, tuple[str, Location]],
    present: frozenset[str] | set[str],
    above: tuple[str, str],
    fallback: Location,
    parse_value: ValueParser,
) -> tuple[tuple[str, str], Indicator | None]:
    """A grid row as an indicator, and the categories it leaves for the rows below. Its blank
    一级/二级指标 are those of the row above (``above``: merged down, or written once); a row
    with nothing in 三级指标, 指标值, 指标解释 or 确定依据 is an unused slot of the form (its
    category named, nothing filled in) and gives no indicator."""
    level1 = category(cells.get("level1", ("",))[0])
    level2 = category(cells.get("level2", ("",))[0])
    filled: tuple[str, ...] = ()
    if not level1:
        level1, filled = above[0], ("level1",)
        if not level2:
            level2, filled = above[1], ("level1", "level2")
    if not any(cells.get(name, ("",))[0].strip() for name in ("level3", "value", "description", "basis")):
        return (level1, level2), None
    loc = row_location(cells, fallback)
    return (level1, level2), make_indicator(cells, present, level1, level2, loc, parse_value, filled)


def row_location(cells: Mapping[str, tuple[str, Location]], fallback: Location) -> Location:
    """Where an indicator row is, as a reviewer looks for it: its 三级指标 cell (the 一级指标 cell
    is often merged over several rows), else its 指标值 cell."""
    for name in ("level3", "value"):
        if name in cells:
            return cells[name][1]
    return fallback


def make_indicator(
    cells: Mapping[str, tuple[str, Location]],
    present: frozenset[str] | set[str],
    level1: str,
    level2: str,
    row_loc: Location,
    parse_value: ValueParser,
    filled: tuple[str, ...] = (),
) -> Indicator:
    """An indicator row from its named cells; ``present`` names the columns the layout has (a
    column it lacks gives None, never an empty text)."""
    def text(name: str) -> str:
        return cells[name][0].strip() if name in cells else ""

    return Indicator(
        level1=level1,
        level2=level2,
        level3=text("level3"),
        description=text("description") if "description" in present else None,
        value=parse_value(text("value")),
        basis=text("basis") if "basis" in present else None,
        loc=row_loc,
        cells={name: loc for name, (_, loc) in cells.items()},
        filled=filled,
        scoring=text("scoring") or None,
    )


def finish_document(doc: Document, title: str | None, title_loc: Location) -> None:
    """The draft's department (its most common 申请单位, else 一级预算单位) and budget year (from
    the title, else from the project codes, whose 7th–8th digits are the year in most provinces)."""
    units = [p.applicant for p in doc.projects if p.applicant] or [p.parent_unit for p in doc.projects if p.parent_unit]
    if units:
        doc.department = Counter(units).most_common(1)[0][0]
    if title:
        doc.title = title
        match = TEXT_YEAR.search(title)
        if match:
            doc.year, doc.year_source, doc.year_loc = int(match.group("year")), "title", title_loc
            return
    years = [(year, p.loc_of("code")) for p in doc.projects if (year := code_year(p.code))]
    if years:
        counted = Counter(year for year, _ in years)
        year = counted.most_common(1)[0][0]
        doc.year, doc.year_source = year, "project codes"
        doc.year_loc = next(loc for y, loc in years if y == year)
