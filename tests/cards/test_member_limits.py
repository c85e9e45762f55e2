"""WeCom drops app messages over 30 a minute or 1,000 an hour per member without a word: a burst of 100
cards to one reviewer is spread out (never more than 30 in any 60 seconds) and all of them arrive;
waiting costs a job no attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from bot.cards.queue import KIND, queue_card
from bot.db import transaction
from bot.tasks.wecom_pace import LIMITS, MemberLimit
from models import CaseStatus, OutboxJob, Role
from models.cards import CardStep
from tests.factories import make_case
from tests.staff.scenario import seed_district

START = datetime(2026, 12, 1, 1, 0, 5, tzinfo=UTC)


def test_a_burst_of_100_cards_to_one_reviewer_is_spread_and_all_arrive(mp_service, wechat_api, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    with time_machine.travel(START, tick=False) as clock:
        reviewer = new_staff(Role.REVIEWER, street_id=district.east)
        with transaction(mp_service.sessions) as s:
            for _ in range(100):
                queue_card(s, CardStep.REPORT, make_case(s, CaseStatus.REPORTED, street_id=district.east), [reviewer.openid])
        for _ in range(100):  # ten-second steps of the clock, the worker running in between
            run_worker()
            if len(wechat_api.pushed_to(reviewer.openid, "template_card")) == 100:
                break
            clock.shift(timedelta(seconds=10))
        elapsed = datetime.now(UTC) - START

    assert len(wechat_api.pushed_to(reviewer.openid, "template_card")) == 100
    assert wechat_api.cards.dropped == []
    assert wechat_api.cards.most_in_a_minute(reviewer.openid) <= 30
    assert timedelta(minutes=3) <= elapsed <= timedelta(minutes=6)  # spread, but not starved
    with mp_service.sessions() as s:
        jobs = s.scalars(select(OutboxJob).where(OutboxJob.kind == KIND)).all()
    assert {(job.status, job.attempts) for job in jobs} == {("done", 1)}  # waiting was never a failed attempt


def test_seven_slots_cover_any_window_however_it_falls() -> None:
    minute = MemberLimit("m", 30, 60)
    now = datetime(2026, 12, 1, 1, 0, 59, tzinfo=UTC)
    slots = minute.slots(now)
    assert len(slots) == 7 and slots[0][1] == datetime(2026, 12, 1, 1, 1, 0, tzinfo=UTC)
    assert slots[-1][1] - timedelta(seconds=minute.slot_seconds) <= now - timedelta(seconds=60)
    assert [limit.limit for limit in LIMITS] == [30, 1000]
