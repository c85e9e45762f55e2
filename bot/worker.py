"""Drains the outbox: each job runs in its own transaction, with its result recorded beside it; a kind
with a batch handler runs a claimed batch's jobs together, their results recorded in one transaction.

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
FIRST_CLAIM = 3  # jobs of any kind claimed at once; what a worker killed mid-job leaves to its lease
INTERRUPTED = "发送中断, 可能已送达: 上次发送时处理进程中止。确认对方未收到后运行 chengguan jobs retry {job_id} 重发"


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad data, a 4xx from the platform)."""


class Released(Exception):
    """A batch handler did not start this job (the worker is stopping, or the job must wait for an earlier
    one of the same batch to be recorded): given back, due again at once, the claim costs it no attempt."""


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


@dataclass(frozen=True)
class Claimed:
    """What the claim read of a job; running it needs no second read (one write transaction fewer)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    sending_at: datetime | None = None
    key: str | None = None
    created_at: datetime | None = None


@dataclass
class BatchContext:
    """What a batch handler works with: one session whose pending writes commit with the batch's completions."""

    session: Session
    service: Service
    stop: threading.Event | None = None

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def job(self, job_id: int) -> JobContext:
        """A single job's context on the batch's session (for code shared with the one-job handler)."""
        return JobContext(self.session, self.service, job_id)


JobHandler = Callable[[JobContext, dict[str, Any]], None]
ParkedHook = Callable[[JobContext, dict[str, Any], str], None]
# Runs the jobs of a batch and returns the failed (or Released) ones' exceptions; the others are done, their
# writes pending in the context's session (uncommitted). A failed job must leave no write there.
BatchHandler = Callable[[BatchContext, list[Claimed]], dict[int, BaseException]]


@dataclass(frozen=True)
class JobKind:
    run: JobHandler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    on_parked: ParkedHook | None = None  # tells whoever waits on the job, in the transaction that parks it
    run_batch: BatchHandler | None = None  # the same work for many jobs at once, fewer round trips per job


class Worker:
    def __init__(
        self, service: Service, handlers: Mapping[str, JobHandler | JobKind],
        *, lease: timedelta | None = None, batch: int | None = None,
    ) -> None:
        # a larger batch costs fewer round trips per job; a worker killed mid-batch leaves it to its lease
        self.service, self.batch = service, batch or service.config.worker_batch
        self.kinds = {name: h if isinstance(h, JobKind) else JobKind(h) for name, h in handlers.items()}
        self.batch_kinds = [name for name, kind in self.kinds.items() if kind.run_batch is not None]
        self.lease = lease or timedelta(seconds=service.config.job_lease_seconds)
        install_log_redaction(service.config)
        logs.watch_cases()

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim and run the jobs that are due now; returns how many ran. Once `stop` is set, the job in
        hand is finished and the rest of the batch is released for other workers."""
        with transaction(self.service.sessions) as session:
            claimed = [Claimed(job.id, job.kind, dict(job.payload), job.attempts, job.sending_at,
                               job.idempotency_key, job.created_at)
                       for job in self._claim(session)]
        if not claimed:
            return 0
        with heartbeat(self.service.sessions, [job.id for job in claimed], self.lease) as held:
            n = 0
            while n < len(claimed):
                if stop is not None and stop.is_set():
                    self._release([j.id for j in claimed[n:]])
                    return n
                group = self._batchable(claimed, n)
                if group:
                    released = self._run_batch(group, stop)
                    for job in group:
                        held.release(job.id)
                    if released:
                        self._release(released)
                    n += len(group)
                    continue
                job = claimed[n]
                with logs.scope(job_id=job.id, bind_case=True):  # its lines carry the job id and case number
                    self._run(job)
                held.release(job.id)
                n += 1
        return len(claimed)

    def _claim(self, session: Session) -> list[OutboxJob]:
        """A few due jobs of any kind and, up to `batch`, more of the kinds that run as a batch: the slow
        one-by-one jobs (photo fetches, notices) stay for other workers meanwhile."""
        return claim_due(session, self.lease, min(FIRST_CLAIM, self.batch), batch_kinds=self.batch_kinds,
                         batch_limit=self.batch)

    def _batchable(self, claimed: list[Claimed], start: int) -> list[Claimed]:
        """The run of jobs from `start` that one batch handler takes together (none: run `start` alone)."""
        kind = self.kinds.get(claimed[start].kind)
        if kind is None or kind.run_batch is None:
            return []
        group = []
        for job in claimed[start:]:
            if job.kind != claimed[start].kind or job.sending_at is not None or job.attempts > kind.max_attempts:
                break
            group.append(job)
        return group

    def _run_batch(self, jobs: list[Claimed], stop: threading.Event | None) -> list[int]:
        """Run a batch handler's jobs; the done ones' writes and completions commit together, in one
        transaction. Failures are then recorded one by one, as `_run` would. Returns the released ids."""
        kind = self.kinds[jobs[0].kind]
        assert kind.run_batch is not None
        with self.service.sessions() as session:
            try:
                failed = kind.run_batch(BatchContext(session, self.service, stop), jobs)
                mark_done(session, [job.id for job in jobs if job.id not in failed])
                session.commit()
            except Exception as exc:  # the batch's record could not be written: each job is tried again
                log.exception("batch of %s %s jobs failed", len(jobs), jobs[0].kind)
                session.rollback()
                failed = dict.fromkeys((job.id for job in jobs), exc)
        released = [job_id for job_id, exc in failed.items() if isinstance(exc, Released)]
        for job in jobs:
            exc = failed.get(job.id)
            if exc is not None and not isinstance(exc, Released):
                with logs.scope(job_id=job.id, bind_case=True), self.service.sessions() as session:
                    self._settle(JobContext(session, self.service, job.id), job, kind, exc)
        return released

    def _release(self, job_ids: list[int]) -> None:
        with transaction(self.service.sessions) as session:
            release(session, job_ids)
        log.info("released jobs %s, not started (stopping, or waiting on one of the batch)", job_ids)

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
            except Exception as exc:
                session.rollback()  # the handler's own writes are undone; the outcome is recorded
                self._settle(context, job, kind, exc)

    def _settle(self, context: JobContext, job: Claimed, kind: JobKind, exc: BaseException) -> None:
        """Record a job's failure (its own writes already rolled back): wait, park, or retry with back-off."""
        session, job_id, attempts = context.session, job.id, job.attempts
        if isinstance(exc, RetryLater):
            log.info("job %s %s waits: %s", job_id, job.kind, exc)
            mark_waiting(session.get_one(OutboxJob, job_id), redact(str(exc)), exc.delay)
            session.commit()
            return
        if isinstance(exc, PermanentJobError):
            log.warning("job %s %s parked: %s", job_id, job.kind, exc)
            return self._park(context, job, kind, str(exc))
        log.error("job %s %s failed (attempt %s)", job_id, job.kind, attempts, exc_info=exc)
        error = f"{type(exc).__name__}: {exc}"
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
