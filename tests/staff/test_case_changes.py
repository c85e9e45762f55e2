"""A reviewer's corrections in chat: 改派 (the new unit is told as on 派遣), 改类 and 改位置 (audited
with old and new values; the street changes only when confirmed), 重复 (closed, linked both ways).
Wrong role, street or input: a Chinese answer and nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, Case, CaseStatus, Role
from tests.staff.scenario import case, case_in_rectification, district_unit_officer, resident_reports, seed_district


def events(service, number: str, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        case_id = s.scalars(select(Case.id).where(Case.number == number)).one()
        return list(s.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == action)))


def test_reassign_tells_the_new_unit(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    unit_id, municipal = district_unit_officer(mp_service, new_staff)
    assert "只能由审核员、管理员操作" in officer.send_text(f"改派 {number} Q-SZ").text
    assert "请写明案件编号和新单位" in reviewer.send_text(f"改派 {number}").text
    assert "不属于该案件所在街道" in reviewer.send_text(f"改派 {number} W-ZF").text
    assert "无需改派" in reviewer.send_text(f"改派 {number} E-ZF").text
    assert "已由东街执法队改派至区市政所" in reviewer.send_text(f"改派 {number} Q-SZ").text
    moved = case(mp_service, number)
    assert moved.unit_id == unit_id and moved.assignee_id is None and moved.status == CaseStatus.RECTIFYING
    (event,) = events(mp_service, number, "reassign")
    assert event.data["to_unit_id"] == unit_id and "东街执法队 → 区市政所" in event.note
    run_worker()
    (card,) = wechat_api.pushed_to(municipal.openid, "template_card")  # as on 派遣: 我来处理
    assert number in card.text and "[我来处理]" in card.text
    assert "请发送案件" in municipal.send_text(f"整改 {number}").text  # the new unit can take it up
    assert "不在您负责的范围" in officer.send_text(f"整改 {number}").text  # the old one no longer


def test_recategorize_and_relocate(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    number = resident_reports(new_user(), wechat_api, run_worker)
    before = case(mp_service, number)
    assert "没有分类" in reviewer.send_text(f"改类 {number} 不存在").text
    answer = reviewer.send_text(f"改类 {number} 市容环境/暴露垃圾").text
    assert "改为「市容环境/暴露垃圾」" in answer
    (changed,) = events(mp_service, number, "recategorize")
    assert changed.data == {"from": before.category_code, "to": "E0102"}
    assert case(mp_service, number).deadline == before.deadline

    assert "纬度和经度" in reviewer.send_text(f"改位置 {number} 北京").text
    assert "纬度和经度" in reviewer.send_text(f"改位置 {number} 0 0").text  # not in China
    nearby = reviewer.send_text(f"改位置 {number} 39.9052 116.3151").text
    assert "位置已改为 39.90520, 116.31510" in nearby and "转街道" not in nearby
    west = reviewer.send_text(f"改位置 {number} 39.905 116.305").text
    assert "新位置在西街街道" in west and f"改位置 {number} 39.905 116.305 转街道" in west
    kept = case(mp_service, number)
    assert kept.street_id == district.east and (kept.lat, kept.lon) == (39.905, 116.305)
    assert "已转到西街街道" in reviewer.send_text(f"改位置 {number} 39.905 116.305 转街道").text
    assert case(mp_service, number).street_id == district.west
    relocations = events(mp_service, number, "relocate")
    assert len(relocations) == 3 and relocations[-1].data["from"]["street_id"] == district.east
    assert relocations[-1].data["to"]["street_id"] == district.west
    assert "不在您负责的范围" in reviewer.send_text(f"改类 {number} E0502").text  # now the west street's


def test_duplicate_is_closed_and_linked(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    west_reviewer = new_staff(Role.REVIEWER, street_id=district.west)
    first_resident, second_resident = new_user(), new_user()
    original = resident_reports(first_resident, wechat_api, run_worker)
    duplicate = resident_reports(second_resident, wechat_api, run_worker)
    assert "不在您负责的范围" in west_reviewer.send_text(f"重复 {duplicate} {original}").text
    assert "不能是它自己" in reviewer.send_text(f"重复 {duplicate} {duplicate}").text
    assert "没有找到案件" in reviewer.send_text(f"重复 {duplicate} 2099010100001").text
    assert case(mp_service, duplicate).status == CaseStatus.REPORTED
    answer = reviewer.send_text(f"重复 {duplicate} {original}").text
    assert f"案件 {original} 的重复案件关闭" in answer
    closed = case(mp_service, duplicate)
    assert closed.status == CaseStatus.DUPLICATE and closed.is_final and closed.duplicate_of_id == case(mp_service, original).id
    (linked,) = events(mp_service, original, "duplicate_linked")
    assert linked.data == {"duplicate": duplicate}
    assert "本身是重复案件" in reviewer.send_text(f"重复 {original} {duplicate}").text
    assert "已重复" in reviewer.send_text(f"重复 {duplicate} {original}").text  # once only
    run_worker()
    told = wechat_api.messages_to(second_resident.openid)
    assert any(original in m and "重复" in m for m in told), told
