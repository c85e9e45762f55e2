"""挂起/延期: an officer or a reviewer asks for more time with a reason; a reviewer approves or refuses.

Both steps are audit events ("suspend_requested", then "suspend_approved" or "suspend_refused"); an
approval moves the deadline and is what the monthly assessment counts as 挂起 (bot/assessment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.cases import Refusal, case_in_scope, require_role
from handlers.context import Acting
from models import AuditEvent, Case, Role, utcnow
from models.calendar import TZ, add_working_days

MAX_DAYS = 60
REASON_MAX = 200
DECISIONS = ("suspend_approved", "suspend_refused")


def request(ctx: Acting, argument: str) -> str:
    """「挂起 案件编号 工作日数 原因」: asks a reviewer for a new deadline that many working days later."""
    require_role(ctx, "挂起", Role.OFFICER, Role.ROAD_CHIEF, Role.REVIEWER, Role.ADMIN)
    number, days_text, reason = (argument.split(maxsplit=2) + ["", "", ""])[:3]
    example = f"「挂起 {number or '2026112200017'} 5 等待产权单位配合」"
    if not (days_text.isascii() and days_text.isdigit() and 1 <= int(days_text) <= MAX_DAYS):
        raise Refusal(f"请写明延期的工作日数 (1-{MAX_DAYS}) 和原因, 例如{example}。")
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        raise Refusal(f"请写明挂起原因 (审核员据此批准), 例如{example}。")
    case = case_in_scope(ctx, number, "挂起")
    if case.is_final:
        raise Refusal(f"案件 {case.number} 已{case.status.label}, 不能挂起。")
    if pending_request(ctx.session, case) is not None:
        raise Refusal(f"案件 {case.number} 已有挂起申请等待审核员批准, 请勿重复申请。")
    days = int(days_text)
    deadline = add_working_days(max(case.deadline or utcnow(), utcnow()), days)
    case.record("suspend_requested", ctx.user, note=reason,
                data={"days": days, "deadline": deadline.isoformat(), "old_deadline": _iso(case.deadline)})
    return f"已申请挂起案件 {case.number} {days} 个工作日 (新时限 {_local(deadline)}), 等待审核员批准。"


def approve(ctx: Acting, argument: str) -> str:
    """「批准挂起 案件编号」: the requested deadline takes effect."""
    case, asked = _decision(ctx, argument, "批准挂起")
    new = datetime.fromisoformat(asked.data["deadline"])
    old = case.deadline
    case.deadline = new
    case.record("suspend_approved", ctx.user, note=asked.note,
                data={"request": asked.id, "deadline": new.isoformat(), "old_deadline": _iso(old)})
    return f"已批准挂起案件 {case.number}, 新时限 {_local(new)}, 已通知申请人。"


def refuse(ctx: Acting, argument: str) -> str:
    """「驳回挂起 案件编号 原因」: the deadline stays."""
    number, _, reason = argument.strip().partition(" ")
    reason = " ".join(reason.split())[:REASON_MAX]
    if not reason:
        raise Refusal(f"请写明驳回原因, 例如「驳回挂起 {number or '2026112200017'} 可在时限内处置」。")
    case, asked = _decision(ctx, number, "驳回挂起")
    case.record("suspend_refused", ctx.user, note=reason, data={"request": asked.id})
    return f"已驳回案件 {case.number} 的挂起申请, 时限不变, 已通知申请人。"


def _decision(ctx: Acting, number: str, command: str) -> tuple[Case, AuditEvent]:
    require_role(ctx, command, Role.REVIEWER, Role.ADMIN)
    case = case_in_scope(ctx, number.split()[0] if number.split() else "", command)
    asked = pending_request(ctx.session, case)
    if asked is None:
        raise Refusal(f"案件 {case.number} 没有待批准的挂起申请。")
    return case, asked


def pending_request(session: Session, case: Case) -> AuditEvent | None:
    """The latest 挂起 request of the case, unless a reviewer has decided on it since."""
    latest = session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id,
                                 AuditEvent.action.in_(("suspend_requested", *DECISIONS)))
        .order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return latest if latest is not None and latest.action == "suspend_requested" else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(TZ):%Y-%m-%d %H:%M}"


COMMANDS = {"挂起": request, "批准挂起": approve, "驳回挂起": refuse}
HELP_FIELD = "挂起 编号 工作日数 原因: 申请延期 (审核员批准)"
HELP_REVIEW = "挂起 编号 天数 原因 / 批准挂起 编号 / 驳回挂起 编号 原因"
