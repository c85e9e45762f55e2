"""Telling admins that a year's official holiday schedule is missing: once a working day in the district
group (at the digest time), and in `chengguan doctor` and `serve` output."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.reminders import robot
from bot.reminders.queue import queue_to_groups
from bot.reminders.schedule import digest_due
from bot.service import Service
from models.calendar import TZ
from models.groups import GroupChat
from models.workdays import year_source

HORIZON = timedelta(days=60)  # deadlines of up to 20 working days reach this far ahead


def provisional_years(today: date) -> list[int]:
    """This year and, once its deadlines can reach it, next year, where no official schedule is known."""
    years = range(today.year, (today + HORIZON).year + 1)
    return [year for year in years if not year_source(year).official]


def calendar_warning(year: int) -> str:
    return (f"{year} 年的国务院放假安排尚未导入：{year} 年的截止时间、工作日提醒暂按临时日历计算（周末和按规则推算的"
            f"法定节假日，不含调休上班日）。国务院公布后请导入: chengguan calendar import 放假安排.csv"
            f"（格式见 chengguan calendar import --help）")


def calendar_warnings(today: date) -> list[str]:
    return [calendar_warning(year) for year in provisional_years(today)]


def run_calendar_notice(service: Service, now: datetime) -> int:
    """Queue today's warning to every district group that has not had it; returns how many."""
    today = now.astimezone(TZ).date()
    warnings = calendar_warnings(today)
    if not warnings or not digest_due(service.config.reminders.digest_time, now):
        return 0
    with service.sessions() as session:
        group_ids = list(session.scalars(select(GroupChat.id).where(GroupChat.active, GroupChat.district)))
    message = robot.text("【工作日历提醒】" + "\n".join(warnings))
    return queue_to_groups(service.sessions, group_ids, "calendar", today.isoformat(), [message])
