"""The section "scale: 2 web + 2 worker processes" of bench/RESULTS.md."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from bench.results import machine, write_section
from bench.scale.verify import Check
from bench.webhook.load import RunResult

SECTION = "scale: 2 web + 2 worker processes"


@dataclass
class Outcome:
    label: str
    runs: list[RunResult]
    check: Check
    cpu_s: float  # user + system of all the service's processes, from start to stop

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_s * 1000 / self.check.messages


def write(outcomes: list[Outcome], echo: list[RunResult], args: argparse.Namespace,
          load_before: tuple[float, float, float], load_after: tuple[float, float, float], pictures: int) -> None:
    multi, single = outcomes
    rows = ["| rate (msg/s) | 2 web + 2 workers: sustained, p50 / p99 | 1 serve: sustained, p50 / p99 | "
            "echo: sustained, p50 / p99 | p99 2+2 ÷ 1 serve | p99 2+2 ÷ echo |",
            "| --- | --- | --- | --- | --- | --- |"]
    for m, s, e in zip(multi.runs, single.runs, echo, strict=True):
        rows.append(f"| {m.rate:.0f} | {_cell(m)} | {_cell(s)} | {_cell(e)} | "
                    f"{m.percentile(99) / s.percentile(99):.2f}× | {m.percentile(99) / e.percentile(99):.1f}× |")
    best = {o.label: max(r.achieved for r in o.runs) for o in outcomes} | {"echo": max(r.achieved for r in echo)}
    checks = "\n".join(f"- {o.label}: **{'passed' if o.check.ok else 'FAILED'}**: {o.check.summary()}."
                       for o in outcomes)
    body = (
        f"Machine: {machine()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"(other work shares the 2 cores).\n\n"
        f"`python -m bench.scale --rates {args.rates} --seconds {args.seconds:g}`: PostgreSQL 15 (a throwaway "
        f"cluster, fsync off, as .ci/start-postgres) and photos in an S3 bucket (moto's server, its own process). "
        f"**2 web + 2 workers**: two `chengguan serve --web-only` on two ports and two `chengguan worker` at the "
        f"embedded worker's priority (photo analysis in a nice-10 child), four data dirs (as on four hosts), one database and bucket; separate "
        f"processes rather than one gunicorn with two workers, as two app hosts behind nginx run it "
        f"(docs/deploy.md). Message i goes to port i mod 2, so each resident writes to both. **1 serve**: one "
        f"`chengguan serve` (web plus embedded worker) on a fresh database of the same server and a fresh bucket. "
        f"**echo**: bench.webhook's baseline (signature check and echo, 8 threads). Load as bench.webhook: "
        f"open-loop, 60 % text, 20 % location, 20 % image messages ({pictures} distinct pictures) from 300 new "
        f"residents per rate, {args.seconds:g} s per rate, latency from the scheduled send time; the generator, "
        f"the WeChat stand-in the workers download from and the bucket share the 2 cores with the services.\n\n"
        + "\n".join(rows)
        + "\n\nHighest sustained rate: " + ", ".join(f"{label} {rate:.0f}/s" for label, rate in best.items())
        + f" (2+2 ÷ 1 serve: {best[multi.label] / best[single.label]:.2f}×; 2+2 ÷ echo: "
        f"{best[multi.label] / best['echo']:.2f}×).\n\n"
        "CPU time of all the service's processes from start to stop, steadier than latency on a shared machine "
        "(start-up of each interpreter and the drain included, so the 2+2 figure carries two more start-ups): "
        + ", ".join(f"{o.label} {o.cpu_s:.1f} s, {o.cpu_ms_per_message:.1f} ms per message" for o in outcomes)
        + f" (2+2 ÷ 1 serve: {multi.cpu_s / single.cpu_s:.2f}×).\n\n"
        "After the load each service's outbox was drained, then checked (database, bucket, WeChat stand-in):\n\n"
        + checks + "\n\n"
        "On one 2-core machine more processes add no CPU, so 2+2 cannot sustain much more than one process here, "
        "and with other work on the machine the latencies of one sweep against the next vary by 2× or more "
        "(they run one after the other). What the run shows: the scale path's cost per message (the CPU "
        "ratio above), and that nothing is lost or done twice when a resident's messages land on different "
        "web processes and two workers race for the same jobs. Throughput grows with hosts, which this "
        "machine cannot show."
    )
    write_section(SECTION, body)


def _cell(run: RunResult) -> str:
    return f"{run.achieved:.0f}/s ({run.ok}/{run.sent} ok), {run.p50:.0f} / {run.percentile(99):.0f} ms"
