"""The monthly bulletin (通报): once per district group and month, summary markdown plus the chart image."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from bot.assessment.period import Month
from bot.reports.bulletin import first_working_day, queue_bulletin, run_bulletin
from models import GroupChat
from models.calendar import TZ
from tests.assessment import data
from tests.reminders.helpers import deliver_all


def test_bulletin_goes_to_the_district_group_once_with_the_chart(service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        data.build(s)
        s.add(GroupChat(kind="robot", target=robot.webhook("district"), district=True, name="区城管群"))
    assert queue_bulletin(service, Month(2026, 11)) == 1
    assert queue_bulletin(service, Month(2026, 11)) == 0
    deliver_all(service)
    summary, picture = robot.messages("district")
    assert "【通报】2026年11月" in summary["markdown"]["content"]
    assert "1. 西街街道 100.0分 新" in summary["markdown"]["content"] and "返工3次及以上" in summary["markdown"]["content"]
    png = base64.b64decode(picture["image"]["base64"])
    assert png[:4] == b"\x89PNG" and picture["image"]["md5"] == hashlib.md5(png).hexdigest()


def test_bulletin_is_scheduled_on_the_first_working_day_of_the_month(service, robot) -> None:  # type: ignore[no-untyped-def]
    assert first_working_day(datetime(2026, 10, 8).date())  # 10-1..7 National Day
    assert not first_working_day(datetime(2026, 10, 9).date())
    with service.sessions() as s, s.begin():
        s.add(GroupChat(kind="robot", target=robot.webhook("district"), district=True))
    assert run_bulletin(service, datetime(2026, 10, 9, 8, 30, tzinfo=TZ)) == 0
    assert run_bulletin(service, datetime(2026, 10, 8, 8, 30, tzinfo=TZ)) == 1  # September's
    assert run_bulletin(service, datetime(2026, 10, 8, 8, 31, tzinfo=TZ)) == 0
