"""Starting a local server and knowing when it answers: used by `serve` and by `chat`'s own server."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def port_taken(host: str, port: int) -> bool:
    """True when something already listens on HOST:PORT (checked before gunicorn tries and logs errors)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answering(url: str, alive: Callable[[], bool], interval: float = 0.2) -> bool:
    """Poll URL until it answers 200 (True) or the server's process has died (False). No fixed time limit:
    on a busy machine a start can take long, and only a dead process means it will never answer."""
    while alive():
        if answers(url):
            return True
        time.sleep(interval)
    return False
