"""Which days are working days (工作日) in China, and where that knowledge comes from.

A year's schedule comes from the first source that has it:

1. ``imported``: the State Council's 放假安排 as an admin imported it (``chengguan calendar import``,
   stored in the database);
2. ``packaged``: ``models/data/holiday_overrides.csv``, shipped for years we know before the package does;
3. ``chinesecalendar``: the maintained package's official schedule;
4. ``provisional``: for a year no source knows yet, weekends plus the statutory holidays computed by rule
   by the ``holidays`` package. The service never stops for a missing year; admins are told instead
   (``bot.reminders.calendar_notice``, ``chengguan doctor``).

For sources 1, 2 and 4 a schedule lists the days that differ from Monday-Friday: rest days (放假) and
make-up working days (调休上班); every other day follows Monday-Friday.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cache
from importlib.resources import files

import chinese_calendar
import holidays

log = logging.getLogger(__name__)

# The listed days of one year: False = 放假 (rest), True = 调休上班 (working). Others: Monday-Friday.
Schedule = Mapping[dt.date, bool]
SchedulesByYear = Mapping[int, Schedule]


class DaySource(StrEnum):
    IMPORTED = "imported"
    PACKAGED = "packaged"
    CHINESECALENDAR = "chinesecalendar"
    PROVISIONAL = "provisional"

    @property
    def label(self) -> str:
        return {
            DaySource.IMPORTED: "已导入的国务院放假安排",
            DaySource.PACKAGED: "随软件提供的放假安排",
            DaySource.CHINESECALENDAR: "chinesecalendar 包中的国务院放假安排",
            DaySource.PROVISIONAL: "临时日历（周末和按规则推算的法定节假日，不含调休上班日）",
        }[self]

    @property
    def official(self) -> bool:
        return self is not DaySource.PROVISIONAL


class ImportedSchedules:
    """The database's schedules, read through a loader that the service installs and re-read at most
    every ``ttl`` seconds, so an import made by another process takes effect within that time."""

    def __init__(self) -> None:
        self._loader: Callable[[], SchedulesByYear] | None = None
        self._ttl = 60.0
        self._years: SchedulesByYear = {}
        self._loaded_at = -float("inf")
        self._lock = threading.Lock()

    def install(self, loader: Callable[[], SchedulesByYear] | None, ttl: float = 60.0) -> None:
        with self._lock:
            self._loader, self._ttl, self._years = loader, ttl, {}
            self._loaded_at = -float("inf")

    def invalidate(self) -> None:
        self._loaded_at = -float("inf")

    def prime(self, years: SchedulesByYear) -> None:
        """Use ``years`` now (an import in this process, before its commit is visible to the loader)."""
        with self._lock:
            self._years, self._loaded_at = dict(years), time.monotonic()

    def get(self) -> SchedulesByYear:
        if self._loader is not None and time.monotonic() - self._loaded_at > self._ttl:
            with self._lock:
                if time.monotonic() - self._loaded_at > self._ttl:
                    self._reload()
        return self._years

    def _reload(self) -> None:
        assert self._loader is not None
        try:
            self._years = self._loader()
        except Exception as exc:  # a database not yet migrated, or briefly unreachable: keep what we had
            log.warning("未能读取已导入的放假安排 (%s)，暂用其他来源", type(exc).__name__)
        self._loaded_at = time.monotonic()


imported = ImportedSchedules()


def is_working_day(day: dt.date) -> bool:
    """True on a working day, including 调休 weekend working days."""
    schedule, source = year_schedule(day.year)
    if source is DaySource.CHINESECALENDAR:
        return bool(chinese_calendar.is_workday(day))
    listed = schedule.get(day)
    return listed if listed is not None else day.weekday() < 5


def year_source(year: int) -> DaySource:
    return year_schedule(year)[1]


def year_schedule(year: int) -> tuple[Schedule, DaySource]:
    """The listed days of ``year`` and their source (empty for chinesecalendar, which answers per day)."""
    imported_year = imported.get().get(year)
    if imported_year is not None:
        return imported_year, DaySource.IMPORTED
    packaged_year = packaged_schedules().get(year)
    if packaged_year is not None:
        return packaged_year, DaySource.PACKAGED
    if chinesecalendar_knows(year):
        return {}, DaySource.CHINESECALENDAR
    return provisional_schedule(year), DaySource.PROVISIONAL


@cache
def chinesecalendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def provisional_schedule(year: int) -> Schedule:
    """Rest days by rule (statutory holidays and the days observed for them) from ``holidays``; make-up
    working days only where that package already knows the official schedule."""
    china = holidays.China(years=year)
    schedule: dict[dt.date, bool] = {day: False for day in china}
    schedule.update({day: True for day in china.weekend_workdays if day.year == year})
    return schedule


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays (法定节假日) of ``year`` by rule, without observed or 调休 days: an official
    schedule must give each of them as a rest day."""
    china = holidays.China(years=year, observed=False, language="en_US")
    chinese = holidays.China(years=year, observed=False, language="zh_CN")
    # Substituted rest days (调休) are named "Day off (substituted from ...)"; they are not statutory.
    return {day: chinese[day] for day, name in china.items() if not name.startswith("Day off")}


@cache
def packaged_schedules() -> SchedulesByYear:
    """Years in ``models/data/holiday_overrides.csv`` (same format as ``chengguan calendar import``)."""
    from models.schedule_csv import parse_schedule  # the parser validates against this module's rules

    text = (files("models") / "data" / "holiday_overrides.csv").read_text(encoding="utf-8")
    return parse_schedule(text, "holiday_overrides.csv") if _has_rows(text) else {}


def _has_rows(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return len(list(csv.reader(lines))) > 1
