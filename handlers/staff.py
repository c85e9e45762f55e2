"""The WeCom app's router: binding first, then commands, then the flow in progress."""

from __future__ import annotations

from collections.abc import Callable

from handlers import (
    binding, case_changes, dispatch, rectify, report, review, staff_cards, staff_pending, staff_reasons, suspension,
)
from handlers.cases import Refusal, require_role
from handlers.context import Context
from models import CaseSource, Role, TransitionError

HELP = {
    Role.ROAD_CHIEF: "路长命令:\n巡查 / 马路办公: 开始上报 (照片→位置→描述→确认, 确认前可回复「已现场整改」)\n我的任务 / 整改 案件编号",
    Role.OFFICER: ("队员命令:\n我的任务: 待整改案件\n整改 案件编号: 发送整改照片 (只有一件时可省略编号)\n巡查: 上报发现的问题\n"
                   + suspension.HELP_FIELD),
    Role.REVIEWER: ("审核命令:\n受理 案件编号 / 退回 案件编号 原因\n派遣 案件编号 单位代码 (没有派遣规则时)\n"
                    "通过 案件编号 / 返工 案件编号 原因 (整改不到位/角度不一致/非原图)\n"
                    f"{case_changes.HELP}\n{suspension.HELP_REVIEW}"),
    Role.ADMIN: "管理员可使用全部审核命令: 受理 / 退回 / 派遣 / 通过 / 返工 / 改派 / 改类 / 改位置 / 重复 / 批准挂起。",
}


def _patrol(source: CaseSource) -> Callable[[Context, str], str]:
    def start(ctx: Context, argument: str) -> str:
        require_role(ctx, source.label, Role.ROAD_CHIEF, Role.OFFICER)
        return report.start_by_command(ctx, source, argument)
    return start


COMMANDS: dict[str, Callable[[Context, str], str]] = {
    "受理": staff_pending.or_typed("受理", review.accept),
    "退回": staff_pending.or_typed("退回", review.reject),
    "派遣": dispatch.dispatch_by_hand,
    "通过": staff_pending.or_typed("通过", review.approve),
    "返工": staff_pending.or_typed("返工", review.rework),
    "整改": rectify.begin,
    "我的任务": lambda ctx, _: rectify.list_tasks(ctx),
    "巡查": _patrol(CaseSource.PATROL),
    "马路办公": _patrol(CaseSource.ROAD_OFFICE),
    **case_changes.COMMANDS,  # 改派 / 改类 / 改位置 / 重复
    **suspension.COMMANDS,  # 挂起 / 批准挂起 / 驳回挂起
}


FLOWS: dict[str, Callable[[Context], str]] = {staff_reasons.FLOW: staff_reasons.step, staff_pending.FLOW: staff_pending.step}


def route(ctx: Context) -> str | None:
    m = ctx.message
    text = m.text if m.kind == "text" else ""
    command, _, argument = text.partition(" ")
    if command == "绑定":
        return binding.bind(ctx, argument)
    if ctx.user is None:
        return binding.NOT_BOUND
    if m.kind == "event" and m.event != "template_card_event":
        return None
    if text in {"帮助", "help", "?", "？"}:
        return HELP[ctx.user.role] if ctx.user.role in HELP else binding.NOT_BOUND
    if text == "取消":
        ctx.conversation.finish()
        return "已取消。"
    if m.kind == "event":
        return _tap(ctx)
    try:
        if command in COMMANDS:
            with ctx.session.begin_nested():  # a refused command leaves nothing half done
                return COMMANDS[command](ctx, argument.strip())
        if ctx.conversation.flow == report.FLOW:
            return report.step(ctx)
        if ctx.conversation.flow == rectify.FLOW:
            return rectify.step(ctx)
        if ctx.conversation.flow in FLOWS:
            with ctx.session.begin_nested():
                return FLOWS[ctx.conversation.flow](ctx)
        if m.kind == "image" and ctx.user.role in (Role.ROAD_CHIEF, Role.OFFICER):
            return rectify.photo_outside_flow(ctx) or report.start(ctx, CaseSource.PATROL)
        if m.kind == "location" and ctx.user.role in (Role.ROAD_CHIEF, Role.OFFICER):
            return report.start(ctx, CaseSource.PATROL)
    except Refusal as refusal:
        _end_refused_choice(ctx)
        return str(refusal)
    except TransitionError as refused:
        _end_refused_choice(ctx)
        return refused.message_zh
    return HELP.get(ctx.user.role, binding.NOT_BOUND)


def _end_refused_choice(ctx: Context) -> None:
    """A reason or a case chosen for a step someone else took meanwhile: the choice has nothing left to do."""
    if ctx.conversation.flow in FLOWS:
        ctx.conversation.finish()


def _tap(ctx: Context) -> None:
    """A tap on a card's button runs the typed command's handler. Its answer goes out as an app message:
    WeCom's passive reply to a template_card_event is meant for changing the card, not for text."""
    try:
        with ctx.session.begin_nested():  # refused: nothing of it stays, not even the tap's code
            answer = staff_cards.tap(ctx)
    except Refusal as refusal:
        answer = str(refusal)
    except TransitionError as refused:
        answer = refused.message_zh
    ctx.push_text(answer, key=f"card-tap:{ctx.message.dedupe_key}")
    return None
