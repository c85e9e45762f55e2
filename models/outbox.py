"""Transactional outbox: slow work written in the same transaction as the change that needs it.

Workers claim a job with a lease (an UPDATE that only one of them can win, on SQLite and on
PostgreSQL alike), run it, and record success, or failure with back-off, or park it when a retry
cannot help. A worker killed mid-job loses nothing: its lease (short, renewed while the job runs)
runs out and another takes the job. A job that calls something not safe to repeat (a WeChat
customer-service message) records `sending_at` before the call; finding it set on a new claim means
the last worker died mid-call, and the job is parked for a person to decide, not sent twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, String, Text, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.prepared import Prepared
from models.base import Base, created_at, intpk, str_enum, utcnow


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    PARKED = "parked"  # failed in a way retrying cannot fix; shown to people, not retried


class OutboxJob(Base):
    __tablename__ = "outbox"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40), index=True)
    payload: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus), default=JobStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sending_at: Mapped[datetime | None]  # a call not safe to repeat began; cleared with its outcome
    created_at: Mapped[created_at]
    done_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxJob {self.id} {self.kind} {self.status} attempts={self.attempts}>"


# On the driver's cursor (bot.prepared), every column given: the webhook queues a photo download this way.
_NEW_JOB = Prepared(insert(OutboxJob.__table__), ("kind", "payload", "status", "attempts", "next_try_at", "created_at"))


def enqueue(
    session: Session, kind: str, payload: dict[str, Any], *, key: str | None = None,
    not_before: datetime | None = None,
) -> OutboxJob | None:
    """Add a job to the caller's transaction. With a key already queued, adds nothing."""
    if key is not None and session.scalar(select(OutboxJob.id).where(OutboxJob.idempotency_key == key)):
        return None
    job = OutboxJob(kind=kind, payload=payload, idempotency_key=key, next_try_at=not_before or utcnow())
    session.add(job)
    return job


def enqueue_now(connection: Connection, kind: str, payload: dict[str, Any]) -> None:
    """`enqueue` without a key, for the webhook's hot path: one INSERT with the columns' defaults, no unit of
    work and no job object."""
    now = utcnow()
    _NEW_JOB.run(connection, {"kind": kind, "payload": payload, "status": JobStatus.PENDING, "attempts": 0,
                              "next_try_at": now, "created_at": now})


def claim_due(session: Session, lease: timedelta, limit: int = 10, *,
              batch_kinds: Collection[str] = (), batch_limit: int = 0) -> list[OutboxJob]:
    """Take the first `limit` due jobs for this worker, and with them, up to `batch_limit` in all, due jobs of
    `batch_kinds` (kinds that run a claimed batch at once); each job is won by exactly one claimant.

    On PostgreSQL the read locks the rows it returns and skips rows another claimant holds, so two
    workers never even try for the same job. SQLite needs no lock: its claim holds the one write lock.
    """
    now = utcnow()
    query = (select(OutboxJob.id, OutboxJob.kind).where(*_due(now)).order_by(OutboxJob.next_try_at, OutboxJob.id)
             .limit(max(limit, batch_limit)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = session.execute(query).all()
    return claim(session, [job_id for n, (job_id, kind) in enumerate(due) if n < limit or kind in batch_kinds],
                 lease, now)


def claim(session: Session, job_ids: Sequence[int], lease: timedelta, now: datetime) -> list[OutboxJob]:
    """Lease the given jobs that are still due, in one statement. The UPDATE checks every condition again:
    between a read and this write another worker may have finished the job, or failed it into its back-off."""
    if not job_ids:
        return []
    claimed = session.scalars(
        update(OutboxJob)
        .where(OutboxJob.id.in_(job_ids), *_due(now))
        .values(locked_until=now + lease, attempts=OutboxJob.attempts + 1)
        .returning(OutboxJob)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).all()
    # In the order they fell due: parts of one digest go out in sequence.
    return sorted(claimed, key=lambda job: (job.next_try_at, job.id))


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxJob.status == JobStatus.PENDING,
        OutboxJob.next_try_at <= now,
        or_(OutboxJob.locked_until.is_(None), OutboxJob.locked_until < now),
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour, so a platform down for hours is retried hourly."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def renew_leases(session: Session, job_ids: Sequence[int], lease: timedelta) -> None:
    """Extend the leases of jobs this worker still holds (the heartbeat). A job already finished has no
    lease any more (its outcome cleared it) and gets none back."""
    session.execute(
        update(OutboxJob)
        .where(OutboxJob.id.in_(job_ids), OutboxJob.status == JobStatus.PENDING, OutboxJob.locked_until.is_not(None))
        .values(locked_until=utcnow() + lease)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, job_ids: Sequence[int]) -> None:
    """Give back claimed jobs this worker will not start (it is shutting down): due again at once for
    another worker, and the claim costs them no attempt."""
    session.execute(
        update(OutboxJob)
        .where(OutboxJob.id.in_(job_ids), OutboxJob.status == JobStatus.PENDING, OutboxJob.locked_until.is_not(None),
               OutboxJob.sending_at.is_(None))
        .values(locked_until=None, attempts=OutboxJob.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def mark_done(session: Session, job_ids: int | Sequence[int]) -> None:
    """Record the success of a job (or of a batch's jobs, in one statement) in the caller's transaction, written
    directly: reading the rows back first (the handler's commit expired them) cost a round trip per job."""
    ids = [job_ids] if isinstance(job_ids, int) else list(job_ids)
    if not ids:
        return
    session.execute(
        update(OutboxJob).where(OutboxJob.id.in_(ids))
        .values(status=JobStatus.DONE, done_at=utcnow(), locked_until=None, last_error=None, sending_at=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(job: OutboxJob, error: str) -> None:
    job.last_error = error[:2000]
    job.next_try_at = utcnow() + backoff(job.attempts)
    job.locked_until = job.sending_at = None


def mark_waiting(job: OutboxJob, reason: str, delay: timedelta) -> None:
    """Not a failure: the job depends on another one that has not finished. Waiting costs no attempt."""
    job.last_error = reason[:2000]
    job.next_try_at = utcnow() + delay
    job.attempts = max(job.attempts - 1, 0)
    job.locked_until = job.sending_at = None


def mark_parked(job: OutboxJob, error: str) -> None:
    job.status, job.last_error, job.locked_until, job.sending_at = JobStatus.PARKED, error[:2000], None, None


def requeue(job: OutboxJob, max_attempts: int) -> None:
    """A person decided to try a parked job again: it gets at least one more try. Its attempts are lowered
    only as far as that needs, so a job that ran before still knows it (an uplink push then first asks
    the platform whether the case arrived)."""
    job.status, job.next_try_at, job.locked_until, job.sending_at = JobStatus.PENDING, utcnow(), None, None
    job.attempts = min(job.attempts, max_attempts - 1)
