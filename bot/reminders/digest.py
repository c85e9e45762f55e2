"""The daily digest of one group: cases due today, overdue (and by how much), returned for rework,
closed since the last working day; short Chinese markdown that @-mentions the responsible officers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.assessment.workclock import WorkClock
from bot.reminders.labels import category_label, overdue_label, people, work_userids
from bot.reminders.split import split_message
from models.calendar import TZ, is_working_day
from models.cases import Case
from models.enums import CaseStatus
from models.groups import GroupChat
from models.lifecycle import FINAL

WEEKDAYS = "一二三四五六日"
MAX_LINES = 30  # per section; the rest is counted, and the ledger has them all


@dataclass
class Digest:
    parts: list[str]
    mobiles: list[str] = field(default_factory=list)  # officers to @ by mobile (no WeCom id)
    counts: dict[str, int] = field(default_factory=dict)


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    for _ in range(60):
        if is_working_day(day):
            return day
        day -= timedelta(days=1)
    return day


def build_digest(session: Session, group: GroupChat, scope_name: str, now: datetime) -> Digest:
    local = now.astimezone(TZ)
    today = local.date()
    day_start = datetime.combine(today, time.min, TZ)
    day_end = day_start + timedelta(days=1)
    since_day = previous_working_day(today)
    since = datetime.combine(since_day, time.min, TZ)
    scope = Case.street_id == group.street_id if group.street_id is not None else Case.unit_id == group.unit_id
    open_cases = session.scalars(select(Case).where(
        scope, Case.status.not_in(FINAL), Case.deadline.is_not(None), Case.deadline < day_end,
    ).order_by(Case.deadline)).all()
    returned = session.scalars(select(Case).where(scope, Case.status == CaseStatus.RETURNED).order_by(Case.deadline)).all()
    closed = session.scalar(select(func.count(Case.id)).where(
        scope, Case.status == CaseStatus.CLOSED, Case.closed_at >= since, Case.closed_at < day_start))
    due_today = [c for c in open_cases if c.deadline is not None and c.deadline >= now]
    overdue = [c for c in open_cases if c.deadline is not None and c.deadline < now]
    assignees = {c.assignee_id for c in [*open_cases, *returned] if c.assignee_id is not None}
    ids, named = work_userids(session, assignees), people(session, assignees)

    def who(case: Case) -> str:
        if case.assignee_id is None:
            return "(未派人)"
        if case.assignee_id in ids:
            return f"<@{ids[case.assignee_id]}>"
        return named.get(case.assignee_id, ("", None))[0]

    clock = WorkClock(min((c.deadline.astimezone(TZ).date() for c in overdue if c.deadline), default=today), today)
    closed_label = "昨日结案" if since_day == today - timedelta(days=1) else f"{since_day.month}月{since_day.day}日以来结案"
    lines = [f"**【城管日报】{scope_name} {today.month}月{today.day}日 周{WEEKDAYS[today.weekday()]}**",
             f"今日到期 <font color=\"warning\">{len(due_today)}</font> 件，已超期 <font color=\"warning\">{len(overdue)}</font> 件，"
             f"返工 {len(returned)} 件，{closed_label} {closed or 0} 件"]
    lines += _section("今日到期", due_today, lambda c: f"{_deadline(c)} 到期 · {c.status.label}", who)
    lines += _section("已超期", overdue, lambda c: overdue_label(clock.hours_between(c.deadline, now)), who)  # type: ignore[arg-type]
    lines += _section("返工待整改", returned, lambda c: f"第 {c.rework_count} 次返工", who)
    if due_today or overdue or returned:
        lines.append("请责任人按时整改；整改照片请与问题照片同一位置、同一角度拍摄。")
    else:
        lines.append("今日无到期、超期和返工案件。")
    mobiles = sorted({named[u][1] for u in assignees if u not in ids and u in named and named[u][1]})  # type: ignore[misc]
    counts = {"due_today": len(due_today), "overdue": len(overdue), "returned": len(returned), "closed": closed or 0}
    return Digest(split_message("\n".join(lines)), mobiles, counts)


def _deadline(case: Case) -> str:
    assert case.deadline is not None
    return case.deadline.astimezone(TZ).strftime("%H:%M")


def _section(title: str, cases: list[Case], detail, who) -> list[str]:  # type: ignore[no-untyped-def]
    if not cases:
        return []
    lines = [f"**{title}（{len(cases)}）**"]
    for case in cases[:MAX_LINES]:
        lines.append(f"> {case.number} {category_label(case.category_code)} · {detail(case)} · {who(case)}")
    if len(cases) > MAX_LINES:
        lines.append(f"> ……另有 {len(cases) - MAX_LINES} 件，见 `chengguan report` 台账")
    return lines
