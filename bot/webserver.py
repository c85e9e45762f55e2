"""The HTTP server behind `chengguan serve`: gunicorn's threaded worker where the platform can fork,
waitress (pure Python) elsewhere.

Why not waitress everywhere: its event loop runs in Python, in the same process and under the same
interpreter lock as the requests. In the webhook benchmark at 200 msg/s (one process, SQLite) each
message then cost 3.5-4.9 ms of CPU and a backlog never drained, against 2.9 ms and p50 3.4 ms
under gunicorn's gthread worker on the same machine and load.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from typing import Any

from flask import Flask

from bot.app import create_app

ACCESS_LOG = None  # WeChat posts every message: an access-log line each would drown the useful ones


def can_fork() -> bool:
    return hasattr(os, "fork")


def built_for_serving(factory: Callable[[], Flask]) -> Flask:
    """The app as a server process runs it (also the in-process benchmark's)."""
    app = factory()
    # The ~120,000 objects of the loaded libraries never become garbage; left in the collector's
    # oldest generation, each full collection walked them all (~30 ms idle, ~100 ms under load,
    # seen as periodic latency spikes in the webhook benchmark).
    gc.freeze()
    return app


def run(host: str, port: int, threads: int, factory: Callable[[], Flask] = create_app) -> None:
    """Serve until stopped; gunicorn loads the app in its worker process, after the fork.
    `factory` is for the webhook benchmark's baseline, served the same way."""
    if not can_fork():
        import waitress

        waitress.serve(built_for_serving(factory), host=host, port=port, threads=threads, ident="chengguan")
        return

    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings: dict[str, Any] = {
                "bind": f"{host}:{port}", "workers": 1, "threads": threads, "worker_class": "gthread",
                "accesslog": ACCESS_LOG, "errorlog": "-", "loglevel": "warning", "graceful_timeout": 10,
                "proc_name": "chengguan-web",
                "control_socket_disable": True,  # gunicorn's runtime control socket; we do not use it
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return built_for_serving(factory)

    _Gunicorn().run()
