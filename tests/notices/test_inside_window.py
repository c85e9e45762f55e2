"""A resident who keeps writing hears every step as chat messages: 已受理 with the unit and the deadline,
已办结 with the rectification photo that passed photocheck (its redacted copy), then the rating question as tappable
choices (msgmenu); the tap comes back with its bizmsgmenuid and is stored as the rating."""

from __future__ import annotations

from sqlalchemy import select

from bot.photostore import store_for
from models import Photo, PhotoRedaction, PhotoRole, Role, Satisfaction
from tests.photos import photo
from tests.staff.scenario import SAME_ANGLE, case, resident_reports, seed_district, send_photo


def test_every_step_in_the_window_and_the_tap_is_the_rating(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    resident, bystander = new_user(), new_user()
    reviewer = new_staff(Role.REVIEWER)
    officer = new_staff(Role.OFFICER, street_id=district.east, unit_id=district.east_unit)
    number = resident_reports(resident, wechat_api, run_worker)

    reviewer.send_text(f"受理 {number}")
    run_worker()
    (accepted,) = wechat_api.pushed_to(resident.openid)
    assert f"案件 {number} 已受理" in accepted.text and "负责单位: 东街执法队" in accepted.text
    assert f"处理时限: {case(mp_service, number).deadline.astimezone().strftime('%Y')}" in accepted.text

    officer.send_text(f"整改 {number}")
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    reviewer.send_text(f"通过 {number}")
    run_worker()
    sent = wechat_api.pushed_to(resident.openid)
    assert [p.kind for p in sent] == ["text", "text", "msgmenu"]
    assert f"案件 {number} 已办结, 整改后照片如下" in sent[1].text
    (sent_photo,) = wechat_api.images_to(resident.openid)  # the photo that passed photocheck, as its redacted copy
    with mp_service.sessions() as s:
        copy = s.scalars(select(PhotoRedaction.storage_path).join(Photo, Photo.id == PhotoRedaction.photo_id)
                         .where(Photo.role == PhotoRole.RECTIFICATION)).one()
    assert copy and sent_photo == store_for(mp_service.config).get(copy) != photo(SAME_ANGLE)
    menu = sent[2].raw["msgmenu"]
    assert [item["content"] for item in menu["list"]] == ["满意", "基本满意", "不满意"]

    mostly = menu["list"][1]
    assert "已失效" in bystander.tap_menu(mostly["id"], mostly["content"]).text  # not their case
    assert case(mp_service, number).satisfaction is None
    assert "基本满意" in resident.tap_menu(mostly["id"], mostly["content"]).text
    assert case(mp_service, number).satisfaction == Satisfaction.MOSTLY
    assert "已评价过" in resident.tap_menu(menu["list"][2]["id"], "不满意").text  # a second tap changes nothing
    assert case(mp_service, number).satisfaction == Satisfaction.MOSTLY
    run_worker()
    assert len(wechat_api.pushed_to(resident.openid)) == 3  # each notice once


def test_rejected_report_tells_the_public_reason(mp_service, wechat_api, new_user, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    seed_district(mp_service)
    resident = new_user()
    reviewer = new_staff(Role.REVIEWER)
    number = resident_reports(resident, wechat_api, run_worker)
    reviewer.send_text(f"退回 {number} 物业纠纷 公开: 属于物业管理范围, 请联系小区物业")
    run_worker()
    (rejected,) = wechat_api.pushed_to(resident.openid)
    assert f"案件 {number} 不予受理: 属于物业管理范围, 请联系小区物业" in rejected.text
    assert "物业纠纷" not in rejected.text  # the internal reason stays in the audit trail
