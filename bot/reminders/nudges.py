"""Nudge an officer in the WeCom app two hours (configurable) before a case's deadline, once per case
and deadline: the outbox key is the case and its deadline, so a new deadline gets a new nudge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db import transaction
from bot.reminders.labels import category_label, work_userids
from bot.service import Service
from models.calendar import TZ
from models.cases import Case
from models.enums import CaseStatus
from models.outbox import enqueue
from models.users import CHANNEL_WORK

log = logging.getLogger(__name__)
WORKING = (CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.RETURNED)  # the officer has to act


def nudge_text(case: Case) -> str:
    assert case.deadline is not None
    where = f"，{case.address}" if case.address else ""
    return (f"【到期提醒】案件 {case.number}（{category_label(case.category_code)}{where}）将于 "
            f"{case.deadline.astimezone(TZ):%m月%d日 %H:%M} 到期。请在到期前完成整改并上传整改照片"
            f"（与问题照片同一位置、同一角度）。")


def run_nudges(service: Service, now: datetime) -> int:
    """Queue a nudge for each case due within the lead time whose officer has a WeCom id."""
    lead = timedelta(minutes=service.config.reminders.nudge_lead_minutes)
    try:
        with transaction(service.sessions) as session:
            cases = session.scalars(select(Case).where(
                Case.status.in_(WORKING), Case.assignee_id.is_not(None),
                Case.deadline > now, Case.deadline <= now + lead)).all()
            ids = work_userids(session, {c.assignee_id for c in cases if c.assignee_id is not None})
            queued = 0
            for case in cases:
                userid = ids.get(case.assignee_id or 0)
                if userid is None:
                    continue  # no WeCom account bound: the group digest still names the case
                key = f"nudge:{case.id}:{int(case.deadline.timestamp())}"  # type: ignore[union-attr]
                job = enqueue(session, "notify.text", {"channel": CHANNEL_WORK, "to": userid, "text": nudge_text(case)}, key=key)
                queued += job is not None
            return queued
    except IntegrityError:  # another worker queued the same nudges at the same moment
        log.info("nudges at %s were queued by another worker", now)
        return 0
