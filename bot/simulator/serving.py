"""Serve a WSGI app on 127.0.0.1 in a background thread, for stand-ins of outside services."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def serving(app: Flask, port: int = 0, name: str = "stand-in") -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT); the server stops when the block ends."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
