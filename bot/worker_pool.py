"""`chengguan worker --concurrency N`: N worker threads in one process, each claiming its own jobs from
the outbox (FOR UPDATE SKIP LOCKED on PostgreSQL, so no job runs twice), sharing one connection pool and
one scheduler. Downloads, uploads and platform calls wait on the network, and photocheck's image work
runs in numpy and OpenCV outside the GIL, so threads overlap; for more CPU run more worker processes."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from bot.config import Config, ConfigError
from bot.service import Service
from bot.worker import JobHandler, JobKind, Worker

MAX_CONCURRENCY = 4  # each thread may hold two pooled connections (job and lease heartbeat): bot.db's pool fits 4


def check_concurrency(config: Config, count: int) -> None:
    if count > 1 and config.is_embedded_sqlite:
        raise ConfigError(
            "SQLite 一次只允许一个写入: --concurrency 大于 1 需要 PostgreSQL (DATABASE_URL=postgresql://…)")


def run_workers(service: Service, handlers: Mapping[str, JobHandler | JobKind], count: int,
                stop: threading.Event) -> None:
    """Run `count` workers until `stop` is set; returns once each has finished the job in hand."""
    if count == 1:
        Worker(service, handlers).run_forever(stop)
        return
    threads = [threading.Thread(target=Worker(service, handlers).run_forever, args=(stop,), name=f"worker-{n}")
               for n in range(1, count + 1)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)  # wakes for Ctrl-C; SIGTERM's handler sets `stop`
    finally:
        stop.set()
        for thread in threads:
            thread.join()
