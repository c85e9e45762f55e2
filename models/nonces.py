"""Callback deliveries seen recently (timestamp, nonce, signature), so a captured one cannot be replayed.

In plain mode WeChat's signature covers only token, timestamp and nonce, not the body: anyone who
saw one callback URL could post any message under it while its timestamp is in the window. The
first delivery under a signature claims it together with a hash of its body; the same delivery
again (WeChat's own retry) passes and the inbox deduplicates it, another body is a replay. Rows
live as long as their timestamp could still pass the window, in the database so every process
agrees; expired rows are deleted a few at a time by later claims.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Connection, String, bindparam, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.prepared import Prepared
from models.base import Base, insert_unless_present, intpk, utcnow

WINDOW = timedelta(minutes=5)  # a callback's timestamp may be this far from our clock, either way
PURGE_EVERY = 64  # every 64th claim deletes the expired rows: constant work per callback on average


class CallbackNonce(Base):
    __tablename__ = "callback_nonces"

    id: Mapped[intpk]
    delivery_key: Mapped[str] = mapped_column(String(200), unique=True)  # channel:timestamp:nonce:signature
    body_sha256: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ReplayedDelivery(Exception):
    """A signature already used for another body: answered 403, nothing stored."""


@dataclass(frozen=True)
class Delivery:
    """What identifies one signed callback request."""

    channel: str
    timestamp: int
    nonce: str
    signature: str
    body: bytes

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.timestamp}:{self.nonce}:{self.signature}"


def claim(connection: Connection, delivery: Delivery) -> None:
    """Record the delivery in the caller's transaction; raises ReplayedDelivery for a reused signature."""
    digest = hashlib.sha256(delivery.body).hexdigest()
    expires_at = datetime.fromtimestamp(delivery.timestamp, UTC) + WINDOW
    new_id = _insert_once(connection.dialect.name).scalar(
        connection, {"delivery_key": delivery.key, "body_sha256": digest, "expires_at": expires_at})
    if new_id is None:
        seen = connection.scalar(select(CallbackNonce.body_sha256).where(CallbackNonce.delivery_key == delivery.key))
        if seen != digest:
            raise ReplayedDelivery(delivery.key)
    elif new_id % PURGE_EVERY == 0:
        connection.execute(_PURGE, {"now": utcnow()})


@cache
def _insert_once(dialect: str) -> Prepared:
    insert = insert_unless_present(CallbackNonce.__table__, ("delivery_key",), dialect).returning(CallbackNonce.id)
    return Prepared(insert, ("delivery_key", "body_sha256", "expires_at"))


_PURGE = delete(CallbackNonce).where(CallbackNonce.expires_at < bindparam("now", type_=CallbackNonce.expires_at.type))
