"""A street's reviewers hear of new resident reports within a minute, one message per street and minute,
each report announced once, and not after someone already accepted it (#13)."""

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
    [announcement] = [m for m in wechat_api.messages_to(east.openid) if "新的市民上报" in m]
    assert announcement.startswith("新的市民上报 2 件:\n")
    assert numbers[0] in announcement and numbers[1] in announcement and numbers[2] not in announcement
    assert f"回复「受理 {numbers[0]}」受理" in announcement
    assert not any("新的市民上报" in m for m in wechat_api.messages_to(west.openid))
    with mp_service.sessions() as s:
        jobs = s.scalars(select(OutboxJob.status).where(OutboxJob.kind == KIND)).all()
    assert jobs == [JobStatus.DONE] * 3

    run_worker()  # nothing is announced twice
    assert len([m for m in wechat_api.messages_to(east.openid) if "新的市民上报" in m]) == 1
