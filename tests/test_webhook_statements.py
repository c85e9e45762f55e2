"""The webhook's cost per message, guarded without a clock: the SQL statements each kind of message runs.

A webhook's server time is mostly the statements it runs (each one a round trip through SQLAlchemy and
the driver), so a change that adds a query to the hot path fails here, on both databases, however fast
the machine. The bounds are the counts after issue #19's cuts; lower them when a change saves one.
BEGIN and COMMIT are not counted (SQLite's BEGIN IMMEDIATE is a statement, PostgreSQL's is implicit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from bot.service import Service
from tests.chat import count
from models import InboxMessage, Photo, PhotoRole, PhotoStatus, nonces, utcnow
from models.outbox import JobStatus, OutboxJob


@pytest.fixture(autouse=True)
def no_nonce_purge(monkeypatch):  # type: ignore[no-untyped-def]
    """Every 64th nonce claim also deletes the expired nonces: constant work on average, tested on its own
    (tests/hardening/test_callback_freshness.py). Which claim is the 64th depends on the ids earlier tests used
    (PostgreSQL keeps its sequences), so here none is: the counts below are a message's own statements."""
    monkeypatch.setattr(nonces, "PURGE_EVERY", 10**9)


# Plain mode (the fixtures'): each callback also claims its signature (one INSERT into callback_nonces).
MOST_STATEMENTS = {
    # nonce, inbox, conversation (none yet), new conversation, conversation again, reach, new user, identity, reply
    "first message": 9,
    # nonce, inbox, conversation with user and 48-hour window in one, the draft's update, reply
    # (the window is written again only after a minute or once messages went out: tests/test_dispatcher_window.py)
    "text": 5,
    "location": 5,
    # … plus the photo row, the draft's refused photos, the photo's download job
    "image": 8,
    # nonce, inbox (a copy: nothing inserted), the reply given the first time
    "retry": 3,
}


@contextmanager
def statements(service: Service) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT")):
            seen.append(statement)

    event.listen(service.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(service.engine, "before_cursor_execute", record)


def _sent(mp_service: Service, send: Callable[[], object]) -> list[str]:
    with statements(mp_service) as seen:
        send()
    return list(seen)


def test_each_kind_of_message_runs_at_most_its_statements(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    ran = {
        "first message": _sent(mp_service, lambda: user.send_text("帮助")),
        "text": _sent(mp_service, lambda: user.send_text("路口有人占道经营")),
        "location": _sent(mp_service, lambda: user.send_location(39.9, 116.3, "某路")),
        "image": _sent(mp_service, lambda: user.send_image("http://127.0.0.1:9/pic", "media")),
    }
    too_many = {kind: "\n".join(ran[kind]) for kind in ran if len(ran[kind]) > MOST_STATEMENTS[kind]}
    assert not too_many, f"more statements than {MOST_STATEMENTS}: {too_many}"
    assert count(mp_service, InboxMessage) == 4  # and every message was stored


def test_a_retry_only_reads_the_first_reply(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    user.send_text("帮助")
    xml = user.message_xml("text", "<Content>路口有人占道经营</Content>")
    first = user.post(xml)
    ran: list[str] = []
    retried = _sent(mp_service, lambda: ran.append(user.post(xml).text or ""))
    assert ran == [first.text] and len(retried) <= MOST_STATEMENTS["retry"], retried


def test_a_message_that_changes_nothing_in_the_draft_writes_no_draft(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    """帮助 twice: the conversation is read, not written (no UPDATE of conversations)."""
    user = new_user()
    user.send_text("帮助")
    ran = _sent(mp_service, lambda: user.send_text("帮助"))
    assert not [s for s in ran if s.lstrip().upper().startswith("UPDATE CONVERSATIONS")], ran


@contextmanager
def traced(service: Service) -> Iterator[list[str]]:
    """What SQLite itself runs on the service's one connection: no SQLAlchemy event listener, so the webhook's
    fixed statements take the driver's cursor (bot.prepared) as in production."""
    seen: list[str] = []
    with service.engine.connect() as connection:  # the pool's one SQLite connection, kept after check-in
        driver = connection.connection.driver_connection
    driver.set_trace_callback(lambda sql: seen.append(sql) if not sql.upper().startswith(("BEGIN", "COMMIT")) else None)
    try:
        yield seen
    finally:
        driver.set_trace_callback(None)


def test_on_the_drivers_cursor_each_kind_runs_the_same_statements(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    if mp_service.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's trace callback shows the driver's statements")
    user = new_user()
    ran = {}
    for kind, send in {"first message": lambda: user.send_text("帮助"),
                       "text": lambda: user.send_text("路口有人占道经营"),
                       "location": lambda: user.send_location(39.9, 116.3, "某路"),
                       "image": lambda: user.send_image("http://127.0.0.1:9/pic", "media")}.items():
        with traced(mp_service) as seen:
            send()
        ran[kind] = list(seen)
    assert not mp_service.engine._has_events
    too_many = {kind: "\n".join(ran[kind]) for kind in ran if len(ran[kind]) > MOST_STATEMENTS[kind]}
    assert not too_many and all(ran.values()), ran
    assert any(s.startswith("INSERT INTO inbox") for s in ran["text"])  # the trace sees the cursor's statements
    assert any(s.startswith("INSERT INTO photos") for s in ran["image"])
    assert any(s.startswith("INSERT INTO outbox") for s in ran["image"])
    assert count(mp_service, InboxMessage) == 4


def test_an_image_stored_on_the_drivers_cursor_reads_back_as_the_orm_would_store_it(mp_service, new_user) -> None:  # type: ignore[no-untyped-def]
    """The photo row and its download job are inserted with every column given (bot.prepared applies no
    column defaults): what the worker then reads must be what the ORM's defaults would have written."""
    user = new_user()
    before = utcnow()
    user.send_image("http://127.0.0.1:9/pic", "media-1")
    assert not mp_service.engine._has_events  # the cursor path, as in production
    with mp_service.sessions() as s:
        (photo,) = s.scalars(select(Photo)).all()
        (job,) = s.scalars(select(OutboxJob)).all()
    assert photo.status == PhotoStatus.PENDING and photo.role == PhotoRole.PROBLEM
    assert photo.uploaded_by is not None and photo.case_id is None and before <= photo.created_at <= utcnow()
    assert (job.kind, job.status, job.attempts, job.idempotency_key) == ("photo.fetch", JobStatus.PENDING, 0, None)
    assert job.payload == {"photo_id": photo.id, "channel": "mp", "sender": user.openid,
                           "pic_url": "http://127.0.0.1:9/pic", "media_id": "media-1"}
    assert before <= job.created_at == job.next_try_at <= utcnow() and job.locked_until is None
