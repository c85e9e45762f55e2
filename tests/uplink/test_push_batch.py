"""A batch of pushes is recorded in one transaction after its POSTs. When that record is lost (the database
fails, or the worker dies before the commit) the platform has the cases but we do not know it: every job of
the batch is tried again, and a job tried again asks the platform first, so no case is filed twice."""

from __future__ import annotations

import pytest

import bot.uplink.open311_push
from bot.jobs import job_handlers
from bot.worker import Worker
from models import CaseStatus, JobStatus
from tests.uplink.helpers import accepted_cases, drain, jobs, take_steps


def test_a_batch_whose_record_is_lost_after_its_posts_files_nothing_twice(  # type: ignore[no-untyped-def]
    uplink, standin, monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbers = accepted_cases(uplink, 6)
    real_insert = bot.uplink.open311_push._insert_deliveries

    def database_gone(session, plans):  # type: ignore[no-untyped-def]
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(bot.uplink.open311_push, "_insert_deliveries", database_gone)
    assert Worker(uplink, job_handlers(), batch=10).run_once() == 6
    assert standin.posts == 6  # every case reached the platform, and none is recorded
    assert [(j.status, j.attempts) for j in jobs(uplink, "open311.push")] == [(JobStatus.PENDING, 1)] * 6

    monkeypatch.setattr(bot.uplink.open311_push, "_insert_deliveries", real_insert)
    drain(uplink)
    assert [standin.count(n) for n in numbers] == [1] * 6
    assert standin.posts == 6
    assert {j.status for j in jobs(uplink, "open311.push")} == {JobStatus.DONE}


def test_two_steps_of_one_case_in_one_batch_go_out_in_order(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(uplink, 1)
    take_steps(uplink, number, CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED,
               CaseStatus.VERIFIED)  # accept and verify both queued before any worker ran
    worker = Worker(uplink, job_handlers(), batch=10)
    worker.run_until_idle()
    pushes = jobs(uplink, "open311.push")
    assert [(j.status, j.attempts) for j in pushes] == [(JobStatus.DONE, 1), (JobStatus.DONE, 1)]
    assert standin.count(number) == 1 and len(standin.updates) == 1
    assert standin.listings == 0, "a first try asks the platform nothing: the later step, claimed with it, never ran"
