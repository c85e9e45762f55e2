"""Open311 POSTs across the new year, on a fixed clock: 2027 has no official schedule in the pinned data,
so its deadlines come from the provisional calendar instead of failing (they failed from 2026-12-11)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from models import Case
from models.calendar import TZ
from tests.open311.test_server import post


@pytest.mark.parametrize(("now", "code", "deadline"), [
    # Fri + 15 working days: 12-14..12-31 give 14, 2027-01-01 (元旦, by rule) is off, Mon 01-04 is the 15th
    (datetime(2026, 12, 11, 10, tzinfo=TZ), "E0101", datetime(2027, 1, 4, 10, tzinfo=TZ)),
    # Thu 14:00 + 4 working hours: 3.5 h today, 01-01 off, weekend, 0.5 h from Mon 08:30
    (datetime(2026, 12, 31, 14, tzinfo=TZ), "E0102", datetime(2027, 1, 4, 9, tzinfo=TZ)),
    (datetime(2026, 12, 31, 14, tzinfo=TZ), "E0101", datetime(2027, 1, 22, 14, tzinfo=TZ)),
    (datetime(2027, 1, 4, 9, tzinfo=TZ), "E0101", datetime(2027, 1, 25, 9, tzinfo=TZ)),
    # 2028: Qingming (Tue 04-04) by rule
    (datetime(2028, 3, 20, 10, tzinfo=TZ), "E0101", datetime(2028, 4, 11, 10, tzinfo=TZ)),
])
def test_a_post_gets_its_deadline_on_the_provisional_calendar(official_until_2026, client, service, api_key,
                                                             now, code, deadline) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(now, tick=False):
        answer = post(client, api_key, service_code=code)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    number = answer.get_json()[0]["service_request_id"]
    with service.sessions() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
    assert case.deadline == deadline
