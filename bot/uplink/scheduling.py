"""Ordering and timing of uplink jobs: one case's steps in order, and a recurring status poll."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.uplink.client import PlatformUnavailable
from bot.worker import PermanentJobError
from models.base import utcnow
from models.outbox import JobStatus, OutboxJob, enqueue

KIND_POLL = "open311.poll"


def wait_for_earlier_steps(session: Session, job: OutboxJob, case_keys: list[str], case_number: str) -> None:
    """Raise while an earlier step of the same case and target is still queued (retry later), or
    parked (park this one too: it would overtake a step a person has to fix first)."""
    statuses = set(session.scalars(select(OutboxJob.status).where(
        OutboxJob.idempotency_key.in_(case_keys), OutboxJob.id < job.id, OutboxJob.status != JobStatus.DONE)))
    if JobStatus.PARKED in statuses:
        raise PermanentJobError(
            f"案件 {case_number} 的前一步上报被搁置; 先处理它 (chengguan platform stuck), 再一起 retry")
    if statuses:
        raise PlatformUnavailable(f"案件 {case_number} 的前一步尚未上报成功, 按顺序等待")


def schedule_poll(session: Session, minutes: int, now: datetime | None = None, kind: str = KIND_POLL) -> None:
    """Queue one status poll at the next slot of `minutes`; the slot is its key, so at most one
    poll per slot is ever queued however many cases ask for it."""
    step = minutes * 60
    slot = int((now or utcnow()).timestamp()) // step + 1
    try:
        with session.begin_nested():  # a concurrent worker may queue the same slot first; then it has one
            enqueue(session, kind, {"slot": slot}, key=f"{kind.split('.')[0]}:poll:{minutes}:{slot}",
                    not_before=datetime.fromtimestamp(slot * step, UTC))
    except IntegrityError:
        pass
