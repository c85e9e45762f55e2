"""Per-client limits on the anonymous read API: a client address that asks too often gets 429 with
Retry-After before any database work is done. Kept in this process's memory (bot.rates): the web
server is one process, and a read limit only has to protect that process's time."""

from __future__ import annotations

import math

from bot.open311.errors import Open311Error
from bot.rates import MemoryLimiter, Rate


class ReadThrottle:
    def __init__(self, limit: str) -> None:
        self.limiter = MemoryLimiter(Rate.parse(limit))

    def check(self, client: str) -> None:
        """Count one read by `client`; raise 429 when it is over the limit."""
        wait = self.limiter.wait_seconds(client)
        if wait <= 0:
            return
        seconds = max(1, math.ceil(wait))
        raise Open311Error(
            429, f"too many requests from {client}: at most {self.limiter.rate} (请求过于频繁, 请 {seconds} 秒后再试); "
                 "poll less often and send If-None-Match", retry_after=seconds)
