"""Starting a local server and knowing when it answers: used by `serve` and by `chat`'s own server."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

# Which start of `serve` a /healthz answer comes from: another process may take the port between the check
# and the bind (a parallel test run's server did), and its answer must not count as ours.
INSTANCE_ENV = "CHENGGUAN_INSTANCE"
INSTANCE_HEADER = "X-Chengguan-Instance"


def port_taken(host: str, port: int) -> bool:
    """True when something already listens on HOST:PORT (checked before gunicorn tries and logs errors)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def answers(url: str, timeout: float = 2.0, instance: str | None = None) -> bool:
    """True when URL answers 200 (and, given `instance`, from that start of the server)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200) and (instance is None or response.headers.get(INSTANCE_HEADER) == instance)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answering(url: str, alive: Callable[[], bool], interval: float = 0.2, instance: str | None = None) -> bool:
    """Poll URL until it answers 200 (True) or the server's process has died (False). No fixed time limit:
    on a busy machine a start can take long, and only a dead process means it will never answer.
    With `instance`, only an answer from that start counts (INSTANCE_HEADER)."""
    while alive():
        if answers(url, instance=instance):
            return True
        time.sleep(interval)
    return False
