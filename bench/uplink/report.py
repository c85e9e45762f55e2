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
TARGET = 500  # pushes per second to the spec-true stand-in, 4 worker processes, PostgreSQL

ADAPTERS = {"spec": "spec-true", "peer": "peer-like", "vendor": "数字城管-style vendor"}

Drains = dict[tuple[str, int], tuple[dict[str, float], dict[str, float]]]  # (adapter, processes): (drain, bare loop)


HEADER = ("| stand-in | worker processes | pushes | drain time | rate | bare loop | ratio | POSTs received | duplicates "
          "| missing | parked | ids resolved | worker CPU per push (bare) | stand-in CPU per push "
          "| run ended (UTC, 1-min load) |")


def write(db_name: str, args: argparse.Namespace, lines: dict[int, str], drains: Drains) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    now = dt.datetime.now(dt.UTC)
    machine = (f"{platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} cores "
               f"(1/5/15-min load average at the end: {load}; other work shares the cores), "
               f"Python {platform.python_version()}, {now:%Y-%m-%d %H:%M} UTC")
    rows = "\n".join(f"| {w} | {args.throughput_items} | {line} |" for w, line in lines.items())
    throughput = f"""| workers | cases per round | sustained throughput to our own server, median (rounds) |
| --- | --- | --- |
{rows}
""" if lines else "(throughput to our own server not measured in this run: `--rounds 0`)\n"
    measured = f"{now:%m-%d %H:%M}, {os.getloadavg()[0]:.0f}"
    new_rows = {(ADAPTERS.get(kind, kind), str(n)): (
        f"| {ADAPTERS.get(kind, kind)} | {n} | {big['items']:.0f} | {big['seconds']:.1f} s | **{big['rate']:.0f}/s** "
        f"| {bare['rate']:.0f}/s | {big['rate'] / bare['rate']:.2f} | {big['posts']:.0f} | **{big['duplicates']:.0f}** "
        f"| {big['missing']:.0f} | {big['parked']:.0f} | {big['resolved']:.0f} "
        f"| {big.get('worker_ms', 0):.2f} ms ({bare.get('worker_ms', 0):.2f} ms) | {big.get('platform_ms', 0):.2f} ms "
        f"| {measured} |")
        for (kind, n), (big, bare) in drains.items()}
    previous = _previous(RESULTS, db_name)
    table = _earlier_rows(previous) | new_rows  # a run of some adapters keeps the rows of the others
    drain_rows = "\n".join(table[key] for key in sorted(table, key=_row_order))
    command = (f"python -m bench.uplink --items {args.items} --rounds {args.rounds} --processes {args.processes} "
               f"--adapters {args.adapters}{' --database-url …' if args.database_url else ''}")
    verdict = _verdict(db_name, drains)
    claim = f"Target ≥ {TARGET}/s to the spec-true stand-in with 4 worker processes on PostgreSQL: "
    if ("spec", 4) not in drains and (earlier := re.search(rf"^{re.escape(claim)}(.*)\.$", previous, re.M)):
        verdict = earlier.group(1)  # measured by an earlier run, in its row
    body = f"""Machine: {machine}. `{command}`{f", median of {args.rounds} rounds" if lines else ""}.

{throughput}
Drain of queued pushes by worker processes (batch claims of {BATCH}) to each stand-in, against the bare loop (the
same processes claiming and completing the same number of queued jobs with a handler that sends nothing, its
batch completed at once like the pushes'), same run. Rows of earlier runs (other adapters) stay, each with its
own date and load; the drain time is the time to empty a queue of that many pushes (issue #18). CPU per push is
steadier than the rates on a shared, loaded machine: the worker processes' CPU (the bare loop's in brackets)
and the benchmark process's, which serves the stand-in:

{HEADER}
|{" --- |" * HEADER.count(" |")}
{drain_rows}

{claim}{verdict}.
"""
    update_results(RESULTS, db_name, body)


def _previous(path: Path, db_name: str) -> str:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    found = re.search(rf"^## uplink\n.*?^### {re.escape(db_name)}\n(.*?)(?=^##|\Z)", text, re.S | re.M)
    return found.group(1) if found else ""


def _earlier_rows(previous: str) -> dict[tuple[str, str], str]:
    """The drain rows of an earlier run in this format, by (stand-in, processes)."""
    rows = {}
    for line in previous.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0] in ADAPTERS.values() and len(cells) == HEADER.count(" |"):
            rows[(cells[0], cells[1])] = line
    return rows


def _row_order(key: tuple[str, str]) -> tuple[int, int]:
    names = list(ADAPTERS.values())
    return (names.index(key[0]) if key[0] in names else len(names), int(key[1]) if key[1].isdigit() else 0)


def _verdict(db_name: str, drains: Drains) -> str:
    if db_name != "PostgreSQL" or ("spec", 4) not in drains:
        return "not measured in this run (it takes PostgreSQL and a 4-process drain to the spec-true stand-in)"
    rate = drains[("spec", 4)][0]["rate"]
    return f"**{'met' if rate >= TARGET else 'missed'}** ({rate:.0f}/s)"


INTRO = """Accepted cases are queued by the accept hook and pushed by the outbox worker as GeoReport v2 POSTs (or,
for the vendor, the szcg mapping's signed JSON). Throughput goes to our own `chengguan serve` in a second process
(each POST creates a case in its own SQLite database), from worker threads in one process. The drain goes from
worker processes to the stand-in platforms from the tests (in the benchmark's process), which do no work and
never deduplicate: the spec-true one answers each POST with the request id; the peer-like one answers a token
only and has no tokens/ endpoint, so each case also takes a token job that finds its id in the 100-per-page
request list; the vendor one checks every field of the szcg mapping. Rates are cases per second; the bare loop's
is jobs per second. The client database is the one named in each subsection.
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
    path.write_text(text, encoding="utf-8")  # not stripped: the sections after this one stay to the letter
