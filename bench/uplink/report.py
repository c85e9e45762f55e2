"""The `## uplink` section of bench/RESULTS.md (other sections are left as they are)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
from pathlib import Path

from bench.uplink.processes import BATCH

RESULTS = Path(__file__).resolve().parent.parent / "RESULTS.md"


def write(db_name: str, args: argparse.Namespace, lines: dict[int, str],
          drains: dict[int, tuple[dict[str, float], dict[str, float]]]) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (f"{platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} cores "
               f"(1/5/15-min load average at the end: {load}), Python {platform.python_version()}, "
               f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    rows = "\n".join(f"| {w} | {args.throughput_items} | {line} |" for w, line in lines.items())
    rows = "\n".join(f"| {w} | {args.throughput_items} | {line} |" for w, line in lines.items())
    throughput = f"""| workers | cases per round | sustained throughput to our own server, median (rounds) |
| --- | --- | --- |
{rows}
""" if lines else "(throughput to our own server not measured in this run: `--rounds 0`)\n"
    drain_rows = "\n".join(
        f"| {w} | {big['items']:.0f} | {big['seconds']:.1f} s | **{big['rate']:.0f}/s** | {bare['rate']:.0f}/s "
        f"| {big['rate'] / bare['rate']:.2f} | {big['posts']:.0f} | **{big['duplicates']:.0f}** | {big['missing']:.0f} "
        f"| {big['parked']:.0f} |" for w, (big, bare) in drains.items())
    body = f"""Machine: {machine}. `python -m bench.uplink{' --database-url …' if args.database_url else ''}`,
{f"median of {args.rounds} rounds." if lines else ""}

{throughput}
Drain of queued pushes by worker processes (batch claims of {BATCH}) to the stand-in, against the bare loop (the same
processes claiming and completing the same number of jobs with a handler that sends nothing), same run:

| worker processes | pushes | drain time | rate | bare loop | ratio | POSTs received | duplicates | missing | parked |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{drain_rows}

Target ≥ {TARGET}/s with 4 worker processes on PostgreSQL: {_verdict(drains)}.
"""
    update_results(RESULTS, db_name, body)


TARGET = 500


def _verdict(drains: dict[int, tuple[dict[str, float], dict[str, float]]]) -> str:
    if 4 not in drains:
        return "not measured (no 4-process drain in this run)"
    rate = drains[4][0]["rate"]
    return f"**{'met' if rate >= TARGET else 'missed'}** ({rate:.0f}/s)"


INTRO = """Accepted cases are queued by the accept hook and pushed by the outbox worker (threads in one process) as
GeoReport v2 POSTs. Throughput goes to our own `chengguan serve` in a second process (each POST creates a case
in its own SQLite database), from worker threads in one process; the drain goes from worker processes to the
stand-in platform from the tests (in the benchmark's process), which does no work and never deduplicates. The
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
