"""Ordering and timing of uplink jobs: one case's steps in order, and a recurring status poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.uplink.client import PlatformUnavailable
from bot.worker import PermanentJobError
from models.base import utcnow
from models.outbox import JobStatus, OutboxJob, enqueue

KIND_POLL = "open311.poll"


@dataclass(frozen=True)
class StepJob:
    """Another step job of the same case and target, as one read of them all found it."""

    id: int
    status: JobStatus
    attempts: int


def other_step_jobs(session: Session, job_id: int, case_keys: list[str]) -> list[StepJob]:
    """The case's other step jobs (by their exact keys), in one read: what ordering and the
    "may have been sent" check both need."""
    return others_of(step_jobs_by_key(session, case_keys), job_id, case_keys)


def step_jobs_by_key(session: Session, keys: list[str]) -> dict[str, StepJob]:
    """The step jobs with these keys (of one case, or of a batch's cases), in one read."""
    if not keys:
        return {}
    return {key: StepJob(job_id, status, attempts) for key, job_id, status, attempts in session.execute(
        select(OutboxJob.idempotency_key, OutboxJob.id, OutboxJob.status, OutboxJob.attempts)
        .where(OutboxJob.idempotency_key.in_(keys)))}


def others_of(found: dict[str, StepJob], job_id: int, case_keys: list[str]) -> list[StepJob]:
    return [job for key in case_keys if (job := found.get(key)) is not None and job.id != job_id]


def wait_for_earlier_steps(session: Session, job: OutboxJob, case_keys: list[str], case_number: str) -> None:
    check_earlier_steps(job.id, other_step_jobs(session, job.id, case_keys), case_number)


def check_earlier_steps(job_id: int, others: list[StepJob], case_number: str) -> None:
    """Raise while an earlier step of the same case and target is still queued (retry later), or
    parked (park this one too: it would overtake a step a person has to fix first)."""
    statuses = {other.status for other in others if other.id < job_id and other.status != JobStatus.DONE}
    if JobStatus.PARKED in statuses:
        raise PermanentJobError(
            f"案件 {case_number} 的前一步上报被搁置; 先处理它 (chengguan platform stuck), 再一起 retry")
    if statuses:
        raise PlatformUnavailable(f"案件 {case_number} 的前一步尚未上报成功, 按顺序等待")


def schedule_poll(session: Session, minutes: int, now: datetime | None = None, kind: str = KIND_POLL) -> None:
    """Queue one status poll at the next slot of `minutes`; the slot is its key, so at most one
    poll per slot is ever queued however many cases ask for it.

    Most pushes find their slot's poll already queued: a slot seen committed is remembered per
    database, and a plain read comes before the savepoint, so those pushes cost no round trip or one."""
    step = minutes * 60
    slot = int((now or utcnow()).timestamp()) // step + 1
    key = f"{kind.split('.')[0]}:poll:{minutes}:{slot}"
    engine = session.get_bind()
    if _seen_queued.get(engine, {}).get(kind) == key:
        return
    if session.scalar(select(OutboxJob.id).where(OutboxJob.idempotency_key == key)) is not None:
        # Visible to a fresh read, so committed: jobs are never deleted before they ran, and this
        # slot's poll runs only once the slot is over.
        _seen_queued.setdefault(engine, {})[kind] = key
        return
    try:
        with session.begin_nested():  # a concurrent worker may queue the same slot first; then it has one
            enqueue(session, kind, {"slot": slot}, key=key, not_before=datetime.fromtimestamp(slot * step, UTC))
    except IntegrityError:
        pass


_seen_queued: WeakKeyDictionary[object, dict[str, str]] = WeakKeyDictionary()  # engine -> kind -> last key seen
