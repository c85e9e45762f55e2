"""查询 shows a resident their own cases only; after closure they are asked to rate it, and the answer is kept."""

from __future__ import annotations

from sqlalchemy import select

from bot.db import transaction
from models import Case, CaseSource, CaseStatus, Role, Satisfaction
from tests.factories import make_case, make_user
from tests.photos import photo


def report_one(user, api) -> str:  # type: ignore[no-untyped-def]
    user.send_image(*api.add_media(photo("astronaut")))
    user.send_location(39.9, 116.3, "某路口")
    user.send_text("井盖缺失很危险")
    user.send_text("1")
    reply = user.send_text("确认").text
    return reply.split("案件编号: ")[1].split()[0]


def close_case(service, number: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        reviewer, officer = make_user(s, Role.REVIEWER), make_user(s, Role.OFFICER)
        case = s.scalars(select(Case).where(Case.number == number)).one()
        for target, actor in [
            (CaseStatus.ACCEPTED, reviewer), (CaseStatus.DISPATCHED, reviewer), (CaseStatus.RECTIFYING, officer),
            (CaseStatus.SUBMITTED, officer), (CaseStatus.VERIFIED, reviewer), (CaseStatus.CLOSED, reviewer),
        ]:
            case.transition(target, actor)


def test_query_lists_own_cases_and_hides_others(new_user, wechat_api) -> None:  # type: ignore[no-untyped-def]
    alice, bob = new_user(), new_user()
    number = report_one(alice, wechat_api)

    listing = alice.send_text("查询").text
    assert number in listing and "待受理" in listing
    detail = alice.send_text(f"查询 {number}").text
    assert f"案件 {number}" in detail and "处理时限" in detail
    assert "未找到" in bob.send_text(f"查询 {number}").text
    assert "还没有上报" in bob.send_text("查询").text
    assert "未找到" in alice.send_text("查询 2020010100001").text


def test_closed_case_asks_for_a_rating_and_stores_it(new_user, wechat_api, mp_service, run_worker) -> None:  # type: ignore[no-untyped-def]
    alice = new_user()
    number = report_one(alice, wechat_api)
    assert "已记录" not in alice.send_text("1").text  # nothing to rate yet

    close_case(mp_service, number)
    run_worker()
    (asked,) = [m for m in wechat_api.wait_for_message(alice.openid) if "评价" in m]
    assert number in asked and "基本满意" in asked

    assert "基本满意" in alice.send_text("基本满意").text
    with mp_service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        assert case.satisfaction == Satisfaction.MOSTLY and case.rated_at is not None
    assert "您的评价: 基本满意" in alice.send_text(f"查询 {number}").text
    assert "已记录" not in (alice.send_text("满意").text or "")  # rated once; a second answer changes nothing
    with mp_service.sessions() as s:
        assert s.scalars(select(Case)).one().satisfaction == Satisfaction.MOSTLY


def test_case_reported_by_staff_gets_no_rating_question(mp_service, run_worker, wechat_api) -> None:  # type: ignore[no-untyped-def]
    with transaction(mp_service.sessions) as s:
        chief = make_user(s, Role.ROAD_CHIEF)
        number = make_case(s, source=CaseSource.PATROL, reporter_id=chief.id).number
    close_case(mp_service, number)
    run_worker()
    assert wechat_api.pushed == []
