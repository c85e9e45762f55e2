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
    rows = "\n".join(f"| {w} | {args.throughput_items} | {line} |" for w, line in lines.items())
    body = f"""Machine: {machine}. `python -m bench.uplink{' --database-url …' if args.database_url else ''}`,
median of {args.rounds} rounds.

| workers | cases per round | sustained throughput to our own server, median (rounds) |
| --- | --- | --- |
{rows}

Drain of {big['items']:.0f} queued pushes to the stand-in, {big['workers']:.0f} workers: **{big['seconds']:.1f} s**
({big['rate']:.0f}/s); POSTs received {big['posts']:.0f}, duplicates **{big['duplicates']:.0f}**,
missing {big['missing']:.0f}, parked {big['parked']:.0f}.
"""
    update_results(RESULTS, db_name, body)


INTRO = """Accepted cases are queued by the accept hook and pushed by the outbox worker (threads in one process) as
GeoReport v2 POSTs. Throughput goes to our own `chengguan serve` in a second process (each POST creates a case
in its own SQLite database); the drain goes to the in-process stand-in platform from the tests, which does no
work and never deduplicates (it shares the interpreter with the workers, which bounds the drain rate). The
client database is the one named in each subsection.
"""


def update_results(path: Path, db_name: str, body: str) -> None:
    """Replace the `### db_name` part of the `## uplink` section; other sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    section = re.compile(r"^## uplink\n.*?(?=^## |\Z)", re.S | re.M)
    found = section.search(text)
    parts = dict(re.findall(r"^### (\S+)\n(.*?)(?=^### |\Z)", found.group(0), re.S | re.M)) if found else {}
    parts[db_name] = body.strip() + "\n\n"
    new = "## uplink\n\n" + INTRO + "\n" + "".join(f"### {name}\n\n{parts[name].strip()}\n\n"
                                               for name in sorted(parts))
    text = section.sub(new, text) if found else text.rstrip() + "\n\n" + new
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
