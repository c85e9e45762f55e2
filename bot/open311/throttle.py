"""Limits on the anonymous read API, checked before any database work: per client address a rate
(429 with Retry-After past it), and over all clients a few reads at a time (429, retry in a second).

Both are kept in this process's memory (bot.rates): the web server is one process, and these limits
protect that process's time, which the webhooks need. Each read thread runs Python under the one
interpreter lock the webhook needs too; with six readers at once a webhook waited for it at every
database call. A read beyond the few is refused at once rather than queued, so waiting readers
never hold the server's threads.
"""

from __future__ import annotations

import math
import threading

from bot.open311.errors import Open311Error
from bot.rates import MemoryLimiter, Rate

READS_AT_ONCE = 2


class ReadThrottle:
    def __init__(self, limit: str, at_once: int = READS_AT_ONCE) -> None:
        self.limiter = MemoryLimiter(Rate.parse(limit))
        self._running = threading.BoundedSemaphore(at_once)

    def admit(self, client: str) -> None:
        """Count one read by `client` and take a place; raise 429 when either is over. A read
        that was admitted must call `done()`."""
        wait = self.limiter.wait_seconds(client)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise Open311Error(
                429, f"too many requests from {client}: at most {self.limiter.rate} "
                     f"(请求过于频繁, 请 {seconds} 秒后再试); poll less often and send If-None-Match",
                retry_after=seconds)
        if not self._running.acquire(blocking=False):
            raise Open311Error(429, "the server is busy with other readers; retry in a second "
                                    "(服务器繁忙, 请 1 秒后再试)", retry_after=1)

    def done(self) -> None:
        self._running.release()
