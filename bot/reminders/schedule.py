"""What the scheduler runs: the digest round (every few minutes; acts once a working day per group)
and the nudge round. Both take `now`, so tests drive them with a chosen clock."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import transaction
from bot.reminders import robot
from bot.reminders.digest import build_digest
from bot.reminders.queue import already_queued, queue_messages
from bot.service import Service
from models.calendar import TZ, is_working_day
from models.groups import GroupChat
from models.streets import Street
from models.units import Unit

log = logging.getLogger(__name__)
CATCH_UP = timedelta(hours=3)  # a process that starts late still sends the day's digest, until then


def digest_due(digest_time: str, now: datetime) -> bool:
    """On a working day (调休 Saturdays included, holidays not), from the digest time for CATCH_UP."""
    local = now.astimezone(TZ)
    hh, mm = (int(x) for x in digest_time.split(":"))
    start = datetime.combine(local.date(), time(hh, mm), TZ)
    return is_working_day(local.date()) and start <= local < start + CATCH_UP


def run_digests(service: Service, now: datetime) -> int:
    """Queue today's digest for every street and unit group that has none yet; returns how many."""
    if not digest_due(service.config.reminders.digest_time, now):
        return 0
    period = now.astimezone(TZ).date().isoformat()
    with service.sessions() as session:
        group_ids = list(session.scalars(select(GroupChat.id).where(
            GroupChat.active, (GroupChat.street_id.is_not(None)) | (GroupChat.unit_id.is_not(None)))
            .order_by(GroupChat.id)))
    queued = 0
    for group_id in group_ids:
        try:
            queued += _queue_digest(service, group_id, period, now)
        except IntegrityError:
            log.info("digest %s for group %s was queued by another worker", period, group_id)
    return queued


def _queue_digest(service: Service, group_id: int, period: str, now: datetime) -> int:
    with transaction(service.sessions) as session:
        if already_queued(session, group_id, "digest", period):
            return 0
        group = session.get_one(GroupChat, group_id)
        scope = session.get(Street, group.street_id) if group.street_id else session.get(Unit, group.unit_id)
        digest = build_digest(session, group, scope.name if scope else group.name, now)
        messages = [robot.markdown(part) for part in digest.parts]
        if digest.mobiles:  # markdown cannot @ by mobile; a short text can
            messages.append(robot.text("请以上案件责任人及时处理。", mobiles=digest.mobiles))
        queue_messages(session, group_id, "digest", period, messages)
        return 1
