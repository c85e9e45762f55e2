"""`python -m bench.uplink [--items 10000] [--rounds 3] [--adapters spec,peer,vendor] [--processes 1,2,4]
[--database-url postgresql://…]`

1. Sustained throughput: M accepted cases pushed to our own `chengguan serve` (second process), with
   1 and 4 worker threads; the median of the rounds.
2. 10,000 queued pushes drained by 1, 2, 4 worker processes against each stand-in platform (the spec-true
   one, the peer-like one that answers tokens only, so every case also needs its id found in a 100-per-page
   request list, and the 数字城管-style vendor interface through the szcg mapping): time, rate, duplicates
   (must be 0), ids resolved; beside each, the bare loop (the same processes claiming and completing the same
   number of queued jobs with a handler that sends nothing), for the ratio.
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
from bench.uplink.run import drain, resolved
from bench.uplink.setup import database, queue_accepted_cases, stand_in_service, uplink_service, vendor_grid


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.uplink")
    parser.add_argument("--items", type=int, default=10_000, help="queued pushes to drain")
    parser.add_argument("--throughput-items", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="1,4", help="worker threads for the throughput to our own server")
    parser.add_argument("--processes", default="1,2,4", help="worker processes for the drain")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument("--adapters", default="spec,peer,vendor", help="stand-ins to drain to: spec, peer, vendor")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")] if args.rounds else []
    processes = [int(n) for n in args.processes.split(",")]
    db_name = "PostgreSQL" if args.database_url else "SQLite"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        throughput = {w: _throughput(root, args, w) for w in workers}
        drains = {(kind, n): (_drain_many(root, args, kind, n), _drain_many(root, args, kind, n, bare=True))
                  for kind in args.adapters.split(",") for n in processes}
    lines = {w: f"{statistics.median(rates):.0f}/s (rounds: {', '.join(f'{r:.0f}' for r in rates)})"
             for w, rates in throughput.items()}
    for w, line in lines.items():
        print(f"throughput to our own server, {w} worker(s), {db_name}: {line}")
    for (kind, n), (big, bare) in drains.items():
        print(f"drain {big['items']} items to the {kind} stand-in, {n} worker processes: {big['seconds']:.1f} s, "
              f"{big['rate']:.0f}/s, duplicates {big['duplicates']}, missing {big['missing']}, "
              f"ids resolved {big['resolved']}; bare loop {bare['rate']:.0f}/s, ratio {big['rate'] / bare['rate']:.2f}; "
              f"worker CPU {big['worker_ms']:.2f} ms/push (bare {bare['worker_ms']:.2f}), "
              f"stand-in CPU {big['platform_ms']:.2f} ms/push")
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
            filed = filed_on_our_server(url, key)
            assert result.done == len(numbers) and all(filed[x] == 1 for x in numbers), "lost or duplicated"
            rates.append(result.rate)
            service.engine.dispose()
    return rates


def _drain_many(root: Path, args: argparse.Namespace, kind: str, processes: int, *,
                bare: bool = False) -> dict[str, float]:
    folder = root / f"drain-{kind}-{processes}{'-bare' if bare else ''}"
    with stand_in(kind) as platform, database(args.database_url) as db:
        service = stand_in_service(kind, db, folder, platform.url)
        numbers = queue_accepted_cases(service, args.items, **(vendor_grid(service) if kind == "vendor" else {}))
        result = drain_with_processes(kind, db, folder, platform.url, len(numbers), processes, bare=bare)
        filed = filed_on_stand_in(platform)
        ids = resolved(service)
        service.engine.dispose()
    duplicates = sum(count - 1 for count in filed.values() if count > 1)
    missing = 0 if bare else sum(1 for x in numbers if filed[x] == 0)
    return {"items": len(numbers), "seconds": result.seconds, "rate": result.rate, "duplicates": duplicates,
            "missing": missing, "posts": platform.posts, "parked": result.parked, "resolved": ids,
            "worker_ms": 1000 * result.worker_cpu / len(numbers), "platform_ms": 1000 * result.platform_cpu / len(numbers)}


if __name__ == "__main__":
    main()
