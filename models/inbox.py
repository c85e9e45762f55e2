"""Every inbound chat message, stored before anything else happens, unique on its dedupe key.

WeChat retries a message up to three times when the reply is slow; the second insert of the same
key fails, and the dispatcher answers the retry without acting again.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.prepared import Prepared
from models.base import Base, created_at, insert_unless_present, intpk, utcnow


class InboxMessage(Base):
    __tablename__ = "inbox"

    id: Mapped[intpk]
    channel: Mapped[str] = mapped_column(String(8))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    sender: Mapped[str] = mapped_column(String(128), index=True)
    msg_type: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    reply: Mapped[str | None] = mapped_column(Text, default=None)  # what we answered, for retries
    received_at: Mapped[created_at]
    handled_at: Mapped[datetime | None]


def store_once(connection: Connection, **values: Any) -> int | None:
    """Insert the message unless its dedupe key is already stored: the new id, or None for a copy.

    One statement (INSERT … ON CONFLICT DO NOTHING) on SQLite and PostgreSQL alike; on PostgreSQL a
    concurrent copy waits for the first transaction and then inserts nothing.
    """
    # On the driver's cursor (bot.prepared): nothing here needs the ORM, and its path costs more than the insert.
    return _insert_once(connection.dialect.name).scalar(connection, {"received_at": utcnow(), **values})


_STORED = ("channel", "dedupe_key", "sender", "msg_type", "payload", "received_at")


@cache
def _insert_once(dialect: str) -> Prepared:
    insert = insert_unless_present(InboxMessage.__table__, ("dedupe_key",), dialect).returning(InboxMessage.id)
    return Prepared(insert, _STORED)


def dedupe_key(channel: str, msg_id: str | None, sender: str, create_time: int, event: str = "") -> str:
    """MsgId when WeChat gives one; for events (which have none) sender + CreateTime + event."""
    if msg_id:
        return f"{channel}:msg:{msg_id}"
    return f"{channel}:evt:{sender}:{create_time}:{event}"
