"""Benchmark corpus: realistic drafts generated from the bundled samples, with labelled defects.

``bench.generate`` writes N drafts plus ``manifest.json``; ``bench.recall`` audits them and checks
that every injected defect is found. See ``bench/README.md``.
"""
