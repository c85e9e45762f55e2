"""Anonymous Open311 readers beside the webhooks (`python -m bench.webhook --readers 6`): a listing of
1,000 cases polled back to back by N clients while residents' messages arrive at a fixed rate.

The readers run in their own process, each from its own loopback address (127.0.0.2, .3 …, as N
clients on N hosts would be): in the load generator's process their threads would compete with
the webhook senders for the interpreter lock and show up as webhook latency.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from dataclasses import dataclass, field

import urllib3

from bot.config import Config
from bot.db import transaction
from bot.migrate import upgrade
from bot.service import Service
from models import AuditEvent, Case, CaseSource, CaseStatus, next_case_number
from models.base import utcnow

LISTING = "/open311/v2/requests.json"


def seed_cases(data_dir: str, count: int) -> None:
    """`count` open cases with their first audit event, as Open311 and chat reports leave them."""
    config = Config.from_env({"CHENGGUAN_DATA_DIR": data_dir, "DATABASE_URL": ""})
    upgrade(config.database_url)
    service = Service.build(config)
    now = utcnow()
    with transaction(service.sessions) as session:
        for n in range(count):
            case = Case(number=next_case_number(session, now), source=CaseSource.HOTLINE, category_code="E0102",
                        description=f"路口有一堆生活垃圾, 第 {n} 处, 已影响通行", lat=39.9 + random.random() / 100,
                        lon=116.3 + random.random() / 100, address=f"长安街{n}号", status=CaseStatus.REPORTED)
            session.add(case)
            session.flush()
            session.add(AuditEvent(case_id=case.id, action="report", to_status=CaseStatus.REPORTED,
                                   note="经 Open311 接口提交"))
    service.dispose()


@dataclass
class ReaderStats:
    answers: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    bytes_read: int = 0

    def median_ms(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[len(ordered) // 2] if ordered else float("nan")


class Readers:
    """N clients, each GETting the listing again as soon as the last answer arrived (after a 429, once
    its Retry-After has passed), without If-None-Match: every 200 carries the whole body."""

    def __init__(self, base: str, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results = context.Queue()
        self._process = context.Process(target=_poll_all, args=(base, count, self._stop, self._results), daemon=True)
        self.stats = ReaderStats()

    def __enter__(self) -> Readers:
        self._process.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self.stats = self._results.get(timeout=120)
        self._process.join(timeout=30)


def _poll_all(base: str, count: int, stop, results) -> None:  # type: ignore[no-untyped-def]
    stats, lock = ReaderStats(), threading.Lock()

    def poll(address: str) -> None:
        http = urllib3.PoolManager(maxsize=1, retries=False, timeout=60, source_address=(address, 0))
        while not stop.is_set():
            started = time.perf_counter()
            response = http.request("GET", base + LISTING)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                stats.answers[response.status] = stats.answers.get(response.status, 0) + 1
                stats.latencies_ms.append(elapsed)
                stats.bytes_read += len(response.data)
            if response.status == 429:  # a client that honours Retry-After, as Open311 clients should
                stop.wait(float(response.headers.get("Retry-After", "1")))

    threads = [threading.Thread(target=poll, args=(f"127.0.0.{n + 2}",)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(stats)
