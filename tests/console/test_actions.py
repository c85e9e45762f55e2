"""The console's buttons take the same steps as the chat commands and notify the same people."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.db import transaction
from models import AuditEvent, CaseStatus, OutboxJob, Role
from tests.console.helpers import csrf_token, give_password, sign_in, user_id_of
from tests.console.scenario import submitted_cases
from tests.factories import make_case, make_user
from tests.staff.scenario import case


@pytest.fixture
def console(mp_service):  # type: ignore[no-untyped-def]
    return create_app(service=mp_service).test_client()


def post(client, number: str, action: str, **form: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(f"/console/cases/{number}").get_data(as_text=True))
    return client.post(f"/console/cases/{number}/{action}", data={"csrf_token": token, **form}, follow_redirects=True)


def test_approve_and_rework_notify_like_chat(mp_service, wechat_api, new_user, new_staff, run_worker, console) -> None:  # type: ignore[no-untyped-def]
    s = submitted_cases(mp_service, wechat_api, new_user, new_staff, run_worker)
    approve, rework = s.numbers
    sign_in(console, "east")
    assert "已结案" in post(console, approve, "approve").get_data(as_text=True)
    page = post(console, rework, "rework", reason="角度不一致", note="请站在路口东侧拍").get_data(as_text=True)
    assert "已退回返工 (第1次)" in page
    run_worker()
    assert case(mp_service, approve).status == CaseStatus.CLOSED
    returned = case(mp_service, rework)
    assert returned.status == CaseStatus.RETURNED and returned.rework_count == 1
    assert any("评价" in m for m in wechat_api.messages_to(s.residents[0].openid))  # the resident is asked to rate
    assert any(rework in m and "返工" in m and "角度不一致" in m for m in wechat_api.messages_to(s.officer.openid))
    reviewer_id = user_id_of(mp_service, s.reviewer.openid)
    with mp_service.sessions() as db:
        event = db.scalars(select(AuditEvent).where(AuditEvent.case_id == returned.id, AuditEvent.action == "return")).one()
        assert event.data == {"reason": "angle.mismatch"} and event.actor_id == reviewer_id
        assert event.note == "角度不一致 请站在路口东侧拍"


def test_accept_dispatches_and_reject_needs_a_reason(mp_service, wechat_api, new_user, new_staff, run_worker, console) -> None:  # type: ignore[no-untyped-def]
    from tests.staff.scenario import resident_reports, seed_district

    district = seed_district(mp_service)
    officer = new_staff(Role.OFFICER, "东街队员", street_id=district.east, unit_id=district.east_unit)
    with transaction(mp_service.sessions) as db:
        reviewer = make_user(db, Role.REVIEWER, "东街审核员", street_id=district.east).id
    give_password(mp_service, reviewer, "east")
    accepted = resident_reports(new_user(), wechat_api, run_worker)
    with transaction(mp_service.sessions) as db:
        rejected = make_case(db, street_id=district.east).number
    sign_in(console, "east")
    assert "派遣至东街执法队" in post(console, accepted, "accept").get_data(as_text=True)
    run_worker()
    assert any(accepted in m for m in wechat_api.wait_for_message(officer.openid))
    assert "请填写退回原因" in post(console, rejected, "reject", note="  ").get_data(as_text=True)
    assert case(mp_service, rejected).status == CaseStatus.REPORTED
    page = post(console, rejected, "reject", note="举报人王某系恶意举报", public_reply="属于物业管理范围").get_data(as_text=True)
    assert "已退回" in page and case(mp_service, rejected).status == CaseStatus.REJECTED
    # the reason is internal and the reply public (#16): kept apart, and the page labels each
    assert "内部: 举报人王某系恶意举报" in page and "公开答复: 属于物业管理范围" in page
    with mp_service.sessions() as db:
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "reject")).one()
        assert (event.note, event.data) == ("举报人王某系恶意举报", {"public_reply": "属于物业管理范围"})


def test_bad_or_wrong_step_changes_nothing(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    reported, submitted = seeded.east_cases[0], seeded.east_cases[2]
    assert "请选择返工原因" in post(client, submitted, "rework", reason="随便").get_data(as_text=True)
    assert "请写明返工原因" in post(client, submitted, "rework", reason="其他").get_data(as_text=True)
    assert "不能变为" in post(client, reported, "approve").get_data(as_text=True)
    assert post(client, reported, "delete").status_code == 200  # unknown action: refused in words
    with service.sessions() as db:
        assert db.scalars(select(OutboxJob)).all() == []
    assert case(service, submitted).status == CaseStatus.SUBMITTED and case(service, reported).status == CaseStatus.REPORTED


def test_other_streets_cases_refused_by_url_and_by_form(app, service, seeded) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "east")
    theirs, submitted = seeded.west_cases
    assert client.get(f"/console/cases/{theirs}").status_code == 404
    token = csrf_token(client.get(f"/console/cases/{seeded.east_cases[0]}").get_data(as_text=True))
    for number, action in ((theirs, "accept"), (theirs, "reject"), (submitted, "approve"), (submitted, "rework")):
        response = client.post(f"/console/cases/{number}/{action}",
                               data={"csrf_token": token, "note": "x", "reason": "整改不到位"})
        assert response.status_code == 404, (number, action)
    assert case(service, theirs).status == CaseStatus.REPORTED and case(service, submitted).status == CaseStatus.SUBMITTED


def test_accept_without_a_rule_then_dispatch_by_hand(mp_service, wechat_api, new_user, new_staff, run_worker, console) -> None:  # type: ignore[no-untyped-def]
    from tests.staff.scenario import resident_reports, seed_district

    district = seed_district(mp_service, routed=False)
    officer = new_staff(Role.OFFICER, "东街队员", street_id=district.east, unit_id=district.east_unit)
    with transaction(mp_service.sessions) as db:
        reviewer = make_user(db, Role.REVIEWER, "东街审核员", street_id=district.east).id
    give_password(mp_service, reviewer, "east")
    number = resident_reports(new_user(), wechat_api, run_worker)
    sign_in(console, "east")
    page = post(console, number, "accept").get_data(as_text=True)
    assert "没有找到负责单位" in page and 'value="E-ZF"' in page and 'value="W-ZF"' not in page
    assert "不属于该案件所在街道" in post(console, number, "dispatch", unit="W-ZF").get_data(as_text=True)
    assert "请选择派遣单位" in post(console, number, "dispatch", unit="").get_data(as_text=True)
    assert case(mp_service, number).status == CaseStatus.ACCEPTED
    assert "已派遣至东街执法队" in post(console, number, "dispatch", unit="E-ZF").get_data(as_text=True)
    run_worker()
    assert case(mp_service, number).status == CaseStatus.DISPATCHED
    assert any(number in m for m in wechat_api.wait_for_message(officer.openid))
