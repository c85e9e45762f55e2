"""The official holiday schedules an admin imported (`chengguan calendar import`), one row per listed day.

They take precedence over the packaged file, the chinesecalendar package and the provisional rule
(see models.workdays); every process reads them through `install_loader`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Date, Engine, String, create_engine, delete, extract, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import NullPool

from models import workdays
from models.base import Base, created_at
from models.workdays import Schedule, SchedulesByYear


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool]  # False: 放假; True: 调休上班
    source_file: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[created_at]


def load_imported(session: Session) -> dict[int, dict[date, bool]]:
    years: dict[int, dict[date, bool]] = defaultdict(dict)
    for day, workday in session.execute(select(CalendarDay.day, CalendarDay.workday)):
        years[day.year][day] = workday
    return dict(years)


def replace_years(session: Session, schedules: SchedulesByYear, source_file: str, now: datetime) -> None:
    """Store `schedules`, replacing whatever was imported before for those years (a corrected notice)."""
    for year, schedule in schedules.items():
        session.execute(delete(CalendarDay).where(extract("year", CalendarDay.day) == year))
        session.add_all(_rows(schedule, source_file, now))
    session.flush()


def _rows(schedule: Schedule, source_file: str, now: datetime) -> list[CalendarDay]:
    return [CalendarDay(day=day, workday=workday, source_file=source_file[:200], imported_at=now)
            for day, workday in sorted(schedule.items())]


def install_loader(engine: Engine) -> None:
    """Make this process's working-day questions see the database's imported schedules.

    The question may come inside any transaction, which on SQLite holds the process's only pooled
    connection and the write lock: the loader reads through a connection of its own, outside the pool
    and without the write lock (a plain read, which WAL never blocks).
    """
    reader = create_engine(engine.url, poolclass=NullPool)

    def load() -> SchedulesByYear:
        with Session(reader) as session:
            return load_imported(session)

    workdays.imported.install(load)
