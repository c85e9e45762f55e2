"""Every allowed and every forbidden transition, role checks, and the audit trail.

The expected table is written out here on its own (the issue's lifecycle), not read from
models.lifecycle, so a change to the code's table that breaks the lifecycle fails these tests.
"""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Case, CaseStatus, IllegalTransition, Role, RoleNotAllowed
from models.audit import AuditIsAppendOnly
from tests.factories import make_case, make_user

S = CaseStatus
REVIEW = {Role.REVIEWER, Role.ADMIN}
FIELD = {Role.OFFICER, Role.ROAD_CHIEF}

# (from, to): (roles allowed, system allowed)
EXPECTED = {
    (S.REPORTED, S.ACCEPTED): (REVIEW, False),
    (S.REPORTED, S.REJECTED): (REVIEW, False),
    (S.ACCEPTED, S.DISPATCHED): (REVIEW, True),
    (S.DISPATCHED, S.RECTIFYING): (FIELD, True),
    (S.RECTIFYING, S.SUBMITTED): (FIELD, False),
    (S.SUBMITTED, S.VERIFIED): (REVIEW, False),
    (S.SUBMITTED, S.RETURNED): (REVIEW, True),
    (S.VERIFIED, S.RETURNED): (set(), True),  # only the platform (the system) returns a verified case
    (S.RETURNED, S.SUBMITTED): (FIELD, False),
    (S.VERIFIED, S.CLOSED): (REVIEW, True),
    # 重复: a reviewer closes a duplicate from any open status, never after 核查通过 or the end
    **{(open_status, S.DUPLICATE): (REVIEW, False)
       for open_status in (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.RETURNED)},
}
FORBIDDEN = [pair for pair in itertools.product(S, S) if pair not in EXPECTED]
ALLOWED_BY_ROLE = [(src, dst, role) for (src, dst), (roles, _) in EXPECTED.items() for role in roles]
REFUSED_BY_ROLE = [(src, dst, role) for (src, dst), (roles, _) in EXPECTED.items() for role in set(Role) - set(roles)]


def audit_count(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize(("source", "target", "role"), ALLOWED_BY_ROLE)
def test_allowed_transition_moves_case_and_writes_audit(session, source, target, role) -> None:  # type: ignore[no-untyped-def]
    actor = make_user(session, role)
    case = make_case(session, status=source)

    event = case.transition(target, actor, note="测试")
    session.flush()

    assert case.status == target
    assert (event.actor_id, event.from_status, event.to_status, event.note) == (actor.id, source, target, "测试")
    assert session.get(AuditEvent, event.id) is event


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_forbidden_transition_raises_and_changes_nothing(session, source, target) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(session, Role.ADMIN)
    case = make_case(session, status=source)
    before = audit_count(session)

    with pytest.raises(IllegalTransition) as info:
        case.transition(target, admin)

    assert case.status == source
    assert audit_count(session) == before
    assert case.number in info.value.message_zh


@pytest.mark.parametrize(("source", "target", "role"), REFUSED_BY_ROLE)
def test_wrong_role_is_refused(session, source, target, role) -> None:  # type: ignore[no-untyped-def]
    actor = make_user(session, role)
    case = make_case(session, status=source)

    with pytest.raises(RoleNotAllowed) as info:
        case.transition(target, actor)

    assert case.status == source
    assert audit_count(session) == 0
    assert role.label in info.value.message_zh


@pytest.mark.parametrize(("pair", "system_ok"), [(pair, ok) for pair, (_, ok) in EXPECTED.items()])
def test_system_actor_only_where_the_table_allows(session, pair, system_ok) -> None:  # type: ignore[no-untyped-def]
    source, target = pair
    case = make_case(session, status=source)
    if system_ok:
        assert case.transition(target, None).actor_id is None
        assert case.status == target
    else:
        with pytest.raises(RoleNotAllowed):
            case.transition(target, None)
        assert case.status == source


def test_inactive_user_cannot_act(session) -> None:  # type: ignore[no-untyped-def]
    reviewer = make_user(session, Role.REVIEWER, active=False)
    case = make_case(session)
    with pytest.raises(RoleNotAllowed):
        case.transition(S.ACCEPTED, reviewer)


def test_full_lifecycle_with_rework_counts_returns(session) -> None:  # type: ignore[no-untyped-def]
    reviewer, officer = make_user(session, Role.REVIEWER), make_user(session, Role.OFFICER)
    case = make_case(session)
    path = [
        (S.ACCEPTED, reviewer), (S.DISPATCHED, reviewer), (S.RECTIFYING, officer), (S.SUBMITTED, officer),
        (S.RETURNED, reviewer), (S.SUBMITTED, officer), (S.RETURNED, reviewer), (S.SUBMITTED, officer),
        (S.VERIFIED, reviewer), (S.CLOSED, reviewer),
    ]
    for target, actor in path:
        case.transition(target, actor)
    session.flush()
    session.expire(case)

    assert case.status == S.CLOSED and case.is_final
    assert case.rework_count == 2
    assert case.closed_at is not None
    assert [e.action for e in case.events] == [
        "accept", "dispatch", "start", "submit", "return", "resubmit", "return", "resubmit", "verify", "close",
    ]


def test_rejected_case_is_final_and_closed(session) -> None:  # type: ignore[no-untyped-def]
    case = make_case(session)
    case.transition(S.REJECTED, make_user(session, Role.REVIEWER), note="非城管事项")
    assert case.is_final and case.closed_at is not None
    with pytest.raises(IllegalTransition):
        case.transition(S.ACCEPTED, make_user(session, Role.ADMIN))


def test_unsaved_case_cannot_transition(session) -> None:  # type: ignore[no-untyped-def]
    case = Case(number="x", source="snapshot", category_code="0102", status=S.REPORTED)
    with pytest.raises(RuntimeError, match="saved"):
        case.transition(S.ACCEPTED, make_user(session, Role.ADMIN))


def test_audit_events_cannot_be_changed(session) -> None:  # type: ignore[no-untyped-def]
    case = make_case(session)
    event = case.transition(S.ACCEPTED, make_user(session, Role.REVIEWER))
    session.flush()
    event.note = "改写"
    with pytest.raises(AuditIsAppendOnly):
        session.flush()


def test_audit_events_cannot_be_deleted(session) -> None:  # type: ignore[no-untyped-def]
    case = make_case(session)
    event = case.transition(S.ACCEPTED, make_user(session, Role.REVIEWER))
    session.flush()
    session.delete(event)
    with pytest.raises(AuditIsAppendOnly):
        session.flush()
