"""``duplicates``: items identical or nearly identical to each other.

Parameters: ``items`` (expression giving a list of text items; default ``goals``), ``threshold``
(similarity 0..1 after normalisation — numbering, whitespace and punctuation dropped), optional
``overlap`` (share of the shorter item that stands in the longer one), ``min_length``
(normalised characters below which an item is ignored).

``mode: sections`` compares the paragraphs of part one (总体/分项绩效目标, 工作保障措施): a whole
part that repeats an earlier part of the same kind is one hit (case ``part``); paragraphs
repeated elsewhere are one hit per group (cases ``exact``/``near``).

One hit per group of duplicates, at the first repeat; ``data`` holds the item numbers, the first
item's line and the similarity.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.checks.base import CheckConfigError, Hit, as_text
from auditor.expr import Expression
from auditor.model import Location, Section, TextItem
from auditor.similarity import near_duplicate_groups, normalize_text, ratio, similar
from auditor.targets import Target

SECTION_NAMES = {"overall_goals": "总体绩效目标", "area_goals": "分项绩效目标", "safeguards": "工作保障措施"}


@dataclass(frozen=True)
class DuplicatesCheck:
    items: Expression
    threshold: float
    overlap: float | None
    min_length: int
    sections: bool
    part_share: float

    def run(self, target: Target) -> Iterator[Hit]:
        if self.sections:
            yield from self._sections(target.document.sections)
            return
        items = list(self.items.evaluate(target.env) or [])
        yield from self._groups(items, [f"{self._field()}[{i}]" for i in range(len(items))], [None] * len(items))

    def _field(self) -> str:
        return self.items.source.strip()

    def _groups(self, items: Sequence[Any], fields: Sequence[str], places: Sequence[str | None]) -> Iterator[Hit]:
        texts = [as_text(i) for i in items]
        for group in near_duplicate_groups(texts, self.threshold, self.overlap, self.min_length):
            first, repeat = group[0], group[1]
            a, b = normalize_text(texts[first]), normalize_text(texts[repeat])
            exact = all(normalize_text(texts[g]) == a for g in group)
            numbers = "、".join(_number(items[g], g) for g in group)
            yield Hit(
                evidence=texts[repeat],
                field=fields[repeat],
                loc=_loc(items[repeat]),
                case="exact" if exact else "near",
                data={
                    "numbers": numbers,
                    "count": len(group),
                    "first": _number(items[first], first),
                    "first_line": _loc(items[first]).line,
                    "first_at": _loc(items[first]),
                    "first_place": places[first] or "",
                    "place": places[repeat] or "",
                    "similarity": round(ratio(a, b) * 100),
                    "text": _short(texts[first]),
                },
            )

    def _sections(self, sections: list[Section]) -> Iterator[Hit]:
        repeated: set[int] = set()
        for later, section in enumerate(sections):
            for earlier in range(later):
                other = sections[earlier]
                if earlier in repeated or other.kind != section.kind or not section.items:
                    continue
                if self._part_repeats(other, section):
                    repeated.add(later)
                    yield Hit(
                        evidence=section.heading,
                        field=f"sections[{later}]",
                        loc=section.loc,
                        case="part",
                        data={
                            "heading": section.heading,
                            "first_heading": other.heading,
                            "first_line": other.loc.line,
                            "first_at": other.loc,
                            "count": len(section.items),
                            "part": SECTION_NAMES.get(section.kind, section.kind),
                        },
                    )
                    break
        items: list[TextItem] = []
        fields: list[str] = []
        places: list[str | None] = []
        for s, section in enumerate(sections):
            if s in repeated:
                continue
            for i, item in enumerate(section.items):
                items.append(item)
                fields.append(f"sections[{s}].items[{i}]")
                places.append(SECTION_NAMES.get(section.kind, section.kind))
        yield from self._groups(items, fields, places)

    def _part_repeats(self, first: Section, second: Section) -> bool:
        seen = [normalize_text(i.text) for i in first.items]
        exact = set(seen)
        needed = self.part_share * len(second.items)
        matched = missed = 0
        for item in second.items:
            text = normalize_text(item.text)
            if text in exact or any(similar(text, other, self.threshold) for other in seen):
                matched += 1
            else:
                missed += 1
                if len(second.items) - missed < needed:
                    return False  # cannot reach the share any more
        return matched >= needed


def _number(item: Any, index: int) -> str:
    number = getattr(item, "number", None)
    return str(number) if number else str(index + 1)


def _loc(item: Any) -> Location:
    return getattr(item, "loc", None) or Location()


def _short(text: str, width: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def build(params: Mapping[str, Any], compile_expression: Any) -> DuplicatesCheck:
    threshold = float(params.get("threshold", 0.9))
    overlap = params.get("overlap")
    if not 0 < threshold <= 1 or (overlap is not None and not 0 < float(overlap) <= 1):
        raise CheckConfigError("`threshold` and `overlap` are shares between 0 and 1")
    return DuplicatesCheck(
        items=compile_expression(params.get("items", "goals")),
        threshold=threshold,
        overlap=float(overlap) if overlap is not None else None,
        min_length=int(params.get("min_length", 4)),
        sections=params.get("mode") == "sections",
        part_share=float(params.get("part_share", 0.8)),
    )
