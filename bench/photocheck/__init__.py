"""Benchmark of the photocheck library: `python -m bench.photocheck`."""
