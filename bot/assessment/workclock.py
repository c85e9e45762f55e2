"""Working hours between two moments, fast: prefix sums per day instead of a walk over the days.

Agrees with `models.calendar.working_hours_between` (tested); used where thousands of cases are
measured at once (overdue time in digests, time to close in the assessment).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from models.calendar import DEFAULT_HOURS, TZ, WorkingHours, is_working_day, working_hours_between


class WorkClock:
    def __init__(self, first: date, last: date, working: WorkingHours = DEFAULT_HOURS) -> None:
        self.first, self.last, self.working = first, last, working
        self._cum: dict[date, float] = {}  # working seconds before the day begins, counted from `first`
        self._workday: dict[date, bool] = {}
        total, day = 0.0, first
        while day <= last:
            self._workday[day] = is_working_day(day)
            self._cum[day] = total
            if self._workday[day]:
                total += working.hours_per_day * 3600
            day += timedelta(days=1)

    def _position(self, moment: datetime) -> float | None:
        local = moment.astimezone(TZ)
        day = local.date()
        if day not in self._cum or day > self.last:
            return None
        seconds = self._cum[day]
        if self._workday[day]:
            clock = local.time()
            for start, end in self.working.periods:
                seconds += max(0.0, _span(start, min(max(clock, start), end)))
        return seconds

    def hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours from `a` to `b` (negative when `b` is earlier)."""
        pa, pb = self._position(a), self._position(b)
        if pa is None or pb is None:
            return working_hours_between(a, b, self.working)
        return (pb - pa) / 3600


def _span(a: time, b: time) -> float:
    return (datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()
