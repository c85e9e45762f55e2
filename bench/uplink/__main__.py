"""`python -m bench.uplink [--items 10000] [--rounds 3] [--database-url postgresql://…]`

1. Sustained throughput: M accepted cases pushed to our own `chengguan serve` (second process), with
   1 and 4 worker threads; the median of the rounds.
2. 10,000 queued pushes drained against each stand-in platform (the spec-true one, the peer-like one that
   answers tokens only, so every case also needs its id found in a 100-per-page request list, and the
   数字城管-style vendor interface through the szcg mapping): time, rate, duplicates (must be 0), ids resolved.
Writes the `## uplink` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.uplink.platforms import filed_on_our_server, filed_on_stand_in, our_server, stand_in
from bench.uplink.report import write
from bench.uplink.run import drain, resolved
from bench.uplink.setup import database, queue_accepted_cases, uplink_service, vendor_service


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.uplink")
    parser.add_argument("--items", type=int, default=10_000, help="queued pushes to drain")
    parser.add_argument("--throughput-items", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL; default SQLite")
    parser.add_argument("--adapters", default="spec,peer,vendor", help="stand-ins to drain to: spec, peer, vendor")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    db_name = "PostgreSQL" if args.database_url else "SQLite"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        throughput = {w: _throughput(root, args, w) for w in workers}
        drains = {kind: _drain_many(root, args, max(workers), kind) for kind in args.adapters.split(",")}
    lines = {w: f"{statistics.median(rates):.0f}/s (rounds: {', '.join(f'{r:.0f}' for r in rates)})"
             for w, rates in throughput.items()}
    for w, line in lines.items():
        print(f"throughput to our own server, {w} worker(s), {db_name}: {line}")
    for kind, big in drains.items():
        print(f"drain {big['items']} items to the {kind} stand-in, {big['workers']} workers: {big['seconds']:.1f} s, "
              f"{big['rate']:.0f}/s, duplicates {big['duplicates']}, missing {big['missing']}, "
              f"ids resolved {big['resolved']}")
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


def _drain_many(root: Path, args: argparse.Namespace, workers: int, kind: str) -> dict[str, float]:
    with stand_in(kind) as platform, database(args.database_url) as db:
        if kind == "vendor":
            service, fields = vendor_service(db, root / f"drain-{kind}", platform.url)
        else:
            service, fields = uplink_service(db, root / f"drain-{kind}", platform.url, "standin-key"), {}
        numbers = queue_accepted_cases(service, args.items, **fields)
        result = drain(service, len(numbers), workers)
        filed = filed_on_stand_in(platform)
        ids = resolved(service)
        service.engine.dispose()
    duplicates = sum(count - 1 for count in filed.values() if count > 1)
    missing = sum(1 for x in numbers if filed[x] == 0)
    return {"items": len(numbers), "workers": workers, "seconds": result.seconds, "rate": result.rate,
            "duplicates": duplicates, "missing": missing, "posts": platform.posts, "parked": result.parked,
            "resolved": ids}


if __name__ == "__main__":
    main()
