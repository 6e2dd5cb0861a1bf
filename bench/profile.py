"""Where an audit's time goes: per stage, per rule, and per function.

``python -m bench.profile [--drafts 300] [--top 25] [--out build/bench]`` (or ``make profile``)
audits the first N drafts of the generated 1,000-draft corpus (``bench.run`` makes it) in this
process and prints:

- **stages**: CPU time per draft for reading, the model, value parsing, the draft's own rules
  (``Engine.examine``), the run-level comparison (``Engine.finish``) and the JSON report, the
  best of ``--repeat`` passes (this machine's timings drift between runs; CPU time of the best
  pass is the steadiest figure);
- **rules**: CPU time per draft of each rule run alone, less the cost of building its scope's
  targets, most expensive first; run-level rules are timed with their comparison;
- **functions**: the ``--top`` functions by own time over one whole pass, and the call tree
  (pyinstrument, a sampling profiler: it does not slow each call as ``cProfile`` does, so small
  functions keep their true share);
- **one draft**: the call tree of the CLI auditing the 71 KB sample draft end to end in a fresh
  process (imports, loading the rules, reading, auditing, writing), as a user's run is.

Nothing is asserted; figures are for finding the next thing to make faster.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.engine import Engine
from auditor.model import Document
from auditor.readers import read_document
from auditor.rules import Rule, load_rules
from auditor.targets import iter_targets
from auditor.values import parse_value
from bench.run import ONE_DRAFT, ROOT, corpus, one_draft_args, users_env
from bench.stages import STAGES, stage_pass

if TYPE_CHECKING:
    from pyinstrument import Profiler


def cpu_best(repeat: int, work: Callable[[], None]) -> float:
    """The least CPU time of ``repeat`` runs of ``work``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def best_stages(files: list[Path], rules: list[Rule], repeat: int) -> dict[str, float]:
    passes = [stage_pass(files, rules) for _ in range(repeat)]
    return min(passes, key=lambda spent: sum(spent.values()))


def read_all(files: list[Path]) -> list[Document]:
    return [read_document(path, parse_value) for path in files]


def rule_costs(docs: list[Document], rules: list[Rule], repeat: int) -> list[tuple[float, str, str]]:
    """(CPU seconds per draft, rule id, scope) of each rule run alone, less its targets' cost."""
    def build_targets(scope: str) -> None:
        for doc in docs:
            list(iter_targets(doc, scope))  # as the engine does: one draft's targets at a time

    base: dict[str, float] = {}
    for scope in sorted({rule.scope for rule in rules if rule.scope != "run"}):
        base[scope] = cpu_best(repeat, lambda scope=scope: build_targets(scope)) / len(docs)
    costs = []
    for rule in rules:

        def audit_all(rule: Rule = rule) -> None:
            engine = Engine([rule])
            for doc in docs:
                engine.audit(doc)
            engine.close()

        seconds = cpu_best(repeat, audit_all) / len(docs) - base.get(rule.scope, 0.0)
        costs.append((seconds, rule.id, rule.scope))
    return sorted(costs, key=lambda cost: (-cost[0], cost[1]))


def sampled(files: list[Path], rules: list[Rule]) -> Profiler:
    """One pass over the drafts under pyinstrument's sampling profiler."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    stage_pass(files, rules)
    profiler.stop()
    return profiler


def top_functions(profiler: Profiler, top: int) -> str:
    """The ``top`` functions by own time (time in the function itself, not in what it calls),
    summed over every call path, with their share of the whole pass."""
    root = profiler.last_session.root_frame()
    own: Counter[tuple[str, str, int | None]] = Counter()
    stack = [root]
    while stack:
        frame = stack.pop()
        for child in frame.children:
            if child.is_synthetic_leaf:  # the time spent in ``frame`` itself
                name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
                own[(name, frame.file_path_short or "", frame.line_no)] += child.time
            else:
                stack.append(child)
    total = root.time or 1.0
    return "\n".join(
        f"{seconds:7.3f} s {seconds / total * 100:5.1f}%  {name}  {f'{path}:{line}' if line else path}"
        for (name, path, line), seconds in own.most_common(top)
    )


def call_tree(profiler: Profiler) -> str:
    """Where the time goes by call path, in per cent of the whole (frames under 1% left out)."""
    return "\n".join(_body(profiler.output_text(unicode=True, color=False, time="percent_of_total")))


def one_draft_tree(out: Path) -> str:
    """The CLI on the 71 KB sample draft in a fresh process, under pyinstrument, after one
    unprofiled run (which writes the bytecode and rule cache an installed copy has)."""
    env = users_env()
    cli = ["-m", "auditor.cli", *one_draft_args(), "--fail-on", "never", "--output", str(out / "one-draft.json")]
    subprocess.run([sys.executable, *cli], cwd=ROOT, env=env, check=True)
    profiled = [sys.executable, "-m", "pyinstrument", "--no-color", "--unicode", "-i", "0.0005", "-p", "time=percent_of_total", *cli]
    text = subprocess.run(profiled, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return "\n".join(_body(text))


def _body(text: str) -> list[str]:
    """pyinstrument's report without its banner (up to ``Program``/``Profile at``) and its
    closing hint (``To view this report …``)."""
    lines = text.strip("\n").splitlines()
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith(("Program:", "Profile at"))), 0)
    end = next((i for i, line in enumerate(lines) if line.startswith("To view this report")), len(lines))
    return [line.replace(str(ROOT) + "/", "") for line in lines[start:end] if line.strip()]


def report(files: list[Path], top: int, repeat: int, out: Path) -> str:
    from tabulate import tabulate

    rules = list(load_rules().rules)
    n = len(files)
    stage_pass(files[: min(n, 20)], rules)  # warm the caches a run warms in its first drafts
    stages = best_stages(files, rules, repeat)
    total = sum(stages.values())
    stage_rows = [[name, f"{stages[name] / n * 1000:.2f}", f"{stages[name] / total * 100:.0f}%"] for name in STAGES]
    stage_rows.append(["total", f"{total / n * 1000:.2f}", f"{n / total:.0f} drafts/s"])
    docs = read_all(files)
    costs = rule_costs(docs, rules, repeat)
    rule_rows = [[rule_id, scope, f"{seconds * 1000:.2f}"] for seconds, rule_id, scope in costs]
    together = (stages["examine"] + stages["finish"]) / n
    alone = sum(seconds for seconds, _, _ in costs)
    rule_rows.append(["(sum of the above)", "", f"{alone * 1000:.2f}"])
    rule_rows.append(["(all rules together: examine + finish)", "", f"{together * 1000:.2f}"])
    profile = sampled(files, rules)
    return "\n\n".join([
        f"{n} drafts, CPU ms per draft (best of {repeat}), Python {sys.version.split()[0]}",
        tabulate(stage_rows, headers=["stage", "ms", "share"], disable_numparse=True),
        "each rule alone, ms per draft (its targets' cost left out; run-level rules include the comparison)",
        tabulate(rule_rows, headers=["rule", "scope", "ms"], disable_numparse=True),
        f"top {top} functions by own time, seconds in one pass (pyinstrument, sampling every 1 ms)",
        top_functions(profile, top),
        "the same pass by call path",
        call_tree(profile),
        f"one {ONE_DRAFT.stat().st_size // 1024} KB draft, CLI end to end in a fresh process (pyinstrument)",
        one_draft_tree(out),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("--drafts", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    args = parser.parse_args(argv)
    files = corpus(1000, Path(args.out)).files[: args.drafts]
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)  # as the CLI runs (``pipeline.tune_gc``)
    print(report(files, args.top, args.repeat, Path(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
