"""The monthly bulletin (通报) to the district group: a short markdown summary and the ranking chart as
an image. Queued once per group and month (SentDigest what="bulletin"), on the first working day of
the next month at the digest time, or by hand with `chengguan report month YYYY-MM --send`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.assessment.period import Month
from bot.assessment.report import MonthReport, build_report
from bot.reminders import robot
from bot.reminders.queue import already_queued, queue_to_groups
from bot.reminders.schedule import digest_due
from bot.reports.chart import ranking_png
from bot.reports.table import percent
from bot.service import Service
from models.calendar import TZ, is_working_day
from models.groups import GroupChat

def bulletin_markdown(report: MonthReport) -> str:
    total = report.total
    ranked = [r for r in report.streets if r.ranked.rank is not None]
    lines = [f"**【通报】{report.month.label}城市管理综合评价**",
             f"全区应结案 {total.assessed} 件，结案率 {percent(total.closure_rate)}，按期结案率 "
             f"{percent(total.on_time_rate)}，返工率 {percent(total.rework_rate)}，满意率 {percent(total.satisfaction_rate)}。"]
    if ranked:
        lines.append("**前三名**：" + "；".join(f"{r.ranked.rank}. {r.scope.name} {r.ranked.score:.1f}分 {r.ranked.change_label}" for r in ranked[:3]))
        lines.append("**后三名**：" + "；".join(f"{r.ranked.rank}. {r.scope.name} {r.ranked.score:.1f}分 {r.ranked.change_label}" for r in ranked[-3:]))
    repeat = [f"{r.scope.name} {r.indicators.returned_3plus} 件" for r in report.streets if r.indicators.returned_3plus]
    if repeat:
        lines.append("<font color=\"warning\">返工3次及以上</font>：" + "；".join(repeat))
    lines.append("排名见下图，明细见台账（chengguan report month %s --xlsx）。" % report.month)
    return "\n".join(lines)


def queue_bulletin(service: Service, month: Month) -> int:
    """Queue the bulletin of `month` to every district group that has not had it; returns how many."""
    with service.sessions() as session:
        group_ids = list(session.scalars(select(GroupChat.id).where(GroupChat.active, GroupChat.district)))
        if not group_ids:
            return 0
        report = build_report(session, month)
    messages = [robot.markdown(bulletin_markdown(report)), robot.image(ranking_png(report))]
    return queue_to_groups(service.sessions, group_ids, "bulletin", str(month), messages)


def first_working_day(day: date) -> bool:
    first = day.replace(day=1)
    while not is_working_day(first):
        first += timedelta(days=1)
    return day == first


def run_bulletin(service: Service, now: datetime) -> int:
    """On the first working day of a month, in the digest window: last month's bulletin."""
    today = now.astimezone(TZ).date()
    if not (first_working_day(today) and digest_due(service.config.reminders.digest_time, now)):
        return 0
    month = Month.of(today).previous()
    with service.sessions() as session:
        pending = [g for g in session.scalars(select(GroupChat.id).where(GroupChat.active, GroupChat.district))
                   if not already_queued(session, g, "bulletin", str(month))]
    return queue_bulletin(service, month) if pending else 0
