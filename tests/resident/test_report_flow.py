"""随手拍 through the Official Account: real signed XML into the app, the worker run in between."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db import transaction
from bot.tasks.conversations import expire_idle_conversations
from handlers.catalog import categories
from models import (
    AuditEvent,
    Case,
    CaseSource,
    CaseStatus,
    Conversation,
    InboxMessage,
    Photo,
    PhotoStatus,
    utcnow,
)
from models.calendar import TZ
from models.geo import Point, wgs84_to_gcj02
from tests.chat import count
from tests.factories import make_street
from tests.photos import photo

PROBLEM = "motorcycle_left"
WEST = {"type": "Polygon", "coordinates": [[[116.30, 39.90], [116.31, 39.90], [116.31, 39.91], [116.30, 39.91], [116.30, 39.90]]]}
EAST = {"type": "Polygon", "coordinates": [[[116.31, 39.90], [116.32, 39.90], [116.32, 39.91], [116.31, 39.91], [116.31, 39.90]]]}
# A point in the east street, as a phone reports it (GCJ-02 is offset by several hundred metres here).
EAST_POINT_GCJ = wgs84_to_gcj02(Point(39.905, 116.315))


def seed_streets(service) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        return {"west": make_street(s, "W", "西街街道", WEST).id, "east": make_street(s, "E", "东街街道", EAST).id}


# 01:30 on 1 February in Beijing, still 31 January in UTC: the case belongs to February.
REPORTED_AT = datetime(2026, 1, 31, 17, 30, tzinfo=UTC)


def test_full_report_creates_one_case_in_the_right_street(mp_service, wechat_api, new_user, run_worker, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bot.dispatcher.utcnow", lambda: REPORTED_AT)  # the clock every handler reads (ctx.now)
    streets = seed_streets(mp_service)
    resident = new_user()
    image = photo(PROBLEM)
    pic_url, media_id = wechat_api.add_media(image)

    assert "随手拍" in resident.send_event("subscribe").text
    assert "位置" in resident.send_image(pic_url, media_id).text
    run_worker()  # the photo is downloaded while the resident goes on typing
    assert "描述" in resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街路口").text
    choices = resident.send_text("路口有人占道经营卖水果").text
    assert "1. 街面秩序/占道经营" in choices
    summary = resident.send_text("1").text
    assert "确认" in summary and "街面秩序/占道经营" in summary and "照片: 1张" in summary
    done = resident.send_text("确认").text

    with mp_service.sessions() as s:
        (case,) = s.scalars(select(Case)).all()
        assert case.number in done and "东街街道" in done and case.number.startswith("20260201")
        assert case.street_id == streets["east"]
        assert case.source == CaseSource.SNAPSHOT and case.status == CaseStatus.REPORTED
        assert case.category_code == categories().by_name("街面秩序/占道经营").key
        assert abs(case.lat - 39.905) < 1e-5 and abs(case.lon - 116.315) < 1e-5  # stored in WGS-84
        assert (case.gcj_lat, case.gcj_lon) == (EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon)
        # 随手拍 is due at the end of the month it was reported in (source_rules.csv: snapshot,month_end),
        # by Beijing time whatever the category's own limit (占道经营); February 2026 has 28 days.
        assert case.deadline == datetime(2026, 2, 28, 23, 59, 59, tzinfo=TZ)
        assert case.deadline.astimezone(TZ).isoformat() == "2026-02-28T23:59:59+08:00"
        (stored,) = s.scalars(select(Photo)).all()
        assert stored.case_id == case.id and stored.status == PhotoStatus.STORED
        assert stored.sha256 == hashlib.sha256(image).hexdigest()
        assert (mp_service.config.photo_dir / stored.storage_path).read_bytes() == image
        assert [e.action for e in s.scalars(select(AuditEvent))] == ["report"]
        conversation = s.scalars(select(Conversation)).one()
        assert conversation.flow is None



def test_any_order_location_first_text_then_photos(mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    seed_streets(mp_service)
    resident = new_user()
    assert "照片" in resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon, "东街").text
    assert "照片" in resident.send_text("人行道上暴露垃圾很多").text
    urls = [wechat_api.add_media(photo(name)) for name in ("motorcycle_left", "coffee", "chelsea", "astronaut")]
    first = resident.send_image(*urls[0]).text
    assert "第1张" in first and "类别" in first
    resident.send_image(*urls[1])
    resident.send_image(*urls[2])
    assert "最多3张" in resident.send_image(*urls[3]).text
    run_worker()
    reply = resident.send_text("暴露垃圾").text  # a category typed by name
    assert "照片: 3张" in reply
    assert "案件编号" in resident.send_text("确认").text
    with mp_service.sessions() as s:
        case = s.scalars(select(Case)).one()
        assert len(s.scalars(select(Photo).where(Photo.case_id == case.id)).all()) == 3


def test_typed_address_routes_by_street_name(mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    streets = seed_streets(mp_service)
    resident = new_user()
    resident.send_image(*wechat_api.add_media(photo(PROBLEM)))
    assert "已记录地址" in resident.send_text("西街街道幸福路12号门口").text
    resident.send_text("门口乱堆放垃圾")
    resident.send_text("1")
    resident.send_text("确认")
    with mp_service.sessions() as s:
        case = s.scalars(select(Case)).one()
        assert case.street_id == streets["west"] and case.lat is None and "幸福路" in case.address


def test_cancel_and_help(mp_service, wechat_api, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    assert "使用说明" in resident.send_text("帮助").text
    assert "使用说明" in resident.send_text("你好").text  # small talk starts nothing
    resident.send_image(*wechat_api.add_media(photo(PROBLEM)))
    assert "已取消" in resident.send_text("取消").text
    assert "没有进行中" in resident.send_text("取消").text
    assert count(mp_service, Case) == 0


def test_an_idle_draft_expires_with_a_note(mp_service, wechat_api, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_image(*wechat_api.add_media(photo(PROBLEM)))
    with transaction(mp_service.sessions) as s:
        conversation = s.scalars(select(Conversation)).one()
        conversation.updated_at -= timedelta(minutes=31)
    reply = resident.send_text("帮助").text
    assert "超时" in reply and "使用说明" in reply
    with mp_service.sessions() as s:
        assert s.scalars(select(Conversation)).one().flow is None


def test_refused_photo_is_reported_and_not_counted(mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_image(*wechat_api.add_media(b"\xff\xd8\xff\xe0 this is not really a jpeg"))
    run_worker()
    (pushed,) = wechat_api.wait_for_message(resident.openid)
    assert "无法使用" in pushed and "重新拍摄" in pushed
    resident.send_location(EAST_POINT_GCJ.lat, EAST_POINT_GCJ.lon)
    assert "请拍摄并发送问题照片" in resident.send_text("占道经营").text
    with mp_service.sessions() as s:
        assert s.scalars(select(Photo)).one().status == PhotoStatus.REJECTED


def test_photo_falls_back_to_the_media_api(mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    wechat_api.fail_pic_urls = True
    resident = new_user()
    resident.send_image(*wechat_api.add_media(photo(PROBLEM)))
    run_worker()
    with mp_service.sessions() as s:
        assert s.scalars(select(Photo)).one().status == PhotoStatus.STORED


def test_every_message_is_in_the_inbox(mp_service, wechat_api, new_user) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_text("帮助")
    resident.send_event("subscribe")
    resident.send_text("查询")
    with mp_service.sessions() as s:
        rows = s.scalars(select(InboxMessage).order_by(InboxMessage.id)).all()
        assert [r.msg_type for r in rows] == ["text", "event", "text"]
        assert all(r.handled_at is not None and r.reply for r in rows)


def test_the_sweep_expires_idle_drafts_and_tells_the_resident(mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    idle, active = new_user(), new_user()
    idle.send_image(*wechat_api.add_media(photo(PROBLEM)))
    active.send_image(*wechat_api.add_media(photo(PROBLEM)))
    with transaction(mp_service.sessions) as s:
        for conversation in s.scalars(select(Conversation).where(Conversation.external_id == idle.openid)):
            conversation.updated_at = utcnow() - timedelta(minutes=45)

    assert expire_idle_conversations(mp_service) == 1
    assert expire_idle_conversations(mp_service) == 0  # a second sweep (another process) sends nothing more
    run_worker()
    (note,) = wechat_api.wait_for_message(idle.openid)
    assert "草稿已清除" in note
    assert wechat_api.messages_to(active.openid) == []
