"""An officer is nudged in the WeCom app two hours before a case's deadline, once per case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.reminders.nudges import run_nudges
from models import CaseStatus, OutboxJob
from tests.reminders.helpers import MONDAY, case_due, officer
from tests.factories import make_street


def test_nudge_two_hours_before_the_deadline_once(service) -> None:  # type: ignore[no-untyped-def]
    now = MONDAY.replace(hour=14, minute=0)
    with service.sessions() as s, s.begin():
        street = make_street(s)
        zhang = officer(s, street.id)
        nobody = officer(s, street.id, userid=None)
        soon = case_due(s, street.id, now + timedelta(hours=1, minutes=30), assignee_id=zhang.id, address="人民路 12 号")
        case_due(s, street.id, now + timedelta(hours=3), assignee_id=zhang.id)          # later: not yet
        case_due(s, street.id, now - timedelta(minutes=5), assignee_id=zhang.id)        # already overdue
        case_due(s, street.id, now + timedelta(hours=1), status=CaseStatus.SUBMITTED, assignee_id=zhang.id)
        case_due(s, street.id, now + timedelta(hours=1), assignee_id=nobody.id)         # no WeCom id
    assert run_nudges(service, now) == 1
    assert run_nudges(service, now + timedelta(minutes=5)) == 0
    with service.sessions() as s:
        job = s.scalars(select(OutboxJob)).one()
    assert job.kind == "notify.text" and job.payload["channel"] == "work" and job.payload["to"] == "zhangsan"
    assert soon.number in job.payload["text"] and "10月12日 15:30 到期" in job.payload["text"]
    assert "人民路 12 号" in job.payload["text"] and "同一角度" in job.payload["text"]
