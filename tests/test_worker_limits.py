"""Every job kind has a maximum number of attempts and a parked state whose reason reaches whoever waits;
a job waiting on another does not spend attempts; leases stay alive while a job runs; a call that must
not be repeated is not repeated after a crash."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.worker import JobKind, RetryLater, Worker
from models import JobStatus, OutboxJob, utcnow
from models.outbox import claim_due, enqueue

WAIT_S = 30


def job(service, job_id: int) -> OutboxJob:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.get_one(OutboxJob, job_id)


def queue(service, kind: str, payload: dict[str, Any] | None = None) -> int:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        new = enqueue(s, kind, payload or {})
        s.flush()
        return new.id  # type: ignore[union-attr]


def make_due(service, job_id: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        s.get_one(OutboxJob, job_id).next_try_at = utcnow()


def test_a_job_that_keeps_failing_is_parked_after_its_kinds_attempts_and_who_waits_is_told(service) -> None:  # type: ignore[no-untyped-def]
    told: list[str] = []

    def broken(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        raise ConnectionError("platform down")

    def tell(ctx, payload, reason) -> None:  # type: ignore[no-untyped-def]
        told.append(reason)
        ctx.enqueue_text("work", payload["to"], "处理失败, 请重新发送。")

    job_id = queue(service, "flaky", {"to": "officer-1"})
    worker = Worker(service, {"flaky": JobKind(broken, max_attempts=3, on_parked=tell)})
    for _ in range(3):
        make_due(service, job_id)
        assert worker.run_once() == 1
    parked = job(service, job_id)
    assert parked.status == JobStatus.PARKED and parked.attempts == 3
    assert "已试 3 次仍失败" in parked.last_error and "platform down" in parked.last_error
    assert told == [parked.last_error]
    with service.sessions() as s:
        (note,) = s.scalars(select(OutboxJob).where(OutboxJob.kind == "notify.text"))
    assert note.payload == {"channel": "work", "to": "officer-1", "text": "处理失败, 请重新发送。"}


def test_a_job_whose_worker_keeps_dying_is_parked_without_running_again(service) -> None:  # type: ignore[no-untyped-def]
    job_id = queue(service, "poison")
    for _ in range(2):  # two workers claimed it and died
        with transaction(service.sessions) as s:
            claim_due(s, timedelta(seconds=60))
            s.get_one(OutboxJob, job_id).locked_until = utcnow() - timedelta(seconds=1)
    ran: list[int] = []
    Worker(service, {"poison": JobKind(lambda ctx, p: ran.append(1), max_attempts=2)}).run_once()
    assert ran == []
    parked = job(service, job_id)
    assert parked.status == JobStatus.PARKED and "中止" in parked.last_error


def test_waiting_on_another_job_is_logged_quietly_and_costs_no_attempt(service, caplog) -> None:  # type: ignore[no-untyped-def]
    def waits(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        raise RetryLater("photo 7 is not stored yet", delay=timedelta(seconds=5))

    job_id = queue(service, "waits")
    worker = Worker(service, {"waits": JobKind(waits, max_attempts=1)})
    with caplog.at_level(logging.INFO, logger="bot.worker"):
        for _ in range(3):
            make_due(service, job_id)
            assert worker.run_once() == 1
    waiting = job(service, job_id)
    assert waiting.status == JobStatus.PENDING and waiting.attempts == 0 and waiting.locked_until is None
    assert utcnow() < waiting.next_try_at <= utcnow() + timedelta(seconds=5)
    records = [r for r in caplog.records if r.name == "bot.worker"]
    assert records and all(r.levelno == logging.INFO and r.exc_info is None for r in records)


def test_a_job_interrupted_inside_a_call_not_safe_to_repeat_is_parked_not_repeated(service) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []

    class Killed(BaseException):
        """Stands for the process dying mid-call: nothing after it runs."""

    def send(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        ctx.mark_sending()
        calls.append(ctx.job_id)
        if len(calls) == 1:
            raise Killed

    job_id = queue(service, "send")
    worker = Worker(service, {"send": send})
    with pytest.raises(Killed):
        worker.run_once()
    with transaction(service.sessions) as s:  # its lease runs out
        s.get_one(OutboxJob, job_id).locked_until = utcnow() - timedelta(seconds=1)
    assert worker.run_once() == 1
    parked = job(service, job_id)
    assert calls == [job_id]
    assert parked.status == JobStatus.PARKED and parked.last_error.startswith("发送中断, 可能已送达")
    assert f"chengguan jobs retry {job_id}" in parked.last_error and parked.sending_at is None


def test_a_send_that_failed_cleanly_is_retried(service) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def send(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        ctx.mark_sending()
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("refused")

    job_id = queue(service, "send")
    worker = Worker(service, {"send": send})
    worker.run_once()
    assert job(service, job_id).sending_at is None
    make_due(service, job_id)
    worker.run_once()
    assert calls == [1, 1] and job(service, job_id).status == JobStatus.DONE


def test_the_lease_is_renewed_while_a_long_job_runs(service) -> None:  # type: ignore[no-untyped-def]
    lease = timedelta(seconds=2)
    job_id = queue(service, "long")
    renewed = threading.Event()

    def long(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        first = job(service, ctx.job_id).locked_until
        deadline = utcnow() + timedelta(seconds=WAIT_S)
        while utcnow() < deadline and not renewed.is_set():
            if job(service, ctx.job_id).locked_until > first:
                renewed.set()
            threading.Event().wait(0.05)

    Worker(service, {"long": long}, lease=lease).run_once()
    assert renewed.is_set()
    finished = job(service, job_id)
    assert finished.status == JobStatus.DONE and finished.locked_until is None


def test_the_worker_claims_a_small_batch_with_the_configured_lease(service) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        queue(service, "seen", {"n": n})
    seen: list[OutboxJob] = []
    worker = Worker(service, {"seen": lambda ctx, p: seen.append(job(service, ctx.job_id))})
    started = utcnow()
    assert worker.run_once() == 3
    lease = timedelta(seconds=service.config.job_lease_seconds)
    assert lease == timedelta(seconds=60)
    assert all(started + lease <= j.locked_until <= utcnow() + lease for j in seen)
