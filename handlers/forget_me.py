"""「删除我的信息」: a resident asks, is told what will happen, and confirms within CONFIRM_MINUTES by replying
「确认删除」; anything else cancels (and is then handled as usual). The deletion rule is in bot.privacy.forget."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.privacy.forget import forget_resident
from bot.privacy.notice import DELETE_COMMAND
from handlers.context import Context
from models import Case

FLOW = "forget"
CONFIRM = "确认删除"
CONFIRM_MINUTES = 10


def ask(ctx: Context) -> str:
    cases = ctx.session.scalar(select(func.count()).select_from(Case).where(Case.reporter_id == ctx.user.id)) if ctx.user else 0
    ctx.conversation.start(FLOW, "confirm", {"asked_at": ctx.now.isoformat()})
    return (
        f"您申请删除个人信息。确认后: 您的微信身份与您上报的 {cases} 件案件解除关联, 案件匿名保留用于统计; "
        "已办结案件的照片立即删除, 处理中案件的照片在结案后删除 (整改核查需要比对); 待发给您的通知取消, "
        f"此后您将收不到这些案件的进展。\n请在{CONFIRM_MINUTES}分钟内回复「{CONFIRM}」; 回复其他内容即取消。"
    )


def step(ctx: Context) -> str | None:
    """The answer to the question; None when the message cancelled it and should be handled as usual."""
    asked_at = datetime.fromisoformat(ctx.conversation.data.get("asked_at", "1970-01-01T00:00:00+00:00"))
    text = ctx.message.text.strip() if ctx.message.kind == "text" else ""
    ctx.conversation.finish()
    if text != CONFIRM:
        ctx.notice = "已取消删除, 您的信息未改动。"
        return None
    if ctx.now - asked_at > timedelta(minutes=CONFIRM_MINUTES):
        return f"确认已超过{CONFIRM_MINUTES}分钟, 未删除。如仍需删除, 请重新回复「{DELETE_COMMAND}」。"
    assert ctx.user is not None  # a resident on the Official Account is always registered
    done = forget_resident(ctx.session, ctx.user, ctx.now, asked_by=ctx.message.dedupe_key)
    kept = f", {done.photos_kept_until_closed} 张照片将在案件结案后删除" if done.photos_kept_until_closed else ""
    return (f"已删除您的个人信息: {done.cases} 件案件已匿名, {done.photos_erased} 张照片已删除{kept}。"
            "如需再次上报, 直接发送照片即可。")
