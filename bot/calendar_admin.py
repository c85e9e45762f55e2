"""Importing an official holiday schedule, and what it means for open cases' deadlines.

A deadline computed on the provisional calendar keeps its value (residents and officers were told
it), with an audit note on the case; `recompute_open=True` recomputes open cases' deadlines on the
imported schedule instead, each change written as an audit event with the old and new value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import categories
from models import AuditEvent, Case
from models.calendar import TZ
from models.calendar_days import load_imported, replace_years
from models.deadlines import due_at
from models.lifecycle import FINAL
from models.workdays import DaySource, SchedulesByYear, imported, year_source

SAME_DEADLINE = timedelta(seconds=1)  # a recomputation from the stored report time, not a change


@dataclass
class ImportResult:
    previous: dict[int, DaySource]  # each imported year's source before the import
    kept: list[str] = field(default_factory=list)  # case numbers whose provisional deadline stays
    recomputed: list[tuple[str, datetime, datetime]] = field(default_factory=list)  # number, old, new


def import_schedules(session: Session, schedules: SchedulesByYear, *, source_file: str, recompute_open: bool,
                     now: datetime) -> ImportResult:
    """Store `schedules`; note on each open case whose deadline was counted on a year that was provisional
    until now that it stays, or recompute every open case counted on an imported year. Runs in the
    caller's transaction; this process uses the new schedule at once."""
    result = ImportResult(previous={year: year_source(year) for year in schedules})
    provisional = {year for year, source in result.previous.items() if source is DaySource.PROVISIONAL}
    replace_years(session, schedules, source_file, now)
    imported.prime(load_imported(session))
    if recompute_open:
        for case in _open_cases_counted_on(session, set(schedules)):
            _recompute(session, case, set(schedules), result)
    else:
        for case in _open_cases_counted_on(session, provisional):
            _note_kept(session, case, provisional, result)
    return result


def _open_cases_counted_on(session: Session, years: set[int]) -> list[Case]:
    if not years:
        return []
    cases = session.scalars(select(Case).where(Case.status.not_in(FINAL), Case.deadline.is_not(None))
                            .order_by(Case.id)).all()
    first, last = min(years), max(years)
    return [c for c in cases if c.created_at.astimezone(TZ).year <= last
            and c.deadline is not None and c.deadline.astimezone(TZ).year >= first]


def _recompute(session: Session, case: Case, years: set[int], result: ImportResult) -> None:
    assert case.deadline is not None
    old = case.deadline
    try:
        category = categories().get(case.category_code)
    except KeyError:  # the category left the table since: the deadline cannot be recomputed
        _note_kept(session, case, years, result)
        return
    new = due_at(case.source, category, case.created_at)
    if abs(new - old) < SAME_DEADLINE:
        return
    case.deadline = new
    result.recomputed.append((case.number, old, new))
    session.add(AuditEvent(
        case_id=case.id, action="deadline_recomputed",
        note=f"导入 {_years(years)} 年国务院放假安排后按正式日历重算截止时间: {_local(old)} → {_local(new)}",
        data={"old": old.isoformat(), "new": new.isoformat(), "years": sorted(years)},
    ))


def _note_kept(session: Session, case: Case, years: set[int], result: ImportResult) -> None:
    assert case.deadline is not None
    result.kept.append(case.number)
    session.add(AuditEvent(
        case_id=case.id, action="deadline_kept",
        note=f"截止时间 {_local(case.deadline)} 按临时日历计算；已导入 {_years(years)} 年国务院放假安排，"
             "截止时间保持不变",
        data={"deadline": case.deadline.isoformat(), "years": sorted(years)},
    ))


def _years(years: set[int]) -> str:
    return "、".join(str(y) for y in sorted(years))


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(TZ):%Y-%m-%d %H:%M}"
