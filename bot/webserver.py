"""The HTTP server behind `chengguan serve`: granian (its HTTP in Rust) by default, gunicorn's threaded worker
when chosen (`CHENGGUAN_WEB_SERVER=gunicorn`), waitress (pure Python) where the platform cannot fork.

Why granian: HTTP parsing, keep-alive and the accept loop run in Rust outside the interpreter lock, so the
request threads' Python time is the app's own. Under gunicorn's gthread worker the web process spent about
0.45 ms of CPU per request outside the app (its HTTP parser and selector loop are Python, sharing the lock with
the thread that holds the webhook slot); at 500 msg/s the echo baseline's process took 0.62 ms per message under
gunicorn and 0.41 under granian, the service's 1.32 and 1.08 (bench.webhook load, same run, same machine).

Why not waitress everywhere: its event loop runs in Python too. In the webhook benchmark at 200 msg/s (one
process, SQLite) each message then cost 3.5-4.9 ms of CPU and a backlog never drained, against 2.9 ms under
gunicorn's gthread worker on the same machine and load.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask

from bot.app import CALLBACK_PATHS, create_app
from bot.webqueue import WebhookQueue

ACCESS_LOG = None  # WeChat posts every message: an access-log line each would drown the useful ones
SERVER_ENV = "CHENGGUAN_WEB_SERVER"
SERVERS = ("granian", "gunicorn")  # where the platform can fork; waitress elsewhere
GRACEFUL_TIMEOUT_S = 10  # on SIGTERM, requests in flight get this long to finish


class UnknownServer(ValueError):
    pass


def chosen_server(env: dict[str, str] | None = None) -> str:
    """granian unless `CHENGGUAN_WEB_SERVER` names another; waitress where the platform cannot fork."""
    if not can_fork():
        return "waitress"
    name = (env if env is not None else os.environ).get(SERVER_ENV, "").strip().lower() or SERVERS[0]
    if name not in SERVERS:
        raise UnknownServer(f"{SERVER_ENV}={name}: 可选 {' 或 '.join(SERVERS)}")
    return name


def can_fork() -> bool:
    return hasattr(os, "fork")


def built_for_serving(factory: Callable[[], Flask]) -> Flask:
    """The app as a server process runs it (also the in-process benchmark's)."""
    app = factory()
    service = app.extensions.get("chengguan")
    if service is not None:  # the service, not the webhook benchmark's echo baseline
        app.wsgi_app = WebhookQueue(app.wsgi_app, service.webhook_slots, CALLBACK_PATHS,  # type: ignore[method-assign]
                                    app.config["MAX_CONTENT_LENGTH"])
    # The ~120,000 objects of the loaded libraries never become garbage; left in the collector's
    # oldest generation, each full collection walked them all (~30 ms idle, ~100 ms under load,
    # seen as periodic latency spikes in the webhook benchmark).
    gc.freeze()
    return app


def run(host: str, port: int, threads: int, factory: Callable[[], Flask] = create_app, processes: int = 1) -> None:
    """Serve until stopped with `processes` server processes (waitress: always one); the server loads the app in
    each of them, after the fork.
    `factory` is for the webhook benchmark's baseline, served the same way (a module-level function or a
    partial of one: granian hands it to its worker process)."""
    server = chosen_server()
    if server == "waitress":
        import waitress

        waitress.serve(built_for_serving(factory), host=host, port=port, threads=threads, ident="chengguan")
    elif server == "granian":
        _granian(host, port, threads, factory, processes)
    else:
        _gunicorn(host, port, threads, factory, processes)


def _granian(host: str, port: int, threads: int, factory: Callable[[], Flask], processes: int) -> None:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    Granian(
        "chengguan", address=host, port=port, interface=Interfaces.WSGI, workers=processes, blocking_threads=threads,
        http=HTTPModes.http1, log_access=bool(ACCESS_LOG), workers_kill_timeout=GRACEFUL_TIMEOUT_S,
        # Its warning that more threads than 2 x cores + 1 is "quite high" fits an app whose threads compute;
        # ours mostly wait (one webhook at a time on SQLite, the others queue), so only errors are logged.
        log_level="error",
    ).serve(target_loader=partial(built_for_serving, factory), wrap_loader=False)


def _gunicorn(host: str, port: int, threads: int, factory: Callable[[], Flask], processes: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings: dict[str, Any] = {
                "bind": f"{host}:{port}", "workers": processes, "threads": threads, "worker_class": "gthread",
                "accesslog": ACCESS_LOG, "errorlog": "-", "loglevel": "warning", "graceful_timeout": GRACEFUL_TIMEOUT_S,
                "proc_name": "chengguan-web",
                "control_socket_disable": True,  # gunicorn's runtime control socket; we do not use it
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return built_for_serving(factory)

    _Gunicorn().run()
