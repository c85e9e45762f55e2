"""In a server process a callback queues for its webhook slot before Flask starts on it (bot.webqueue), with its
body already read; the view then does not queue a second time. Bodies the queue cannot read first go on to Flask,
where the view takes the slot as before."""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from bot.app import create_app
from bot.channels import common
from bot.service import Service
from bot.simulator.user import WeChatUser
from bot.webserver import built_for_serving
from tests.chat import TOKEN, mp_service, wechat_api  # noqa: F401 - fixtures

ANSWER = "您还没有上报过问题。发送一张照片即可开始随手拍。"


class RecordingGate:
    """The service's real slot, noting when a request takes it."""

    def __init__(self, inner: Any, events: list[str]) -> None:
        self.inner, self.events = inner, events

    def __enter__(self) -> None:
        self.inner.acquire()
        self.events.append("slot")

    def __exit__(self, *_exc: object) -> None:
        self.inner.release()


class RecordingInput(io.BytesIO):
    def __init__(self, body: bytes, events: list[str]) -> None:
        super().__init__(body)
        self.events = events

    def read(self, size: int | None = -1) -> bytes:
        self.events.append("body read")
        return super().read(size)


@dataclass
class Answer:
    status_code: int
    text: str


@dataclass
class WSGIPoster:
    """Posts to the WSGI app in this process, as a server would call it (werkzeug's environ)."""

    app: Flask
    events: list[str]
    with_length: bool = True

    def post(self, url: str, *, params: dict[str, str], content: bytes, headers: dict[str, str]) -> Answer:
        environ = EnvironBuilder(path="/wechat/mp", method="POST", query_string=urlencode(params), data=content,
                                 headers=headers).get_environ()
        environ["wsgi.input"] = RecordingInput(content, self.events)
        if not self.with_length:  # as a chunked body arrives: no length, the server ends the stream
            del environ["CONTENT_LENGTH"]
            environ["wsgi.input_terminated"] = True
        status: list[str] = []
        body = b"".join(self.app(environ, lambda s, _headers, _exc=None: status.append(s)))
        return Answer(int(status[0].split()[0]), body.decode())


@pytest.fixture
def served(mp_service: Service) -> Iterator[Callable[..., tuple[WeChatUser, list[str]]]]:  # noqa: F811
    events: list[str] = []
    # One slot, as on SQLite: on a database server the service has a pool's worth, and a second request would not
    # have to wait for the first, which is the order these tests look at.
    mp_service.webhook_slots = RecordingGate(threading.BoundedSemaphore(1), events)  # type: ignore[assignment]
    app = built_for_serving(lambda: create_app(service=mp_service))
    app.before_request(lambda: events.append("flask"))
    openids = iter(range(100))

    def resident(*, with_length: bool = True) -> tuple[WeChatUser, list[str]]:
        events.clear()
        poster = WSGIPoster(app, events, with_length)
        return WeChatUser("http://app", TOKEN, f"o_queue_{next(openids)}", http=poster), events

    try:
        yield resident
    finally:
        gc.unfreeze()  # built_for_serving froze this test process's objects


def test_a_callback_takes_its_slot_after_its_body_is_read_and_before_flask_once(served) -> None:  # type: ignore[no-untyped-def]
    user, events = served()
    assert user.send_text("查询").text == ANSWER
    assert events == ["body read", "slot", "flask"]


def test_a_body_without_a_length_goes_on_to_flask_and_the_view_takes_the_slot(served) -> None:  # type: ignore[no-untyped-def]
    user, events = served(with_length=False)
    assert user.send_text("查询").text == ANSWER
    assert events.index("flask") < events.index("slot") and events.count("slot") == 1


def test_a_body_over_the_limit_is_refused_without_queueing(served, mp_service: Service) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    user, events = served()
    reply = user.send_text("查" * (mp_service.config.max_body_bytes // 3 + 1))
    assert reply.status == 413 and "slot" not in events and "body read" not in events


def test_callbacks_waiting_for_the_slot_have_not_entered_flask(served, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """While one request holds the slot, another has read its body and waits at the door: Flask has not started
    on it (its before_request hook has not run). No sleeps: the holder, inside its slot, starts the other and
    waits until it has read its body (bounded)."""
    holder, events = served()
    other = WeChatUser("http://app", TOKEN, "o_queue_other", http=holder.http)
    other_read, seen = threading.Event(), []
    thread = threading.Thread(target=lambda: other.send_text("查询"), name="other")
    real_read, real_to_inbound = RecordingInput.read, common.to_inbound

    def read(self: RecordingInput, size: int | None = -1) -> bytes:
        data = real_read(self, size)
        if threading.current_thread() is thread:
            other_read.set()
        return data

    def to_inbound(*args: Any) -> Any:
        if threading.current_thread() is not thread:
            thread.start()
            assert other_read.wait(timeout=10)
            seen.extend(events)
        return real_to_inbound(*args)

    monkeypatch.setattr(RecordingInput, "read", read)
    monkeypatch.setattr(common, "to_inbound", to_inbound)
    assert holder.send_text("查询").text == ANSWER
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert seen == ["body read", "slot", "flask", "body read"]
