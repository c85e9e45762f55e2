"""挂起/延期: an officer asks with a reason and a number of working days, the street's reviewers are
asked, a reviewer approves (the deadline moves, the officer is told) or refuses; the monthly
assessment counts the approved ones as 挂起."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.assessment.facts import load_facts
from models import AuditEvent, Role, utcnow
from models.calendar import add_working_days
from tests.staff.scenario import case, case_in_rectification


def test_officer_asks_reviewer_approves(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    before = case(mp_service, number).deadline
    assert "工作日数" in officer.send_text(f"挂起 {number} 很久 等待").text
    assert "工作日数" in officer.send_text(f"挂起 {number} 0 等待").text
    assert "请写明挂起原因" in officer.send_text(f"挂起 {number} 5").text
    assert "没有待批准的挂起申请" in reviewer.send_text(f"批准挂起 {number}").text
    asked = officer.send_text(f"挂起 {number} 5 等待产权单位配合").text
    assert "等待审核员批准" in asked
    assert "请勿重复申请" in officer.send_text(f"挂起 {number} 3 再等等").text
    assert "只能由审核员、管理员操作" in officer.send_text(f"批准挂起 {number}").text
    assert case(mp_service, number).deadline == before  # not before a reviewer approves
    run_worker()
    assert any("申请挂起" in m and f"批准挂起 {number}" in m for m in wechat_api.messages_to(reviewer.openid))

    assert "已批准挂起" in reviewer.send_text(f"批准挂起 {number}").text
    after = case(mp_service, number).deadline
    assert before is not None and before > utcnow() and after == add_working_days(before, 5)
    run_worker()
    assert any("挂起/延期已批准" in m for m in wechat_api.messages_to(officer.openid))
    with mp_service.sessions() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("suspend%"))).all()
        (facts,) = [f for f in load_facts(s, utcnow() - timedelta(days=60), utcnow() + timedelta(days=60))
                    if f.number == number]
    assert actions == ["suspend_requested", "suspend_approved"]
    assert len(facts.suspended) == 1


def test_reviewer_refuses(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    before = case(mp_service, number).deadline
    officer.send_text(f"挂起 {number} 2 雨天无法施工")
    assert "请写明驳回原因" in reviewer.send_text(f"驳回挂起 {number}").text
    assert "已驳回" in reviewer.send_text(f"驳回挂起 {number} 可在时限内处置").text
    assert case(mp_service, number).deadline == before
    run_worker()
    assert any("挂起申请被驳回: 可在时限内处置" in m for m in wechat_api.messages_to(officer.openid))
    assert "等待审核员批准" in officer.send_text(f"挂起 {number} 2 仍然下雨").text  # may ask again
