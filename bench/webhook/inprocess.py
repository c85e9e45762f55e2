"""Per-message cost without the network: the app called through WSGI in this process, one message
at a time, so the figure is the server's own work (the load test's saturation point follows from it)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

import httpx
from flask import Flask

from bench.webhook.baseline import make_app
from bot.app import create_app
from bot.config import Config
from bot.migrate import upgrade
from bot.service import Service
from bot.simulator.user import WeChatUser

TOKEN = "bench-token"


def per_message_ms(users: int = 200, rounds: int = 3) -> dict[str, dict[str, float]]:
    """Median ms per message kind, for the service and for the baseline."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_env({"CHENGGUAN_DATA_DIR": tmp, "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": "wxbench",
                                  "WECHAT_APP_SECRET": "s"})
        upgrade(config.database_url)
        service = Service.build(config)
        try:
            return {"service": _kinds(create_app(service=service), users, rounds),
                    "baseline": _kinds(make_app(TOKEN), users, rounds)}
        finally:
            service.engine.dispose()


def _kinds(app: Flask, n: int, rounds: int) -> dict[str, float]:
    server_ms: list[float] = []

    def timed_app(environ, start_response):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return app(environ, start_response)
        finally:
            server_ms.append((time.perf_counter() - began) * 1000)

    http = httpx.Client(transport=httpx.WSGITransport(app=timed_app), base_url="http://app")  # the app's time only
    people = [WeChatUser("http://app", TOKEN, f"o_inproc_{i}", http=http) for i in range(n)]
    kinds: dict[str, Callable[[WeChatUser], object]] = {
        "first message": lambda u: u.send_text("帮助"),
        "text": lambda u: u.send_text("路口有人占道经营"),
        "location": lambda u: u.send_location(39.9, 116.3, "某路"),
        "image": lambda u: u.send_image("http://127.0.0.1:9/pic", "media"),
    }
    result = {}
    for name, send in kinds.items():
        medians = []
        for _ in range(rounds if name != "first message" else 1):
            server_ms.clear()
            for person in people:
                send(person)
            medians.append(statistics.median(server_ms))
        result[name] = statistics.median(medians)
    return result
