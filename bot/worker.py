"""Drains the outbox: each job runs in its own transaction, with its result recorded beside it.

A handler raises PermanentJobError for failures that retrying cannot fix (the job is parked and
shown to people); any other exception is retried later with back-off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import checkpoint_wal, transaction
from bot.redact import install_log_redaction, redact
from bot.service import Service
from models.outbox import OutboxJob, claim_due, enqueue, mark_done, mark_failed, mark_parked

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0


class PermanentJobError(Exception):
    """The job cannot succeed by retrying (bad data, a 4xx from the platform)."""


@dataclass
class JobContext:
    session: Session
    service: Service
    job_id: int

    def enqueue_text(self, channel: str, to: str, text: str, *, key: str | None = None) -> None:
        """Queue a chat message to a user, in this job's transaction."""
        enqueue(self.session, "notify.text", {"channel": channel, "to": to, "text": text}, key=key)


JobHandler = Callable[[JobContext, dict[str, Any]], None]


@dataclass(frozen=True)
class Claimed:
    """What the claim read of a job; running it needs no second read (one write transaction fewer)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class Worker:
    def __init__(
        self, service: Service, handlers: Mapping[str, JobHandler],
        *, lease: timedelta = timedelta(minutes=5), batch: int = 10,
    ) -> None:
        self.service, self.handlers, self.lease, self.batch = service, handlers, lease, batch
        install_log_redaction(service.config)

    def run_once(self) -> int:
        """Claim and run the jobs that are due now; returns how many ran."""
        with transaction(self.service.sessions) as session:
            claimed = [Claimed(job.id, job.kind, dict(job.payload), job.attempts)
                       for job in claim_due(session, self.lease, self.batch)]
        for job in claimed:
            self._run(job)
        return len(claimed)

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
        last_checkpoint = 0.0
        while not stop.is_set():
            try:
                ran = self.run_once()
                if time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
                    # Here rather than inside a webhook's commit (see bot.db.AUTOCHECKPOINT_PAGES).
                    checkpoint_wal(self.service.engine)
                    last_checkpoint = time.monotonic()
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("worker round failed")
                ran = 0
            if ran == 0:
                stop.wait(poll)

    def _run(self, job: Claimed) -> None:
        """Run one claimed job. The handler's writes and the job's completion commit together.

        No transaction is open while the handler does slow work (downloads, image checks, HTTP to
        the platform) before its first database access: on SQLite a transaction holds the one write
        lock, and holding it through a download would stall every webhook.
        """
        job_id, kind, payload, attempts = job.id, job.kind, job.payload, job.attempts
        with self.service.sessions() as session:
            handler = self.handlers.get(kind)
            try:
                if handler is None:
                    raise PermanentJobError(f"no handler for job kind {kind!r}")
                handler(JobContext(session, self.service, job_id), payload)
                mark_done(session.get_one(OutboxJob, job_id))
                session.commit()
                return
            except PermanentJobError as exc:
                log.warning("job %s %s parked: %s", job_id, kind, exc)
                outcome, error = mark_parked, str(exc)
            except Exception as exc:
                log.exception("job %s %s failed (attempt %s)", job_id, kind, attempts)
                outcome, error = mark_failed, f"{type(exc).__name__}: {exc}"
            session.rollback()  # the handler's own writes are undone; the failure is recorded
            outcome(session.get_one(OutboxJob, job_id), redact(error))  # errors quote URLs with tokens
            session.commit()
