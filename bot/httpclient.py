"""One HTTP client per process for plain outbound fetches (chat photos, group robots).

Building an httpx.Client loads the CA bundle into a fresh TLS context, about 25 ms of CPU;
a client per download made that the worker's largest cost per photo. httpx clients are
thread-safe and keep connections alive, so one shared client serves every job thread.
Timeouts are given per request.
"""

from __future__ import annotations

import threading

import httpx

_lock = threading.Lock()
_client: httpx.Client | None = None


def shared_http() -> httpx.Client:
    global _client
    with _lock:
        if _client is None or _client.is_closed:
            _client = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=32, max_keepalive_connections=8))
        return _client
