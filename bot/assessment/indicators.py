"""The monthly indicators of one street, unit or the whole district, as DOMAIN.md defines them.

Month M = [1st 00:00, next 1st 00:00) Asia/Shanghai; "by the end of M" means before M.end.
- 上报数 by source and category: cases reported (created) in M; category = major class (E05…).
- 应结案 (due): cases not rejected whose deadline falls in M (no deadline: the time reported).
- 挂起 (suspended): due cases with an audit event "suspend" before the end of M. No flow writes that
  event yet (the lifecycle has no suspended status), so today this is 0 unless one is recorded by hand.
- 结案 (closed): due, not suspended, status 结案, closed before the end of M.
  结案率 = 结案 / (应结案 − 挂起); 按期结案 = 结案 with closed_at <= deadline; 按期结案率 likewise.
- 核查 (verified): cases with a 核查 decision (verify or return event) in M; 返工 = those with a
  return event in M; 返工率 = 返工 / 核查. 返工次数 = return events in M. 返工3次及以上 = cases
  returned in M whose returns up to the end of M number 3 or more.
- 满意率 = (满意 + 基本满意) / rated, over cases rated in M; unrated cases are left out.
- 平均结案用时: mean working days (7.5 working hours a day) from report to close, of cases closed in M.
A rate with a zero denominator is None ("—"), never 0 or 100 %.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.assessment.facts import CaseFacts
from bot.assessment.period import Month
from bot.assessment.workclock import WorkClock
from models.calendar import DEFAULT_HOURS
from models.enums import CaseStatus, Satisfaction

GOOD = (Satisfaction.SATISFIED, Satisfaction.MOSTLY)


@dataclass
class Indicators:
    reported: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    due: int = 0
    suspended: int = 0
    closed: int = 0
    closed_on_time: int = 0
    verified: int = 0
    returned: int = 0
    return_events: int = 0
    returned_3plus: int = 0
    rated: int = 0
    satisfied: int = 0
    closed_in_month: int = 0
    close_hours_total: float = 0.0

    @property
    def assessed(self) -> int:
        return self.due - self.suspended

    @property
    def closure_rate(self) -> float | None:
        return _rate(self.closed, self.assessed)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.closed_on_time, self.assessed)

    @property
    def rework_rate(self) -> float | None:
        return _rate(self.returned, self.verified)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.rated)

    @property
    def avg_close_days(self) -> float | None:
        if not self.closed_in_month:
            return None
        return self.close_hours_total / self.closed_in_month / DEFAULT_HOURS.hours_per_day


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def add_case(ind: Indicators, case: CaseFacts, month: Month, clock: WorkClock) -> None:
    """Count one case into `ind` (the caller picks the scope)."""
    end = month.end
    if month.contains(case.created_at):
        ind.reported += 1
        ind.by_source[case.source.value] += 1
        ind.by_category[case.category_code[:3]] += 1
    if case.status != CaseStatus.REJECTED and month.contains(case.due):
        ind.due += 1
        if any(at < end for at in case.suspended):
            ind.suspended += 1
        elif case.status == CaseStatus.CLOSED and case.closed_at is not None and case.closed_at < end:
            ind.closed += 1
            if case.deadline is None or case.closed_at <= case.deadline:
                ind.closed_on_time += 1
    returns_in_month = sum(1 for at in case.returned if month.contains(at))
    if returns_in_month or any(month.contains(at) for at in case.verified):
        ind.verified += 1
        if returns_in_month:
            ind.returned += 1
            ind.return_events += returns_in_month
            if sum(1 for at in case.returned if at < end) >= 3:
                ind.returned_3plus += 1
    if case.satisfaction is not None and month.contains(case.rated_at):
        ind.rated += 1
        ind.satisfied += case.satisfaction in GOOD
    if case.status == CaseStatus.CLOSED and month.contains(case.closed_at):
        assert case.closed_at is not None
        ind.closed_in_month += 1
        ind.close_hours_total += max(0.0, clock.hours_between(case.created_at, case.closed_at))


def clock_for(cases: Iterable[CaseFacts], month: Month) -> WorkClock:
    """A WorkClock covering every report and close time the month's cases need."""
    firsts = [c.created_at for c in cases] or [month.start]
    last_day = (month.end - timedelta(days=1)).date()
    return WorkClock(min(min(firsts), month.start).astimezone(month.start.tzinfo).date(), last_day)


def compute(cases: list[CaseFacts], month: Month) -> tuple[dict[int, Indicators], dict[int, Indicators], Indicators]:
    """Indicators per street id, per unit id, and for the whole district."""
    clock = clock_for(cases, month)
    streets: dict[int, Indicators] = {}
    units: dict[int, Indicators] = {}
    total = Indicators()
    for case in cases:
        add_case(total, case, month, clock)
        if case.street_id is not None:
            add_case(streets.setdefault(case.street_id, Indicators()), case, month, clock)
        if case.unit_id is not None:
            add_case(units.setdefault(case.unit_id, Indicators()), case, month, clock)
    return streets, units, total
