"""Rates such as "120/minute" and an in-memory limiter for them (GCRA: one timestamp per client).

Why not the `limits` library's memory storage: it starts a timer thread every 10 ms while requests
arrive, and each start waits for the interpreter lock, in the process that answers the webhooks.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*(second|minute|hour|day)s?\s*$", re.I)


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'120/minute', '10/second', '5/10 minutes', '1000 per day'; ValueError otherwise."""
        match = _RATE.match(text)
        if not match or int(match[1]) <= 0 or match[2] == "0":
            raise ValueError(f"{text!r} is not a rate such as 120/minute")
        return cls(int(match[1]), int(match[2] or 1) * UNITS[match[3].lower()], text.strip())

    def __str__(self) -> str:
        return self.text


MAX_BURST = 20


class MemoryLimiter:
    """`rate.amount` requests per key in `rate.seconds`, spread out: one every seconds/amount, with a
    burst of up to MAX_BURST at once (a whole minute's 120 at once would let six clients fetch 720
    listings in a few seconds). State is this process's: for limits that protect its own time."""

    def __init__(self, rate: Rate, max_keys: int = 100_000, burst: int = MAX_BURST) -> None:
        self.rate, self.max_keys = rate, max_keys
        self._interval = rate.seconds / rate.amount
        self._tolerance = self._interval * (min(burst, rate.amount) - 1)
        self._next_free: dict[str, float] = {}  # GCRA's theoretical arrival time per key
        self._lock = threading.Lock()

    def wait_seconds(self, key: str, now: float | None = None) -> float:
        """0.0 when a request by `key` fits now (it is counted); else how long until one would."""
        now = time.monotonic() if now is None else now
        with self._lock:
            arrival = max(self._next_free.get(key, now), now)
            if arrival - now > self._tolerance:
                return arrival - self._tolerance - now
            self._next_free[key] = arrival + self._interval
            if len(self._next_free) > self.max_keys:
                self._forget_idle(now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        self._next_free = {k: t for k, t in self._next_free.items() if t > now}
        if len(self._next_free) > self.max_keys:  # more clients than we keep: start afresh rather than grow
            self._next_free.clear()
