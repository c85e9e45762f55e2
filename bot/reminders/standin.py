"""A stand-in WeCom group robot on 127.0.0.1 for tests and trials: POST /cgi-bin/webhook/send?key=…
answers {"errcode":0,"errmsg":"ok"}, keeps what it got, enforces 20 messages a minute per key
(errcode 45009), and fails on demand (HTTP 500 or a chosen errcode for the next n posts)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request

from bot.simulator.serving import serving


@dataclass
class RobotStandIn:
    limit_per_minute: int = 20
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (key, message)
    refused: list[tuple[str, int]] = field(default_factory=list)             # (key, errcode)
    fail_next: int = 0          # this many posts get HTTP 500
    errcode_next: int = 0       # with fail_errcode_count, answer this errcode
    fail_errcode_count: int = 0
    url: str = ""
    _times: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self, key: str) -> list[dict[str, Any]]:
        return [m for k, m in self.received if k == key]

    def webhook(self, key: str) -> str:
        return f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}"

    def app(self) -> Flask:
        app = Flask("robot_standin")
        app.add_url_rule("/cgi-bin/webhook/send", view_func=self._send, methods=["POST"])
        return app

    def _send(self) -> Response:
        key = request.args.get("key", "")
        body = request.get_json(force=True, silent=True)
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return Response("busy", status=500)
            if self.fail_errcode_count > 0:
                self.fail_errcode_count -= 1
                self.refused.append((key, self.errcode_next))
                return jsonify(errcode=self.errcode_next, errmsg="refused on demand")
            if not key or not isinstance(body, dict) or body.get("msgtype") not in ("text", "markdown", "image"):
                return jsonify(errcode=93000, errmsg="invalid webhook url or message")
            now, window = time.monotonic(), self._times[key]
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= self.limit_per_minute:
                self.refused.append((key, 45009))
                return jsonify(errcode=45009, errmsg="api freq out of limit")
            window.append(now)
            self.received.append((key, body))
        return jsonify(errcode=0, errmsg="ok")


@contextmanager
def running_robot(robot: RobotStandIn | None = None) -> Iterator[RobotStandIn]:
    robot = robot or RobotStandIn()
    with serving(robot.app(), name="robot-standin") as robot.url:
        yield robot
