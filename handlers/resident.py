"""The Official Account's router: commands first, then the flow in progress, then a new report."""

from __future__ import annotations

from dataclasses import replace

from bot.config import Config
from bot.privacy.notice import DELETE_COMMAND, privacy_notice
from handlers import feedback, forget_me, report, status
from handlers.catalog import categories
from handlers.context import Context

HELP = (
    "城市管理随手拍 使用说明:\n"
    "1. 拍照发送问题照片 (1-3张)\n"
    "2. 发送位置 (点「+」→「位置」) 或输入地址\n"
    "3. 用一句话描述问题, 确认类别后提交\n"
    "回复「查询」查看您上报的案件, 「取消」放弃当前上报, 「帮助」查看本说明。"
)
GREETING = "感谢关注城市管理随手拍! 发现占道经营、暴露垃圾、违规广告等问题, 拍照发给我们即可上报。"
START = "请拍照发送问题照片 (1-3张), 再发送位置并用一句话描述问题。"


def help_text(config: Config) -> str:
    """The instructions and the privacy notice, whose periods come from the deployment's retention settings."""
    return f"{HELP}\n{privacy_notice(config.retention)}"


def welcome(config: Config) -> str:
    return f"{GREETING}\n{help_text(config)}"


def route(ctx: Context) -> str | None:
    m = ctx.message
    if m.kind == "event":
        return _event(ctx)
    text = m.text if m.kind == "text" else ""
    if ctx.conversation.flow == forget_me.FLOW and (answer := forget_me.step(ctx)) is not None:
        return answer  # else: cancelled, and the message is handled as usual below
    if text in {"帮助", "help", "?", "？"}:
        return help_text(ctx.config)
    if text == DELETE_COMMAND:
        return forget_me.ask(ctx)
    if text == forget_me.CONFIRM:
        return f"没有待确认的删除。如需删除您的个人信息, 请回复「{DELETE_COMMAND}」。"
    if text == "取消":
        return _cancel(ctx)
    if text == "查询" or text.startswith("查询 "):
        return status.query(ctx, text[2:])
    if m.menu_id:  # a tapped msgmenu choice (the rating question)
        return feedback.record_tap(ctx, m.menu_id)
    if text in feedback.ANSWERS and (rated := feedback.awaiting_rating(ctx)) and ctx.conversation.flow is None:
        return feedback.record(ctx, rated, text)
    if ctx.conversation.flow == report.FLOW:
        return report.step(ctx)
    if m.kind in {"image", "location"} or (text and categories().suggest(text)):
        return report.start(ctx)  # a photo, a place, or words that name a street problem
    return help_text(ctx.config)


def _event(ctx: Context) -> str | None:
    """Menu clicks act like the typed commands; a location event is the draft's location (the picker's also
    starts a report). Other events (view, unsubscribe, the location WeChat reports on its own outside a draft)
    need no answer."""
    m = ctx.message
    if m.event == "subscribe":
        return welcome(ctx.config)
    if m.event == "click":  # the click keys of models/data/menu.json
        if m.event_key == "MY_CASES":
            return status.query(ctx, "")
        return START if m.event_key == "REPORT" else help_text(ctx.config)
    if m.event in {"location", "location_select"} and m.lat is not None and m.lon is not None:
        ctx.message = replace(m, kind="location")
        if ctx.conversation.flow == report.FLOW:
            return report.step(ctx)
        if m.event == "location_select":
            return report.start(ctx)
    return None


def _cancel(ctx: Context) -> str:
    if ctx.conversation.flow is None:
        return "当前没有进行中的上报。"
    ctx.conversation.finish()
    return "已取消本次上报。发送照片可重新开始。"
