"""Reviewers (审核员): 受理 / 退回 new cases, 通过 / 返工 submitted rectifications.

The chat commands and the web console both call these, so a step taken in either notifies the same people."""

from __future__ import annotations

from handlers.cases import Refusal, case_in_scope, require_role
from handlers.context import Acting
from handlers.dispatch import dispatch, dispatched_text, no_unit_text
from models import CaseSource, CaseStatus, Role
from models.public_text import PUBLIC_REPLY, public_text, split_public_reply
from models.units import responsible_unit

REWORK_REASONS = {"整改不到位": "rectify.incomplete", "角度不一致": "angle.mismatch", "非原图": "not_original"}


def accept(ctx: Acting, argument: str) -> str:
    require_role(ctx, "受理", Role.REVIEWER, Role.ADMIN)
    case = case_in_scope(ctx, argument, "受理")
    case.transition(CaseStatus.ACCEPTED, ctx.user)
    unit = responsible_unit(ctx.session, case.street_id, case.category_code)
    if unit is None:
        return no_unit_text(ctx.session, case)
    submitted = dispatch(ctx.session, case, unit, ctx.user)
    return dispatched_text(case, unit, submitted, done="已受理并派遣")


def reject(ctx: Acting, argument: str) -> str:
    require_role(ctx, "退回", Role.REVIEWER, Role.ADMIN)
    number, _, text = argument.partition(" ")
    reason, reply = split_public_reply(text)
    if not reason:
        raise Refusal("请写明退回原因 (内部留存, 市民不会看到), 例如「退回 2026112200017 非城管事项」; "
                      "要答复市民, 在后面加「公开: 答复内容」。")
    case = case_in_scope(ctx, number, "退回")
    event = case.transition(CaseStatus.REJECTED, ctx.user, note=reason, data={PUBLIC_REPLY: reply} if reply else None)
    told = f"已告知上报的市民: {public_text(CaseStatus.REJECTED, event)}。" if case.source == CaseSource.SNAPSHOT else ""
    return f"案件 {case.number} 已退回 (不予受理), 内部原因: {reason}。{told}"


def approve(ctx: Acting, argument: str) -> str:
    require_role(ctx, "通过", Role.REVIEWER, Role.ADMIN)
    case = case_in_scope(ctx, argument, "通过")
    case.transition(CaseStatus.VERIFIED, ctx.user)
    if ctx.config.platform.open311_enabled:  # the platform checks next; its verdict closes or returns the case
        return f"案件 {case.number} 核查通过, 已上报平台; 平台结案后自动结案, 平台返工会通知整改人员。"
    case.transition(CaseStatus.CLOSED, ctx.user)
    return f"案件 {case.number} 核查通过, 已结案。"


def rework(ctx: Acting, argument: str) -> str:
    require_role(ctx, "返工", Role.REVIEWER, Role.ADMIN)
    number, _, reason = argument.partition(" ")
    reason = reason.strip()
    if not reason:
        raise Refusal("请写明返工原因: 整改不到位 / 角度不一致 / 非原图 / 其他说明。")
    case = case_in_scope(ctx, number, "返工")
    code = REWORK_REASONS.get(reason.split()[0], "other")  # "角度不一致 请站在路口东侧拍" is still coded
    case.transition(CaseStatus.RETURNED, ctx.user, note=reason, data={"reason": code})
    return f"案件 {case.number} 已退回返工 (第{case.rework_count}次): {reason}。已通知整改人员。"
