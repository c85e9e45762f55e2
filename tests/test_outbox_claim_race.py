"""Two workers on PostgreSQL: one is paused between reading due jobs and claiming them while the other
runs the job to its end. The paused one must not run it again (done), nor early (failed, backing off).

SQLite cannot show the race (a claim holds the one write lock from BEGIN), so these run on PostgreSQL only:
`eval "$(.ci/start-postgres)"` before pytest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.db import transaction
from bot.service import Service
from bot.worker import Worker
from models import JobStatus, OutboxJob, utcnow
from models.outbox import enqueue

WAIT_S = 30


@pytest.fixture
def postgres(service: Service) -> Service:
    if service.engine.dialect.name != "postgresql":
        pytest.skip("the claim race needs concurrent writers: set CHENGGUAN_TEST_DATABASE_URL (PostgreSQL)")
    return service


@contextmanager
def paused_before_claiming_update(service: Service, thread: threading.Thread) -> Iterator[tuple[threading.Event, threading.Event]]:
    """While active, `thread` stops just before its first UPDATE of the outbox (after it has read the due
    jobs) until `go` is set; `reached` tells the test it got there."""
    reached, go = threading.Event(), threading.Event()

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is thread and statement.lstrip().upper().startswith("UPDATE OUTBOX") \
                and not reached.is_set():
            reached.set()
            go.wait(WAIT_S)

    event.listen(service.engine, "before_cursor_execute", before)
    try:
        yield reached, go
    finally:
        go.set()
        event.remove(service.engine, "before_cursor_execute", before)


def race(service: Service, handler: Callable[[Any, dict[str, Any]], None]) -> tuple[int, int]:
    """Worker A reads the due job and pauses; worker B runs a full round; A goes on. Returns what each ran."""
    with transaction(service.sessions) as s:
        enqueue(s, "demo", {})
    worker_a, worker_b = Worker(service, {"demo": handler}), Worker(service, {"demo": handler})
    ran: dict[str, int] = {}
    thread_a = threading.Thread(target=lambda: ran.__setitem__("a", worker_a.run_once()))
    with paused_before_claiming_update(service, thread_a) as (reached, go):
        thread_a.start()
        assert reached.wait(WAIT_S), "worker A never reached its claim"
        ran["b"] = worker_b.run_once()
        go.set()
        thread_a.join(WAIT_S)
    assert not thread_a.is_alive()
    return ran["a"], ran["b"]


def only_job(service: Service) -> OutboxJob:
    with service.sessions() as s:
        (job,) = s.scalars(select(OutboxJob))
        return job


def test_a_done_job_is_not_run_again_by_a_worker_that_read_it_before(postgres: Service) -> None:
    calls: list[int] = []
    race(postgres, lambda ctx, payload: calls.append(ctx.job_id))
    job = only_job(postgres)
    assert calls == [job.id]
    assert job.status == JobStatus.DONE and job.attempts == 1


def test_a_failed_job_keeps_its_backoff_against_a_worker_that_read_it_before(postgres: Service) -> None:
    calls: list[int] = []

    def failing(ctx: Any, payload: dict[str, Any]) -> None:
        calls.append(ctx.job_id)
        raise ConnectionError("platform down")

    race(postgres, failing)
    job = only_job(postgres)
    assert calls == [job.id]
    assert job.status == JobStatus.PENDING and job.attempts == 1
    assert job.next_try_at > utcnow() + timedelta(seconds=20)
