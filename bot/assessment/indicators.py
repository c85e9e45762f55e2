"""The monthly indicators of one street, unit or the whole district, as DOMAIN.md defines them.

Month M = [1st 00:00, next 1st 00:00) Asia/Shanghai; "by the end of M" means before M.end.
- 上报数 by source and category: cases reported (created) in M; category = major class (E05…).
- 应结案 (due): cases not rejected nor closed as 重复 whose deadline falls in M (no deadline: the time reported).
- 挂起 (suspended): due cases whose 挂起/延期 a reviewer approved (audit event "suspend_approved", or the
  older "suspend") before the end of M.
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


# One case's increments, in this order; computed once per case, then added to each of its scopes.
FIELDS = ("reported", "due", "suspended", "closed", "closed_on_time", "verified", "returned", "return_events",
          "returned_3plus", "rated", "satisfied", "closed_in_month", "close_hours_total")


def case_delta(case: CaseFacts, month: Month, clock: WorkClock) -> tuple[float, ...]:
    start, end = month.start, month.end
    reported = start <= case.created_at < end
    due = suspended = closed = on_time = 0
    if case.status not in (CaseStatus.REJECTED, CaseStatus.DUPLICATE) and start <= case.due < end:
        due = 1
        if any(at < end for at in case.suspended):
            suspended = 1
        elif case.status == CaseStatus.CLOSED and case.closed_at is not None and case.closed_at < end:
            closed = 1
            on_time = int(case.deadline is None or case.closed_at <= case.deadline)
    returns = sum(1 for at in case.returned if start <= at < end)
    verified = int(bool(returns) or any(start <= at < end for at in case.verified))
    three = int(bool(returns) and sum(1 for at in case.returned if at < end) >= 3)
    rated = int(case.satisfaction is not None and case.rated_at is not None and start <= case.rated_at < end)
    satisfied = int(bool(rated) and case.satisfaction in GOOD)
    closed_in_month = int(case.status == CaseStatus.CLOSED and case.closed_at is not None and start <= case.closed_at < end)
    hours = max(0.0, clock.hours_between(case.created_at, case.closed_at)) if closed_in_month else 0.0  # type: ignore[arg-type]
    return (int(reported), due, suspended, closed, on_time, verified, int(bool(returns)), returns, three,
            rated, satisfied, closed_in_month, hours)


def add_delta(ind: Indicators, delta: tuple[float, ...], case: CaseFacts) -> None:
    for name, value in zip(FIELDS, delta, strict=True):
        if value:
            setattr(ind, name, getattr(ind, name) + value)
    if delta[0]:
        ind.by_source[case.source.value] += 1
        ind.by_category[case.category_code[:3]] += 1


def add_case(ind: Indicators, case: CaseFacts, month: Month, clock: WorkClock) -> None:
    """Count one case into `ind` (the caller picks the scope)."""
    add_delta(ind, case_delta(case, month, clock), case)


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
        delta = case_delta(case, month, clock)
        if not any(delta):
            continue
        add_delta(total, delta, case)
        if case.street_id is not None:
            add_delta(streets.setdefault(case.street_id, Indicators()), delta, case)
        if case.unit_id is not None:
            add_delta(units.setdefault(case.unit_id, Indicators()), delta, case)
    return streets, units, total
