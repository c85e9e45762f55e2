"""Scheduler registration: every process that runs a scheduler runs these; the rounds themselves make
sure each digest and nudge is queued once (unique keys), so more processes never mean more messages."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler

from bot.reminders.calendar_notice import run_calendar_notice
from bot.reminders.schedule import run_digests
from bot.reminders.nudges import run_nudges
from bot.service import Service
from models.base import utcnow

log = logging.getLogger(__name__)


def digest_round(service: Service) -> None:
    run_digests(service, utcnow())
    run_calendar_notice(service, utcnow())
    from bot.reports.bulletin import run_bulletin  # matplotlib is only imported when a bulletin is due

    run_bulletin(service, utcnow())


def nudge_round(service: Service) -> None:
    run_nudges(service, utcnow())


def add_reminder_jobs(scheduler: BaseScheduler, service: Service) -> None:
    scheduler.add_job(digest_round, "interval", minutes=1, args=[service], id="group_digests")
    scheduler.add_job(nudge_round, "interval", minutes=5, args=[service], id="deadline_nudges")
