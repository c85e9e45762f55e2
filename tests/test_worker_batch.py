"""A job kind with a batch handler runs a claimed batch at once: the done jobs complete in one statement
and one transaction with the handler's writes; each failed job is recorded as the one-job path records it;
jobs the handler did not start (the worker is stopping) are given back at once, their claim costing no attempt."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from bot.db import transaction
from bot.worker import BatchContext, Claimed, JobKind, PermanentJobError, Released, RetryLater, Worker
from models import JobStatus, OutboxJob, utcnow
from models.outbox import enqueue


def queue(service, kind: str, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        jobs = [enqueue(s, kind, {"n": i}) for i in range(n)]
        s.flush()
        return [j.id for j in jobs]  # type: ignore[union-attr]


def jobs_by_id(service) -> dict[int, OutboxJob]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return {j.id: j for j in s.scalars(select(OutboxJob))}


def never_alone(ctx, payload) -> None:  # type: ignore[no-untyped-def]
    raise AssertionError("a kind with a batch handler runs its jobs through it")


def test_a_batch_completes_together_and_each_failure_is_recorded_as_alone(service) -> None:  # type: ignore[no-untyped-def]
    ids = queue(service, "batchy", 6)
    seen: list[list[int]] = []

    def run_batch(batch: BatchContext, jobs: list[Claimed]) -> dict[int, BaseException]:
        seen.append([j.id for j in jobs])
        enqueue(batch.session, "notify.text", {"for": jobs[0].id})  # a write of the batch, committed with it
        return {ids[1]: RetryLater("等照片"), ids[2]: PermanentJobError("平台拒绝"), ids[3]: ConnectionError("断开")}

    statements: list[str] = []
    event.listen(service.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    worker = Worker(service, {"batchy": JobKind(never_alone, max_attempts=5, run_batch=run_batch)}, batch=10)
    assert worker.run_once() == 6
    assert seen == [ids]
    found = jobs_by_id(service)
    assert [found[i].status for i in ids] == [JobStatus.DONE, JobStatus.PENDING, JobStatus.PARKED,
                                              JobStatus.PENDING, JobStatus.DONE, JobStatus.DONE]
    assert found[ids[1]].attempts == 0 and found[ids[1]].last_error == "等照片"  # waiting costs no attempt
    assert found[ids[2]].last_error == "平台拒绝"
    assert found[ids[3]].attempts == 1 and "ConnectionError: 断开" in found[ids[3]].last_error
    assert all(j.locked_until is None for j in found.values() if j.kind == "batchy")
    assert any(j.kind == "notify.text" for j in found.values())
    done_updates = [s for s in statements if s.startswith("UPDATE outbox SET status") and "done_at" in s]
    assert len(done_updates) == 1 and done_updates[0].split("outbox.id IN (")[1].count(",") == 2, "the three done jobs complete at once"


def test_a_batch_whose_record_fails_leaves_every_job_to_be_tried_again(service) -> None:  # type: ignore[no-untyped-def]
    ids = queue(service, "batchy", 3)

    with transaction(service.sessions) as s:
        enqueue(s, "notify.text", {}, key="taken", not_before=utcnow() + timedelta(days=1))

    def run_batch(batch: BatchContext, jobs: list[Claimed]) -> dict[int, BaseException]:
        enqueue(batch.session, "notify.text", {"n": 1})
        batch.session.add(OutboxJob(kind="notify.text", payload={}, idempotency_key="taken"))  # fails the record
        return {}

    worker = Worker(service, {"batchy": JobKind(never_alone, run_batch=run_batch)}, batch=10)
    assert worker.run_once() == 3
    found = jobs_by_id(service)
    assert [found[i].status for i in ids] == [JobStatus.PENDING] * 3
    assert all(found[i].attempts == 1 and found[i].last_error for i in ids)  # tried again after the back-off
    assert [j.payload for j in found.values() if j.kind == "notify.text"] == [{}]  # nothing of the batch was kept


def test_stopping_mid_batch_gives_back_the_jobs_not_started(service) -> None:  # type: ignore[no-untyped-def]
    ids = queue(service, "batchy", 5)
    stop = threading.Event()
    started: list[int] = []

    def run_batch(batch: BatchContext, jobs: list[Claimed]) -> dict[int, BaseException]:
        failed: dict[int, BaseException] = {}
        for job in jobs:
            if batch.stopping():
                failed[job.id] = Released()
                continue
            started.append(job.id)
            if len(started) == 2:
                stop.set()  # SIGTERM arrives while the second job is in hand
        return failed

    worker = Worker(service, {"batchy": JobKind(never_alone, run_batch=run_batch)}, batch=10)
    worker.run_once(stop)
    found = jobs_by_id(service)
    assert started == ids[:2]
    assert [found[i].status for i in ids] == [JobStatus.DONE] * 2 + [JobStatus.PENDING] * 3
    given_back = [found[i] for i in ids[2:]]
    assert all(j.locked_until is None and j.attempts == 0 for j in given_back)  # due at once, no attempt spent


def test_a_claimed_batch_not_yet_started_is_given_back_when_the_stop_came_first(service) -> None:  # type: ignore[no-untyped-def]
    ids = queue(service, "batchy", 4)
    stop = threading.Event()
    stop.set()
    calls: list[Any] = []
    worker = Worker(service, {"batchy": JobKind(never_alone, run_batch=lambda b, jobs: calls.append(jobs) or {})},
                    batch=10)
    assert worker.run_once(stop) == 0
    assert calls == []
    found = jobs_by_id(service)
    assert all(found[i].status == JobStatus.PENDING and found[i].locked_until is None and found[i].attempts == 0
               for i in ids)


def test_a_worker_claims_a_few_jobs_and_more_only_of_a_kind_that_runs_as_a_batch(service) -> None:  # type: ignore[no-untyped-def]
    """One-by-one jobs (photo fetches, notices) are claimed three at a time, so other workers share them;
    jobs of a batch-capable kind come with them, up to the worker's batch, in the same claim."""
    slow = queue(service, "slow", 5)
    batchy = queue(service, "batchy", 12)
    ran: list[int] = []
    batches: list[list[int]] = []
    kinds = {"slow": JobKind(lambda ctx, payload: ran.append(ctx.job_id)),
             "batchy": JobKind(never_alone, run_batch=lambda b, jobs: batches.append([j.id for j in jobs]) or {})}
    worker = Worker(service, kinds, batch=10)
    assert worker.run_once() == 8  # of the first 10 due (5 slow, 5 batchy): 3 slow and the 5 batchy
    assert ran == slow[:3] and batches == [batchy[:5]]
    assert worker.run_once() == 9 and ran == slow and batches[1] == batchy[5:]
    assert worker.run_once() == 0


def test_the_claim_size_is_a_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.config import Config

    assert Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path)}).worker_batch == 20
    assert Config.from_env({"CHENGGUAN_DATA_DIR": str(tmp_path), "CHENGGUAN_WORKER_BATCH": "50"}).worker_batch == 50
