"""A minimal GeoReport v2 platform on 127.0.0.1 that can misbehave on purpose.

Faults: `down` (the port refuses connections), `slow` (answers after a delay, the request already
recorded), `fail_next` (next N answers 500), `drop_next` (next N POSTs are recorded, then the
connection is closed without an answer), `token_mode` (POST answers a token, resolved after
`token_polls` lookups), `reject_codes` (400 with an error list for those service codes).
It never deduplicates: a second POST of the same case is a second request, so tests see duplicates.
Like a real GeoReport server it refuses every POST (requests and updates) without its `api_key`
(403, the spec's error list, nothing recorded); reads (GET) need no key.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SERVICES = [
    {"service_code": "G-102", "service_name": "暴露垃圾", "group": "市容环境", "type": "realtime",
     "metadata": False, "keywords": "垃圾", "description": None},
    {"service_code": "G-101", "service_name": "私搭乱建", "group": "市容环境", "type": "realtime",
     "metadata": False, "keywords": "", "description": None},
]


@dataclass
class Faults:
    slow: float = 0.0
    fail_next: int = 0
    drop_next: int = 0
    token_mode: bool = False
    token_polls: int = 1
    reject_codes: set[str] = field(default_factory=set)


class StandIn:
    api_key = "standin-key"

    def __init__(self) -> None:
        self.faults = Faults()
        self.lock = threading.Lock()
        self.requests: dict[str, dict[str, Any]] = {}
        self.updates: list[dict[str, str]] = []
        self.tokens: dict[str, tuple[str, int]] = {}  # token -> (request id, lookups left)
        self.posts = 0
        self.listings = 0  # GET requests.json: how often a client asked "is it already there?"
        self.in_flight = threading.Event()  # set while a slow POST is being answered
        self.port = _free_port()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2"

    def start(self) -> StandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _QuietServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:  # "down": the port refuses connections until start() again
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()  # kept-alive ones too: a host that went down answers nothing
            self._server = None

    def count(self, case_number: str) -> int:
        with self.lock:
            return sum(case_number in (r["description"] or "") for r in self.requests.values())

    # --- behaviour --------------------------------------------------------------------------
    def create(self, form: dict[str, str], files: dict[str, bytes] | None = None) -> tuple[int, Any, bool]:
        """(status, body, drop connection); `files`: multipart uploads (the photo as `media`)."""
        with self.lock:
            self.posts += 1
            if self.faults.fail_next:
                self.faults.fail_next -= 1
                return 500, [{"code": 500, "description": "数据库繁忙"}], False
            if form.get("api_key") != self.api_key:
                return 403, [{"code": 403, "description": "Invalid api_key"}], False
            code = form.get("service_code", "")
            if code in self.faults.reject_codes:
                return 400, [{"code": 400, "description": f"service_code {code} 已停用"}], False
            request_id = str(1000 + len(self.requests))
            self.requests[request_id] = {
                "service_request_id": request_id, "status": "open", "status_notes": None, "service_code": code,
                "description": form.get("description"), "lat": form.get("lat"), "long": form.get("long"),
                "media_url": form.get("media_url"), "address": form.get("address_string"),
                "media": (files or {}).get("media"),
                "requested_datetime": datetime.now(UTC).isoformat(), "updated_datetime": None,
            }
            drop = self.faults.drop_next > 0
            if drop:
                self.faults.drop_next -= 1
            if self.faults.token_mode:
                token = f"T{request_id}"
                self.tokens[token] = (request_id, self.faults.token_polls)
                return 200, [{"token": token}], drop
            return 200, [{"service_request_id": request_id, "service_notice": "已接收"}], drop

    def resolve(self, token: str) -> tuple[int, Any]:
        with self.lock:
            if token not in self.tokens:
                return 404, [{"code": 404, "description": "token not found"}]
            request_id, left = self.tokens[token]
            if left > 0:
                self.tokens[token] = (request_id, left - 1)
                return 200, [{"token": token}]
            return 200, [{"service_request_id": request_id, "token": token}]

    def listing(self, query: dict[str, str]) -> list[dict[str, Any]]:
        with self.lock:
            items = list(self.requests.values())
            tokened = {rid for rid, left in self.tokens.values() if left > 0}
        if query.get("service_request_id"):
            wanted = set(query["service_request_id"].split(","))
            return [r for r in items if r["service_request_id"] in wanted]
        if query.get("service_code"):
            items = [r for r in items if r["service_code"] in query["service_code"].split(",")]
        return [r for r in items if r["service_request_id"] not in tokened]  # batch: listed once processed

    def get(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        """(status, body) of a GET; `path` is relative to the GeoReport base."""
        if path == "services.json":
            return 200, SERVICES
        if path == "requests.json":
            with self.lock:
                self.listings += 1
            return 200, self.listing(query)
        if path.startswith("tokens/") and path.endswith(".json"):
            return self.resolve(path[len("tokens/"):-len(".json")])
        if path == "servicerequestupdates.json":  # FixMyStreet's extension: the updates in a window
            with self.lock:
                return 200, {"service_request_updates": list(self.updates)}
        if path == "/open311/discovery.json":
            return 200, {"changeset": "2026-11-01T00:00:00Z", "contact": "stand-in",
                         "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": self.url,
                                        "type": "production", "formats": ["application/json"]}]}
        return 404, [{"code": 404, "description": "no such resource"}]

    def post_update(self, form: dict[str, str]) -> tuple[int, Any]:
        if form.get("api_key") != self.api_key:
            return 403, [{"code": 403, "description": "Invalid api_key"}]
        with self.lock:
            self.updates.append(form)
            return 200, [{"update_id": str(len(self.updates))}]

    def set_status(self, request_id: str, status: str, notes: str) -> None:
        with self.lock:
            self.requests[request_id].update(status=status, status_notes=notes,
                                             updated_datetime=datetime.now(UTC).isoformat())


class Html(str):
    """A body sent as text/html (an error page), not as JSON."""


class _QuietServer(ThreadingHTTPServer):
    allow_reuse_address = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._open_lock:
            for connection in self._open:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the client
            self._open.clear()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout) or a dropped connection is part of the test


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle the body waits for the client's delayed ACK
    # (about 40 ms on Linux), which made the "do-nothing" platform the slowest part of bench.uplink.
    disable_nagle_algorithm = True

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path = parts.path.removeprefix("/open311/v2/")
        if self._fail():
            return
        self._json(*self.standin.get(path, query))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            form, files = _multipart(content_type, body)
        else:
            form, files = {k: v[-1] for k, v in parse_qs(body.decode()).items()}, {}
        path = urlsplit(self.path).path.removeprefix("/open311/v2/")
        if path == "servicerequestupdates.json":
            if self._fail():
                return
            self._json(*self.standin.post_update(form))
            return
        status, answer, drop = self.standin.create(form, files)
        if self.standin.faults.slow:
            self.standin.in_flight.set()
            time.sleep(self.standin.faults.slow)
            self.standin.in_flight.clear()
        if drop:  # recorded, but the client never hears back
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self._json(status, answer)

    def _fail(self) -> bool:
        with self.standin.lock:
            if self.standin.faults.fail_next:
                self.standin.faults.fail_next -= 1
                failing = True
            else:
                failing = False
        if failing:
            self._json(500, [{"code": 500, "description": "内部错误"}])
        return failing

    def _json(self, status: int, body: Any) -> None:
        html = isinstance(body, Html)
        data = body.encode() if html else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8" if html else "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """The fields and files of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        if part.get_filename():
            files[name] = part.get_payload(decode=True)
        else:
            form[name] = part.get_payload(decode=True).decode()
    return form, files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
