"""Benchmark of the daily digests and the monthly report on 100,000 cases (python -m bench.reports)."""
