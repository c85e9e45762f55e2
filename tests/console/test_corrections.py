"""The console's corrections (改派, 改类, 改位置, 重复, 挂起) take the chat commands' steps, tell the same
people, and refuse another street's case by URL and by form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import create_app
from models import AuditEvent, Case, CaseStatus, Role
from tests.console.helpers import give_password, sign_in, user_id_of
from tests.console.test_actions import post
from tests.staff.scenario import case, case_in_rectification, district_unit_officer, resident_reports, seed_district


@pytest.fixture
def console(mp_service):  # type: ignore[no-untyped-def]
    return create_app(service=mp_service).test_client()


def test_reassign_and_suspend_in_the_console(mp_service, wechat_api, new_user, new_staff, run_worker, console) -> None:  # type: ignore[no-untyped-def]
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    give_password(mp_service, user_id_of(mp_service, reviewer.openid), "district")
    _, municipal = district_unit_officer(mp_service, new_staff)
    sign_in(console, "district")
    assert "请选择改派的单位" in post(console, number, "reassign").get_data(as_text=True)
    page = post(console, number, "reassign", unit="Q-SZ").get_data(as_text=True)
    assert "改派至区市政所" in page and "改派" in page.split('class="timeline"')[1]
    run_worker()
    assert any(number in m and f"整改 {number}" in m for m in wechat_api.messages_to(municipal.openid))

    before = case(mp_service, number).deadline
    assert "请填写挂起原因" in post(console, number, "suspend", days="3").get_data(as_text=True)
    asked = post(console, number, "suspend", days="3", note="等待燃气公司").get_data(as_text=True)
    assert "等待审核员批准" in asked and "挂起申请待批准" in asked
    assert "已批准挂起" in post(console, number, "approve_suspension").get_data(as_text=True)
    assert case(mp_service, number).deadline > before
    with mp_service.sessions() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("suspend%"))).all()
    assert actions == ["suspend_requested", "suspend_approved"]


def test_duplicate_category_and_location(mp_service, wechat_api, new_user, new_staff, run_worker, console) -> None:  # type: ignore[no-untyped-def]
    district = seed_district(mp_service)
    reviewer = new_staff(Role.REVIEWER, street_id=district.east)
    give_password(mp_service, user_id_of(mp_service, reviewer.openid), "east")
    original = resident_reports(new_user(), wechat_api, run_worker)
    duplicate = resident_reports(new_user(), wechat_api, run_worker)
    sign_in(console, "east")
    page = post(console, duplicate, "duplicate", original=original).get_data(as_text=True)
    assert "重复案件关闭" in page and f'/console/cases/{original}">{original}</a>' in page and "重复于" in page
    assert case(mp_service, duplicate).status == CaseStatus.DUPLICATE
    shown = console.get(f"/console/cases/{original}").get_data(as_text=True)
    assert "重复案件" in shown and f'/console/cases/{duplicate}">{duplicate}</a>' in shown

    recategorized = post(console, original, "recategorize", category="E0101").get_data(as_text=True)
    assert "改为「市容环境/私搭乱建」" in recategorized and case(mp_service, original).category_code == "E0101"
    asked = post(console, original, "relocate", lat="39.905", lon="116.305").get_data(as_text=True)
    assert "新位置在西街街道" in asked and case(mp_service, original).street_id == district.east
    moved = post(console, original, "relocate", lat="39.905", lon="116.305", move_street="1")
    assert moved.status_code == 404  # moved to the west street: no longer this reviewer's case
    assert case(mp_service, original).street_id == district.west


def test_another_streets_case_is_refused(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    ours, theirs = seeded.east_cases[0], seeded.west_cases[0]
    from tests.console.helpers import csrf_token

    token = csrf_token(client.get(f"/console/cases/{ours}").get_data(as_text=True))
    for action, form in (("duplicate", {"original": ours}), ("recategorize", {"category": "E0502"}),
                         ("suspend", {"days": "2", "note": "x"}), ("relocate", {"lat": "39.9", "lon": "116.3"})):
        answer = client.post(f"/console/cases/{theirs}/{action}", data={"csrf_token": token, **form})
        assert answer.status_code == 404, action
    # the other street's case named as the original of ours
    answer = client.post(f"/console/cases/{ours}/duplicate", data={"csrf_token": token, "original": theirs},
                         follow_redirects=True)
    assert "不在您负责的范围" in answer.get_data(as_text=True)
    with service.sessions() as s:
        statuses = dict(s.execute(select(Case.number, Case.status).where(Case.number.in_([ours, theirs]))).all())
        assert statuses == {ours: CaseStatus.REPORTED, theirs: CaseStatus.REPORTED}
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action.in_(
            ["duplicate_linked", "recategorize", "suspend_requested", "relocate"]))).all()
