"""A tap on a card's button (WeCom template_card_event) runs the typed command's handler: the same
role and street/unit checks, the same Case.transition(). The card names the case (its TaskId, checked
against the copies we sent this member), so nothing in the event is trusted beyond that."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from handlers import rectify, review, staff_reasons
from handlers.context import Context
from models import Case, User
from models.calendar import TZ
from models.cards import CODE_LIFETIME, CardStep, SentCard, card_is_open

NOT_OURS = "这张卡片已失效或不是发给您的。请回复「帮助」查看命令。"
ACTIONS: dict[tuple[CardStep, str], tuple[str, Callable[[Context, str], str]]] = {
    (CardStep.REPORT, "accept"): ("受理", review.accept),
    (CardStep.REPORT, "reject"): ("退回", lambda ctx, n: staff_reasons.ask(ctx, "退回", n)),
    (CardStep.DISPATCH, "claim"): ("整改", rectify.begin),
    (CardStep.REVIEW, "approve"): ("通过", review.approve),
    (CardStep.REVIEW, "rework"): ("返工", lambda ctx, n: staff_reasons.ask(ctx, "返工", n)),
}


def tap(ctx: Context) -> str:
    m = ctx.message
    copy = ctx.session.scalars(select(SentCard).where(
        SentCard.task_id == m.task_id, SentCard.recipient == m.sender).with_for_update()).one_or_none()
    if copy is None:
        return NOT_OURS
    copy.response_code, copy.code_at = m.response_code, ctx.now  # the tap's code: fresh for 72 hours
    case = ctx.session.get_one(Case, copy.case_id)
    if copy.handled_at is not None:
        who = ctx.session.get(User, copy.handled_by) if copy.handled_by else None
        return f"案件 {case.number} 已由{who.name if who else '系统'}于{copy.handled_at.astimezone(TZ):%H:%M}处理, 无需再操作。"
    action = ACTIONS.get((copy.step, m.event_key))
    if action is None:
        return NOT_OURS
    command, run = action
    if ctx.now - copy.created_at >= CODE_LIFETIME:
        return f"这张卡片已超过 72 小时失效。请回复「{command} {case.number}」办理。"
    if not card_is_open(copy.step, case):
        return f"案件 {case.number} 当前为「{case.status.label}」, 这张卡片已失效, 无需再操作。"
    return run(ctx, case.number)
