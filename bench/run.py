"""Measure budget-audit on generated corpora: throughput, memory, time per stage, and a floor.

``python -m bench.run [--sizes 100,1000,10000] [--out build/bench] [--jobs 2]`` (or ``make
bench``) generates the corpora it needs (``bench.generate``, cached between runs), then for each
size:

- **floor**: read and decode every file and make one pass of a compiled regular expression that
  finds every number with the word after it — the least work any auditor of these drafts does;
- **stages** (in this process, one core, CPU time): reading, the model (lexing and assembling),
  value parsing, rules, and report writing (the JSON writer), each summed over the corpus
  (``bench.stages``; ``bench.profile`` breaks them down further, rule by rule);
- **end to end**: the CLI (``budget-audit check DIR --format json``) with ``--jobs 1`` and
  ``--jobs N``, wall time, drafts/s, MB/s, CPU time and peak RSS of the process tree. This
  machine's speed drifts by a fifth between minutes, so the two are run by turns ``--repeat``
  times (for corpora up to ``--repeat-limit`` drafts) and the fastest run of each is reported,
  with every run kept in ``results.json``;

plus the CLI's start-up time (``budget-audit --version``) and one 71 KB draft (sample 003) end to
end, the fastest and the median of eleven runs after one warm-up run. Figures are printed as a table and written to ``OUT/results.json``;
nothing is asserted here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s]?)")
ONE_DRAFT = ROOT / "samples" / "003_247e9d6eca422fe5.txt"  # 71 KB: the "one 70 KB draft"


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
    """CPU time of the floor (like the stages: the ratio compares CPU with CPU)."""
    start = time.process_time()
    for path in files:
        text = path.read_bytes().decode("utf-8")
        FLOOR_PATTERN.findall(text)
    return time.process_time() - start


def stage_seconds(files: list[Path]) -> dict[str, float]:
    """CPU time per stage over the corpus, in this process (one core): the stages of
    ``bench.stages`` summed into the table's five."""
    from auditor.rules import load_rules
    from bench.stages import stage_pass

    spent = stage_pass(files, list(load_rules().rules))
    return {
        "read": spent["read"],
        "model": spent["lex"] + spent["assemble"],
        "values": spent["values"],
        "rules": spent["examine"] + spent["finish"],
        "report": spent["report"],
    }


@dataclass
class CliRun:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of every process of the run
    peak_rss_kb: int  # largest process of the tree


def users_env() -> dict[str, str]:
    """This environment as a user's run has it: with bytecode written and read (this sandbox
    sets PYTHONDONTWRITEBYTECODE, which makes every run compile the edited modules again)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_draft_args() -> list[str]:
    """The CLI arguments of the one-draft measurements (JSON report to stdout, one process)."""
    return ["check", str(ONE_DRAFT), "--format", "json", "-q", "-j", "1"]


def run_cli(args: list[str]) -> CliRun:
    """One CLI run, measured from a parent process that does nothing else."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss)"
    )
    cli = [sys.executable, "-m", "auditor.cli", *args]
    out = subprocess.run([sys.executable, "-c", probe, *cli], capture_output=True, text=True, check=True, cwd=ROOT, env=users_env()).stdout
    seconds, cpu, rss = out.split()
    return CliRun(float(seconds), float(cpu), int(rss))


def latency(args: list[str], times: int = 11) -> tuple[float, float]:
    """Fastest and median wall time of ``times`` runs, after one run that is not counted (it
    writes the bytecode and the rule cache a user's installed copy already has)."""
    run_cli(args)
    runs = sorted(run_cli(args).seconds for _ in range(times))
    return runs[0], statistics.median(runs)


def end_to_end(data: Corpus, out: Path, jobs: int, repeat: int) -> dict[str, dict]:
    """``--jobs 1`` and ``--jobs N`` by turns, ``repeat`` times; the fastest run of each."""
    runs: dict[int, list[CliRun]] = {1: [], jobs: []}
    for _ in range(repeat):
        for j in runs:
            runs[j].append(run_cli(["check", str(data.folder), "--format", "json", "-q", "-j", str(j), "--output", str(out / "report.json")]))
    figures = {}
    for j, measured in runs.items():
        best = min(measured, key=lambda run: run.seconds)
        figures[f"jobs_{j}"] = {
            "seconds": best.seconds,
            "drafts_per_second": data.size / best.seconds,
            "megabytes_per_second": data.megabytes / best.seconds,
            "cpu_ms_per_draft": best.cpu_seconds / data.size * 1000,
            "peak_rss_mb": max(run.peak_rss_kb for run in measured) / 1024,
            "runs_seconds": [run.seconds for run in measured],
        }
    return figures


def measure(sizes: list[int], out: Path, jobs: int, stage_limit: int, repeat: int, repeat_limit: int) -> dict:
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "one_draft_kb": round(ONE_DRAFT.stat().st_size / 1024),
        "sizes": [],
    }
    results["startup_seconds"], results["startup_median_seconds"] = latency(["--version"])
    results["one_draft_seconds"], results["one_draft_median_seconds"] = latency(one_draft_args())
    for size in sizes:
        data = corpus(size, out)
        floor = floor_seconds(data.files)
        entry: dict = {"drafts": size, "megabytes": round(data.megabytes, 2), "floor_seconds": floor}
        if size <= stage_limit:
            stages = stage_seconds(data.files)
            entry["stages_seconds"] = stages
            entry["in_process_seconds"] = sum(stages.values())
            entry["audit_floor_ratio"] = sum(stages.values()) / floor
        entry.update(end_to_end(data, out, jobs, repeat if size <= repeat_limit else 1))
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
            f"{e['jobs_1']['cpu_ms_per_draft']:.1f}", f"{e[f'jobs_{jobs}']['cpu_ms_per_draft']:.1f}",
            f"{e['jobs_1']['peak_rss_mb']:.0f}", f"{e[f'jobs_{jobs}']['peak_rss_mb']:.0f}",
            f"{e['floor_seconds'] / e['drafts'] * 1000:.2f}",
            per("read"), per("model"), per("values"), per("rules"), per("report"),
            f"{e['audit_floor_ratio']:.1f}" if "audit_floor_ratio" in e else "",
        ])
    headers = ["drafts", "MB", "drafts/s j1", f"drafts/s j{jobs}", "speed-up", "MB/s j1", "CPU ms j1", f"CPU ms j{jobs}", "RSS MB j1",
               f"RSS MB j{jobs}", "floor ms", "read ms", "model ms", "values ms", "rules ms", "report ms", "audit/floor"]
    head = (
        f"start-up (--version): {results['startup_seconds'] * 1000:.0f} ms best, {results['startup_median_seconds'] * 1000:.0f} median; "
        f"one {results['one_draft_kb']} KB draft end to end: {results['one_draft_seconds'] * 1000:.0f} ms best, "
        f"{results['one_draft_median_seconds'] * 1000:.0f} median (11 runs); "
        f"{results['machine']['cpus']} cores, Python {results['machine']['python']}"
    )
    return head + "\n" + tabulate(rows, headers=headers, disable_numparse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="end-to-end runs of each --jobs setting, by turns")
    parser.add_argument("--repeat-limit", type=int, default=1000, help="largest corpus run more than once")
    parser.add_argument("--stage-limit", type=int, default=1000, help="largest corpus timed stage by stage in-process")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = measure([int(s) for s in args.sizes.split(",")], out, args.jobs, args.stage_limit, args.repeat, args.repeat_limit)
    text = table(results, args.jobs)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "results.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
