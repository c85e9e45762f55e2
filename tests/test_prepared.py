"""bot.prepared runs the webhook's fixed statements on the driver's cursor: what it stores and reads must be
exactly what SQLAlchemy's ordinary path stores and reads (datetimes, JSON, RETURNING), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.prepared import Prepared
from models import Conversation, InboxMessage
from models.inbox import store_once

SHANGHAI = timezone(timedelta(hours=8))
RECEIVED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)

_inbox = InboxMessage.__table__
_COLUMNS = ("channel", "dedupe_key", "sender", "msg_type", "payload", "received_at")


def _values(key: str) -> dict[str, object]:
    return {"channel": "mp", "dedupe_key": key, "sender": "o_1", "msg_type": "text",
            "payload": {"text": "占道经营", "n": [1, 2]}, "received_at": RECEIVED}


def test_a_row_stored_on_the_cursor_reads_back_through_the_orm_as_one_stored_by_it(service) -> None:  # type: ignore[no-untyped-def]
    prepared = Prepared(insert(_inbox).returning(_inbox.c.id), _COLUMNS)
    with service.engine.begin() as connection:
        fast_id = prepared.scalar(connection, _values("mp:msg:fast"))
        orm_id = connection.scalar(insert(_inbox).returning(_inbox.c.id), _values("mp:msg:orm"))
        stored = {row.id: tuple(row[1:]) for row in connection.execute(
            text("SELECT id, received_at, payload FROM inbox WHERE id IN (:a, :b)"), {"a": fast_id, "b": orm_id})}
    assert isinstance(fast_id, int) and stored[fast_id] == stored[orm_id]  # the same text/values in the database
    with service.sessions() as session:
        fast = session.get(InboxMessage, fast_id)
        assert fast is not None and fast.received_at == RECEIVED and fast.received_at.tzinfo == UTC
        assert fast.payload == {"text": "占道经营", "n": [1, 2]}


def test_rows_come_back_converted_as_through_sqlalchemy(service) -> None:  # type: ignore[no-untyped-def]
    with service.engine.begin() as connection:
        store_once(connection, channel="mp", dedupe_key="mp:msg:1", sender="o_1", msg_type="text", payload={"a": 1})
        query = select(InboxMessage.received_at, InboxMessage.payload, InboxMessage.reply).where(
            InboxMessage.dedupe_key == bindparam("key"))
        assert Prepared(query).rows(connection, {"key": "mp:msg:1"}) == [tuple(connection.execute(query, {"key": "mp:msg:1"}).one())]
        received_at, payload, reply = Prepared(query).rows(connection, {"key": "mp:msg:1"})[0]
    assert received_at.tzinfo == UTC and payload == {"a": 1} and reply is None
    with service.engine.begin() as connection:
        assert Prepared(query).rows(connection, {"key": "mp:msg:none"}) == []


def test_an_update_changes_the_row_and_returns_nothing(service) -> None:  # type: ignore[no-untyped-def]
    with service.engine.begin() as connection:
        conversation_id = connection.scalar(insert(Conversation.__table__).returning(Conversation.id),
                                            {"channel": "mp", "external_id": "o_1"})
        save = Prepared(update(Conversation).where(Conversation.id == bindparam("conversation_id"))
                        .values(data=bindparam("data"), updated_at=bindparam("updated_at")))
        assert save.rows(connection, {"conversation_id": conversation_id, "data": {"步骤": "地点"},
                                      "updated_at": RECEIVED}) == []
    with service.sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.data == {"步骤": "地点"} and conversation.updated_at == RECEIVED


def test_a_naive_datetime_is_refused_as_the_column_type_refuses_it(service) -> None:  # type: ignore[no-untyped-def]
    prepared = Prepared(insert(_inbox), _COLUMNS)
    with pytest.raises(ValueError, match="naive"), service.engine.begin() as connection:
        prepared.run(connection, {**_values("mp:msg:naive"), "received_at": datetime(2026, 3, 1)})


def test_a_database_error_is_sqlalchemys_error(service) -> None:  # type: ignore[no-untyped-def]
    """Callers (and the transaction's rollback) see the same exceptions as on SQLAlchemy's path."""
    prepared = Prepared(insert(_inbox), _COLUMNS)
    with pytest.raises(IntegrityError), service.engine.begin() as connection:
        prepared.run(connection, _values("mp:msg:twice"))
        prepared.run(connection, _values("mp:msg:twice"))
    with service.engine.begin() as connection:
        assert connection.scalar(select(InboxMessage.id).where(InboxMessage.dedupe_key == "mp:msg:twice")) is None


def test_a_missing_parameter_is_an_error_not_a_default(service) -> None:  # type: ignore[no-untyped-def]
    """Column defaults are not applied on the cursor: each call must give every column it names."""
    prepared = Prepared(insert(_inbox), _COLUMNS)
    values = _values("mp:msg:short")
    del values["received_at"]
    with pytest.raises(KeyError), service.engine.begin() as connection:
        prepared.run(connection, values)


def test_with_event_listeners_the_statements_go_through_sqlalchemy(service) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(service.engine, "before_cursor_execute", record)
    try:
        with service.engine.begin() as connection:
            store_once(connection, channel="mp", dedupe_key="mp:msg:seen", sender="o_1", msg_type="text", payload={})
    finally:
        event.remove(service.engine, "before_cursor_execute", record)
    assert any("INSERT INTO inbox" in statement for statement in seen)
