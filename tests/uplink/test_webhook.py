"""The JSON-webhook uplink: HMAC-signed, timestamped, one event id per step, same outbox guarantees."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete

from bot.service import Service
from bot.uplink.webhook import sign, verify_signature
from models import Base, CaseStatus, JobStatus
from tests.uplink.helpers import accepted_cases, drain, jobs, take_steps, uplink_config

SECRET = "shared-secret"


class Receiver:
    """A vendor platform that checks the signature and deduplicates on the event id."""

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.deliveries = 0
        self.answers: list[int] = []  # statuses to answer before accepting
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries += 1
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200 and not verify_signature(SECRET, self.headers["X-Chengguan-Timestamp"], body,
                                                          self.headers["X-Chengguan-Signature"]):
                    status = 401
                if status == 200:
                    receiver.events.setdefault(self.headers["X-Chengguan-Event"], json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/chengguan"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def webhook(database_url: str, tmp_path: Path, receiver: Receiver) -> Iterator[Service]:
    service = Service.build(uplink_config(database_url, tmp_path / "data", PLATFORM_WEBHOOK_URL=receiver.url,
                                          PLATFORM_WEBHOOK_SECRET=SECRET))
    yield service
    with service.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    service.engine.dispose()


def test_signature_checks_body_secret_and_age() -> None:
    body = b'{"a":1}'
    good = sign(SECRET, 1_700_000_000, body)
    assert good.startswith("sha256=") and len(good) == 7 + 64
    assert verify_signature(SECRET, "1700000000", body, good, now=1_700_000_100)
    assert not verify_signature(SECRET, "1700000000", body + b" ", good, now=1_700_000_100)
    assert not verify_signature("other", "1700000000", body, good, now=1_700_000_100)
    assert not verify_signature(SECRET, "1700000000", body, good, now=1_700_000_000 + 301)  # replayed later
    assert not verify_signature(SECRET, "soon", body, good)


def test_steps_are_delivered_signed_in_order_and_retried(webhook, receiver) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(webhook, 1, with_photo=True)
    take_steps(webhook, number, CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED,
               CaseStatus.VERIFIED)
    receiver.answers = [503, 500]
    drain(webhook)
    assert [e["action"] for e in receiver.events.values()] == ["accept", "verify"]
    accept = next(iter(receiver.events.values()))
    assert accept["case"]["number"] == number and accept["photos"][0].startswith("http://127.0.0.1:9/media/")
    assert receiver.deliveries == 4 and all(j.status == JobStatus.DONE for j in jobs(webhook, "webhook"))


def test_a_4xx_is_parked_and_later_steps_wait_for_it(webhook, receiver) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(webhook, 1)
    take_steps(webhook, number, CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED,
               CaseStatus.VERIFIED)
    receiver.answers = [422]
    drain(webhook)
    accept, verify = jobs(webhook, "webhook")
    assert accept.status == JobStatus.PARKED and "HTTP 422" in accept.last_error
    assert verify.status == JobStatus.PARKED and "前一步上报被搁置" in verify.last_error
    assert receiver.events == {}
