"""CHENGGUAN_LOG_FORMAT=json: every line of a webhook request carries its request id (also returned as the
X-Request-Id header) and the case it is about; every line of an outbox job its job id and case number."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask

from bot import logs
from bot.app import create_app
from bot.db import transaction
from bot.service import Service
from bot.simulator.api import FakeWeChatAPI
from bot.simulator.user import WeChatUser
from bot.worker import Worker
from models import Case
from models.outbox import enqueue
from tests.chat import TOKEN
from tests.factories import make_case
from tests.resident.test_status_and_feedback import report_one

probe = logging.getLogger("bot.test_probe")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the JSON handler writes while the test runs (INFO and up)."""
    out = io.StringIO()
    handler, root = logs.handler("json", out), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def probed_app(service: Service) -> Flask:
    """The real app, with one more line logged at the end of every request (after the handler ran)."""
    app = create_app(service=service)
    app.after_request(lambda response: (probe.info("answered %s", response.status_code), response)[1])
    return app


def test_each_line_of_a_webhook_request_has_its_request_id_and_case_number(  # type: ignore[no-untyped-def]
    mp_service: Service, wechat_api: FakeWeChatAPI, json_lines: io.StringIO,
) -> None:
    answered: list[str | None] = []
    http = httpx.Client(transport=httpx.WSGITransport(app=probed_app(mp_service)), base_url="http://app",
                        event_hooks={"response": [lambda r: answered.append(r.headers.get(logs.REQUEST_ID_HEADER))]})
    resident = WeChatUser("http://app", TOKEN, "o_logs_resident", http=http, on_send=wechat_api.user_wrote)
    number = report_one(resident, wechat_api)
    json_lines.truncate(0), json_lines.seek(0), answered.clear()

    assert number in resident.send_text(f"查询 {number}").text
    (line,) = [entry for entry in parsed(json_lines) if entry["logger"] == "bot.test_probe"]
    assert line["message"] == "answered 200" and line["level"] == "INFO"
    assert answered[0] and line["request_id"] == answered[0]
    assert line["case_number"] == number and line["job_id"] is None

    resident.send_text("查询")
    later = [entry for entry in parsed(json_lines) if entry["logger"] == "bot.test_probe"][-1]
    assert later["request_id"] == answered[-1] != answered[0]  # each request its own id


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(mp_service: Service) -> None:
    http = httpx.Client(transport=httpx.WSGITransport(app=create_app(service=mp_service)), base_url="http://app")
    assert http.get("/healthz", headers={"X-Request-Id": "nginx-4f2a9c"}).headers["X-Request-Id"] == "nginx-4f2a9c"
    replaced = http.get("/healthz", headers={"X-Request-Id": "a b\"<script>"}).headers["X-Request-Id"]
    assert replaced != "a b\"<script>" and logs._SAFE_ID.fullmatch(replaced)


def test_each_line_of_an_outbox_job_has_its_job_id_and_case_number(service: Service, json_lines: io.StringIO) -> None:
    with transaction(service.sessions) as s:
        number = make_case(s).number
        job = enqueue(s, "demo", {"number": number})
        s.flush()
        job_id = job.id  # type: ignore[union-attr]

    def handler(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        ctx.session.query(Case).filter_by(number=payload["number"]).one()
        probe.info("pushed")

    Worker(service, {"demo": handler}).run_until_idle()
    probe.info("between jobs")
    pushed, between = [entry for entry in parsed(json_lines) if entry["logger"] == "bot.test_probe"]
    assert (pushed["job_id"], pushed["case_number"], pushed["request_id"]) == (job_id, number, None)
    assert (between["job_id"], between["case_number"]) == (None, None)  # the context ends with the job


def test_the_plain_text_format_stays_the_default() -> None:
    out = io.StringIO()
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    handler = logs.handler(None, out)
    handler.handle(record)
    assert out.getvalue().rstrip().endswith("INFO bot.x: hello world")
