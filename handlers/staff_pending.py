"""A bare 「受理」 / 「退回」 / 「通过」 / 「返工」 (no case number): the only case waiting for that step in the
sender's scope, or the waiting ones as numbered choices (reply 1, 2, …)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from handlers import review, staff_reasons
from handlers.cases import scope_clause, require_role
from handlers.context import Context
from models import Case, CaseStatus, Role
from models.calendar import TZ

FLOW = "pending"
LISTED = 9
WAITING = {"受理": CaseStatus.REPORTED, "退回": CaseStatus.REPORTED,
           "通过": CaseStatus.SUBMITTED, "返工": CaseStatus.SUBMITTED}
ACT: dict[str, Callable[[Context, str], str]] = {
    "受理": review.accept, "通过": review.approve,
    "退回": lambda ctx, n: staff_reasons.ask(ctx, "退回", n), "返工": lambda ctx, n: staff_reasons.ask(ctx, "返工", n),
}


def or_typed(command: str, typed: Callable[[Context, str], str]) -> Callable[[Context, str], str]:
    """The typed command with a number as before; without one, the pending case(s)."""
    def run(ctx: Context, argument: str) -> str:
        return typed(ctx, argument) if argument else bare(ctx, command)
    return run


def bare(ctx: Context, command: str) -> str:
    require_role(ctx, command, Role.REVIEWER, Role.ADMIN)
    assert ctx.user is not None
    waiting = list(ctx.session.scalars(select(Case).where(scope_clause(ctx.user), Case.status == WAITING[command])
                                       .order_by(Case.deadline, Case.id).limit(LISTED + 1)))
    if not waiting:
        return f"没有待{command}的案件。"
    if len(waiting) == 1:
        return ACT[command](ctx, waiting[0].number)
    shown = waiting[:LISTED]
    ctx.conversation.start(FLOW, "choose", {"command": command, "choices": [c.number for c in shown]})
    more = f"\n(只列出前 {LISTED} 件, 其余请写编号, 如「{command} {shown[0].number}」)" if len(waiting) > LISTED else ""
    lines = "\n".join(f"{i}. {_line(c)}" for i, c in enumerate(shown, 1))
    return f"待{command}的案件, 请回复序号选择:\n{lines}{more}"


def step(ctx: Context) -> str:
    data = ctx.conversation.data
    choices: list[str] = data["choices"]
    text = ctx.message.text.strip() if ctx.message.kind == "text" else ""
    if not (text.isdigit() and 1 <= int(text) <= len(choices)):
        return f"请回复序号 (1-{len(choices)}) 选择案件, 或回复「取消」。"
    ctx.conversation.finish()
    return ACT[data["command"]](ctx, choices[int(text) - 1])


def _line(case: Case) -> str:
    due = f" 时限 {case.deadline.astimezone(TZ):%m-%d %H:%M}" if case.deadline else ""
    return f"{case.number} {case.address or '见定位'}{due}"
