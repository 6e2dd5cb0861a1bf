"""Baselines: so that CI fails only on findings that are new since the baseline was written.

A baseline file records each finding's identity (``Finding.identity``: rule, path, project code or
name, field, evidence) and how many findings share it. Lines are not part of the identity on
purpose: they move when text is added above. Format (UTF-8 JSON, sorted keys, entries sorted)::

    {
      "findings": [
        {"count": 1, "evidence": "按时完成", "field": "indicators[1].value",
         "path": "samples/004_2f558b6c4fb9792b.txt", "project": "13020922P00H00E100020",
         "rule": "indicator-placeholder"}
      ],
      "version": 1
    }

Paths are compared as shown to the user, with ``\\`` as ``/`` and without a leading ``./``; write
and check the baseline from the same directory with the same kind of paths.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.atomic import write_atomic
from auditor.datafile import LocatedError
from auditor.findings import DocumentResult, Finding

VERSION = 1
KEYS = ("rule", "path", "project", "field", "evidence")

Identity = tuple[str, str, str, str, str]


class BaselineError(LocatedError):
    """A baseline file that cannot be used: ``str(error)`` is ``path:line: message``."""


def _plain_path(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def identity(finding: Finding) -> Identity:
    """``Finding.identity`` with the path in its portable form."""
    rule, path, project, field_, evidence = finding.identity
    return (rule, _plain_path(path), project, field_, evidence)


@dataclass(frozen=True)
class BaselineEntry:
    """One identity of the baseline and how many findings have it."""

    rule: str
    path: str
    project: str
    field: str
    evidence: str
    count: int = 1

    @property
    def identity(self) -> Identity:
        return (self.rule, self.path, self.project, self.field, self.evidence)

    def order(self) -> tuple[str, ...]:
        """Entries are listed by draft, then rule, project, field, evidence."""
        return (self.path, self.rule, self.project, self.field, self.evidence)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "path": self.path, "project": self.project, "field": self.field, "evidence": self.evidence, "count": self.count}


def _findings(results: Iterable[DocumentResult]) -> Iterable[Finding]:
    for result in results:
        yield from result.findings


def write_baseline(results: Iterable[DocumentResult], path: Path) -> int:
    """Write the findings of ``results`` as a baseline (atomically: a temp file in the same
    directory, then a rename). Returns the number of entries (distinct identities)."""
    recorder = BaselineRecorder()
    for result in results:
        recorder.add(result)
    return recorder.write(path)


@dataclass
class BaselineRecorder:
    """Collects finding identities draft by draft (the run streams drafts), then writes them."""

    counts: Counter = field(default_factory=Counter)

    def add(self, result: DocumentResult) -> None:
        self.counts.update(identity(f) for f in result.findings)

    def entries(self) -> list[BaselineEntry]:
        """Every identity with its count, in a stable order."""
        return sorted((BaselineEntry(*key, count=n) for key, n in self.counts.items()), key=BaselineEntry.order)

    def write(self, path: Path) -> int:
        entries = self.entries()
        text = json.dumps({"version": VERSION, "findings": [e.as_dict() for e in entries]}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        try:
            write_atomic(Path(path), text)
        except OSError as error:
            raise BaselineError(path, f"无法写入基线 / cannot write the baseline: {error.strerror or error}") from None
        return len(entries)


@dataclass(frozen=True)
class Baseline:
    """The findings known when the baseline was written: identity → count."""

    counts: Mapping[Identity, int] = field(default_factory=dict)
    source: Path | None = None

    def __len__(self) -> int:
        return len(self.counts)

    def split(self, results: list[DocumentResult]) -> list[DocumentResult]:
        """Copies of ``results`` in which findings present in the baseline are marked known
        (``finding.baseline = True``); the rest are new. Counts are honoured: with one
        finding of an identity in the baseline and two now, the first (in report order) is
        known and the second is new. The inputs are not changed."""
        remaining = dict(self.counts)
        split = []
        for result in results:
            findings = []
            for finding in result.findings:
                key = identity(finding)
                if remaining.get(key, 0) > 0:
                    remaining[key] -= 1
                    finding = replace(finding, baseline=True)
                findings.append(finding)
            split.append(replace(result, findings=findings))
        return split

    def fixed(self, results: list[DocumentResult]) -> list[BaselineEntry]:
        """Baseline findings no longer found, with how many of each are gone. Only drafts that
        were audited (and read without error) are considered: a draft left out of the run, or
        one that could not be read, has fixed nothing."""
        audited = {_plain_path(r.path) for r in results if not r.errors}
        current = Counter(identity(f) for f in _findings(results))
        gone = []
        for key, count in self.counts.items():
            if key[1] in audited and count > current.get(key, 0):
                gone.append(BaselineEntry(*key, count=count - current.get(key, 0)))
        return sorted(gone, key=BaselineEntry.order)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; ``BaselineError`` when it is missing, corrupt or of another version."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(path, "基线文件不存在；先用 --write-baseline 生成 / no such baseline file; write one with --write-baseline") from None
    except OSError as error:
        raise BaselineError(path, f"无法读取 / cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise BaselineError(path, "不是 UTF-8 文本 / not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(path, f"不是有效的 JSON / not valid JSON: {error.msg}", error.lineno) from None
    if not isinstance(data, dict) or "findings" not in data or "version" not in data:
        raise BaselineError(path, '不是基线文件（应为 {"version": 1, "findings": [...]}）/ not a baseline file (expected {"version": 1, "findings": [...]})')
    if data["version"] != VERSION:
        raise BaselineError(path, f"基线版本 {data['version']!r} 不受支持（应为 {VERSION}），请重新生成 / unsupported baseline version {data['version']!r} (expected {VERSION}); write it again")
    if not isinstance(data["findings"], list):
        raise BaselineError(path, "findings 应为列表 / findings must be a list")
    counts: dict[Identity, int] = {}
    for i, entry in enumerate(data["findings"]):
        valid = (
            isinstance(entry, dict)
            and all(isinstance(entry.get(key), str) for key in KEYS)
            and isinstance(entry.get("count", 1), int)
            and not isinstance(entry.get("count", 1), bool)
            and entry.get("count", 1) >= 1
        )
        if not valid:
            raise BaselineError(path, f"findings[{i}] 应含文本 {', '.join(KEYS)} 和正整数 count / findings[{i}] needs text {', '.join(KEYS)} and a positive count")
        key = (entry["rule"], _plain_path(entry["path"]), entry["project"], entry["field"], entry["evidence"])
        counts[key] = counts.get(key, 0) + entry.get("count", 1)
    return Baseline(counts, path)
