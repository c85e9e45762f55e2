"""An open-loop load generator: messages are sent on a fixed schedule whatever the server's speed,
so a slow server shows up as latency (not as a politely lower rate)."""

from __future__ import annotations

import gc
import itertools
import random
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

import urllib3

from bot.simulator.user import WeChatUser


@dataclass(frozen=True)
class LightResponse:
    status_code: int
    text: str


class LightHTTP:
    """The POST a simulated user makes, on urllib3: about 0.3 ms of client CPU per request against
    httpx's 0.8 ms. The generator shares the server's two cores, so its own cost shows up as
    server latency; the requests are the same signed WeChat messages either way."""

    def __init__(self, connections: int = 64) -> None:
        self.pool = urllib3.PoolManager(maxsize=connections, retries=False, timeout=30)

    def post(self, url: str, *, params: dict[str, str], content: bytes, headers: dict[str, str]) -> LightResponse:
        response = self.pool.request("POST", f"{url}?{urlencode(params)}", body=content, headers=headers)
        return LightResponse(response.status, response.data.decode())


@dataclass
class RunResult:
    rate: float
    sent: int
    ok: int
    seconds: float
    latencies_ms: list[float]
    lags_ms: list[float] = field(default_factory=list)  # how late each send started against its due time
    loop_lags_ms: list[float] = field(default_factory=list)  # how late the schedule handed it to a thread
    cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds per process role (bench.webhook.cpu)

    @property
    def achieved(self) -> float:
        return self.ok / self.seconds

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    def lag(self, p: float) -> float:
        """The generator's own lateness: its p-th percentile. Latency counts from the due time, so a late
        send (threads busy, the GIL held elsewhere in the generator's process) shows up as the server's."""
        return percentile(self.lags_ms, p)

    def loop_lag(self, p: float) -> float:
        """The schedule's own lateness (its loop descheduled or waiting for the interpreter lock), without
        the wait for a free sending thread that a slow server causes."""
        return percentile(self.loop_lags_ms, p)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by nearest rank (NaN without values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def run(send_one: Callable[[int], int], rate: float, seconds: float, workers: int = 64) -> RunResult:
    """Call send_one(i) at `rate` per second for `seconds`; it returns the HTTP status."""
    total = int(rate * seconds)
    latencies: list[float] = []
    lags: list[float] = []
    loop_lags: list[float] = []
    ok = 0
    lock = threading.Lock()

    def task(i: int, due: float) -> None:
        nonlocal ok
        lag = (time.perf_counter() - due) * 1000
        status = send_one(i)
        elapsed = (time.perf_counter() - due) * 1000  # from the scheduled send time: queueing counts
        with lock:
            latencies.append(elapsed)
            lags.append(lag)
            ok += status == 200

    # A full collection here walked every object of the generator's libraries and its stand-in (93 ms in one
    # run at 750 msg/s, bench.webhook.timeline), sending nothing meanwhile: what exists now is left out of them.
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            loop_lags.append((time.perf_counter() - due) * 1000)
            pool.submit(task, i, due)
    return RunResult(rate, total, ok, time.perf_counter() - start, latencies, lags, loop_lags)


def mixed_sender(users: list[WeChatUser], pic: tuple[str, str]) -> Callable[[int], int]:
    """Text, location and image messages from many residents (60/20/20)."""
    kinds = itertools.cycle(["text", "text", "text", "location", "image"])
    lock = threading.Lock()

    def send(i: int) -> int:
        with lock:
            kind = next(kinds)
        user = users[i % len(users)]
        if kind == "text":
            return user.send_text(random.choice(["帮助", "查询", "路口有人占道经营"])).status
        if kind == "location":
            return user.send_location(39.9 + random.random() / 100, 116.3 + random.random() / 100, "某路").status
        return user.send_image(*pic).status

    return send
