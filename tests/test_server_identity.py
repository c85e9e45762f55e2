"""A server start counts only when the server that answers is the one just started.

Between picking a free port and binding it, another process (a parallel test run's server) may take the
port; its /healthz then answered for ours, and a test posted half its messages into another run's
database (tests/resident/test_retries.py's two-process test: a foreign reply, a foreign inbox row).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.simulator import server as simulated
from bot.simulator.server import ServerDied, running_server
from bot.startup import INSTANCE_HEADER, wait_until_answering


@contextmanager
def foreign_server(instance: str | None = None) -> Iterator[int]:
    """Another process's healthy server on a loopback port: /healthz answers 200."""

    class Healthy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            if instance is not None:
                self.send_header(INSTANCE_HEADER, instance)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_a_foreign_server_on_the_port_is_not_taken_for_ours(database_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path / "data")}
    with foreign_server() as port:
        monkeypatch.setattr(simulated, "free_port", lambda: port)  # the race, made certain
        with pytest.raises(ServerDied):
            with running_server(env, tmp_path / "serve.log"):
                pytest.fail("running_server yielded another process's server")


def test_waiting_for_a_start_ignores_other_servers_answers() -> None:
    polls = iter(range(3))
    with foreign_server("another-start") as port:
        url = f"http://127.0.0.1:{port}/healthz"
        assert not wait_until_answering(url, alive=lambda: next(polls, None) is not None, interval=0, instance="ours")
        assert wait_until_answering(url, alive=lambda: True, interval=0, instance="another-start")
