"""Per-client limits on the anonymous read API: a client address that asks too often gets 429 with
Retry-After before any database work is done.

Kept in this process's memory (the `limits` library's moving window): the web server is one
process, and a read limit only has to protect that process's time, not be exact across hosts.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.open311.errors import Open311Error


class ReadThrottle:
    def __init__(self, limit: str) -> None:
        self.item: RateLimitItem = parse(limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, client: str) -> None:
        """Count one read by `client`; raise 429 when it is over the limit."""
        if self.limiter.hit(self.item, "open311-read", client):
            return
        reset_at = self.limiter.get_window_stats(self.item, "open311-read", client).reset_time
        wait = max(1, math.ceil(reset_at - time.time()))
        raise Open311Error(
            429, f"too many requests from {client}: at most {self.item} (请求过于频繁, 请 {wait} 秒后再试); "
                 "poll less often and send If-None-Match", retry_after=wait)
