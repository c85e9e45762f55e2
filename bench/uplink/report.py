"""The `## uplink` section of bench/RESULTS.md (other sections are left as they are)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "RESULTS.md"


def write(db_name: str, args: argparse.Namespace, lines: dict[int, str], big: dict[str, float]) -> None:
    machine = (f"{platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    rows = "\n".join(f"| {db_name} | {w} | {args.throughput_items} | {line} |" for w, line in lines.items())
    body = f"""Machine: {machine}.

`python -m bench.uplink{' --database-url …' if args.database_url else ''}`: accepted cases queued by the accept hook
and pushed by the outbox worker (threads in one process) as GeoReport v2 POSTs. Throughput goes to our own
`chengguan serve` in a second process (each POST creates a case in its SQLite database); the drain goes to the
in-process stand-in platform, which does no work and never deduplicates. Median of {args.rounds} rounds.

| client database | workers | cases per round | sustained throughput, median (rounds) |
| --- | --- | --- | --- |
{rows}

Drain of {big['items']:.0f} queued pushes, {big['workers']:.0f} workers, {db_name}: **{big['seconds']:.1f} s**
({big['rate']:.0f}/s); POSTs received {big['posts']:.0f}, duplicates **{big['duplicates']:.0f}**,
missing {big['missing']:.0f}, parked {big['parked']:.0f}.
"""
    _replace_section(f"uplink ({db_name})", body)


def _replace_section(name: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = f"## {name}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
