"""A street's reviewers hear of new resident reports within a minute, batched per street and minute, one
card per report (#14), each report announced once, and not after someone already accepted it (#13)."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.db import transaction
from bot.tasks.new_reports import KIND
from models import JobStatus, OutboxJob, Role, utcnow
from tests.staff.scenario import resident_reports, seed_district


def make_announcements_due(service) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        s.execute(update(OutboxJob).where(OutboxJob.kind == KIND).values(next_try_at=utcnow()))


def test_reports_of_one_minute_reach_each_reviewer_once(mp_service, wechat_api, new_user, new_staff,
                                                        run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    east = new_staff(Role.REVIEWER, "东街审核员", street_id=district.east)
    west = new_staff(Role.REVIEWER, "西街审核员", street_id=district.west)
    numbers = [resident_reports(new_user(), wechat_api, run_worker) for _ in range(3)]  # all in the east street
    assert not any("新的市民上报" in m for m in wechat_api.messages_to(east.openid))  # not before the minute
    assert "已受理" in east.send_text(f"受理 {numbers[2]}").text  # handled before the announcement went out

    make_announcements_due(mp_service)
    run_worker()
    cards = [p for p in wechat_api.pushed_to(east.openid, "template_card")]
    assert [c.raw["template_card"]["main_title"]["desc"] for c in cards] == [f"案件 {n}" for n in numbers[:2]]
    assert all(c.text.startswith("新的市民上报") and "[受理] [退回]" in c.text for c in cards)
    assert f"也可回复「受理 {numbers[0]}」" in cards[0].text
    assert len(wechat_api.images_to(east.openid)) == 2  # each card's problem photo, just before it
    assert not wechat_api.pushed_to(west.openid)
    with mp_service.sessions() as s:
        jobs = s.scalars(select(OutboxJob.status).where(OutboxJob.kind == KIND)).all()
    assert jobs == [JobStatus.DONE] * 3

    run_worker()  # nothing is announced twice
    assert len(wechat_api.pushed_to(east.openid, "template_card")) == 2
