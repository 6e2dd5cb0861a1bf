"""Reading and auditing a run's drafts, in this process or in a pool of worker processes.

Results come back in input order whatever the number of workers, so every report is the same
bytes with ``--jobs 1`` and ``--jobs N``. Forked workers inherit the compiled rules; spawned ones
(Windows) build their own engine from an ``EngineSpec`` (compiled rules are closures and cannot be
pickled). Each draft is read and audited in a worker and only its ``DocumentResult`` comes back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.engine import Engine
from auditor.findings import DocumentResult, Finding
from auditor.inputs import InputFile, InputProblem
from auditor.readers import ReadError, read_document
from auditor.report import InputError

if TYPE_CHECKING:
    from auditor.config import Config
    from auditor.layouts import LayoutSet
    from auditor.rules import Rule, RuleSet

Outcome = DocumentResult | InputError


@dataclass(frozen=True)
class EngineSpec:
    """How to build the run's engine: picklable, so a worker process can build the same one."""

    config: Path | None = None
    extra_rules: tuple[Path, ...] = ()
    extra_layouts: tuple[Path, ...] = ()
    extra_vocabulary: tuple[Path, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    keep_context: bool = True  # whether reports need each finding's context (the HTML report)

    def load(self) -> tuple[Config, RuleSet, list[Rule]]:
        """The configuration, the whole rule set, and the rules to run (reading the shipped
        vocabulary, the configuration's extras, then the command line's). Raises
        ``ConfigError``, ``RuleFileError`` or ``VocabularyFileError`` for files that cannot be
        used."""
        from auditor.config import apply_config, load_config
        from auditor.rules import load_rules
        from auditor.vocabulary import load_vocabulary

        config = load_config(self.config)
        vocabulary = load_vocabulary((*config.vocabulary, *self.extra_vocabulary))
        ruleset = load_rules(extra=[*config.rules, *self.extra_rules], vocabulary=vocabulary)
        return config, ruleset, apply_config(ruleset, config, list(self.select), list(self.ignore))

    def build(self) -> Engine:
        return Engine(self.load()[2])

    def layouts(self, config: Config | None = None) -> LayoutSet:
        """The layout profiles drafts are read with: the shipped ones, the configuration's, then
        the command line's. Raises ``LayoutFileError`` for a profile that cannot be used."""
        from auditor.config import load_config
        from auditor.layouts import load_layouts

        config = config if config is not None else load_config(self.config)
        return load_layouts((*config.layouts, *self.extra_layouts))


def audit_file(engine: Engine, item: InputFile, whole: bool = True, layouts: LayoutSet | None = None) -> Outcome:
    """Read and audit one draft; an unreadable one becomes an ``InputError``. With ``whole``
    false only the draft's own part is done (``Engine.examine``): a worker leaves the run-level
    comparison to the process that sees every draft in order."""
    from auditor.values import complete_document, parse_value

    try:
        doc = read_document(item.path, parse_value, display_path=item.shown, layouts=layouts, companions=item.companions)
    except ReadError as error:
        return InputError(error.path, error.message, error.loc.line if error.loc else None, error.kind, error.loc.ref if error.loc else None)
    complete_document(doc)
    return engine.audit(doc) if whole else engine.examine(doc)


@dataclass
class _Worker:
    """The engine of a worker process, built once by the pool's initializer."""

    engine: Engine | None = field(default=None)
    spec: EngineSpec | None = field(default=None)
    layouts: LayoutSet | None = field(default=None)


_WORKER = _Worker()


def _audit_in_worker(item: InputFile) -> Outcome:
    assert _WORKER.engine is not None and _WORKER.spec is not None
    outcome = audit_file(_WORKER.engine, item, whole=False, layouts=_WORKER.layouts)
    return outcome if isinstance(outcome, InputError) else for_transfer(outcome, _WORKER.spec.keep_context)


def for_transfer(result: DocumentResult, keep_context: bool) -> DocumentResult:
    """A result as it travels back from a worker: messages rendered, no message data (writers
    never read it), the context only if a report shows it."""
    result.findings = [_finding_for_transfer(finding, keep_context) for finding in result.findings]
    return result


def _finding_for_transfer(finding: Finding, keep_context: bool) -> Finding:
    context = finding.context
    return Finding(
        rule=finding.rule,
        severity=finding.severity,
        dimension=finding.dimension,
        message=dict(finding.message),
        suggestion=dict(finding.suggestion),
        path=finding.path,
        project=finding.project,
        field=finding.field,
        line=finding.line,
        column=finding.column,
        ref=finding.ref,
        evidence=finding.evidence,
        data={},
        waived=finding.waived,
        baseline=finding.baseline,
        context=dict(context) if keep_context and context else None,
        case=finding.case,
        indicator=finding.indicator,
    )


def tune_gc() -> None:
    """Fewer cyclic garbage collections during a run: an audit allocates many short-lived
    objects that reference counting frees, so the default collection rate only costs time
    (about a sixth of an audit). Long-lived objects (rules, grammars) are frozen out of it."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _init_worker(spec: EngineSpec, rules: list[Rule] | None) -> None:
    """A worker's engine: from the parent's compiled rules when the worker was forked (they
    come with the process, nothing is loaded again), else built from the spec."""
    _WORKER.engine = Engine(rules) if rules is not None else spec.build()
    _WORKER.spec = spec
    _WORKER.layouts = spec.layouts()
    tune_gc()


def start_method() -> str:
    """How worker processes start: forked where the system can (fast, and they inherit the
    compiled rules), spawned on Windows."""
    return "spawn" if os.name == "nt" else "fork"


def default_jobs(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The number of cores this process may use: the CPUs it may run on, no more than a
    container's CPU quota allows (a CI runner limited to 2 CPUs on a 64-core host)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota(cgroup)
    return max(1, min(cores, quota) if quota else cores)


def cgroup_cpu_quota(root: Path) -> int | None:
    """The CPUs a cgroup's quota allows, rounded up (cgroup v2 ``cpu.max``: ``200000 100000``
    is 2; v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``); None without a quota."""
    try:
        quota, period = (root / "cpu.max").read_text(encoding="ascii").split()[:2]
    except (OSError, ValueError):
        try:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text(encoding="ascii").strip()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text(encoding="ascii").strip()
        except OSError:
            return None
    try:
        quota_us, period_us = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    if quota_us <= 0 or period_us <= 0:
        return None
    return -(-quota_us // period_us)


def audit_files(
    files: list[InputFile],
    problems: list[InputProblem],
    engine: Engine,
    spec: EngineSpec,
    jobs: int = 1,
    advance: Callable[[int], None] | None = None,
    layouts: LayoutSet | None = None,
) -> Iterator[Outcome]:
    """Every input's outcome in input order: first the inputs that could not even be found, then
    each file's result. With ``jobs > 1`` (and more than one file) the files are examined by a
    pool of worker processes and finished here, in input order (run-level rules compare each
    draft with those before it), so the output is the same whatever the number of workers."""
    for problem in problems:
        yield InputError(problem.shown, problem.message)
    jobs = max(1, min(jobs, len(files)))
    if jobs == 1:
        for item in files:
            yield audit_file(engine, item, layouts=layouts)
            if advance:
                advance(1)
        return
    import multiprocessing  # only a run with workers pays for importing it

    method = start_method()
    context = multiprocessing.get_context(method)
    inherited = engine.rules if method == "fork" else None  # closures cannot be pickled for spawn
    chunksize = max(1, min(16, len(files) // (jobs * 8)))
    # Back-pressure: results wait here in input order, so the workers may run at most this many
    # files ahead of the writers (memory stays flat when the writing side is the slower one).
    window = threading.BoundedSemaphore(max(64, 4 * jobs * chunksize))
    stopped = threading.Event()  # the run ended early: stop feeding (the pool joins the feeder)

    def paced() -> Iterator[InputFile]:
        for item in files:
            while not window.acquire(timeout=0.1):
                if stopped.is_set():
                    return
            yield item

    with context.Pool(jobs, initializer=_init_worker, initargs=(spec, inherited)) as pool:
        try:
            for outcome in pool.imap(_audit_in_worker, paced(), chunksize=chunksize):
                window.release()
                yield outcome if isinstance(outcome, InputError) else engine.finish(outcome)
                if advance:
                    advance(1)  # per draft, as with one job
        finally:
            stopped.set()
