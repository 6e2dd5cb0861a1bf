"""List every indicator value whose parse differs between an older value parser and the current one.

Usage::

    mkdir -p OLD/grammar
    git show REV:grammar/indicator_value.lark > OLD/grammar/indicator_value.lark
    git show REV:auditor/values.py > OLD/values_old.py
    .venv/bin/python tools/value_parse_diff.py OLD DRAFT...

Each draft is read with the current readers and the current parser; every distinct raw 指标值 is
parsed again with the old one, and the fields that differ are printed (fields the old model did
not have count as None there). A value whose only difference is a field the old model did not
never set (op_raw, lead …) being filled is counted, not listed, unless ``--all`` is given.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import fields
from pathlib import Path
from types import ModuleType

from auditor.model import IndicatorValue
from auditor.readers import ReadError, read_document
from auditor.values import parse_value


def load_old_parser(folder: Path) -> ModuleType:
    """The old ``values`` module, reading its grammar from ``folder/grammar``."""
    spec = importlib.util.spec_from_file_location("values_old", folder / "values_old.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.GRAMMAR_PATH = folder / "grammar" / "indicator_value.lark"
    return module


def distinct_values(paths: list[str]) -> list[str]:
    raws: set[str] = set()
    for path in paths:
        try:
            doc = read_document(path, parse_value)
        except ReadError as error:
            print(f"# {path}: {error.message}", file=sys.stderr)
            continue
        rows = list(doc.department_indicators) + [i for p in doc.projects for i in p.indicators]
        raws.update(i.value.raw for i in rows)
    return sorted(raws)


def differences(old: IndicatorValue, new: IndicatorValue) -> dict[str, tuple[object, object]]:
    return {
        f.name: (getattr(old, f.name, None), getattr(new, f.name))
        for f in fields(IndicatorValue)
        if getattr(old, f.name, None) != getattr(new, f.name)
    }


def main(argv: list[str]) -> int:
    show_all = "--all" in argv
    argv = [a for a in argv if a != "--all"]
    old_module = load_old_parser(Path(argv[0]))
    old_source = Path(old_module.__file__ or "").read_text(encoding="utf-8")
    old_fields = {f.name for f in fields(IndicatorValue) if f'"{f.name}"' in old_source}
    raws = distinct_values(argv[1:])
    changed = added = 0
    for raw in raws:
        diff = differences(old_module.parse_value(raw), parse_value(raw))
        if diff and not show_all and not diff.keys() & old_fields:
            added += 1
            continue
        if diff:
            changed += 1
            parts = "; ".join(f"{name}: {a!r} → {b!r}" for name, (a, b) in diff.items())
            print(f"{raw!r}: {parts}")
    print(f"# {changed} of {len(raws)} distinct values parse differently; {added} more only fill new fields")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
