"""Drains the outbox: each job runs in its own transaction, with its result recorded beside it.

A handler raises PermanentJobError for failures that retrying cannot fix, and RetryLater when it
waits on another job (a photo still downloading); any other exception is retried later with
back-off, up to its kind's maximum number of attempts. A parked job keeps its reason, and the kind's
`on_parked` tells whoever waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import logs
from bot.db import checkpoint_wal, transaction
from bot.leases import heartbeat
from bot.redact import install_log_redaction, redact
from bot.service import Service
from models.base import utcnow
from models.heartbeat import HEARTBEAT_EVERY, WORKER, beat
from models.outbox import OutboxJob, claim_due, enqueue, mark_done, mark_failed, mark_parked, mark_waiting, release

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0
DEFAULT_MAX_ATTEMPTS = 10  # with the back-off: about three hours of trying
BATCH = 3  # claimed at once: what a worker killed mid-job leaves waiting for its lease
INTERRUPTED = "发送中断, 可能已送达: 上次发送时处理进程中止。确认对方未收到后运行 chengguan jobs retry {job_id} 重发"


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad data, a 4xx from the platform)."""


class RetryLater(Exception):
    """The job waits on something else (another job); run it again after `delay`, without counting an attempt."""

    def __init__(self, reason: str, delay: timedelta = timedelta(seconds=5)) -> None:
        super().__init__(reason)
        self.delay = delay


@dataclass
class JobContext:
    session: Session
    service: Service
    job_id: int

    def enqueue_text(self, channel: str, to: str, text: str, *, key: str | None = None) -> None:
        """Queue a chat message to a user, in this job's transaction."""
        enqueue(self.session, "notify.text", {"channel": channel, "to": to, "text": text}, key=key)

    def mark_sending(self) -> None:
        """Record, and commit, that a call that must not be repeated blindly begins now (commits the job's
        writes so far too). A worker that finds the mark on a later claim parks the job (INTERRUPTED)."""
        self.session.execute(update(OutboxJob).where(OutboxJob.id == self.job_id).values(sending_at=utcnow()))
        self.session.commit()


JobHandler = Callable[[JobContext, dict[str, Any]], None]
ParkedHook = Callable[[JobContext, dict[str, Any], str], None]


@dataclass(frozen=True)
class JobKind:
    run: JobHandler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    on_parked: ParkedHook | None = None  # tells whoever waits on the job, in the transaction that parks it


@dataclass(frozen=True)
class Claimed:
    """What the claim read of a job; running it needs no second read (one write transaction fewer)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    sending_at: datetime | None = None


class Worker:
    def __init__(
        self, service: Service, handlers: Mapping[str, JobHandler | JobKind],
        *, lease: timedelta | None = None, batch: int = BATCH,
    ) -> None:
        self.service, self.batch = service, batch
        self.kinds = {name: h if isinstance(h, JobKind) else JobKind(h) for name, h in handlers.items()}
        self.lease = lease or timedelta(seconds=service.config.job_lease_seconds)
        install_log_redaction(service.config)
        logs.watch_cases()

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim and run the jobs that are due now; returns how many ran. Once `stop` is set, the job in
        hand is finished and the rest of the batch is released for other workers."""
        with transaction(self.service.sessions) as session:
            claimed = [Claimed(job.id, job.kind, dict(job.payload), job.attempts, job.sending_at)
                       for job in claim_due(session, self.lease, self.batch)]
        if not claimed:
            return 0
        with heartbeat(self.service.sessions, [job.id for job in claimed], self.lease) as held:
            for n, job in enumerate(claimed):
                if stop is not None and stop.is_set():
                    self._release([j.id for j in claimed[n:]])
                    return n
                with logs.scope(job_id=job.id, bind_case=True):  # its lines carry the job id and case number
                    self._run(job)
                held.release(job.id)
        return len(claimed)

    def _release(self, job_ids: list[int]) -> None:
        with transaction(self.service.sessions) as session:
            release(session, job_ids)
        log.info("shutting down: released jobs %s", job_ids)

    def run_until_idle(self, max_rounds: int = 100) -> int:
        """Run jobs until none are due (tests and the CLI use this)."""
        total = 0
        for _ in range(max_rounds):
            ran = self.run_once()
            total += ran
            if ran == 0:
                break
        return total

    def run_forever(self, stop: threading.Event) -> None:
        poll = self.service.config.worker_poll_seconds
        last_checkpoint = last_beat = -HEARTBEAT_EVERY.total_seconds()
        while not stop.is_set():
            try:
                if time.monotonic() - last_beat >= HEARTBEAT_EVERY.total_seconds():
                    self.beat()  # /healthz reports a worker silent for STALE_AFTER
                    last_beat = time.monotonic()
                ran = self.run_once(stop)
                if time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
                    # Here rather than inside a webhook's commit (see bot.db.AUTOCHECKPOINT_PAGES).
                    checkpoint_wal(self.service.engine)
                    last_checkpoint = time.monotonic()
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("worker round failed")
                ran = 0
            if ran == 0:
                stop.wait(poll)

    def beat(self) -> None:
        with transaction(self.service.sessions) as session:
            beat(session, WORKER, utcnow())

    def _run(self, job: Claimed) -> None:
        """Run one claimed job. The handler's writes and the job's completion commit together.

        No transaction is open while the handler does slow work (downloads, image checks, HTTP to
        the platform) before its first database access: on SQLite a transaction holds the one write
        lock, and holding it through a download would stall every webhook.
        """
        job_id, kind, payload, attempts = job.id, self.kinds.get(job.kind), job.payload, job.attempts
        with self.service.sessions() as session:
            context = JobContext(session, self.service, job_id)
            if kind is None:
                return self._park(context, job, None, f"no handler for job kind {job.kind!r}")
            if job.sending_at is not None:  # the last worker died inside a call that must not be repeated
                return self._park(context, job, kind, INTERRUPTED.format(job_id=job_id))
            if attempts > kind.max_attempts:  # claimed again and again, never finished: its worker keeps dying
                return self._park(context, job, kind, f"已试 {attempts - 1} 次, 每次处理进程都中止了")
            try:
                kind.run(context, payload)
                mark_done(session, job_id)
                session.commit()
                return
            except RetryLater as exc:
                log.info("job %s %s waits: %s", job_id, job.kind, exc)
                session.rollback()
                mark_waiting(session.get_one(OutboxJob, job_id), redact(str(exc)), exc.delay)
                session.commit()
                return
            except PermanentJobError as exc:
                log.warning("job %s %s parked: %s", job_id, job.kind, exc)
                error = str(exc)
                session.rollback()  # the handler's own writes are undone; the failure is recorded
                return self._park(context, job, kind, error)
            except Exception as exc:
                log.exception("job %s %s failed (attempt %s)", job_id, job.kind, attempts)
                error = f"{type(exc).__name__}: {exc}"
            session.rollback()
            if attempts >= kind.max_attempts:
                return self._park(context, job, kind, f"已试 {attempts} 次仍失败: {error}")
            mark_failed(session.get_one(OutboxJob, job_id), redact(error))  # errors quote URLs with tokens
            session.commit()

    def _park(self, context: JobContext, job: Claimed, kind: JobKind | None, reason: str) -> None:
        session, reason = context.session, redact(reason)
        mark_parked(session.get_one(OutboxJob, job.id), reason)
        if kind is not None and kind.on_parked is not None:
            try:
                kind.on_parked(context, job.payload, reason)
            except Exception:  # telling people must not keep the job from being parked
                log.exception("job %s %s: telling who waits that it is parked failed", job.id, job.kind)
                session.rollback()
                mark_parked(session.get_one(OutboxJob, job.id), reason)
        session.commit()
