"""notify.text: a send whose answer never came may have arrived; it is parked for a person, not resent.
A send WeChat refused outright is retried or parked as before."""

from __future__ import annotations

import requests
from sqlalchemy import select

from bot import outbound
from bot.db import transaction
from bot.jobs import job_handlers
from bot.worker import Worker
from models import JobStatus, OutboxJob, utcnow
from models.outbox import enqueue


def queue_text(service) -> int:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        job = enqueue(s, "notify.text", {"channel": "mp", "to": "resident-1", "text": "案件已受理"})
        s.flush()
        return job.id  # type: ignore[union-attr]


def test_a_send_that_timed_out_is_parked_not_resent(service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def times_out(config, channel, to, text) -> None:  # type: ignore[no-untyped-def]
        calls.append(text)
        raise requests.ReadTimeout("read timed out")

    monkeypatch.setattr(outbound, "send_text", times_out)
    job_id = queue_text(service)
    worker = Worker(service, job_handlers())
    worker.run_once()
    with transaction(service.sessions) as s:  # even if someone made it due again
        s.get_one(OutboxJob, job_id).next_try_at = utcnow()
    worker.run_once()
    with service.sessions() as s:
        job = s.get_one(OutboxJob, job_id)
    assert calls == ["案件已受理"]
    assert job.status == JobStatus.PARKED and job.last_error.startswith("发送超时, 可能已送达")
    assert f"chengguan jobs retry {job_id}" in job.last_error


def test_a_connection_refused_before_sending_is_retried(service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refused(config, channel, to, text) -> None:  # type: ignore[no-untyped-def]
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(outbound, "send_text", refused)
    job_id = queue_text(service)
    Worker(service, job_handlers()).run_once()
    with service.sessions() as s:
        job = s.scalars(select(OutboxJob).where(OutboxJob.id == job_id)).one()
    assert job.status == JobStatus.PENDING and job.sending_at is None and "connection refused" in job.last_error
