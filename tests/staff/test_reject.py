"""退回 (不予受理): a reviewer turns down a new case with a reason; without one, or on a case past
acceptance, nothing changes and the reply says what to do."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, CaseStatus, Role
from tests.staff.scenario import case, resident_reports, seed_district


def test_reject_needs_a_reason_then_closes_the_case_as_not_accepted(  # type: ignore[no-untyped-def]
        mp_service, wechat_api, new_user, new_staff, run_worker) -> None:
    seed_district(mp_service)
    resident = new_user()
    reviewer = new_staff(Role.REVIEWER, "审核员甲")
    number = resident_reports(resident, wechat_api, run_worker)

    assert reviewer.send_text(f"退回 {number}").text == (
        "请写明退回原因 (内部留存, 市民不会看到), 例如「退回 2026112200017 非城管事项」; 要答复市民, 在后面加「公开: 答复内容」。")
    assert case(mp_service, number).status == CaseStatus.REPORTED
    assert reviewer.send_text(f"退回 {number} 非城管事项, 请拨打12345").text == \
        f"案件 {number} 已退回 (不予受理), 内部原因: 非城管事项, 请拨打12345。已告知上报的市民: 经审核不属于城市管理受理范围, 不予受理。"
    rejected = case(mp_service, number)
    assert rejected.status == CaseStatus.REJECTED
    with mp_service.sessions() as s:
        last = s.scalars(select(AuditEvent).where(AuditEvent.case_id == rejected.id).order_by(AuditEvent.id.desc())).first()
        assert (last.action, last.from_status, last.to_status, last.note) == (
            "reject", CaseStatus.REPORTED, CaseStatus.REJECTED, "非城管事项, 请拨打12345")
    assert "不予受理" in resident.send_text(f"查询 {number}").text

    again = reviewer.send_text(f"退回 {number} 重复")
    assert again.text == f"案件 {number} 当前为「不予受理」, 不能变为「不予受理」。可进行: 无 (案件已办结)"
    assert case(mp_service, number).status == CaseStatus.REJECTED


def test_only_reviewers_may_reject(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    number = resident_reports(new_user(), wechat_api, run_worker)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    assert officer.send_text(f"退回 {number} 不想处理").text == "「退回」只能由审核员、管理员操作, 您的身份是队员。"
    assert case(mp_service, number).status == CaseStatus.REPORTED
