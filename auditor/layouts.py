"""Layout profiles: how one form of draft maps onto the document model, as data.

A profile (``layouts/*.yaml``, validated by ``layouts/schema.json``) names the form's header
labels and indicator-grid columns and what model field each holds, the money units a label may
declare, and the rows that are template text. Its ``kind`` says which reader applies it
(``auditor/readers/layouts.py``): ``flow`` (the corpus' Word template, the built-in assembler),
``form`` (a label：value header block and an indicator grid per project) or ``flat`` (one row per
indicator). Supporting another city's form is a new YAML file, not new code.

Labels are compared as ``label_key`` gives them: NFKC, without whitespace and colons, without any
note in brackets (``项目总金额（中期规划，万元）：`` → ``项目总金额``, note ``中期规划，万元``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from auditor.datafile import LocatedError
from auditor.resources import resource_path

BRACKETED = re.compile(r"[（(\[【]([^）)\]】]*)[）)\]】]")
NOT_KEY = re.compile(r"[\s:：]+")


class LayoutFileError(LocatedError):
    """A layout profile that cannot be used (bad YAML, fails the schema, duplicate id)."""


@dataclass(frozen=True)
class Label:
    """A header label or column header split into what names the field and its bracketed note."""

    key: str  # NFKC, no whitespace, colons or bracketed notes
    note: str  # the bracketed notes, joined ("中期规划，万元")
    colon: bool  # written with a trailing colon (项目编码：)


def label_of(text: str) -> Label:
    """A cell's text read as a label (see the module's docstring)."""
    norm = unicodedata.normalize("NFKC", text).strip()
    colon = norm.endswith(":")
    notes = BRACKETED.findall(norm)
    key = NOT_KEY.sub("", BRACKETED.sub("", norm))
    return Label(key, "，".join(n.strip() for n in notes), colon)


def synonym_key(text: str) -> str:
    return label_of(text).key


@dataclass(frozen=True)
class LayoutProfile:
    """One layout profile, as loaded from its YAML file."""

    id: str
    kind: str
    name: dict[str, str]
    description: str
    path: str
    formats: frozenset[str] = frozenset()
    fields: dict[str, str] = field(default_factory=dict)  # label key → project field
    columns: dict[str, str] = field(default_factory=dict)  # column header key → indicator field
    required_columns: tuple[str, ...] = ()
    key: str | None = None
    template_rows: tuple[re.Pattern, ...] = ()
    money_units: tuple[str, ...] = ()
    min_fields: int = 3
    label_colon: bool = True
    min_fields_without_colon: int | None = None  # form: enough bare labels claim a table anyway

    def applies_to(self, fmt: str) -> bool:
        return not self.formats or fmt in self.formats

    def field_of(self, text: str) -> str | None:
        """The project field a header label (or column header) names, if any."""
        return self.fields.get(label_of(text).key)

    def column_of(self, text: str) -> str | None:
        """The indicator field a grid column header names, if any."""
        return self.columns.get(label_of(text).key)

    def declared_unit(self, text: str) -> str | None:
        """The money unit a label declares in brackets (``本年度项目金额（万元）`` → ``万元``)."""
        note = label_of(text).note
        return next((unit for unit in self.money_units if unit in note), None)

    def is_template_row(self, first_text: str) -> bool:
        text = unicodedata.normalize("NFKC", first_text).strip()
        return any(p.search(text) for p in self.template_rows)


@dataclass(frozen=True)
class LayoutSet:
    """The profiles a run reads with, in the order they are tried (shipped first, then the
    user's, each folder's files by name)."""

    profiles: tuple[LayoutProfile, ...]

    def of_kind(self, kind: str, fmt: str) -> list[LayoutProfile]:
        return [p for p in self.profiles if p.kind == kind and p.applies_to(fmt)]

    def get(self, layout_id: str) -> LayoutProfile | None:
        return next((p for p in self.profiles if p.id == layout_id), None)

    @property
    def fallback(self) -> LayoutProfile:
        """The flow profile used when no form or flat profile explains a file."""
        return next(p for p in self.profiles if p.kind == "flow")

    @cached_property
    def all_field_labels(self) -> frozenset[str]:
        """Every header label any profile knows: a cell written as such a label (with a colon)
        inside an indicator table means the table was not understood."""
        return frozenset(key for p in self.profiles for key in p.fields)

    @cached_property
    def all_column_names(self) -> frozenset[str]:
        """Every grid column header any profile knows (一级指标, 目标值 …)."""
        return frozenset(key for p in self.profiles for key in p.columns)


def _profile(data: dict[str, Any], path: Path) -> LayoutProfile:
    def keyed(mapping: dict[str, list[str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, synonyms in mapping.items():
            for synonym in synonyms:
                out.setdefault(synonym_key(synonym), name)
        return out

    return LayoutProfile(
        id=data["id"],
        kind=data["kind"],
        name=dict(data["name"]),
        description=" ".join(str(data["description"]).split()),
        path=str(path),
        formats=frozenset(data.get("formats", ())),
        fields=keyed(data.get("fields", {})),
        columns=keyed(data.get("columns", {})),
        required_columns=tuple(data.get("required_columns", ("level1", "level3", "value"))),
        key=data.get("key"),
        template_rows=tuple(re.compile(p) for p in data.get("template_rows", ())),
        money_units=tuple(sorted(data.get("money_units", ("亿元", "万元", "千元", "元")), key=len, reverse=True)),
        min_fields=int(data.get("min_fields", 3)),
        label_colon=bool(data.get("label_colon", True)),
        min_fields_without_colon=data.get("min_fields_without_colon"),
    )


def load_layout_file(path: Path, schema_path: Path) -> LayoutProfile:
    """One profile, validated against the schema; raises ``LayoutFileError`` with its line. A
    file that validated before comes from the rule cache: no YAML is read and no schema checked
    again."""
    from auditor.datafile import read_validated_yaml

    return _profile(read_validated_yaml(path, schema_path, LayoutFileError, _template_rows), path)


def _template_rows(data: dict[str, Any]) -> Iterable[tuple[tuple, str]]:
    return ((("template_rows",), pattern) for pattern in data.get("template_rows", ()))


def layout_files(directories: list[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in directories:
        if directory.is_file():
            files.append(directory)
        elif directory.is_dir():
            files.extend(sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")))
        else:
            raise LayoutFileError(directory, "版式目录或文件不存在 / no such layout file or folder")
    return files


def load_layouts(extra: tuple[Path, ...] = ()) -> LayoutSet:
    """The shipped profiles and the user's (``extra``: files or folders)."""
    return _load((resource_path("layouts"), *extra))


@lru_cache(maxsize=4)
def _load(directories: tuple[Path, ...]) -> LayoutSet:
    schema = resource_path("layouts", "schema.json")
    profiles: list[LayoutProfile] = []
    seen: dict[str, str] = {}
    for path in layout_files(list(directories)):
        profile = load_layout_file(path, schema)
        if profile.id in seen:
            raise LayoutFileError(path, f"版式 id“{profile.id}”与 {seen[profile.id]} 重复 / layout id {profile.id!r} is also in {seen[profile.id]}")
        seen[profile.id] = str(path)
        profiles.append(profile)
    if not any(p.kind == "flow" for p in profiles):
        raise LayoutFileError(directories[0], "缺少 flow 版式 / no layout of kind flow")
    return LayoutSet(tuple(profiles))
