"""Benchmark of the platform uplink: `python -m bench.uplink`."""
