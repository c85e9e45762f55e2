"""Signs of life for /healthz: the worker's last beat, and a probe row that proves the database takes writes.

The worker beats every HEARTBEAT_EVERY; /healthz calls it stale after STALE_AFTER (a round of slow jobs,
each bounded by the platform timeout, stays well below it). No row means no worker has run on this
database (a web-only deployment): then there is nothing to check.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, insert_unless_present

WORKER = "worker"
PROBE = "healthz-probe"  # written and rolled back by /healthz, never committed
HEARTBEAT_EVERY = timedelta(seconds=10)
STALE_AFTER = timedelta(minutes=5)


class Heartbeat(Base):
    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]


def beat(session: Session, name: str, now: datetime) -> None:
    """Record a beat in the caller's transaction (one row per name, any number of processes)."""
    if session.execute(update(Heartbeat).where(Heartbeat.name == name).values(beat_at=now)).rowcount:
        return
    dialect = session.get_bind().dialect.name
    session.execute(insert_unless_present(Heartbeat.__table__, ("name",), dialect).values(name=name, beat_at=now))
