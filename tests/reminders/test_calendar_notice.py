"""While a year's official holiday schedule is missing, the district group hears of it once a working day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.reminders.calendar_notice import calendar_warnings, run_calendar_notice
from models import GroupChat, SentDigest
from models.calendar import TZ
from tests.reminders.helpers import deliver_all


def test_admins_hear_of_a_missing_year_once_a_working_day(official_until_2026, service, robot) -> None:  # type: ignore[no-untyped-def]
    assert calendar_warnings(dt.date(2026, 10, 1)) == []  # 60 days ahead is still 2026
    assert len(calendar_warnings(dt.date(2026, 11, 29))) == 1
    [warning] = calendar_warnings(dt.date(2027, 1, 4))
    assert warning.startswith("2027 年的国务院放假安排尚未导入") and "chengguan calendar import" in warning
    with service.sessions() as s, s.begin():
        s.add(GroupChat(kind="robot", target=robot.webhook("key-district"), district=True, name="区城管群"))
        s.add(GroupChat(kind="robot", target=robot.webhook("key-street"), name="街道群"))
    monday = dt.datetime(2027, 1, 4, 8, 30, tzinfo=TZ)
    assert run_calendar_notice(service, monday - dt.timedelta(minutes=1)) == 0  # before the digest time
    assert run_calendar_notice(service, monday) == 1
    assert run_calendar_notice(service, monday + dt.timedelta(minutes=5)) == 0  # once a day
    assert run_calendar_notice(service, dt.datetime(2027, 1, 9, 8, 30, tzinfo=TZ)) == 0  # Saturday: no notice
    deliver_all(service)
    [message] = robot.messages("key-district")
    assert message["text"]["content"] == "【工作日历提醒】" + warning
    assert robot.messages("key-street") == []
    with service.sessions() as s:
        assert s.scalars(select(SentDigest.what)).all() == ["calendar"]
