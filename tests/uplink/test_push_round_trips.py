"""One platform push costs a bounded number of SQL statements: each is a round trip to the database,
and on PostgreSQL waiting on them, not the platform, set the drain rate (bench.uplink)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.jobs import job_handlers
from bot.open311.read_links import prepare_read_links
from bot.service import Service
from bot.worker import Worker
from models import CaseStatus, JobStatus
from tests.uplink.helpers import accepted_cases, jobs, take_steps

# The same on SQLite and PostgreSQL (SQLite's BEGIN IMMEDIATE is not counted). Before they were cut: 16, 19, 14.
# Accept: the claim (2), one read of case/job/delivery/capabilities/mapping, one of the case's other step
# jobs, its photos, the delivery's INSERT, the queued poll's check (the first time), the job's completion.
ACCEPT_STATEMENTS = 8
ACCEPT_WITH_PHOTO_STATEMENTS = 11  # and the photo's redacted copy and its link
VERIFY_STATEMENTS = 8  # photos and the step's public text instead of the INSERT and the poll's check
# A claimed batch of accept pushes: the claim (2), one read of the cases with their deliveries, capabilities and
# service codes, one of their step jobs, one of their photos, one INSERT of the deliveries, the queued poll's
# check (until seen), one UPDATE completing the jobs: no more for 50 pushes than for 5, nothing per push.
BATCH_STATEMENTS = 8


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def push_one(service: Service) -> list[str]:
    """Run exactly one due job (the next push), counting the statements of the claim, the push and its completion."""
    worker = Worker(service, job_handlers(), batch=1)
    with counted(service.engine) as statements:
        assert worker.run_once() == 1
    return statements


def test_a_steady_accept_push_stays_within_its_statement_budget(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    numbers = accepted_cases(uplink, 2)
    push_one(uplink)  # the first push also queues the status poll; the later ones find it queued
    statements = push_one(uplink)
    assert standin.count(numbers[1]) == 1
    assert [j.status for j in jobs(uplink, "open311.push")] == [JobStatus.DONE, JobStatus.DONE]
    assert len(statements) <= ACCEPT_STATEMENTS, "\n".join(statements)


def test_an_accept_with_a_photo_link_stays_within_its_budget(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    numbers = accepted_cases(uplink, 2, with_photo=True)
    prepare_read_links(uplink)
    push_one(uplink)
    statements = push_one(uplink)
    assert standin.count(numbers[1]) == 1
    assert len(statements) <= ACCEPT_WITH_PHOTO_STATEMENTS, "\n".join(statements)


def test_a_verify_push_stays_within_its_budget(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(uplink, 1)
    push_one(uplink)
    take_steps(uplink, number, CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED,
               CaseStatus.VERIFIED)
    statements = push_one(uplink)
    assert [j.status for j in jobs(uplink, "open311.push")] == [JobStatus.DONE, JobStatus.DONE]
    assert len(statements) <= VERIFY_STATEMENTS, "\n".join(statements)


def push_batch(service: Service, size: int) -> list[str]:
    worker = Worker(service, job_handlers(), batch=size)
    with counted(service.engine) as statements:
        assert worker.run_once() == size
    return statements


def test_a_batch_of_pushes_costs_no_statement_per_push(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    numbers = accepted_cases(uplink, 56)
    push_one(uplink)  # the first push also queues the status poll
    small = push_batch(uplink, 5)
    large = push_batch(uplink, 50)
    assert [standin.count(n) for n in numbers] == [1] * len(numbers)
    assert {j.status for j in jobs(uplink, "open311.push")} == {JobStatus.DONE}
    assert len(large) <= BATCH_STATEMENTS, "\n".join(large)
    assert len(large) <= len(small), "a statement per push came back:\n" + "\n".join(large)
