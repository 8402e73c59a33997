"""Benchmarks: ``make bench`` (``python -m bench.run``) writes ``bench/results.json`` and
renders ``docs/performance.md`` from it."""
