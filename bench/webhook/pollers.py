"""Anonymous Open311 clients for `python -m bench.webhook --readers N`: each polls the 1,000-case
listing back to back while residents' messages arrive at a fixed rate.

They run in a process of their own that imports nothing of the service (a spawned child imports
this module only), each from its own loopback address (127.0.0.2, .3 …, as N clients on N hosts
would be): in the load generator's process their threads would compete with the webhook senders
for the interpreter lock and show up as webhook latency.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass, field

import urllib3

LISTING = "/open311/v2/requests.json"
WARM_UP_S = 3  # the child's start and the server's first build of the listing, before measuring


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
    its Retry-After has passed), without If-None-Match: every 200 carries the whole body. They poll
    only between `resume()` and `pause()`, so quiet and busy periods can alternate on one server."""

    def __init__(self, base: str, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop, self._active = context.Event(), context.Event()
        self._results = context.Queue()
        self._process = context.Process(target=_poll_all, daemon=True,
                                        args=(base, count, self._stop, self._active, self._results))
        self.stats = ReaderStats()

    def __enter__(self) -> Readers:
        self._active.set()  # the child's start and the server's first build of the listing, not measured
        self._process.start()
        time.sleep(WARM_UP_S)
        self._active.clear()
        return self

    def resume(self) -> None:
        self._active.set()

    def pause(self) -> None:
        self._active.clear()

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._active.set()
        self.stats = self._results.get(timeout=120)
        self._process.join(timeout=30)


def _poll_all(base: str, count: int, stop, active, results) -> None:  # type: ignore[no-untyped-def]
    stats, lock = ReaderStats(), threading.Lock()

    def poll(address: str) -> None:
        http = urllib3.PoolManager(maxsize=1, retries=False, timeout=60, source_address=(address, 0))
        while active.wait() and not stop.is_set():
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
