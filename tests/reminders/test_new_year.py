"""Digests, nudges and the monthly report keep working on the provisional calendar of a year without the
official schedule (they stopped on 2027-01-01 when the calendar raised)."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from bot.assessment.period import Month
from bot.assessment.report import build_report
from bot.reminders.nudges import run_nudges
from bot.reminders.schedule import run_digests
from sqlalchemy import select

from models import CaseStatus, OutboxJob
from models.calendar import TZ
from tests.factories import make_street
from tests.reminders.helpers import case_due, deliver_all, officer, street_with_group

NEW_YEARS_DAY = datetime(2027, 1, 1, 8, 30, tzinfo=TZ)  # 元旦 (Friday), a rest day by rule
FIRST_MONDAY = datetime(2027, 1, 4, 8, 30, tzinfo=TZ)


def test_digest_round_on_the_first_working_day_of_2027(official_until_2026, service, robot) -> None:  # type: ignore[no-untyped-def]
    with service.sessions() as s, s.begin():
        group = street_with_group(s, robot)
        zhang = officer(s, group.street_id)
        late = case_due(s, group.street_id, datetime(2026, 12, 31, 15, 30, tzinfo=TZ), assignee_id=zhang.id)
    with time_machine.travel(NEW_YEARS_DAY, tick=False):
        assert run_digests(service, NEW_YEARS_DAY) == 0
    with time_machine.travel(FIRST_MONDAY, tick=True):
        assert run_digests(service, FIRST_MONDAY) == 1
        deliver_all(service)
    [markdown] = robot.messages("key-jd01")
    content = markdown["markdown"]["content"]
    assert "1月4日 周一" in content and late.number in content
    assert "超期 2.0 工时" in content  # Thu 15:30-17:30; 元旦 and the weekend are not working time


def test_nudge_and_monthly_report_in_2027(official_until_2026, service) -> None:  # type: ignore[no-untyped-def]
    now = FIRST_MONDAY.replace(hour=14)
    with service.sessions() as s, s.begin():
        street = make_street(s)
        zhang = officer(s, street.id)
        soon = case_due(s, street.id, now + timedelta(hours=1), assignee_id=zhang.id)
        case_due(s, street.id, now - timedelta(days=3), status=CaseStatus.CLOSED, closed_at=now - timedelta(days=2))
    with time_machine.travel(now, tick=True):
        assert run_nudges(service, now) == 1
    with service.sessions() as s:
        nudge = s.scalars(select(OutboxJob)).one()
        report = build_report(s, Month.of(now.date()))
    assert soon.number in nudge.payload["text"] and "01月04日 15:30 到期" in nudge.payload["text"]
    # the closed case was due on 元旦 14:30 and closed the next day: due and closed in January, not on time
    assert (str(report.month), report.total.due, report.total.closed, report.total.closed_on_time) == ("2027-01", 2, 1, 0)
