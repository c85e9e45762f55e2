"""Counters of events per fixed time window, in the database so every process sees the same count:
Open311 POSTs per api key and minute, cases per key and day, 绑定 attempts per user and overall.

A window's row is created on its first event and removed some time after it ends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, String, bindparam, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, insert_unless_present


class RateCounter(Base):
    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)  # what, whose, which window
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(index=True)


BUMP = update(RateCounter).where(RateCounter.bucket == bindparam("b")).values(count=RateCounter.count + 1)
COUNT = select(RateCounter.count).where(RateCounter.bucket == bindparam("b"))


def window(name: str, seconds: int, now: datetime) -> tuple[str, datetime]:
    """The bucket of the `seconds`-long window (counted from the epoch) that holds `now`, and its end."""
    index = int(now.timestamp() // seconds)
    return f"{name}@{index}", datetime.fromtimestamp((index + 1) * seconds, UTC)


def count_event(session: Session, bucket: str, expires_at: datetime) -> int:
    """Count one event in `bucket`; returns the count including it. On PostgreSQL the UPDATE holds
    the row until commit, so concurrent events are counted one after another."""
    connection = session.connection()
    created = connection.execute(
        insert_unless_present(RateCounter.__table__, ("bucket",), connection.dialect.name),
        {"bucket": bucket, "count": 0, "expires_at": expires_at},
    )
    if created.rowcount:  # a new window: tidy away the ended ones while we are here
        connection.execute(delete(RateCounter).where(RateCounter.expires_at < expires_at - timedelta(days=2)))
    connection.execute(BUMP, {"b": bucket})
    return int(connection.execute(COUNT, {"b": bucket}).scalar_one())


def events_in(session: Session, bucket: str) -> int:
    return int(session.connection().execute(COUNT, {"b": bucket}).scalar() or 0)
