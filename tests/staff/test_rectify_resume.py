"""An officer in the middle of 整改 who goes quiet: the timeout says what to do next without
contradicting the refusal (「请重新拍摄后直接发送」), and the retaken photo continues the case instead of
silently starting a patrol report. 「整改」 without a number acts on the only case, or lists them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db import transaction
from bot.tasks.conversations import expire_idle_conversations
from models import Case, CaseStatus, Conversation, Photo, PhotoRole, Role, utcnow
from tests.staff.scenario import (
    OTHER_ANGLE,
    RETAKE,
    SAME_ANGLE,
    allow_retake,
    case,
    case_in_rectification,
    resident_reports,
    seed_district,
    send_photo,
)


def go_idle(service, openid: str, minutes: int = 45) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        for conversation in s.scalars(select(Conversation).where(Conversation.external_id == openid)):
            conversation.updated_at = utcnow() - timedelta(minutes=minutes)


def cases(service) -> int:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Case)) or 0)


@pytest.mark.parametrize("expired_by", ["sweep", "next_message"])
def test_a_retake_after_the_timeout_continues_the_case(expired_by, mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, _reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, OTHER_ANGLE)
    run_worker()
    refusal = [m for m in wechat_api.wait_for_message(officer.openid, count=1) if "未通过" in m][-1]
    assert "请重新拍摄后直接发送" in refusal

    go_idle(mp_service, officer.openid)
    if expired_by == "sweep":
        assert expire_idle_conversations(mp_service) == 1
        run_worker()
        timeout = wechat_api.wait_for_message(officer.openid, count=2)[-1]
        assert number in timeout and "直接发送" in timeout
        assert "上报" not in timeout and "重新发送照片开始" not in timeout

    retake = send_photo(officer, wechat_api, SAME_ANGLE).text
    assert f"案件 {number} 的整改照片" in retake and "正在核验" in retake
    assert "上报" not in retake.replace("「巡查」上报", "")  # no patrol draft, no 「上报…超时」 notice
    run_worker()
    assert case(mp_service, number).status == CaseStatus.SUBMITTED
    assert cases(mp_service) == 1  # no patrol report was started
    with mp_service.sessions() as s:
        conversation = s.scalars(select(Conversation).where(Conversation.external_id == officer.openid)).one()
        assert conversation.flow is None


def test_a_photo_continues_a_returned_case_too(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    reviewer.send_text(f"返工 {number} 整改不到位")
    allow_retake(mp_service)
    assert "正在核验" in send_photo(officer, wechat_api, RETAKE).text
    run_worker()
    assert case(mp_service, number).status == CaseStatus.SUBMITTED and cases(mp_service) == 1


def test_with_two_cases_in_hand_the_photo_waits_for_a_choice(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    first, second = (resident_reports(new_user(), wechat_api, run_worker) for _ in range(2))
    for number in (first, second):
        reviewer.send_text(f"受理 {number}")
        officer.send_text(f"整改 {number}")
    officer.send_text("取消")

    question = send_photo(officer, wechat_api, SAME_ANGLE).text
    assert f"1. {first}" in question and f"2. {second}" in question and "回复序号" in question
    assert "请回复序号" in officer.send_text("3").text  # out of range: asked again, nothing changed
    assert "正在核验" in officer.send_text("2").text
    run_worker()
    assert case(mp_service, second).status == CaseStatus.SUBMITTED
    assert case(mp_service, first).status == CaseStatus.RECTIFYING
    second_id = case(mp_service, second).id
    with mp_service.sessions() as s:
        assert s.scalars(select(Photo.case_id).where(Photo.role == PhotoRole.RECTIFICATION)).one() == second_id
    assert cases(mp_service) == 2


def test_without_a_case_in_hand_a_photo_still_starts_a_patrol_report(mp_service, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    reply = send_photo(officer, wechat_api, SAME_ANGLE).text
    assert "已收到第1张照片" in reply and "位置" in reply


def test_bare_rectify_acts_on_the_only_case_or_lists_them(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    assert officer.send_text("整改").text == "您目前没有待整改的案件。"

    first = resident_reports(new_user(), wechat_api, run_worker)
    reviewer.send_text(f"受理 {first}")
    only = officer.send_text("整改").text
    assert f"请发送案件 {first} 的整改照片" in only and "受理" not in only
    assert case(mp_service, first).status == CaseStatus.RECTIFYING
    officer.send_text("取消")

    second = resident_reports(new_user(), wechat_api, run_worker)
    reviewer.send_text(f"受理 {second}")
    listing = officer.send_text("整改").text
    assert f"1. {first}" in listing and f"2. {second}" in listing and "受理" not in listing
    assert f"请发送案件 {second} 的整改照片" in officer.send_text("2").text
    assert case(mp_service, second).status == CaseStatus.RECTIFYING
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert case(mp_service, second).status == CaseStatus.SUBMITTED

    third = resident_reports(new_user(), wechat_api, run_worker)
    reviewer.send_text(f"受理 {third}")
    assert f"2. {third}" in officer.send_text("整改").text
    allow_retake(mp_service)
    held = send_photo(officer, wechat_api, RETAKE).text  # waits for the choice
    assert "已收到照片" in held and f"2. {third}" in held
    assert "正在核验" in officer.send_text("2").text
    run_worker()
    assert case(mp_service, third).status == CaseStatus.SUBMITTED


def test_a_review_command_without_a_case_pending_says_so(mp_service, new_staff) -> None:  # type: ignore[no-untyped-def]
    reviewer = new_staff(Role.REVIEWER)  # a bare command acts on the pending case(s): tests/cards/test_bare_commands.py
    assert reviewer.send_text("通过").text == "没有待通过的案件。"
    assert reviewer.send_text("受理").text == "没有待受理的案件。"


def test_each_flow_times_out_with_its_own_next_step() -> None:
    from handlers.expiry import expired_notice, expired_text

    patrol = expired_text("report", "location", {"source": "patrol"}, 30)
    assert "巡查上报" in patrol and "回复「巡查」重新开始" in patrol and "发送照片" not in patrol
    assert "回复「马路办公」" in expired_text("report", "photo", {"source": "road_office"}, 30)
    assert "重新发送照片开始" in expired_text("report", "photo", {"source": "snapshot"}, 30)  # residents
    assert expired_text("rectify", "checking", {"case": "2026113000001"}, 30) == ""  # the verdict follows
    assert "未采用" in expired_text("rectify", "choose", {"choices": ["1"], "photo": {}}, 30)
    assert expired_notice("rectify", "photo", {"case": "2026113000001"}) == ""
    assert "草稿已清除" in expired_notice("report", "photo", {})
