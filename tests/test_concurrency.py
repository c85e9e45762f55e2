"""Two writers on one case never corrupt it: one wins, the other sees the result or is refused.

Runs on both databases; on PostgreSQL the row lock and the version check do the work, on SQLite
the exclusive write transaction does.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from bot.db import transaction
from models import AuditEvent, Case, CaseStatus, IllegalTransition, Role, User, next_case_number
from models.cases import case_for_update
from tests.factories import make_case, make_user


@pytest.fixture
def seeded(service):  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        reviewers = [make_user(s, Role.REVIEWER).id for _ in range(2)]
        number = make_case(s).number
    return number, reviewers


def test_two_concurrent_accepts_make_one_transition(service, seeded) -> None:  # type: ignore[no-untyped-def]
    number, reviewer_ids = seeded
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(reviewer_id: int) -> None:
        barrier.wait()
        try:
            with transaction(service.sessions) as s:
                case = case_for_update(s, number)
                assert case is not None
                case.transition(CaseStatus.ACCEPTED, s.get_one(User, reviewer_id))
            outcomes.append("ok")
        except IllegalTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=accept, args=(rid,)) for rid in reviewer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.status == CaseStatus.ACCEPTED and case.version == 2
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_stale_write_is_refused_not_overwritten(service, seeded) -> None:  # type: ignore[no-untyped-def]
    number, (first, second) = seeded
    with service.sessions() as stale_session:
        stale = stale_session.scalars(select(Case).where(Case.number == number)).one()
        stale_session.commit()  # the read is over; the object now holds version 1

        with transaction(service.sessions) as s:
            case_for_update(s, number).transition(CaseStatus.REJECTED, s.get_one(User, second))

        stale.description = "stale edit"
        with pytest.raises(StaleDataError):
            stale_session.commit()

    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.status == CaseStatus.REJECTED and case.description == ""


def test_concurrent_case_numbers_are_unique(service) -> None:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(8)
    numbers: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        barrier.wait()
        for _ in range(5):
            with transaction(service.sessions) as s:
                n = next_case_number(s)
            with lock:
                numbers.append(n)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(int(n[-5:]) for n in numbers) == list(range(1, 41))
