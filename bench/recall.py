"""Measure recall on a generated corpus: every injected defect must be found by the rules.

A label ``{rule, project, field}`` is found when the audit of its draft has a finding of that
rule, in that project (or, for ``project: null``, outside any project), whose field is the
label's field or lies under it (``indicators[3].value`` is under ``indicators[3]``, ``goals[2]``
under ``goals``; ``indicators[10]`` is not under ``indicators[1]``). Findings nobody injected
are not counted: the samples' own defects stay in the drafts.

Usage: ``python -m bench.recall CORPUS_DIR`` prints the table and exits 1 if anything was missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from auditor.engine import Engine
from auditor.findings import Finding
from auditor.readers import read_document
from auditor.rules import load_rules
from auditor.values import parse_value

MANIFEST = "manifest.json"


def field_under(found: str, label: str) -> bool:
    """Whether a finding's field is the label's field or inside it."""
    if not label or found == label:
        return True
    return found.startswith(label) and found[len(label)] in ".["


def label_found(label: dict[str, Any], findings: list[Finding]) -> bool:
    for finding in findings:
        if finding.rule != label["rule"]:
            continue
        index = finding.project.index if finding.project else None
        if index == label["project"] and field_under(finding.field, label["field"]):
            return True
    return False


def measure_recall(corpus_dir: Path) -> dict[str, Any]:
    """Audit every draft of the corpus and match its labels against the findings.

    Returns ``{"drafts", "rules": {rule: {"injected", "found", "recall"}}, "overall": {...},
    "missed": [...], "structure": [...], "seconds"}``; ``structure`` lists drafts the reader did
    not read as generated (project count or year), which would make labels meaningless.
    """
    corpus_dir = Path(corpus_dir)
    manifest = json.loads((corpus_dir / MANIFEST).read_text(encoding="utf-8"))
    engine = Engine.from_ruleset(load_rules())
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"injected": 0, "found": 0})
    missed: list[dict[str, Any]] = []
    structure: list[dict[str, Any]] = []
    started = time.perf_counter()
    for entry in manifest["drafts"]:
        doc = read_document(corpus_dir / entry["file"], parse_value, display_path=entry["file"])
        if len(doc.projects) != len(entry["projects"]) or doc.year != entry["doc_year"]:
            structure.append(
                {
                    "file": entry["file"],
                    "projects": [len(doc.projects), len(entry["projects"])],
                    "year": [doc.year, entry["doc_year"]],
                }
            )
        findings = engine.audit(doc).findings
        for label in entry["defects"]:
            stats = counts[label["rule"]]
            stats["injected"] += 1
            if label_found(label, findings):
                stats["found"] += 1
                continue
            nearby = [
                {"rule": f.rule, "field": f.field, "line": f.line, "evidence": f.evidence}
                for f in findings
                if f.project is not None and f.project.index == label["project"]
            ]
            missed.append({"file": entry["file"], "label": label, "project_findings": nearby})
    rules = {rule: {**stats, "recall": _ratio(stats)} for rule, stats in sorted(counts.items())}
    injected = sum(s["injected"] for s in counts.values())
    found = sum(s["found"] for s in counts.values())
    overall = {"injected": injected, "found": found, "recall": _ratio({"injected": injected, "found": found})}
    return {
        "drafts": len(manifest["drafts"]),
        "rules": rules,
        "overall": overall,
        "missed": missed,
        "structure": structure,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _ratio(stats: dict[str, int]) -> float:
    return stats["found"] / stats["injected"] if stats["injected"] else 1.0


def format_table(report: dict[str, Any]) -> str:
    """The per-rule table as plain text."""
    rows = [(rule, s["injected"], s["found"], s["recall"]) for rule, s in report["rules"].items()]
    o = report["overall"]
    rows.append(("overall", o["injected"], o["found"], o["recall"]))
    width = max(len(r[0]) for r in rows)
    lines = [f"{'rule':<{width}}  injected  found  recall", "-" * (width + 26)]
    for i, (rule, injected, found, recall) in enumerate(rows):
        if i == len(rows) - 1:
            lines.append("-" * (width + 26))
        lines.append(f"{rule:<{width}}  {injected:>8}  {found:>5}  {recall:>6.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recall", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus_dir", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = parser.parse_args(argv)
    report = measure_recall(args.corpus_dir)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"{report['drafts']} drafts audited in {report['seconds']} s")
        print(format_table(report))
        for item in report["structure"]:
            print(f"READ DIFFERENTLY {item['file']}: projects {item['projects']}, year {item['year']}")
        for item in report["missed"][:50]:
            label = item["label"]
            print(f"MISSED {item['file']} project {label['project']} {label['rule']} {label['field']}: {label['note']}")
            for f in item["project_findings"]:
                print(f"    found {f['rule']} {f['field']} line {f['line']}: {f['evidence']}")
    return 1 if report["missed"] or report["structure"] else 0


if __name__ == "__main__":
    sys.exit(main())
