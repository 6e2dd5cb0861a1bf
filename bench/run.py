"""Measure budget-audit on generated corpora: throughput, memory, time per stage, and a floor.

``python -m bench.run [--sizes 100,1000,10000] [--out build/bench] [--jobs 2]`` (or ``make
bench``) generates the corpora it needs (``bench.generate``, cached between runs), then for each
size:

- **floor**: read and decode every file and make one pass of a compiled regular expression that
  finds every number with the word after it — the least work any auditor of these drafts does;
- **stages** (in this process, one core): reading, the model (lexing and assembling), value
  parsing, rules, and report writing (the JSON writer), each summed over the corpus;
- **end to end**: the CLI (``budget-audit check DIR --format json``) with ``--jobs 1`` and
  ``--jobs N``, wall time, drafts/s, MB/s and peak RSS of the process tree;

plus the CLI's start-up time (``budget-audit --version``) and one draft end to end. Figures are
printed as a table and written to ``OUT/results.json``; nothing is asserted here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s]?)")
ONE_DRAFT = ROOT / "samples" / "004_2f558b6c4fb9792b.txt"


@dataclass
class Corpus:
    size: int
    folder: Path
    files: list[Path]
    megabytes: float


def corpus(size: int, out: Path, seed: int = 0) -> Corpus:
    """The generated corpus of ``size`` drafts, generated once and reused."""
    from bench.generate import generate

    folder = out / f"corpus-{size}"
    manifest = folder / "manifest.json"
    if not manifest.exists() or len(json.loads(manifest.read_text(encoding="utf-8")).get("drafts", [])) != size:
        generate(size, folder, seed=seed)
    files = sorted(folder.glob("draft_*.txt"))[:size]
    return Corpus(size, folder, files, sum(f.stat().st_size for f in files) / 1e6)


def floor_seconds(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        FLOOR_PATTERN.findall(text)
    return time.perf_counter() - start


def stage_seconds(files: list[Path]) -> dict[str, float]:
    """Time per stage over the corpus, in this process (one core)."""
    import io

    from auditor.engine import Engine
    from auditor.readers.assemble import assemble
    from auditor.readers.detect import decode_text
    from auditor.readers.text import lex_text
    from auditor.report import RunInfo, SummaryBuilder
    from auditor.rules import load_rules
    from auditor.values import parse_value
    from auditor.writers.json_report import JsonWriter

    engine = Engine.from_ruleset(load_rules())
    run = RunInfo(rules=(), lang="zh")
    writer = JsonWriter(io.StringIO(), run)
    summary = SummaryBuilder(run)
    parse_value.cache_clear()
    value_time = 0.0

    def timed_parse(raw: str):  # noqa: ANN202
        nonlocal value_time
        start = time.perf_counter()
        result = parse_value(raw)
        value_time += time.perf_counter() - start
        return result

    times = {"read": 0.0, "model": 0.0, "values": 0.0, "rules": 0.0, "report": 0.0}
    for path in files:
        t0 = time.perf_counter()
        text, _ = decode_text(path.read_bytes())
        t1 = time.perf_counter()
        before = value_time
        doc = assemble(lex_text(text), str(path), "text", timed_parse)
        t2 = time.perf_counter()
        result = engine.audit(doc)
        t3 = time.perf_counter()
        writer.document(result)
        summary.add(result)
        t4 = time.perf_counter()
        spent_on_values = value_time - before
        times["read"] += t1 - t0
        times["model"] += (t2 - t1) - spent_on_values
        times["values"] += spent_on_values
        times["rules"] += t3 - t2
        times["report"] += t4 - t3
    return times


def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB, largest process of the tree) of one CLI run."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cli = [sys.executable, "-m", "auditor.cli", *args]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as users run it: with .pyc files
    out = subprocess.run([sys.executable, "-c", probe, *cli], capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout
    seconds, rss = out.split()
    return float(seconds), int(rss)


def best_of(times: int, args: list[str]) -> float:
    return min(run_cli(args)[0] for _ in range(times))


def measure(sizes: list[int], out: Path, jobs: int, stage_limit: int) -> dict:
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "startup_seconds": best_of(5, ["--version"]),
        "one_draft_seconds": best_of(5, ["check", str(ONE_DRAFT), "--format", "json", "-q", "-j", "1"]),
        "sizes": [],
    }
    for size in sizes:
        data = corpus(size, out)
        floor = floor_seconds(data.files)
        entry: dict = {"drafts": size, "megabytes": round(data.megabytes, 2), "floor_seconds": floor}
        if size <= stage_limit:
            stages = stage_seconds(data.files)
            entry["stages_seconds"] = stages
            entry["in_process_seconds"] = sum(stages.values())
            entry["audit_floor_ratio"] = sum(stages.values()) / floor
        for label, j in (("jobs_1", 1), (f"jobs_{jobs}", jobs)):
            seconds, rss = run_cli(["check", str(data.folder), "--format", "json", "-q", "-j", str(j), "--output", str(out / "report.json")])
            entry[label] = {
                "seconds": seconds,
                "drafts_per_second": size / seconds,
                "megabytes_per_second": data.megabytes / seconds,
                "peak_rss_mb": rss / 1024,
            }
        entry["speedup"] = entry["jobs_1"]["seconds"] / entry[f"jobs_{jobs}"]["seconds"]
        results["sizes"].append(entry)
        print(f"  {size} drafts measured", file=sys.stderr)
    return results


def table(results: dict, jobs: int) -> str:
    from tabulate import tabulate

    rows = []
    for e in results["sizes"]:
        stages = e.get("stages_seconds")
        per = (lambda k: f"{stages[k] / e['drafts'] * 1000:.2f}") if stages else (lambda k: "")
        rows.append([
            e["drafts"], f"{e['megabytes']:.1f}",
            f"{e['jobs_1']['drafts_per_second']:.0f}", f"{e[f'jobs_{jobs}']['drafts_per_second']:.0f}", f"{e['speedup']:.2f}",
            f"{e['jobs_1']['megabytes_per_second']:.2f}",
            f"{e['jobs_1']['peak_rss_mb']:.0f}", f"{e[f'jobs_{jobs}']['peak_rss_mb']:.0f}",
            f"{e['floor_seconds'] / e['drafts'] * 1000:.2f}",
            per("read"), per("model"), per("values"), per("rules"), per("report"),
            f"{e['audit_floor_ratio']:.1f}" if "audit_floor_ratio" in e else "",
        ])
    headers = ["drafts", "MB", "drafts/s j1", f"drafts/s j{jobs}", "speed-up", "MB/s j1", "RSS MB j1",
               f"RSS MB j{jobs}", "floor ms", "read ms", "model ms", "values ms", "rules ms", "report ms", "audit/floor"]
    head = (
        f"start-up (--version): {results['startup_seconds'] * 1000:.0f} ms; "
        f"one draft end to end: {results['one_draft_seconds'] * 1000:.0f} ms; "
        f"{results['machine']['cpus']} cores, Python {results['machine']['python']}"
    )
    return head + "\n" + tabulate(rows, headers=headers, disable_numparse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stage-limit", type=int, default=1000, help="largest corpus timed stage by stage in-process")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = measure([int(s) for s in args.sizes.split(",")], out, args.jobs, args.stage_limit)
    text = table(results, args.jobs)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "results.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
