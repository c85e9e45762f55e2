"""`python -m bench.scale [--rates 25,50,100,150,200] [--seconds 5] [--database-url postgresql+psycopg://…]`

The scale path on one machine: 2 web processes (`chengguan serve --web-only`, two ports) and 2 worker
processes (`chengguan worker`), four data dirs as on four hosts, one PostgreSQL database, photos in an
S3-compatible bucket (moto's server on loopback). The mixed webhook load of bench.webhook at increasing
rates, messages spread over both ports; in the same run, the same load against one `chengguan serve`
(web plus embedded worker) on the same PostgreSQL server and store, and against bench.webhook's echo
baseline. After each service's sweep its outbox is drained and checked: every message answered once,
every photo fetched, fingerprinted and stored once, every stored photo in the bucket, every push sent
once. Writes the section "scale: 2 web + 2 worker processes" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from bench.scale.infra import new_bucket, object_store, postgres_server, store_env
from bench.scale.photos import distinct_photos
from bench.scale.report import Outcome, write
from bench.scale.topology import TOKEN, echo, single_serve, web_and_workers
from bench.scale.traffic import sweep
from bench.scale.verify import check, wait_drained
from bot.simulator.api import running_api
from tests.databases import fresh_database

Topology = Callable[[dict[str, str], Path], AbstractContextManager[list[str]]]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--rates", default="25,50,100,150,200", help="messages per second, in this order")
    parser.add_argument("--seconds", type=float, default=5, help="per rate")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server; default: a throwaway one")
    parser.add_argument("--photos", type=int, default=24, help="distinct pictures the image messages carry")
    parser.add_argument("--drain-timeout", type=float, default=900, help="seconds to wait for the workers")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    load_before = os.getloadavg()
    pictures = distinct_photos(args.photos)
    with postgres_server(args.database_url) as server, object_store() as endpoint, \
            tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        outcomes = [_measure("2 web + 2 workers", web_and_workers, server, endpoint, root, pictures, rates, args),
                    _measure("1 serve", single_serve, server, endpoint, root, pictures, rates, args)]
        with running_api() as api, echo() as bases:
            echo_runs, _ = sweep(bases, [api.add_media(p) for p in pictures], rates, args.seconds, "echo")
    for outcome in outcomes:
        print(f"{outcome.label}: {'all checks passed' if outcome.check.ok else 'CHECKS FAILED'}: {outcome.check.summary()}")
    if not args.no_write:
        write(outcomes, echo_runs, args, load_before, os.getloadavg(), len(pictures))


def _measure(label: str, topology: Topology, server: str, endpoint: str, root: Path, pictures: list[bytes],
             rates: list[float], args: argparse.Namespace) -> Outcome:
    with fresh_database(server, prefix="chengguan_scale") as url, running_api() as api:
        bucket = new_bucket(endpoint)
        media = [api.add_media(p) for p in pictures]
        common = {"DATABASE_URL": url, "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": api.app_id,
                  "WECHAT_APP_SECRET": api.app_secret, "WECHAT_API_BASE": api.base_url,
                  "WECHAT_ENCODING_AES_KEY": "", "CHENGGUAN_PHOTO_HOSTS": api.base_url.removeprefix("http://"),
                  "CHENGGUAN_SECRET_KEY": "bench-scale-shared-key", **store_env(endpoint, bucket)}
        before = os.times()
        with topology(common, root / label.replace(" ", "_")) as bases:
            runs, answers = sweep(bases, media, rates, args.seconds, label.replace(" ", ""))
            drained = wait_drained(url, args.drain_timeout)
        after = os.times()  # every process of the topology has exited and been waited for: its CPU is counted
        cpu = after.children_user - before.children_user + after.children_system - before.children_system
        return Outcome(label, runs, check(url, endpoint, bucket, api, answers, drained), cpu)


if __name__ == "__main__":
    main()
