"""The daily summary of uplink items that are stuck: parked (a person must act), retried many times
(the platform has been failing for a while), or returned by the platform after we verified them.
`stuck_items` is the data; `summary_text` the Chinese text a reviewer reads (group chat, console)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.open311.formats import CHINA
from bot.uplink.hopeless import closed_by_platform
from bot.uplink.jobs import KINDS
from models.audit import AuditEvent
from models.cases import Case
from models.enums import CaseStatus
from models.outbox import JobStatus, OutboxJob

MANY_ATTEMPTS = 5


@dataclass(frozen=True)
class StuckItem:
    job_id: int | None
    kind: str
    case_number: str | None
    action: str
    status: str            # parked | retrying
    attempts: int
    last_error: str
    since: datetime


def stuck_items(session: Session, min_attempts: int = MANY_ATTEMPTS) -> list[StuckItem]:
    jobs = session.scalars(
        select(OutboxJob).where(OutboxJob.kind.in_(KINDS)).where(or_(
            OutboxJob.status == JobStatus.PARKED,
            (OutboxJob.status == JobStatus.PENDING) & (OutboxJob.attempts >= min_attempts),
        )).order_by(OutboxJob.created_at, OutboxJob.id)
    ).all()
    closed = closed_by_platform(session, (j.payload.get("case_id") for j in jobs))
    jobs = [j for j in jobs if j.payload.get("case_id") not in closed]  # the platform closed it: nothing to do
    case_ids = {j.payload.get("case_id") for j in jobs if isinstance(j.payload.get("case_id"), int)}
    numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())
    items = [
        StuckItem(j.id, j.kind, numbers.get(j.payload.get("case_id")), str(j.payload.get("action", "")),
                  "parked" if j.status == JobStatus.PARKED else "retrying", j.attempts, j.last_error or "",
                  j.created_at)
        for j in jobs
    ]
    return items + returned_after_verification(session)


def returned_after_verification(session: Session) -> list[StuckItem]:
    """Cases we had verified that the platform sent back (a system "return" from 核查通过), still being
    reworked: each one counts against the street, so a person should look at why."""
    rows = session.execute(
        select(Case.number, AuditEvent.note, AuditEvent.created_at)
        .join(AuditEvent, AuditEvent.case_id == Case.id)
        .where(Case.status == CaseStatus.RETURNED, AuditEvent.action == "return", AuditEvent.actor_id.is_(None),
               AuditEvent.from_status == CaseStatus.VERIFIED)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return [StuckItem(None, "platform", number, "return", "returned", 0, note or "", at) for number, note, at in rows]


LABELS = {"parked": "已搁置, 需人工处理", "retrying": "多次重试未成功", "returned": "核查通过后被平台退回"}
ACTIONS = {"accept": "受理上报", "verify": "核查结果", "close": "结案", "return": "返工", "": "状态查询"}


def summary_text(items: list[StuckItem]) -> str:
    if not items:
        return "平台上报: 没有卡住的案件。"
    lines = [f"平台上报: {len(items)} 项卡住, 请处理:"]
    for item in items:
        when = item.since.astimezone(CHINA).strftime("%m-%d %H:%M")
        head = f"- 案件 {item.case_number or '-'} {ACTIONS.get(item.action, item.action)}: {LABELS[item.status]}"
        detail = f" (任务 {item.job_id}, 已试 {item.attempts} 次, 自 {when})" if item.job_id else f" (自 {when})"
        lines.append(head + detail + (f"\n  原因: {item.last_error[:200]}" if item.last_error else ""))
    if any(item.job_id for item in items):
        lines.append("修正后运行 chengguan platform retry 重新发送。")
    if any(item.status == "returned" for item in items):
        lines.append("被平台退回的案件已通知整改人员返工; 请查看退回原因, 避免再次返工。")
    return "\n".join(lines)
