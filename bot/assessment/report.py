"""One month's assessment, assembled: indicators and ranking per street and per unit, the district
total, and the cases behind them (for the ledger)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assessment.facts import CaseFacts, load_facts
from bot.assessment.indicators import Indicators, compute
from bot.assessment.period import Month
from bot.assessment.ranking import Ranked, ScoreRule, rank_with_change
from models.streets import Street
from models.units import Unit
from models.users import User


@dataclass(frozen=True)
class Scope:
    id: int
    code: str
    name: str


@dataclass
class ScopeRow:
    scope: Scope
    indicators: Indicators
    ranked: Ranked


@dataclass
class MonthReport:
    month: Month
    streets: list[ScopeRow]       # ranking order
    units: list[ScopeRow]
    total: Indicators
    cases: list[CaseFacts]        # every case that counts in this month
    street_names: dict[int, str]
    unit_names: dict[int, str]
    user_names: dict[int, str]
    suspended_note: str = "挂起数为审核员批准的挂起/延期 (审计事件 suspend_approved)"


def build_report(session: Session, month: Month, rule: ScoreRule | None = None) -> MonthReport:
    previous = month.previous()
    facts = load_facts(session, previous.start, month.end)
    cur_streets, cur_units, total = compute(facts, month)
    prev_streets, prev_units, _ = compute(facts, previous)
    streets = [Scope(i, c, n) for i, c, n in session.execute(select(Street.id, Street.code, Street.name))]
    units = [Scope(i, c, n) for i, c, n in session.execute(select(Unit.id, Unit.code, Unit.name))]
    in_month = [f for f in facts if _counts_in(f, month)]
    users = {i: n for i, n in session.execute(select(User.id, User.name).where(
        User.id.in_({f.assignee_id for f in in_month if f.assignee_id is not None})))}
    return MonthReport(
        month=month,
        streets=_rows(streets, cur_streets, prev_streets, rule),
        units=_rows(units, cur_units, prev_units, rule),
        total=total,
        cases=in_month,
        street_names={s.id: s.name for s in streets},
        unit_names={u.id: u.name for u in units},
        user_names=users,
    )


def _rows(scopes: list[Scope], current: dict[int, Indicators], previous: dict[int, Indicators],
          rule: ScoreRule | None) -> list[ScopeRow]:
    by_id = {s.id: s for s in scopes}
    ranking = rank_with_change(current, previous, {s.id: s.code for s in scopes}, rule)
    return [ScopeRow(by_id[r.scope_id], current.get(r.scope_id, Indicators()), r) for r in ranking]


def _counts_in(case: CaseFacts, month: Month) -> bool:
    return (month.contains(case.created_at) or month.contains(case.due) or month.contains(case.closed_at)
            or month.contains(case.rated_at) or any(month.contains(t) for t in case.verified + case.returned + case.suspended))
