"""A notice no channel could deliver goes out once the resident writes again: every minute, parked
undeliverable notices of residents whose customer-service window is open now are queued again.

Only notices parked as undeliverable are taken: nothing of them was sent, so sending is safe. A window
WeChat then refuses (45015) is recorded as used up, so a notice is never taken in a loop.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.db import transaction
from bot.notices.queue import KIND, UNDELIVERABLE_PREFIX
from bot.service import Service
from bot.worker import DEFAULT_MAX_ATTEMPTS
from models import utcnow
from models.outbox import JobStatus, OutboxJob, requeue
from models.reach import ResidentReach

BATCH = 500
MESSAGES = 2  # the most a notice takes (the closure text and its photo)


def resend_when_reachable(service: Service) -> int:
    """Queue again the undeliverable notices whose resident can be reached now; returns how many."""
    with transaction(service.sessions) as session:
        parked = session.scalars(
            select(OutboxJob).where(OutboxJob.kind == KIND, OutboxJob.status == JobStatus.PARKED,
                                    OutboxJob.last_error.startswith(UNDELIVERABLE_PREFIX))
            .order_by(OutboxJob.id).limit(BATCH)
        ).all()
        if not parked:
            return 0
        openids = {job.payload.get("to") for job in parked}
        now = utcnow()
        open_now = {r.openid for r in session.scalars(select(ResidentReach).where(ResidentReach.openid.in_(openids)))
                    if r.window_left(now, MESSAGES)}
        again = [job for job in parked if job.payload.get("to") in open_now]
        for job in again:
            requeue(job, DEFAULT_MAX_ATTEMPTS)  # one more try at least
        return len(again)
