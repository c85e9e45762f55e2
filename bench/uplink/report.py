"""The `## uplink` section of bench/RESULTS.md (other sections are left as they are)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "RESULTS.md"


ADAPTERS = {"spec": "spec-true stand-in", "peer": "peer-like stand-in (tokens only, id found in a 100-per-page list)",
            "vendor": "数字城管-style vendor stand-in (szcg mapping, HMAC, every field checked)"}


def write(db_name: str, args: argparse.Namespace, lines: dict[int, str], drains: dict[str, dict[str, float]]) -> None:
    machine = (f"{platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
               f"load average {os.getloadavg()[0]:.1f} at the end (other work shares the cores)")
    rows = "\n".join(f"| {w} | {args.throughput_items} | {line} |" for w, line in lines.items())
    drain_rows = "\n".join(
        f"| {ADAPTERS.get(kind, kind)} | {d['items']:.0f} | **{d['seconds']:.1f} s** | {d['rate']:.0f}/s | {d['posts']:.0f} "
        f"| **{d['duplicates']:.0f}** | {d['missing']:.0f} | {d['parked']:.0f} | {d['resolved']:.0f} |"
        for kind, d in drains.items())
    body = f"""Machine: {machine}. `python -m bench.uplink{' --database-url …' if args.database_url else ''}`,
median of {args.rounds} rounds.

| workers | cases per round | sustained throughput to our own server, median (rounds) |
| --- | --- | --- |
{rows}

| drain of queued pushes, {max(int(d['workers']) for d in drains.values())} workers | items | time | rate | POSTs | duplicates | missing | parked | ids resolved |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{drain_rows}
"""
    update_results(RESULTS, db_name, body)


INTRO = """Accepted cases are queued by the accept hook and pushed by the outbox worker (threads in one process) as
GeoReport v2 POSTs. Throughput goes to our own `chengguan serve` in a second process (each POST creates a case
in its own SQLite database); the drain goes to the in-process stand-in platforms from the tests, which do no
work and never deduplicate (they share the interpreter with the workers, which bounds the drain rate): the
spec-true one answers each POST with the request id; the peer-like one answers a token only and has no
tokens/ endpoint, so each case also takes a token job that finds its id in the 100-per-page request list. The
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
