"""The dashboard: a month's assessment (bot/assessment) as the CLI and the bulletin compute it, cut to
the signed-in user's scope: the whole district for admins and district-level reviewers; a street
reviewer sees their street's row (with its rank among all streets), its units and its cases only."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assessment.period import Month
from bot.assessment.report import MonthReport, build_report
from models import Role, Unit, User

MONTHS_BACK = 24  # how far back the month picker goes


def district_wide(user: User) -> bool:
    return user.role == Role.ADMIN or user.street_id is None


def scoped_report(db: Session, user: User, month: Month) -> MonthReport:
    report = build_report(db, month)
    if district_wide(user):
        return report
    own_units = set(db.scalars(select(Unit.id).where(Unit.street_id == user.street_id)))
    streets = [row for row in report.streets if row.scope.id == user.street_id]
    return replace(
        report,
        streets=streets,
        units=[row for row in report.units if row.scope.id in own_units],
        total=streets[0].indicators if streets else type(report.total)(),
        cases=[case for case in report.cases if case.street_id == user.street_id],
    )


def month_from(text: str, now: datetime) -> tuple[Month, str]:
    """The month asked for (YYYY-MM, not in the future, at most MONTHS_BACK back) or this month, and a
    Chinese note when the asked one could not be used."""
    current = Month.of(now)
    if not text:
        return current, ""
    try:
        asked = Month.parse(text[:10])
    except ValueError as exc:
        return current, f"{exc}; 已显示本月。"
    if asked not in recent_months(now):
        return current, f"只能查看最近 {MONTHS_BACK} 个月, 已显示本月。"
    return asked, ""


def recent_months(now: datetime) -> list[Month]:
    months = [Month.of(now)]
    while len(months) < MONTHS_BACK:
        months.append(months[-1].previous())
    return months


def ledger_bytes(report: MonthReport) -> bytes:
    from bot.reports.ledger import write_ledger

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.xlsx"
        write_ledger(report, path)
        return path.read_bytes()
