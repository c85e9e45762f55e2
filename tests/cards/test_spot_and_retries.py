"""A road chief's patrol report fixed on the spot reaches the reviewers as the same review card once
accepted; WeCom's retry of a tap (the same ResponseCode) acts once."""

from __future__ import annotations

from models import CaseStatus, Role
from tests.cards.taps import answer, last_card
from tests.resident.test_report_flow import EAST_POINT_GCJ
from tests.staff.scenario import PROBLEM, SAME_ANGLE, case, seed_district, send_photo


def test_a_patrol_report_fixed_on_the_spot_gets_the_review_card(mp_service, wechat_api, new_staff, run_worker) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, "审核员甲", street_id=district.east)
    chief = new_staff(Role.ROAD_CHIEF, "路长丙", street_id=district.east, unit_id=district.east_unit)
    chief.send_text("巡查")
    send_photo(chief, wechat_api, PROBLEM)
    chief.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口")
    chief.send_text("占道经营")
    chief.send_text("1")
    chief.send_text("已现场整改")
    run_worker()
    number = send_photo(chief, wechat_api, SAME_ANGLE).text.split("案件编号: ")[1].split()[0]
    run_worker()
    assert "现场已整改" in reviewer.send_text(f"受理 {number}").text
    run_worker()

    review = last_card(wechat_api, reviewer)
    assert review["main_title"] == {"title": "整改待审核", "desc": f"案件 {number}"}
    assert any(f["keyname"] == "核验" and "核验通过" in f["value"] for f in review["horizontal_content_list"])
    code = wechat_api.cards.tap_code(review["task_id"])
    reviewer.tap_card(review["task_id"], "approve", code)
    reviewer.tap_card(review["task_id"], "approve", code)  # WeCom's retry: the same event again
    assert "已结案" in answer(wechat_api, reviewer, run_worker)
    assert sum("已结案" in m for m in wechat_api.messages_to(reviewer.openid)) == 1
    assert case(mp_service, number).status == CaseStatus.CLOSED
