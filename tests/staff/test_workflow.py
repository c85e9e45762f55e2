"""Staff over WeCom (encrypted messages): accept -> dispatch -> rectify with a checked photo -> approve
-> close; rectification photos refused for angle and as copies, then retaken; rework and resubmission."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from models import AuditEvent, Case, CaseSource, CaseStatus, Photo, PhotoRole, Role
from tests.photos import photo
from tests.resident.test_report_flow import EAST_POINT_GCJ
from tests.staff.scenario import (
    COPY_OF_PROBLEM,
    OTHER_ANGLE,
    PROBLEM,
    RETAKE,
    SAME_ANGLE,
    allow_retake,
    case,
    case_in_rectification,
    resident_reports,
    seed_district,
    send_photo,
)


def test_resident_case_from_report_to_close(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    resident = new_user()
    reviewer = new_staff(Role.REVIEWER, "审核员甲")
    officer = new_staff(Role.OFFICER, "队员乙", street_id=district.east, unit_id=district.east_unit)
    number = resident_reports(resident, wechat_api, run_worker)

    assert "派遣至东街执法队" in reviewer.send_text(f"受理 {number}").text
    run_worker()
    (dispatched,) = wechat_api.wait_for_message(officer.openid)
    assert number in dispatched and f"整改 {number}" in dispatched
    # and the problem photo itself, as stored (uploaded as temporary media, then sent)
    assert wechat_api.images_to(officer.openid) == [photo(PROBLEM)]

    assert number in officer.send_text("我的任务").text
    assert "整改照片" in officer.send_text(f"整改 {number}").text
    assert "正在核验" in send_photo(officer, wechat_api, SAME_ANGLE).text
    run_worker()
    verdict = wechat_api.wait_for_message(officer.openid, count=2)[-1]
    assert "核验通过" in verdict and "已提交审核" in verdict
    assert any(number in m and "通过" in m for m in wechat_api.wait_for_message(reviewer.openid))
    assert case(mp_service, number).status == CaseStatus.SUBMITTED

    assert "已结案" in reviewer.send_text(f"通过 {number}").text
    run_worker()
    closed = case(mp_service, number)
    assert closed.status == CaseStatus.CLOSED and closed.rework_count == 0
    assert any("评价" in m for m in wechat_api.messages_to(resident.openid))
    with mp_service.sessions() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == closed.id).order_by(AuditEvent.id)).all()
    assert actions == ["report", "accept", "dispatch", "start", "submit", "verify", "close"]


def test_wrong_angle_and_copy_are_refused_then_a_retake_passes(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)

    send_photo(officer, wechat_api, OTHER_ANGLE)
    run_worker()
    angle = [m for m in wechat_api.wait_for_message(officer.openid, count=1) if "未通过" in m][-1]
    assert "角度不一致" in angle and "重新拍摄" in angle
    assert case(mp_service, number).status == CaseStatus.RECTIFYING

    send_photo(officer, wechat_api, COPY_OF_PROBLEM)  # retake at once: still in the flow
    run_worker()
    copy = [m for m in wechat_api.wait_for_message(officer.openid, count=2) if "未通过" in m][-1]
    assert "不是新拍的原图" in copy
    assert case(mp_service, number).status == CaseStatus.RECTIFYING

    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "核验通过" in wechat_api.wait_for_message(officer.openid, count=3)[-1]
    assert case(mp_service, number).status == CaseStatus.SUBMITTED
    with mp_service.sessions() as s:
        checks = s.scalars(select(Photo.check_result).where(Photo.role == PhotoRole.RECTIFICATION).order_by(Photo.id)).all()
    assert [c["ok"] for c in checks] == [False, False, True]
    assert [r["code"] for r in checks[0]["reasons"]] == ["angle.mismatch"]
    assert "not_original.reused" in [r["code"] for r in checks[1]["reasons"]]


def test_rework_loop(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()

    assert "返工 (第1次)" in reviewer.send_text(f"返工 {number} 整改不到位").text
    run_worker()
    assert any("退回返工" in m and "整改不到位" in m for m in wechat_api.messages_to(officer.openid))
    returned = case(mp_service, number)
    assert returned.status == CaseStatus.RETURNED and returned.rework_count == 1

    officer.send_text(f"整改 {number}")
    allow_retake(mp_service)
    send_photo(officer, wechat_api, RETAKE)
    run_worker()
    assert case(mp_service, number).status == CaseStatus.SUBMITTED
    reviewer.send_text(f"通过 {number}")
    closed = case(mp_service, number)
    assert closed.status == CaseStatus.CLOSED and closed.rework_count == 1
    with mp_service.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "return")).one()
        assert event.data == {"reason": "rectify.incomplete"} and event.note == "整改不到位"


def test_patrol_case_fixed_on_the_spot(mp_service, wechat_api, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    chief = new_staff(Role.ROAD_CHIEF, "路长丙", street_id=district.east, unit_id=district.east_unit)

    assert "照片" in chief.send_text("巡查").text
    send_photo(chief, wechat_api, PROBLEM)
    chief.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口")
    chief.send_text("占道经营")
    assert "确认" in chief.send_text("1").text
    assert "整改后的照片" in chief.send_text("已现场整改").text
    run_worker()  # the problem photo is stored first
    created = send_photo(chief, wechat_api, SAME_ANGLE).text
    number = created.split("案件编号: ")[1].split()[0]
    run_worker()
    assert any("核验通过" in m and "等待受理" in m for m in wechat_api.messages_to(chief.openid))

    patrol = case(mp_service, number)
    assert patrol.source == CaseSource.PATROL and patrol.status == CaseStatus.REPORTED
    assert "现场已整改" in reviewer.send_text(f"受理 {number}").text
    assert case(mp_service, number).status == CaseStatus.SUBMITTED
    reviewer.send_text(f"通过 {number}")
    assert case(mp_service, number).status == CaseStatus.CLOSED



def test_a_copy_of_another_cases_photo_is_caught_by_the_index(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    first = resident_reports(new_user(), wechat_api, run_worker)                      # problem: the crossroads
    second = resident_reports(new_user(), wechat_api, run_worker, problem="chelsea")
    reviewer.send_text(f"受理 {second}")
    officer.send_text(f"整改 {second}")

    send_photo(officer, wechat_api, COPY_OF_PROBLEM)  # a re-encoded copy of the first case's photo
    run_worker()

    with mp_service.sessions() as s:
        first_photo = s.scalars(select(Photo.id).join(Case, Photo.case_id == Case.id)
                                .where(Case.number == first, Photo.role == PhotoRole.PROBLEM)).one()
        check = s.scalars(select(Photo.check_result).where(Photo.role == PhotoRole.RECTIFICATION)).one()
    assert check["ok"] is False
    assert "not_original.reused" in [r["code"] for r in check["reasons"]]
    assert first_photo in check["reused_from"]
    assert case(mp_service, second).status == CaseStatus.RECTIFYING


def test_with_a_platform_approval_waits_for_the_platforms_verdict(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    platform = replace(mp_service.config.platform, open311_url="http://127.0.0.1:9/open311/v2", api_key="key")
    mp_service.config = replace(mp_service.config, platform=platform)
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()

    assert "平台结案后自动结案" in reviewer.send_text(f"通过 {number}").text
    assert case(mp_service, number).status == CaseStatus.VERIFIED
