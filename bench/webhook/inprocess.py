"""Per-message cost without the network: the app called through WSGI in this process, one message
at a time, so the figure is the server's own work (the load test's saturation point follows from it)."""

from __future__ import annotations

import cProfile
import gc
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from flask import Flask

from bench.webhook.baseline import make_app
from bot.app import create_app
from bot.webserver import built_for_serving
from bot.config import Config
from bot.migrate import upgrade
from bot.service import Service
from bot.simulator.user import WeChatUser

TOKEN = "bench-token"

# What each resident sends, in this order: the first message registers them and opens their conversation.
KINDS: dict[str, Callable[[WeChatUser], object]] = {
    "first message": lambda u: u.send_text("帮助"),
    "text": lambda u: u.send_text("路口有人占道经营"),
    "location": lambda u: u.send_location(39.9, 116.3, "某路"),
    "image": lambda u: u.send_image("http://127.0.0.1:9/pic", "media"),
}


class TimedApp:
    """A WSGI app that records how long the wrapped app took per request, on the clock and in CPU time of
    its thread (steadier on a machine other work shares), and profiles it when asked."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server_ms: list[float] = []
        self.cpu_ms: list[float] = []
        self.profiler: cProfile.Profile | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        began, began_cpu = time.perf_counter(), time.thread_time()
        if self.profiler is not None:
            self.profiler.enable()
        try:
            return self.app(environ, start_response)
        finally:
            if self.profiler is not None:
                self.profiler.disable()
            self.server_ms.append((time.perf_counter() - began) * 1000)
            self.cpu_ms.append((time.thread_time() - began_cpu) * 1000)

    def residents(self, n: int, prefix: str = "o_inproc") -> list[WeChatUser]:
        http = httpx.Client(transport=httpx.WSGITransport(app=self), base_url="http://app")  # the app's time only
        return [WeChatUser("http://app", TOKEN, f"{prefix}_{i}", http=http) for i in range(n)]


@contextmanager
def service_app() -> Iterator[Flask]:
    """The service's app on a fresh SQLite database, as `chengguan serve` builds it (its objects frozen out of
    the garbage collector: without that, full collections over them land in the medians and the profiles)."""
    with service_and_app() as (app, _):
        yield app


@contextmanager
def service_and_app(env: dict[str, str] | None = None) -> Iterator[tuple[Flask, Service]]:
    """service_app's app and the Service behind it (for a worker in this process); `env` adds settings."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_env({"CHENGGUAN_DATA_DIR": tmp, "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": "wxbench",
                                  "WECHAT_APP_SECRET": "s", **(env or {})})
        upgrade(config.database_url)
        service = Service.build(config)
        try:
            yield built_for_serving(lambda: create_app(service=service)), service
        finally:
            service.dispose()
            gc.unfreeze()


@dataclass(frozen=True)
class Cost:
    """Median server time of one message kind: on the clock and in CPU time."""

    wall_ms: float
    cpu_ms: float


def per_message_ms(users: int = 200, rounds: int = 3) -> dict[str, dict[str, Cost]]:
    """Median cost per message kind, for the service and for the baseline."""
    with service_app() as app:
        service = _kinds(TimedApp(app), users, rounds)
    try:
        return {"service": service, "baseline": _kinds(TimedApp(built_for_serving(lambda: make_app(TOKEN))), users, rounds)}
    finally:
        gc.unfreeze()


def _kinds(app: TimedApp, n: int, rounds: int) -> dict[str, Cost]:
    people = app.residents(n)
    result = {}
    for name, send in KINDS.items():
        wall, cpu = [], []
        for _ in range(rounds if name != "first message" else 1):
            app.server_ms.clear()
            app.cpu_ms.clear()
            for person in people:
                send(person)
            wall.append(statistics.median(app.server_ms))
            cpu.append(statistics.median(app.cpu_ms))
        result[name] = Cost(statistics.median(wall), statistics.median(cpu))
    return result
