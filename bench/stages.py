"""One pass of the audit over a corpus, in this process, with the CPU time of each stage (the
stages the CLI goes through for a text draft, with the JSON report)."""

from __future__ import annotations

import io
import time
from pathlib import Path

from auditor.engine import Engine
from auditor.readers.assemble import assemble
from auditor.readers.detect import decode_text
from auditor.readers.text import lex_text
from auditor.report import RunInfo, SummaryBuilder
from auditor.rules import Rule
from auditor.values import parse_value
from auditor.writers.json_report import JsonWriter

STAGES = ("read", "lex", "assemble", "values", "examine", "finish", "report")


def stage_pass(files: list[Path], rules: list[Rule]) -> dict[str, float]:
    """One pass over the drafts with a fresh engine, CPU seconds per stage."""
    engine = Engine(rules)
    run = RunInfo(rules=(), lang="zh")
    writer = JsonWriter(io.StringIO(), run)
    summary = SummaryBuilder(run)
    parse_value.cache_clear()
    spent = {stage: 0.0 for stage in STAGES}

    def timed_parse(raw: str):  # noqa: ANN202
        start = time.process_time()
        value = parse_value(raw)
        spent["values"] += time.process_time() - start
        return value

    clock = time.process_time
    for path in files:
        t0 = clock()
        text, _ = decode_text(path.read_bytes())
        t1 = clock()
        stream = lex_text(text)
        t2 = clock()
        before = spent["values"]
        doc = assemble(stream, str(path), "text", timed_parse)
        t3 = clock()
        result = engine.examine(doc)
        t4 = clock()
        result = engine.finish(result)
        t5 = clock()
        writer.document(result)
        summary.add(result)
        t6 = clock()
        spent["read"] += t1 - t0
        spent["lex"] += t2 - t1
        spent["assemble"] += (t3 - t2) - (spent["values"] - before)
        spent["examine"] += t4 - t3
        spent["finish"] += t5 - t4
        spent["report"] += t6 - t5
    engine.close()
    return spent
