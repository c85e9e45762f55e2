"""`python -m bench.uplink [--items 10000] [--rounds 3] [--database-url postgresql://…]`

1. Sustained throughput: M accepted cases pushed to our own `chengguan serve` (second process), with
   1 and 4 worker threads; the median of the rounds.
2. 10,000 queued pushes drained against the stand-in platform by 1, 2, 4 worker processes: time, rate, and
   duplicates (must be 0); beside each, the bare loop (the same claims and completions, no HTTP) on the same
   number of queued jobs, for the ratio.
Writes the `## uplink` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.uplink.platforms import filed_on_our_server, filed_on_stand_in, our_server, stand_in
from bench.uplink.processes import drain_with_processes
from bench.uplink.report import write
from bench.uplink.run import drain
from bench.uplink.setup import database, queue_accepted_cases, uplink_service


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.uplink")
    parser.add_argument("--items", type=int, default=10_000, help="queued pushes to drain")
    parser.add_argument("--throughput-items", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="1,4", help="worker threads for the throughput to our own server")
    parser.add_argument("--processes", default="1,2,4", help="worker processes for the drain")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")] if args.rounds else []
    processes = [int(w) for w in args.processes.split(",")]
    db_name = "PostgreSQL" if args.database_url else "SQLite"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        throughput = {w: _throughput(root, args, w) for w in workers}
        drains = {w: (_drain_many(root, args, w), _drain_many(root, args, w, bare=True)) for w in processes}
    lines = {w: f"{statistics.median(rates):.0f}/s (rounds: {', '.join(f'{r:.0f}' for r in rates)})"
             for w, rates in throughput.items()}
    for w, line in lines.items():
        print(f"throughput to our own server, {w} worker(s), {db_name}: {line}")
    for w, (big, bare) in drains.items():
        print(f"drain {big['items']} items, {w} worker processes: {big['seconds']:.1f} s, {big['rate']:.0f}/s, "
              f"duplicates {big['duplicates']}, missing {big['missing']}; bare loop {bare['rate']:.0f}/s, "
              f"ratio {big['rate'] / bare['rate']:.2f}")
    if not args.no_write:
        write(db_name, args, lines, drains)


def _throughput(root: Path, args: argparse.Namespace, workers: int) -> list[float]:
    rates = []
    for n in range(args.rounds):
        folder = root / f"tp{workers}-{n}"
        (folder / "platform").mkdir(parents=True)
        with our_server(folder / "platform") as (url, key), database(args.database_url) as db:
            service = uplink_service(db, folder / "data", url, key)
            numbers = queue_accepted_cases(service, args.throughput_items)
            result = drain(service, len(numbers), workers)
            filed = filed_on_our_server(url)
            assert result.done == len(numbers) and all(filed[x] == 1 for x in numbers), "lost or duplicated"
            rates.append(result.rate)
            service.engine.dispose()
    return rates


def _drain_many(root: Path, args: argparse.Namespace, workers: int, *, bare: bool = False) -> dict[str, float]:
    folder = root / f"drain{workers}{'-bare' if bare else ''}"
    with stand_in() as platform, database(args.database_url) as db:
        platform.faults.token_mode = False
        service = uplink_service(db, folder, platform.url, "standin-key")
        numbers = queue_accepted_cases(service, args.items)
        service.engine.dispose()
        result = drain_with_processes(db, folder, platform.url, len(numbers), workers, bare=bare)
        filed = filed_on_stand_in(platform)
    duplicates = sum(count - 1 for count in filed.values() if count > 1)
    missing = 0 if bare else sum(1 for x in numbers if filed[x] == 0)
    return {"items": len(numbers), "workers": workers, "seconds": result.seconds, "rate": result.rate,
            "duplicates": duplicates, "missing": missing, "posts": platform.posts, "parked": result.parked,
            "done": result.done}


if __name__ == "__main__":
    main()
