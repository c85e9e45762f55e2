"""Working time on the Chinese calendar (Asia/Shanghai).

Which days are working days comes from ``models.workdays``: the official
schedule (imported, packaged or from the ``chinesecalendar`` package), or a
provisional one for a year without it, so no date ever stops the service.

All public functions take and return timezone-aware datetimes; naive input
raises ``ValueError``. Results are expressed in Asia/Shanghai.

Rules:
- ``add_working_hours``: counts only time inside the working periods of working
  days. A start outside working hours (evening, lunch break, holiday) counts
  from the next opening. A deadline that falls exactly on a closing time stays
  there (17:30), it does not roll over to the next morning.
- ``add_working_days(start, n)`` = ``n`` x the daily working hours on the same
  working clock. For a start inside working hours this is the same clock time
  ``n`` working days later; a start outside working hours counts from the next
  opening, so "1 working day" from Friday evening is due next working day 17:30.
  This keeps ``working_hours_between(s, add_working_days(s, n)) == n * daily``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from models import workdays

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class WorkingHours:
    """Working periods of one working day, in local (Asia/Shanghai) time.

    The default (08:30-12:00, 13:30-17:30 = 7.5 h a day) is only an example:
    cities and units differ (summer hours, 9:00-17:00...). It is data; pass your
    own ``WorkingHours`` where a deployment needs it.
    """

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(17, 30)),
    )

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("工作时段不能为空 / working periods must not be empty")
        previous_end = dt.time.min
        for start, end in self.periods:
            if not (previous_end <= start < end):
                raise ValueError(
                    f"工作时段必须按时间顺序且不重叠: {start}-{end} / "
                    "working periods must be ordered and must not overlap"
                )
            previous_end = end

    @property
    def hours_per_day(self) -> float:
        return sum(_seconds(a, b) for a, b in self.periods) / 3600

    def intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Working intervals of ``day`` (empty for a non-working day)."""
        if not is_working_day(day):
            return []
        return [
            (dt.datetime.combine(day, a, TZ), dt.datetime.combine(day, b, TZ))
            for a, b in self.periods
        ]


DEFAULT_HOURS = WorkingHours()


def _seconds(a: dt.time, b: dt.time) -> float:
    day = dt.date(2000, 1, 1)
    return (dt.datetime.combine(day, b) - dt.datetime.combine(day, a)).total_seconds()


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"需要带时区的时间: {moment!r} / a timezone-aware datetime is required"
        )
    return moment.astimezone(TZ)


def is_working_day(day: dt.date) -> bool:
    """True on a working day, including 调休 weekend working days (see ``models.workdays``)."""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    return workdays.is_working_day(day)


def add_working_hours(
    start: dt.datetime, hours: float, working: WorkingHours = DEFAULT_HOURS
) -> dt.datetime:
    """The moment ``hours`` working hours after ``start``."""
    current = _local(start)
    if hours < 0:
        raise ValueError(f"工作时数不能为负: {hours} / hours must not be negative")
    remaining = dt.timedelta(hours=hours)
    if not remaining:
        return current
    day = current.date()
    while True:  # ends: every week has working days, whatever the source
        for open_at, close_at in working.intervals(day):
            begin = max(open_at, current)
            if begin >= close_at:
                continue
            if remaining <= close_at - begin:
                return begin + remaining
            remaining -= close_at - begin
        day += dt.timedelta(days=1)


def add_working_days(
    start: dt.datetime, days: int, working: WorkingHours = DEFAULT_HOURS
) -> dt.datetime:
    """``days`` working days after ``start`` (see the module docstring for the rule)."""
    if days < 0:
        raise ValueError(f"工作日数不能为负: {days} / days must not be negative")
    return add_working_hours(start, days * working.hours_per_day, working)


def working_hours_between(
    a: dt.datetime, b: dt.datetime, working: WorkingHours = DEFAULT_HOURS
) -> float:
    """Working hours from ``a`` to ``b``; negative when ``b`` is before ``a``."""
    a, b = _local(a), _local(b)
    if b < a:
        return -working_hours_between(b, a, working)
    total = 0.0
    day = a.date()
    while day <= b.date():
        for open_at, close_at in working.intervals(day):
            overlap = min(close_at, b) - max(open_at, a)
            total += max(overlap.total_seconds(), 0.0)
        day += dt.timedelta(days=1)
    return total / 3600


def end_of_month(moment: dt.datetime) -> dt.datetime:
    """23:59:59 on the last day of ``moment``'s month, Asia/Shanghai.

    Whole seconds so it reads well in ledgers; compare with ``<=``.
    """
    local = _local(moment)
    first_of_next = (local.date().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last_day = first_of_next - dt.timedelta(days=1)
    return dt.datetime.combine(last_day, dt.time(23, 59, 59), TZ)
