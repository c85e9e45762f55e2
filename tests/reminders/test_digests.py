"""The daily digest on the Chinese working calendar, driven with a chosen clock, delivered to the
stand-in group robot by the real outbox worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.reminders.schedule import run_digests
from models import CaseStatus, GroupChat, SentDigest
from tests.reminders.helpers import (
    HOLIDAY, MAKEUP_SATURDAY, MONDAY, case_due, deliver_all, officer, street_with_group,
)


def test_working_day_digest_lists_due_overdue_returned_and_closed(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        group = street_with_group(s, robot)
        zhang = officer(s, group.street_id)
        li = officer(s, group.street_id, userid=None, mobile="13800000000")
        due = case_due(s, group.street_id, MONDAY.replace(hour=17, minute=30), assignee_id=zhang.id)
        late = case_due(s, group.street_id, MONDAY - timedelta(days=2, hours=-8), assignee_id=li.id)  # Sat 16:30
        back = case_due(s, group.street_id, MONDAY + timedelta(days=2), status=CaseStatus.RETURNED,
                        assignee_id=zhang.id, rework_count=2)
        case_due(s, group.street_id, MONDAY - timedelta(days=5), status=CaseStatus.CLOSED,
                 closed_at=MONDAY - timedelta(days=1))  # closed on Sunday
        case_due(s, group.street_id, MONDAY + timedelta(days=5))  # not due yet: not listed

    assert run_digests(service, MONDAY) == 1
    deliver_all(service)

    messages = robot.messages("key-jd01")
    assert [m["msgtype"] for m in messages] == ["markdown", "text"]
    content = messages[0]["markdown"]["content"]
    assert "10月12日 周一" in content
    assert "今日到期 <font color=\"warning\">1</font> 件" in content and "10月10日以来结案 1 件" in content  # 10-10 was a working Saturday
    assert f"{due.number}" in content and "17:30 到期" in content and "<@zhangsan>" in content
    assert f"{late.number}" in content and "暴露垃圾 · 超期 1.0 工时" in content  # Sat 16:30 -> Mon 08:30
    assert f"{back.number}" in content and "第 2 次返工" in content
    assert messages[1]["text"]["mentioned_mobile_list"] == ["13800000000"]  # no WeCom id: @ by mobile
    with service.sessions() as s:
        sent = s.scalars(select(SentDigest)).one()
        assert (sent.period, sent.parts, sent.parts_sent, sent.sent_at is not None) == ("2026-10-12", 2, 2, True)


def test_no_digest_on_a_holiday_one_on_a_makeup_saturday(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        street_with_group(s, robot)
    assert run_digests(service, HOLIDAY) == 0
    assert run_digests(service, MAKEUP_SATURDAY - timedelta(minutes=1)) == 0  # before the digest time
    assert run_digests(service, MAKEUP_SATURDAY) == 1
    assert run_digests(service, MAKEUP_SATURDAY + timedelta(minutes=5)) == 0  # the next round: already queued
    deliver_all(service)
    messages = robot.messages("key-jd01")
    assert len(messages) == 1 and "10月10日 周六" in messages[0]["markdown"]["content"]
    assert "今日无到期、超期和返工案件" in messages[0]["markdown"]["content"]


def test_a_late_start_still_sends_within_the_catch_up_window(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        street_with_group(s, robot)
    assert run_digests(service, MONDAY + timedelta(hours=4)) == 0  # 12:30: too late to be useful
    assert run_digests(service, MONDAY + timedelta(hours=2)) == 1


def test_every_group_gets_its_own_digest_of_its_own_cases(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        one = street_with_group(s, robot, "JD01", "key-1")
        two = street_with_group(s, robot, "JD02", "key-2")
        mine = case_due(s, one.street_id, MONDAY + timedelta(hours=3))
        other = case_due(s, two.street_id, MONDAY + timedelta(hours=3))
        s.add(GroupChat(kind="robot", target=robot.webhook("key-off"), street_id=two.street_id, active=False))
    assert run_digests(service, MONDAY) == 2
    deliver_all(service)
    first, second = robot.messages("key-1")[0]["markdown"]["content"], robot.messages("key-2")[0]["markdown"]["content"]
    assert mine.number in first and other.number not in first
    assert other.number in second and mine.number not in second
    assert robot.messages("key-off") == []


def test_long_digest_is_split_under_4096_bytes_and_sent_in_order(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        group = street_with_group(s, robot)
        zhang = officer(s, group.street_id)
        for n in range(40):
            case_due(s, group.street_id, MONDAY + timedelta(hours=1, minutes=n), assignee_id=zhang.id,
                     address="某某路" * 5)
            case_due(s, group.street_id, MONDAY - timedelta(days=1, minutes=n), assignee_id=zhang.id)
            case_due(s, group.street_id, MONDAY + timedelta(days=3), status=CaseStatus.RETURNED, assignee_id=zhang.id)
    run_digests(service, MONDAY)
    deliver_all(service)
    parts = [m["markdown"]["content"] for m in robot.messages("key-jd01")]
    assert len(parts) >= 2
    assert all(len(p.encode("utf-8")) <= 4096 for p in parts)
    assert parts[1].startswith(f"（续 2/{len(parts)}）")
    assert "……另有 10 件" in "\n".join(parts)
    with service.sessions() as s:
        assert s.scalar(select(func.count(SentDigest.id))) == 1
