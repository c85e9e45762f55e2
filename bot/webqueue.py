"""Callbacks queue for their webhook slot at the door of the WSGI app, before Flask starts on them.

On SQLite one webhook runs at a time (bot.db.webhook_concurrency), and the slot used to be taken in the view,
after Flask had built the request, run its hooks and checked the signature. While the slot's holder waited on
SQLite (its statements and COMMIT let go of the interpreter lock), the other request threads ran that part
(about 0.24 ms of CPU a message under load) and the holder waited for the lock back: at 750 msg/s the slot was
held 1.46 ms a message for 0.87 ms of its thread's CPU (bench.webhook.timeline). Queued here, the threads
waiting for the slot run no Python; in same-run A/Bs at 750 msg/s the p99 was lower in 8 of 12 paired periods
and the web process took 5-10 % less CPU a message (bench/RESULTS.md, "webhook A/B: queue").

The body is read before queueing, so a slow sender never holds the slot; a body without a length or over the
limit goes on to Flask unqueued, which answers it (413) or reads it, and the view takes the slot itself. A
callback with a wrong signature now waits its turn for the slot before its 403 (its checks cost the same CPU).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

HELD = "chengguan.webhook_slot"  # in the WSGI environ: this request holds the slot already

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WebhookQueue:
    def __init__(self, app: WSGIApp, slots: AbstractContextManager[Any], paths: frozenset[str], max_body: int) -> None:
        self.app, self.slots, self.paths, self.max_body = app, slots, paths, max_body

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") not in self.paths \
                or not _read_body_first(environ, self.max_body):
            return self.app(environ, start_response)
        with self.slots:
            environ[HELD] = True
            return self.app(environ, start_response)


def _read_body_first(environ: dict[str, Any], max_body: int) -> bool:
    """Replace the body stream by its bytes read now; False (nothing read) without a usable length."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return False
    if not 0 <= length <= max_body:
        return False
    environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length) if length else b"")
    environ["wsgi.input_terminated"] = True
    return True
