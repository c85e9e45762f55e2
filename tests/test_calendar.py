import datetime as dt

import pytest

from models import calendar as wc
from models.calendar import (
    TZ,
    WorkingHours,
    add_working_days,
    add_working_hours,
    end_of_month,
    is_working_day,
    working_hours_between,
)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_package_knows_national_day_2026_and_make_up_days():
    assert not any(is_working_day(dt.date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(dt.date(2026, 9, 20))  # Sunday, 调休 working day
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday, 调休 working day
    assert not is_working_day(dt.date(2026, 10, 11))  # plain Sunday
    assert not is_working_day(dt.date(2026, 9, 19))  # plain Saturday


def test_is_working_day_accepts_aware_datetime_in_other_zone():
    # 2026-10-09 20:00 UTC is Saturday 2026-10-10 04:00 in Shanghai: a make-up working day
    assert is_working_day(dt.datetime(2026, 10, 9, 20, tzinfo=dt.UTC))


def test_naive_datetime_rejected():
    with pytest.raises(ValueError):
        add_working_hours(dt.datetime(2026, 3, 2, 9), 1)
    with pytest.raises(ValueError):
        working_hours_between(at(2026, 3, 2), dt.datetime(2026, 3, 3))
    with pytest.raises(ValueError):
        end_of_month(dt.datetime(2026, 3, 2))


def test_add_hours_within_a_morning():
    assert add_working_hours(at(2026, 3, 2, 9), 2) == at(2026, 3, 2, 11)


def test_add_hours_skips_lunch_break():
    # Mon 10:00 + 4h: 2h until 12:00, then 2h from 13:30
    assert add_working_hours(at(2026, 3, 2, 10), 4) == at(2026, 3, 2, 15, 30)


def test_add_hours_from_lunch_break_starts_at_1330():
    assert add_working_hours(at(2026, 3, 2, 12, 30), 1) == at(2026, 3, 2, 14, 30)


def test_add_hours_from_evening_starts_next_morning():
    assert add_working_hours(at(2026, 3, 2, 20), 1) == at(2026, 3, 3, 9, 30)


def test_deadline_on_closing_time_stays_there():
    assert add_working_hours(at(2026, 3, 2, 13, 30), 4) == at(2026, 3, 2, 17, 30)


def test_add_hours_across_normal_weekend():
    # Fri 2026-03-06 16:00 + 4h: 1.5h on Friday, 2.5h on Monday morning
    assert add_working_hours(at(2026, 3, 6, 16), 4) == at(2026, 3, 9, 11)


def test_add_hours_across_national_day_lands_on_oct_8():
    assert add_working_hours(at(2026, 9, 30, 16), 4) == at(2026, 10, 8, 11)


def test_add_hours_uses_make_up_saturday():
    # Fri 2026-10-09 17:00 + 1h: Saturday 10-10 is a working day
    assert add_working_hours(at(2026, 10, 9, 17), 1) == at(2026, 10, 10, 9)


def test_zero_hours_returns_start_and_negative_rejected():
    assert add_working_hours(at(2026, 3, 7, 3), 0) == at(2026, 3, 7, 3)
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 3, 2, 9), -1)


def test_add_working_days_keeps_clock_time():
    assert add_working_days(at(2026, 3, 2, 10), 1) == at(2026, 3, 3, 10)
    assert add_working_days(at(2026, 3, 6, 10), 1) == at(2026, 3, 9, 10)


def test_add_working_days_from_evening_gives_end_of_next_working_day():
    assert add_working_days(at(2026, 3, 6, 20), 1) == at(2026, 3, 9, 17, 30)


def test_add_working_days_across_national_day():
    # working days after 09-30: 10-08, 10-09, 10-10 (Sat, 调休), 10-12 ...
    assert add_working_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 10)
    assert add_working_days(at(2026, 9, 30, 10), 15) == at(2026, 10, 27, 10)


def test_add_working_days_across_make_up_sunday():
    # Sunday 2026-09-20 is a working day: Fri 09-18 + 1 working day = Sun 09-20
    assert add_working_days(at(2026, 9, 18, 10), 1) == at(2026, 9, 20, 10)


def test_working_hours_between():
    assert working_hours_between(at(2026, 3, 2, 8, 30), at(2026, 3, 2, 17, 30)) == 7.5
    assert working_hours_between(at(2026, 3, 6, 16), at(2026, 3, 9, 11)) == 4
    assert working_hours_between(at(2026, 10, 1), at(2026, 10, 7, 23)) == 0
    assert working_hours_between(at(2026, 3, 9, 11), at(2026, 3, 6, 16)) == -4


def test_between_inverts_add():
    start = at(2026, 9, 29, 14, 15)
    for hours in (0.5, 4, 7.5, 30, 112.5):
        end = add_working_hours(start, hours)
        assert working_hours_between(start, end) == pytest.approx(hours)


def test_custom_working_hours():
    nine_to_five = WorkingHours(((dt.time(9), dt.time(17)),))
    assert nine_to_five.hours_per_day == 8
    assert add_working_days(at(2026, 3, 2, 8), 1, nine_to_five) == at(2026, 3, 2, 17)
    with pytest.raises(ValueError):
        WorkingHours(((dt.time(13), dt.time(12)),))
    with pytest.raises(ValueError):
        WorkingHours(((dt.time(8), dt.time(12)), (dt.time(11), dt.time(17))))


def test_end_of_month():
    assert end_of_month(at(2026, 2, 10, 9)) == dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=TZ)
    assert end_of_month(at(2024, 2, 1)) == dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=TZ)
    assert end_of_month(at(2026, 12, 31, 23, 59)) == dt.datetime(
        2026, 12, 31, 23, 59, 59, tzinfo=TZ
    )


def test_end_of_month_uses_shanghai_date():
    # 2026-11-30 17:00 UTC is already December 1st in Shanghai
    moment = dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)
    assert end_of_month(moment) == dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=TZ)


def test_a_year_without_official_data_is_provisional_not_an_error(official_until_2026):
    assert wc.workdays.year_source(2027) is wc.workdays.DaySource.PROVISIONAL
    assert not is_working_day(dt.date(2027, 1, 1))  # 元旦 (Friday), by rule
    assert not is_working_day(dt.date(2027, 2, 9))  # 春节 falls on a weekend: observed on Tuesday
    assert is_working_day(dt.date(2027, 2, 11))  # Thursday after the festival
    assert not is_working_day(dt.date(2027, 2, 20))  # Saturday: no 调休 make-up days by rule
    assert is_working_day(dt.date(2099, 1, 5))  # a far year never raises: a Monday is a working day
    # 2026-12-28 10:00 + 30 working days: 3 left in 2026; 2027-01-01 off; 24 up to Thu 02-04; then
    # 02-05 (除夕) and Mon-Wed 02-08..10 (observed) off by rule; 02-11, 02-12, Mon 02-15
    assert add_working_days(at(2026, 12, 28, 10), 30) == at(2027, 2, 15, 10)


def test_sources_take_precedence_by_year(official_until_2026, monkeypatch):
    packaged = {2027: {dt.date(2027, 1, 1): False, dt.date(2027, 2, 20): True},
                2026: {dt.date(2026, 3, 2): False}}
    monkeypatch.setattr(wc.workdays, "packaged_schedules", lambda: packaged)
    assert wc.workdays.year_source(2027) is wc.workdays.DaySource.PACKAGED
    assert is_working_day(dt.date(2027, 2, 20))  # listed make-up Saturday
    assert is_working_day(dt.date(2027, 2, 9))  # not listed: Monday-Friday, the rule no longer applies
    assert not is_working_day(dt.date(2026, 3, 2))  # a packaged year replaces the package's whole year
    assert not is_working_day(dt.date(2026, 10, 10))  # ... so 2026's 调休 Saturday is now a rest day
    wc.workdays.imported.prime({2027: {dt.date(2027, 2, 19): False}})
    assert wc.workdays.year_source(2027) is wc.workdays.DaySource.IMPORTED
    assert not is_working_day(dt.date(2027, 2, 19)) and not is_working_day(dt.date(2027, 2, 20))


def test_packaged_overrides_file_is_valid_and_lists_no_year_yet():
    wc.workdays.packaged_schedules.cache_clear()
    assert wc.workdays.packaged_schedules() == {}
