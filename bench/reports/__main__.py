"""`python -m bench.reports [--cases 100000] [--streets 50] [--repeats 3]`

Times (median of repeats) and peak memory of: one digest round for every street group (build +
queue), the monthly assessment, the Excel ledger and the ranking chart. Writes the `## reports`
section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete

from bench.reports.data import populate
from bench.results import machine, write_section
from bot.assessment.period import Month
from bot.assessment.report import build_report
from bot.config import Config
from bot.db import transaction
from bot.migrate import upgrade
from bot.reminders.schedule import run_digests
from bot.reports.chart import ranking_png
from bot.reports.ledger import write_ledger
from bot.service import Service
from models import OutboxJob, SentDigest
from models.calendar import TZ

NOW = datetime(2026, 11, 30, 8, 30, tzinfo=TZ)  # a Monday
MONTH = Month(2026, 11)


def measure(step: Callable[[], object], repeats: int, reset: Callable[[], None] = lambda: None) -> tuple[float, float]:
    """(median seconds, peak traced MiB): timed runs without tracing, then one traced run."""
    times = []
    for _ in range(repeats):
        reset()
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    reset()
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--streets", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        service = Service.build(Config.from_env({"DATABASE_URL": url, "CHENGGUAN_DATA_DIR": folder}))
        began = time.perf_counter()
        with transaction(service.sessions) as session:
            populate(session, args.cases, args.streets)
        setup = time.perf_counter() - began

        def reset_digests() -> None:
            with transaction(service.sessions) as session:
                session.execute(delete(OutboxJob))
                session.execute(delete(SentDigest))

        def digests() -> None:
            assert run_digests(service, NOW) == args.streets

        def report() -> object:
            with service.sessions() as session:
                return build_report(session, MONTH)

        figures = {"daily digests (build + queue, all groups)": measure(digests, args.repeats, reset_digests),
                   "monthly assessment (load + indicators + ranking)": measure(report, args.repeats)}
        built = report()
        xlsx = Path(folder) / "ledger.xlsx"
        figures["Excel ledger (台账)"] = measure(lambda: write_ledger(built, xlsx), args.repeats)  # type: ignore[arg-type]
        figures["ranking chart (PNG)"] = measure(lambda: ranking_png(built), args.repeats)  # type: ignore[arg-type]
        size = xlsx.stat().st_size / 2**20
        in_month = len(built.cases)  # type: ignore[attr-defined]
        service.engine.dispose()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [f"{args.cases:,} cases, {args.streets} streets, SQLite; median of {args.repeats}; {machine()}", "",
             "| step | median | peak traced memory |", "| --- | --- | --- |"]
    lines += [f"| {name} | {sec:.2f} s | {peak:.1f} MiB |" for name, (sec, peak) in figures.items()]
    lines += ["", f"Data set written in {setup:.1f} s (bulk inserts). The month had {in_month:,} cases in its ledger "
              f"({size:.1f} MiB xlsx). Process peak RSS {maxrss:.0f} MiB (ru_maxrss, includes the data generation)."]
    print("\n".join(lines))
    if not args.no_write:
        write_section("reports", "\n".join(lines))


if __name__ == "__main__":
    main()
