"""Case numbers never run out: past 99,999 a day they gain a digit, and both widths work everywhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from bot.db import transaction
from models import Case, next_case_number
from models.numbering import CHINA, DailyCounter
from models.base import utcnow
from tests.resident.test_status_and_feedback import report_one


def test_the_100000th_case_of_a_day_gets_a_six_digit_sequence(session) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2026, 11, 22, 9, 0, tzinfo=CHINA)
    first = next_case_number(session, now)
    session.execute(update(DailyCounter).values(last=99998))
    numbers = [next_case_number(session, now) for _ in range(3)]
    assert (first, numbers) == ("2026112200001", ["2026112299999", "20261122100000", "20261122100001"])
    assert len(set(numbers + [first])) == 4


def test_chat_and_open311_find_both_widths(new_user, wechat_api, mp_service) -> None:  # type: ignore[no-untyped-def]
    alice = new_user()
    narrow = report_one(alice, wechat_api)
    with transaction(mp_service.sessions) as s:
        s.execute(update(DailyCounter).where(DailyCounter.day == utcnow().astimezone(CHINA).date()).values(last=99999))
    wide = report_one(alice, wechat_api)
    assert (len(narrow), len(wide)) == (13, 14) and wide.endswith("100000")
    assert f"案件 {wide}" in alice.send_text(f"查询 {wide}").text
    assert f"案件 {narrow}" in alice.send_text(f"查询 {narrow}").text
    with mp_service.sessions() as s:
        assert set(s.scalars(select(Case.number))) == {narrow, wide}
