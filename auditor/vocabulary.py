"""The indicator vocabulary as data (``rules/vocabulary.yaml``, validated by
``rules/vocabulary.schema.json``): what an indicator's name says about the indicator — its unit
family, the framework categories it belongs under, which way is better, input or output — and what
a project's name and 资金用途 say about its kind (personnel funds, internal support,
public service).

The shipped file can be extended by the configuration's ``vocabulary:`` files: a family,
category, entry or project kind with the id of a shipped one replaces it; new entries and kinds
are tried before the shipped ones. A file that does not validate raises ``VocabularyFileError``
naming the file and line (zh and en). The rules read the vocabulary through expression functions
(``auditor.domain.vocabulary_functions``), bound to one ``Vocabulary`` when the rules are built.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.datafile import LocatedError
from auditor.resources import resource_path
from auditor.values import base_unit, normalize_unit

VOCABULARY_PATH = resource_path("rules", "vocabulary.yaml")
SCHEMA_PATH = resource_path("rules", "vocabulary.schema.json")
FILE_NAMES = ("vocabulary.yaml", "vocabulary.yml")  # never read as rule files

LEADING_NUMBER = re.compile(r"^(?:\d+[.、．)）]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)")
TRAILING_NOTE = re.compile(r"(?:[（(][^（()）]*[）)])+$")
TRAILING_PUNCTUATION = re.compile(r"[；;，,。.:：、]+$")
SCALES = frozenset("万亿")  # a magnitude written before a counting word (9.8万户)
SINGLE_CLASSIFIER = re.compile(r"^[\u4e00-\u9fff]{1,2}$")
CACHE_LIMIT = 4_096


class VocabularyFileError(LocatedError):
    """A vocabulary file that cannot be used (bad YAML, fails the schema, a bad regex)."""


@dataclass(frozen=True)
class Family:
    """A unit family: the units that measure one kind of quantity."""

    id: str
    name: dict[str, str]
    units: tuple[str, ...] | None  # None: units are not judged for names of this family
    classifiers: bool = False
    accepts: tuple[str, ...] = ()


@dataclass(frozen=True)
class VocabularyEntry:
    """What names matching ``match`` (and not ``unless``) are."""

    id: str
    name: dict[str, str]
    match: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    family: str | None = None
    units: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    direction: str | None = None
    role: str | None = None
    output_in: tuple[str, ...] = ()
    source: str = ""

    def matches(self, name: str) -> bool:
        return self.match.search(name) is not None and (self.unless is None or self.unless.search(name) is None)


@dataclass(frozen=True)
class ProjectKind:
    id: str
    name: dict[str, str]
    match: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    default: bool = False
    source: str = ""

    def matches(self, text: str) -> bool:
        if self.match is None or self.match.search(text) is None:
            return False
        return self.unless is None or self.unless.search(text) is None


@dataclass(eq=False)
class Vocabulary:
    """One run's vocabulary. Compared and hashed by identity: rules compiled against it keep
    it, and one engine has one vocabulary. Lookups by name are remembered (bounded)."""

    families: dict[str, Family]
    categories: dict[str, str]  # a 二级 heading (normalised) → its framework category
    entries: tuple[VocabularyEntry, ...]
    project_kinds: tuple[ProjectKind, ...]
    staff: re.Pattern[str] | None
    paths: tuple[str, ...] = ()
    _unit_families: dict[str, str] = field(init=False, repr=False)
    _by_name: dict[str, VocabularyEntry | None] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._unit_families = {}
        for family in self.families.values():
            for unit in family.units or ():
                self._unit_families.setdefault(unit, family.id)

    def entry(self, level3: str | None) -> VocabularyEntry | None:
        """The entry of an indicator's name (the first that matches), or None."""
        if not level3:
            return None
        found = self._by_name.get(level3, False)
        if found is not False:
            return found  # type: ignore[return-value]
        name = indicator_name_key(level3)
        found = next((e for e in self.entries if e.matches(name)), None) if name else None
        if len(self._by_name) >= CACHE_LIMIT:
            self._by_name.clear()
        self._by_name[level3] = found
        return found

    def family_of_unit(self, unit: str | None) -> str | None:
        """The family a unit belongs to (``万元`` → money; ``万小时`` → duration, a magnitude before
        a unit being that unit), or None for a unit no family lists."""
        if not unit:
            return None
        canonical = normalize_unit(unit)
        family = self._unit_families.get(canonical)
        if family is None and base_unit(canonical) != canonical:
            family = self._unit_families.get(base_unit(canonical))
        return family

    def accepted_units(self, entry: VocabularyEntry) -> tuple[str, ...] | None:
        """The units a name of this entry may be measured in (None: not judged)."""
        if entry.units is not None:
            return entry.units
        family = self.families.get(entry.family or "")
        if family is None or family.units is None:
            return None
        units = list(family.units)
        for other in family.accepts:
            units += [u for u in self.families[other].units or () if u not in units]
        return tuple(units)

    def unit_fits(self, level3: str | None, unit: str | None) -> bool:
        """Whether a unit fits what the name measures; true when either cannot be judged."""
        entry = self.entry(level3)
        if entry is None or not unit:
            return True
        accepted = self.accepted_units(entry)
        if accepted is None:
            return True
        canonical = normalize_unit(unit).split("/")[0]
        if canonical in accepted:
            return True
        if len(canonical) > 1 and canonical[0] in SCALES and canonical[1:] not in ("元", "千元"):
            canonical = canonical[1:]  # 万户, 万台件: a count in ten thousands is the count's unit
            if canonical in accepted:
                return True
        family = self.families.get(entry.family or "")
        return bool(
            entry.units is None and family is not None and family.classifiers
            and self.family_of_unit(canonical) is None and SINGLE_CLASSIFIER.match(canonical)
        )

    def framework_category(self, level2: str | None) -> str | None:
        """The framework category a 二级 heading names (``产出数量指标`` → 数量), or None."""
        if not level2:
            return None
        return self.categories.get(category_key(level2))

    def project_kind(self, texts: Iterable[str | None]) -> str:
        """The kind of a project from its texts, most telling first (name, 资金用途)."""
        kinds = [k for k in self.project_kinds if not k.default]
        for text in texts:
            if not text:
                continue
            normalized = unicodedata.normalize("NFKC", text)
            for kind in kinds:
                if kind.matches(normalized):
                    return kind.id
        return self.default_kind

    @property
    def default_kind(self) -> str:
        return next((k.id for k in self.project_kinds if k.default), "public_service")

    def names_staff(self, text: str | None) -> bool:
        """Whether a text names the unit's own staff."""
        return bool(text) and self.staff is not None and self.staff.search(unicodedata.normalize("NFKC", text)) is not None


@lru_cache(maxsize=4096)
def indicator_name_key(level3: str) -> str:
    """A 三级指标 as entries are matched against it: NFKC, no whitespace, no leading numbering,
    no trailing bracketed note or punctuation (``1.工作人员满意度（%）；`` → ``工作人员满意度``)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", level3))
    text = LEADING_NUMBER.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = TRAILING_NOTE.sub("", TRAILING_PUNCTUATION.sub("", text))
    return text


@lru_cache(maxsize=1024)
def category_key(level2: str) -> str:
    """A 二级 heading without decoration (``数量指标`` → ``数量``)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", level2))
    return re.sub(r"指标$", "", text)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def load_vocabulary(extra: Iterable[Path] = ()) -> Vocabulary:
    """The shipped vocabulary with the extra files applied in order (the same object for the
    same files within a run). Raises ``VocabularyFileError``."""
    return _load(tuple(Path(p) for p in extra))


@lru_cache(maxsize=4)
def _load(extra: tuple[Path, ...]) -> Vocabulary:
    merged: dict[str, Any] = {"families": {}, "categories": {}, "entries": [], "project_kinds": [], "staff": None}
    for path in (VOCABULARY_PATH, *extra):
        _merge(merged, read_vocabulary_file(path))
        problem = _dangling(merged)
        if problem is not None:
            raise VocabularyFileError(path, problem)
    return _build(merged, path_names=tuple(str(p) for p in (VOCABULARY_PATH, *extra)))


def _dangling(merged: dict[str, Any]) -> str | None:
    """A reference to a family, category or project kind that is not defined, or None."""
    families, categories = merged["families"], merged["categories"]
    kinds = {k["id"] for k in merged["project_kinds"]}
    for family in families.values():
        for other in family.get("accepts", ()):
            if other not in families:
                return f"未定义的单位类别“{other}” / unknown family {other!r}"
    for entry in merged["entries"]:
        where = f"entries[{entry['id']}]"
        if entry.get("family") and entry["family"] not in families:
            return f"{where}: 未定义的单位类别“{entry['family']}” / unknown family {entry['family']!r}"
        for name in entry.get("categories", ()):
            if name not in categories:
                return f"{where}: 未定义的指标类别“{name}” / unknown category {name!r}"
        for kind in entry.get("output_in", ()):
            if kind not in kinds:
                return f"{where}: 未定义的项目类型“{kind}” / unknown project kind {kind!r}"
    return None


def read_vocabulary_file(path: Path) -> dict[str, Any]:
    """One vocabulary file's data, validated (schema and regexes); cached like the rules."""
    from auditor.datafile import read_validated_yaml

    return read_validated_yaml(path, SCHEMA_PATH, VocabularyFileError, _patterns)


def _patterns(data: dict[str, Any]) -> Iterable[tuple[tuple, str]]:
    for section in ("entries", "project_kinds"):
        for i, item in enumerate(data.get(section, ())):
            for key in ("match", "unless"):
                if key in item:
                    yield (section, i, key), item[key]
    if "staff" in data:
        yield ("staff", "match"), data["staff"]["match"]


def _merge(merged: dict[str, Any], data: dict[str, Any]) -> None:
    """Apply one file: keyed items replace, new list items go before the ones already there."""
    merged["families"].update(data.get("families", {}))
    for name, headings in data.get("categories", {}).items():
        merged["categories"][name] = headings
    for section in ("entries", "project_kinds"):
        items = list(merged[section])
        known = {item["id"]: i for i, item in enumerate(items)}
        new = []
        for item in data.get(section, ()):
            if item["id"] in known:
                items[known[item["id"]]] = item
            else:
                new.append(item)
        merged[section] = new + items
    if "staff" in data:
        merged["staff"] = data["staff"]


def _build(merged: dict[str, Any], path_names: tuple[str, ...]) -> Vocabulary:
    families = {
        key: Family(key, dict(f["name"]), tuple(f["units"]) if "units" in f else None, bool(f.get("classifiers")), tuple(f.get("accepts", ())))
        for key, f in merged["families"].items()
    }
    categories: dict[str, str] = {}
    for name, headings in merged["categories"].items():
        for heading in headings:
            categories.setdefault(category_key(heading), name)
    entries = tuple(
        VocabularyEntry(
            id=e["id"],
            name=dict(e["name"]),
            match=re.compile(e["match"]),
            unless=re.compile(e["unless"]) if e.get("unless") else None,
            family=e.get("family"),
            units=tuple(normalize_unit(u) for u in e["units"]) if "units" in e else None,
            categories=tuple(e["categories"]) if "categories" in e else None,
            direction=e.get("direction"),
            role=e.get("role"),
            output_in=tuple(e.get("output_in", ())),
            source=e.get("source", ""),
        )
        for e in merged["entries"]
    )
    kinds = tuple(
        ProjectKind(
            id=k["id"],
            name=dict(k["name"]),
            match=re.compile(k["match"]) if k.get("match") else None,
            unless=re.compile(k["unless"]) if k.get("unless") else None,
            default=bool(k.get("default")),
            source=k.get("source", ""),
        )
        for k in merged["project_kinds"]
    )
    staff = re.compile(merged["staff"]["match"]) if merged["staff"] else None
    return Vocabulary(families, categories, entries, kinds, staff, path_names)
