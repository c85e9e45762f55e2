"""Periodic work, run by APScheduler inside `chengguan serve` and `chengguan worker`.

Every process that runs a scheduler runs every task; the tasks themselves make sure each effect
happens once (row locks, unique keys), so adding processes never duplicates a message.
"""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from bot.notices.resend import resend_when_reachable
from bot.open311.read_links import prepare_read_links
from bot.privacy.job import queue_daily_run
from bot.reminders.scheduling import add_reminder_jobs
from bot.service import Service
from bot.tasks.conversations import expire_idle_conversations
from bot.uplink.refresh import EVERY_HOURS as REFRESH_HOURS, scheduled_refresh
from models.calendar import TZ


def build_scheduler(service: Service) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=TZ, job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(expire_idle_conversations, "interval", minutes=1, args=[service], id="expire_conversations")
    scheduler.add_job(resend_when_reachable, "interval", minutes=1, args=[service], id="resend_notices")
    scheduler.add_job(queue_daily_run, "interval", minutes=10, args=[service], id="privacy_retention")
    scheduler.add_job(prepare_read_links, "interval", minutes=1, args=[service], id="open311_photo_links")
    if service.config.platform.open311_enabled:  # services and capabilities may change on the platform's side
        scheduler.add_job(scheduled_refresh, "interval", hours=REFRESH_HOURS, args=[service], id="platform_refresh")
    add_reminder_jobs(scheduler, service)  # group digests, bulletin, deadline nudges
    return scheduler
