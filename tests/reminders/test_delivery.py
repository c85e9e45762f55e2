"""Exactly once with two workers, retries without duplicates, the 20-a-minute robot limit, secrets."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.reminders import robot as robot_api
from bot.reminders import send
from bot.reminders.queue import queue_messages
from bot.reminders.schedule import run_digests
from bot.service import Service
from models import OutboxJob, SentDigest
from models.base import utcnow
from models.outbox import JobStatus
from tests.reminders.helpers import MONDAY, drain, make_due_now, street_with_group


def test_two_workers_racing_queue_and_send_the_digest_once(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        for n in range(5):
            street_with_group(s, robot, f"JD{n}", f"key-{n}")
    services = [Service.build(service.config) for _ in range(2)]  # two processes: own engines and sessions
    start = threading.Barrier(2)
    results: list[int] = []

    def worker(svc: Service) -> None:
        start.wait()
        results.append(run_digests(svc, MONDAY))
        drain(svc)

    threads = [threading.Thread(target=worker, args=(svc,)) for svc in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for svc in services:
        svc.engine.dispose()
    assert sum(results) == 5
    drain(service)
    assert sorted(k for k, _ in robot.received) == [f"key-{n}" for n in range(5)]
    with service.sessions() as s:
        assert s.scalar(select(func.count(SentDigest.id))) == 5


def test_a_failed_send_is_retried_without_a_duplicate_and_the_key_stays_secret(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        street_with_group(s, robot, key="very-secret-webhook-key-0123456789")
    robot.fail_next = 1
    run_digests(service, MONDAY)
    drain(service)
    assert robot.received == []
    with service.sessions() as s:
        job = s.scalars(select(OutboxJob)).one()
        assert job.status == JobStatus.PENDING and job.attempts == 1 and job.next_try_at > utcnow()
        assert "HTTP 500" in (job.last_error or "") and "very-secret-webhook-key" not in (job.last_error or "")
    make_due_now(service)
    drain(service)
    drain(service)
    assert len(robot.received) == 1
    assert run_digests(service, MONDAY + timedelta(minutes=10)) == 0


def test_the_robot_limit_of_20_a_minute_defers_the_rest_without_sleeping(service, robot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        group = street_with_group(s, robot)
        queue_messages(s, group.id, "test", "burst", [robot_api.text(f"消息 {n}") for n in range(25)])
    drain(service)
    assert len(robot.received) == 20 and robot.refused == []  # the stand-in never had to refuse
    with service.sessions() as s:
        waiting = s.scalars(select(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)).all()
        assert len(waiting) == 5  # handed to continuations due when the first place frees up
        assert all(timedelta(seconds=50) < j.next_try_at - utcnow() < timedelta(seconds=62) for j in waiting)
        assert all(j.idempotency_key.endswith("~1") for j in waiting)
    later = utcnow() + timedelta(seconds=62)
    monkeypatch.setattr(send, "utcnow", lambda: later)  # a minute on, as far as the limiter knows
    robot.limit_per_minute = 100  # the stand-in's own clock is real; the limiter is what is under test
    for _ in range(10):
        make_due_now(service)
        drain(service)
    texts = [m["text"]["content"] for _, m in robot.received]
    assert texts == [f"消息 {n}" for n in range(25)]  # each once, in order


def test_robot_answering_45009_is_retried_after_a_minute_once(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        group = street_with_group(s, robot)
        queue_messages(s, group.id, "test", "x", [robot_api.text("一条")])
    robot.errcode_next, robot.fail_errcode_count = 45009, 1
    drain(service)
    assert robot.received == [] and robot.refused == [("key-jd01", 45009)]
    with service.sessions() as s:
        jobs = s.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()
        assert [j.status for j in jobs] == [JobStatus.DONE, JobStatus.PENDING]
        assert jobs[1].next_try_at - utcnow() > timedelta(seconds=50)
    make_due_now(service)
    drain(service)
    assert len(robot.received) == 1


@pytest.mark.parametrize("errcode", [93000])
def test_an_invalid_webhook_is_parked_with_the_fix(service, robot, errcode: int) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        group = street_with_group(s, robot)
        queue_messages(s, group.id, "test", "x", [robot_api.text("一条")])
    robot.errcode_next, robot.fail_errcode_count = errcode, 1
    drain(service)
    with service.sessions() as s:
        job = s.scalars(select(OutboxJob)).one()
        assert job.status == JobStatus.PARKED and "重新添加机器人" in (job.last_error or "")
