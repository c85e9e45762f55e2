"""#16: a reviewer's reason is internal. The resident's 不予受理 notice, the platform's update text and
the Open311 listing carry the fixed public text for the status, or a reply the reviewer marked 「公开:」;
the reason itself stays in the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from bot.uplink import content
from models import AuditEvent, CaseStatus, Role
from models.public_text import PUBLIC_REPLY, PUBLIC_STATUS_TEXT
from tests.factories import make_case, make_user
from tests.staff.scenario import case, resident_reports, seed_district

INTERNAL = "举报人王某(电话13800001111)系恶意举报"


def test_the_internal_reason_reaches_no_resident(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    seed_district(mp_service)
    resident = new_user()
    reviewer = new_staff(Role.REVIEWER)
    number = resident_reports(resident, wechat_api, run_worker)
    answer = reviewer.send_text(f"退回 {number} {INTERNAL}").text
    assert "内部原因" in answer and PUBLIC_STATUS_TEXT[CaseStatus.REJECTED] in answer  # the reviewer sees both
    run_worker()
    (notice,) = wechat_api.pushed_to(resident.openid)
    assert PUBLIC_STATUS_TEXT[CaseStatus.REJECTED] in notice.text
    assert "王某" not in notice.text and "13800001111" not in notice.text and "恶意" not in notice.text
    assert "王某" not in resident.send_text(f"查询 {number}").text
    with mp_service.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.case_id == case(mp_service, number).id,
                                                   AuditEvent.action == "reject")).one()
        assert (event.note, event.data.get(PUBLIC_REPLY)) == (INTERNAL, None)  # kept, internally


def test_the_platform_reads_the_public_text_not_the_note(session) -> None:  # type: ignore[no-untyped-def]
    reviewer = make_user(session, Role.REVIEWER)
    case_ = make_case(session, status=CaseStatus.SUBMITTED)
    case_.transition(CaseStatus.VERIFIED, reviewer, note=INTERNAL)
    said = content.step_text(session, case_, "verify")
    assert said == PUBLIC_STATUS_TEXT[CaseStatus.VERIFIED]
    text = content.update_text(case_, "verify", said, [])
    assert "王某" not in text and "13800001111" not in text and case_.number in text
    case_.transition(CaseStatus.CLOSED, reviewer, note="内部: 已电话回访", data={PUBLIC_REPLY: "垃圾已清运, 感谢监督"})
    assert content.step_text(session, case_, "close") == "垃圾已清运, 感谢监督"
