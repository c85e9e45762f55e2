"""Case numbers: the report date (Asia/Shanghai) and the day's sequence, at least five digits, e.g.
2026112200017; the 100,000th case of a day is 20261122100000 (one digit more, never a failure).

The date has a fixed width and the sequence is only ever zero-padded to five, so no two (day,
sequence) pairs share a number, and every number issued before stays what it was. The column holds
20 characters: sequences up to twelve digits.

One counter row per day, incremented in the caller's transaction: on PostgreSQL the UPDATE locks
the row, on SQLite the write transaction is already exclusive, so two writers never get one number.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

CHINA = ZoneInfo("Asia/Shanghai")


class DailyCounter(Base):
    __tablename__ = "daily_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


def next_case_number(session: Session, now: datetime | None = None) -> str:
    day = (now or utcnow()).astimezone(CHINA).date()
    return f"{day:%Y%m%d}{_increment(session, day):05d}"


def _increment(session: Session, day: date) -> int:
    bumped = session.execute(
        update(DailyCounter).where(DailyCounter.day == day).values(last=DailyCounter.last + 1)
    )
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        try:
            with session.begin_nested():
                session.execute(insert(DailyCounter).values(day=day, last=1))
            return 1
        except IntegrityError:  # another writer created today's row first
            session.execute(
                update(DailyCounter).where(DailyCounter.day == day).values(last=DailyCounter.last + 1)
            )
    return session.execute(select(DailyCounter.last).where(DailyCounter.day == day)).scalar_one()
