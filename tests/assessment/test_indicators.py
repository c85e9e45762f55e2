"""Assessment figures against a hand-computed month (see data.py for the cases)."""

from __future__ import annotations

from datetime import datetime, timedelta
import random

import pytest

from bot.assessment.period import Month
from bot.assessment.ranking import ScoreRule
from bot.assessment.report import build_report
from bot.assessment.workclock import WorkClock
from models.calendar import TZ, working_hours_between
from tests.assessment import data

NOV = Month(2026, 11)


def test_month_bounds() -> None:
    assert str(Month.parse("2026-1")) == "2026-01" and Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1) and NOV.end == datetime(2026, 12, 1, tzinfo=TZ)
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2026/11")


def test_street_indicators_match_the_hand_computed_month(session) -> None:  # type: ignore[no-untyped-def]
    world = data.build(session)
    report = build_report(session, NOV)
    rows = {r.scope.code: r for r in report.streets}
    a = rows["JD01"].indicators
    assert a.reported == 6                                     # c1-c5, c7 (c6 was reported in October)
    assert dict(a.by_source) == {"snapshot": 2, "third_party": 1, "patrol": 2, "hotline": 1}
    assert dict(a.by_category) == {"E01": 6}
    assert (a.due, a.suspended, a.assessed) == (5, 1, 4)       # c1 c2 c3 c4 c7; c3 suspended; c5 rejected
    assert (a.closed, a.closed_on_time) == (2, 1)              # c1 on time, c2 late; c7 closed in December
    assert a.closure_rate == 0.5 and a.on_time_rate == 0.25
    assert (a.verified, a.returned, a.return_events, a.returned_3plus) == (3, 1, 3, 1)  # c1 c2 c6; c2 ×3
    assert a.rework_rate == pytest.approx(1 / 3)
    assert (a.rated, a.satisfied, a.satisfaction_rate) == (2, 1, 0.5)  # c1 满意, c6 不满意; c2 unrated
    # closed in November: c1 16 h, c2 37.5 h, c6 22.5 h (working hours; weekends skipped)
    assert a.closed_in_month == 3 and a.close_hours_total == pytest.approx(76.0)
    assert a.avg_close_days == pytest.approx(76.0 / 3 / 7.5)
    assert sum(working_hours_between(c.created_at, c.closed_at) for c in (world.cases[n] for n in ("c1", "c2", "c6"))) == pytest.approx(76.0)
    b = rows["JD02"].indicators
    assert (b.due, b.closed, b.closed_on_time, b.verified, b.returned, b.rated, b.satisfied) == (1, 1, 1, 1, 0, 1, 1)
    t = report.total
    assert (t.due, t.suspended, t.closed, t.closed_on_time, t.verified, t.returned, t.rated) == (6, 1, 3, 2, 4, 1, 3)


def test_ranking_and_change_from_last_month(session) -> None:  # type: ignore[no-untyped-def]
    data.build(session)
    report = build_report(session, NOV)
    a, b = (next(r for r in report.streets if r.scope.code == code) for code in ("JD01", "JD02"))
    # A: 100 × (40×0.25 + 20×0.5 + 20×(2/3) + 20×0.5) / 100 − 1 (c2 returned 3 times) = 42.33
    assert a.ranked.score == pytest.approx(42.33) and b.ranked.score == 100.0
    assert [r.scope.code for r in report.streets] == ["JD02", "JD01"]
    # October: only A had anything to assess (c6 due, not closed by the end of October) -> A 1st
    assert (a.ranked.rank, a.ranked.previous_rank, a.ranked.change_label) == (2, 1, "↓1")
    assert (b.ranked.rank, b.ranked.previous_rank, b.ranked.change_label) == (1, None, "新")
    units = {r.scope.code: r for r in report.units}
    assert (units["U1"].indicators.due, units["U1"].indicators.closed, units["U2"].ranked.rank) == (2, 2, 1)


def test_a_scope_with_nothing_to_assess_is_not_ranked(session) -> None:  # type: ignore[no-untyped-def]
    data.build(session)
    report = build_report(session, Month(2026, 6))
    assert all(r.ranked.rank is None and r.ranked.change_label == "—" for r in report.streets)
    assert ScoreRule().score(report.streets[0].indicators) is None


def test_workclock_agrees_with_the_calendar() -> None:
    rng = random.Random(7)
    start = datetime(2026, 9, 25, tzinfo=TZ)
    clock = WorkClock(start.date(), datetime(2026, 11, 30).date())
    for _ in range(300):
        a = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        b = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        assert clock.hours_between(a, b) == pytest.approx(working_hours_between(a, b))
