"""A case's whole staff lifecycle by taps on WeCom cards only, over encrypted callbacks: new report card
-> 受理 -> officer card -> 我来处理 -> rectification photo -> review card with both photos -> 返工 with a
reason -> new photo -> 通过; every copy of each card changed once decided. And the refusals."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select, update

from bot.db import transaction
from models import AuditEvent, Case, CaseStatus, Role, User, utcnow
from models.cards import SentCard
from tests.cards.taps import announcements_due, answer, last_card, shown, tap
from tests.staff.scenario import RETAKE, SAME_ANGLE, allow_retake, case, resident_reports, seed_district, send_photo


def test_a_case_from_report_to_close_by_taps(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    first = new_staff(Role.REVIEWER, "审核员甲", street_id=district.east)
    second = new_staff(Role.REVIEWER, "审核员乙", street_id=district.east)
    officer = new_staff(Role.OFFICER, "队员丙", street_id=district.east, unit_id=district.east_unit)
    colleague = new_staff(Role.OFFICER, "队员丁", street_id=district.east, unit_id=district.east_unit)
    number = resident_reports(new_user(), wechat_api, run_worker)
    announcements_due(mp_service)
    run_worker()

    report = last_card(wechat_api, first)
    assert report == last_card(wechat_api, second) and report["main_title"]["title"] == "新的市民上报"
    assert [b["text"] for b in report["button_list"]] == ["受理", "退回"]
    assert {f["keyname"] for f in report["horizontal_content_list"]} >= {"编号", "类别", "位置", "时限"}
    assert len(wechat_api.images_to(first.openid)) == 1  # the problem photo, before the card

    tap(wechat_api, first, report, "accept")
    assert "已受理并派遣至东街执法队" in answer(wechat_api, first, run_worker)
    assert shown(wechat_api, report["task_id"], first) == shown(wechat_api, report["task_id"], second) == "已由审核员甲受理"
    tap(wechat_api, second, report, "accept")  # too late: the other reviewer took it
    assert "已由审核员甲于" in (told := answer(wechat_api, second, run_worker)) and told.endswith("处理, 无需再操作。")
    assert case(mp_service, number).status == CaseStatus.DISPATCHED

    dispatch = last_card(wechat_api, officer)
    assert dispatch == last_card(wechat_api, colleague) and [b["text"] for b in dispatch["button_list"]] == ["我来处理"]
    place = next(f for f in dispatch["horizontal_content_list"] if f["keyname"] == "位置")
    assert place["type"] == 1 and place["url"].startswith("https://uri.amap.com/marker?position=")
    tap(wechat_api, officer, dispatch, "claim")
    assert "请发送案件" in answer(wechat_api, officer, run_worker)
    assert shown(wechat_api, dispatch["task_id"], colleague) == "已由队员丙认领"

    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    review = last_card(wechat_api, first)
    assert review["main_title"]["title"] == "整改待审核" and review == last_card(wechat_api, second)
    assert any(f["keyname"] == "核验" and "核验通过" in f["value"] for f in review["horizontal_content_list"])
    both = Image.open(io.BytesIO(wechat_api.images_to(first.openid)[-1]))
    assert both.format == "JPEG" and both.width > 1.5 * both.height  # problem and rectification side by side

    tap(wechat_api, first, review, "rework")
    asked = answer(wechat_api, first, run_worker)
    assert "1. 整改不到位" in asked and "2. 角度不一致" in asked and "4. 其他" in asked
    assert "已退回返工 (第1次): 角度不一致" in first.send_text("2").text
    run_worker()
    assert shown(wechat_api, review["task_id"], second) == "已由审核员甲返工"
    assert any("退回返工" in m for m in wechat_api.messages_to(officer.openid))

    allow_retake(mp_service)
    send_photo(officer, wechat_api, RETAKE)
    run_worker()
    again = last_card(wechat_api, second)
    assert again["task_id"] != review["task_id"]  # a new round of review, a new task
    tap(wechat_api, second, again, "approve")
    assert "已结案" in answer(wechat_api, second, run_worker)
    assert shown(wechat_api, again["task_id"], first) == "已由审核员乙通过"

    closed = case(mp_service, number)
    assert closed.status == CaseStatus.CLOSED and closed.rework_count == 1
    with mp_service.sessions() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == closed.id).order_by(AuditEvent.id)).all()
        open_copies = s.scalars(select(SentCard).where(SentCard.handled_at.is_(None))).all()
    assert actions == ["report", "accept", "dispatch", "start", "submit", "return", "resubmit", "verify", "close"]
    assert open_copies == [] and len(wechat_api.cards.updates) == 4
    assert wechat_api.cards.dropped == []


def _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker, **reviewer):  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    member = new_staff(Role.REVIEWER, "审核员甲", street_id=district.east, **reviewer)
    number = resident_reports(new_user(), wechat_api, run_worker)
    announcements_due(mp_service)
    run_worker()
    return district, member, number, last_card(wechat_api, member)


def test_a_member_whose_role_changed_is_refused_and_nothing_changes(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    _, member, number, card = _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker)
    with transaction(mp_service.sessions) as s:  # moved to a field team after the card went out
        s.execute(update(User).where(User.name == "审核员甲").values(role=Role.OFFICER))
    tap(wechat_api, member, card, "accept")
    assert "「受理」只能由审核员、管理员操作" in answer(wechat_api, member, run_worker)
    assert case(mp_service, number).status == CaseStatus.REPORTED and wechat_api.cards.updates == []


def test_a_reviewer_of_another_street_is_refused(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district, member, number, card = _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker)
    with transaction(mp_service.sessions) as s:  # moved to the west street after the card went out
        s.execute(update(User).where(User.name == "审核员甲").values(street_id=district.west))
    tap(wechat_api, member, card, "reject")
    assert "不在您负责的范围内" in answer(wechat_api, member, run_worker)
    assert case(mp_service, number).status == CaseStatus.REPORTED


def test_a_card_not_sent_to_the_member_is_refused(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district, _, number, card = _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker)
    officer = new_staff(Role.OFFICER, "队员丙", street_id=district.east, unit_id=district.east_unit)
    tap(wechat_api, officer, card, "accept")  # a forged tap: the card's TaskId, but never sent to them
    assert "不是发给您的" in answer(wechat_api, officer, run_worker)
    assert case(mp_service, number).status == CaseStatus.REPORTED


def test_an_expired_card_says_what_to_type(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    _, member, number, card = _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker)
    with transaction(mp_service.sessions) as s:
        s.execute(update(SentCard).values(created_at=utcnow() - timedelta(hours=73)))
    tap(wechat_api, member, card, "accept")
    assert f"已超过 72 小时失效。请回复「受理 {number}」" in answer(wechat_api, member, run_worker)
    assert case(mp_service, number).status == CaseStatus.REPORTED


def test_a_card_whose_case_moved_on_says_so(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    _, member, number, card = _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker)
    with transaction(mp_service.sessions) as s:  # changed behind the cards' back (no audit event: no settling)
        s.execute(update(Case).where(Case.number == number).values(status=CaseStatus.ACCEPTED))
    tap(wechat_api, member, card, "accept")
    assert "当前为「已受理」, 这张卡片已失效" in answer(wechat_api, member, run_worker)


def test_a_typed_decision_changes_the_cards_too(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    _, member, number, card = _report_card_for(mp_service, wechat_api, new_user, new_staff, run_worker)
    assert "已退回" in member.send_text(f"退回 {number} 重复上报").text
    run_worker()
    assert shown(wechat_api, card["task_id"], member) == "已由审核员甲退回"
