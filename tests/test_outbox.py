"""The outbox: idempotent enqueue, exclusive claims, retries with back-off, parking, and leases."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from datetime import timedelta

from sqlalchemy import select

from bot.config import Config
from bot.db import AUTOCHECKPOINT_PAGES, transaction
from bot.migrate import upgrade
from bot.service import Service
from bot.worker import PermanentJobError, Worker
from models import JobStatus, OutboxJob, utcnow
from models.outbox import backoff, claim, claim_due, enqueue


def jobs(service) -> list[OutboxJob]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return list(s.scalars(select(OutboxJob).order_by(OutboxJob.id)))


def test_enqueue_with_the_same_key_adds_one_job(service) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        assert enqueue(s, "demo", {"n": 1}, key="case:1:push") is not None
    with transaction(service.sessions) as s:
        assert enqueue(s, "demo", {"n": 2}, key="case:1:push") is None
    assert [j.payload for j in jobs(service)] == [{"n": 1}]


def test_a_job_is_claimed_by_one_claimant_only(service) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        for n in range(20):
            enqueue(s, "demo", {"n": n})
    claimed: list[int] = []
    lock, barrier = threading.Lock(), threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        while True:
            with transaction(service.sessions) as s:
                got = [j.id for j in claim_due(s, timedelta(minutes=5), limit=3)]
            if not got:
                return
            with lock:
                claimed.extend(got)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(claimed) == sorted(j.id for j in jobs(service))


def test_worker_runs_retries_and_parks(service) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def flaky(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        calls.append("flaky")
        if len(calls) == 1:
            raise ConnectionError("platform down")

    def hopeless(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        raise PermanentJobError("400 invalid service_code")

    with transaction(service.sessions) as s:
        enqueue(s, "flaky", {})
        enqueue(s, "hopeless", {})
        enqueue(s, "unknown-kind", {})
    worker = Worker(service, {"flaky": flaky, "hopeless": hopeless})

    assert worker.run_until_idle() == 3
    flaky_job, hopeless_job, unknown_job = jobs(service)
    assert flaky_job.status == JobStatus.PENDING and flaky_job.attempts == 1
    assert "platform down" in flaky_job.last_error
    assert flaky_job.next_try_at > utcnow() + timedelta(seconds=20)
    assert hopeless_job.status == JobStatus.PARKED and "invalid service_code" in hopeless_job.last_error
    assert unknown_job.status == JobStatus.PARKED and "no handler" in unknown_job.last_error

    with transaction(service.sessions) as s:  # time passes: the retry is due
        s.get_one(OutboxJob, flaky_job.id).next_try_at = utcnow()
    assert worker.run_until_idle() == 1
    flaky_job = jobs(service)[0]
    assert flaky_job.status == JobStatus.DONE and flaky_job.attempts == 2 and flaky_job.last_error is None
    assert calls == ["flaky", "flaky"]


def test_failed_handler_writes_are_undone_but_the_failure_is_recorded(service) -> None:  # type: ignore[no-untyped-def]
    def half_done(ctx, payload) -> None:  # type: ignore[no-untyped-def]
        enqueue(ctx.session, "side-effect", {})
        ctx.session.flush()
        raise RuntimeError("crashed after writing")

    with transaction(service.sessions) as s:
        enqueue(s, "half", {})
    Worker(service, {"half": half_done}).run_once()

    (job,) = jobs(service)
    assert job.kind == "half" and job.attempts == 1 and "crashed" in job.last_error


def test_a_job_whose_worker_died_is_taken_again_after_its_lease(service) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        enqueue(s, "demo", {})
    with transaction(service.sessions) as s:  # a worker claims it, then dies without finishing
        (job,) = claim_due(s, timedelta(minutes=5))
    with transaction(service.sessions) as s:
        assert claim_due(s, timedelta(minutes=5)) == []  # still leased
        s.get_one(OutboxJob, job.id).locked_until = utcnow() - timedelta(seconds=1)
    ran: list[int] = []
    Worker(service, {"demo": lambda ctx, p: ran.append(ctx.job_id)}).run_once()
    assert ran == [job.id]
    assert jobs(service)[0].attempts == 2


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50) == timedelta(hours=1)


def test_the_worker_loop_checkpoints_the_sqlite_wal_so_webhook_commits_need_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Commits leave pages in the WAL (no checkpoint inside a webhook); the worker copies them back."""
    config = Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)})  # the embedded default: SQLite
    upgrade(config.database_url)
    service = Service.build(config)
    try:
        for n in range(30):
            with transaction(service.sessions) as s:
                enqueue(s, "demo", {"n": n})

        def jobs_in_database_file() -> int:
            # immutable=1 reads the main file as it is on disk, ignoring the WAL.
            path = config.database_url.removeprefix("sqlite:///")
            with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as raw:
                return int(raw.execute("SELECT count(*) FROM outbox").fetchone()[0])

        assert jobs_in_database_file() == 0
        with service.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT_PAGES
        stop = threading.Event()
        loop = threading.Thread(target=Worker(service, {"demo": lambda ctx, p: None}).run_forever, args=(stop,))
        loop.start()
        try:
            deadline = time.monotonic() + 30
            while jobs_in_database_file() < 30 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            loop.join(timeout=30)
        assert jobs_in_database_file() == 30
    finally:
        service.engine.dispose()


def test_a_claim_from_a_stale_read_takes_only_jobs_still_due(service) -> None:  # type: ignore[no-untyped-def]
    """What a worker read as due may be done, backing off or parked by the time it writes its claim."""
    with transaction(service.sessions) as s:
        due, done, backing_off, parked = (enqueue(s, "demo", {"n": n}) for n in range(4))
        s.flush()
        ids = [due.id, done.id, backing_off.id, parked.id]
        done.status, backing_off.next_try_at, parked.status = JobStatus.DONE, utcnow() + timedelta(minutes=1), JobStatus.PARKED
    with transaction(service.sessions) as s:
        claimed = claim(s, ids, timedelta(minutes=5), utcnow())
    assert [j.id for j in claimed] == [ids[0]]
