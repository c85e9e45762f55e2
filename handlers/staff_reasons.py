"""退回 and 返工 need a reason: asked as a numbered choice (a card's button cannot carry one), the last
choice 其他 asking for the words. The decision then runs the typed command's own handler."""

from __future__ import annotations

from collections.abc import Callable

from handlers import review
from handlers.cases import case_in_scope, require_role
from handlers.context import Context
from models import Role

FLOW = "reason"
OTHER = "其他"
REASONS = {"退回": ("非城管事项", "重复上报", "信息不全", OTHER), "返工": (*review.REWORK_REASONS, OTHER)}
DECIDE: dict[str, Callable[[Context, str], str]] = {"退回": review.reject, "返工": review.rework}


def ask(ctx: Context, command: str, number: str) -> str:
    """Check the sender may do it (role, street) before asking anything, then ask for the reason."""
    require_role(ctx, command, Role.REVIEWER, Role.ADMIN)
    case = case_in_scope(ctx, number, command)
    ctx.conversation.start(FLOW, "choose", {"command": command, "case": case.number})
    return f"请回复序号选择{command}案件 {case.number} 的原因:\n{_numbered(command)}\n回复「取消」放弃。"


def step(ctx: Context) -> str:
    data, text = ctx.conversation.data, ctx.message.text.strip() if ctx.message.kind == "text" else ""
    command, number = data["command"], data["case"]
    reasons = REASONS[command]
    if ctx.conversation.state == "words":
        if not text:
            return f"请写明{command}原因, 或回复「取消」。"
        return _decide(ctx, command, number, f"{OTHER} {text}" if command == "返工" else text)
    if not (text.isdigit() and 1 <= int(text) <= len(reasons)):
        return f"请回复序号 (1-{len(reasons)}):\n{_numbered(command)}"
    if reasons[int(text) - 1] == OTHER:
        ctx.conversation.move("words")
        return f"请写明{command}原因 (一句话, {'上报的市民' if command == '退回' else '整改人员'}会看到)。"
    return _decide(ctx, command, number, reasons[int(text) - 1])


def _decide(ctx: Context, command: str, number: str, reason: str) -> str:
    ctx.conversation.finish()
    return DECIDE[command](ctx, f"{number} {reason}")


def _numbered(command: str) -> str:
    return "\n".join(f"{i}. {reason}" for i, reason in enumerate(REASONS[command], 1))
