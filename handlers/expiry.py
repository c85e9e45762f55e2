"""What someone is told when their conversation timed out. It depends on the flow, and must agree
with what the flow told them to do next: an officer told to retake a rectification photo and send
it directly is not told that a report draft was cleared."""

from __future__ import annotations

from typing import Any

from models import CaseSource

REPORT, RECTIFY = "report", "rectify"  # handlers.report.FLOW, handlers.rectify.FLOW (not imported: no cycle)
FORGET = "forget"  # handlers.forget_me.FLOW: an unanswered deletion question; nothing was lost


def expired_text(flow: str | None, state: str | None, data: dict[str, Any], minutes: int) -> str:
    """Pushed by the sweep when the draft is cleared; "" when there is nothing to say."""
    if flow == FORGET:
        return ""
    if flow == RECTIFY:
        if state == "checking":
            return ""  # the photo is being checked; its verdict says what to do next
        if "case" in data:
            return f"案件 {data['case']} 已{minutes}分钟未收到整改照片。整改完成后直接发送整改照片即可, 或回复「整改 {data['case']}」。"
        if "photo" in data:
            return f"您发送的照片超过{minutes}分钟未选择案件, 未采用。请回复「整改」选择案件后重新发送。"
        return f"选择整改案件超过{minutes}分钟未完成。需要时回复「整改」重新选择。"
    if flow == REPORT and _staff_source(data):
        return f"您的{_label(data)}超过{minutes}分钟未完成, 草稿已清除。需要时回复「{_command(data)}」重新开始。"
    return f"您的上报超过{minutes}分钟未完成, 草稿已清除。需要时请重新发送照片开始。"


def expired_notice(flow: str | None, state: str | None, data: dict[str, Any]) -> str:
    """Said before the reply to the first message after the timeout; "" when nothing was lost."""
    if flow == FORGET:
        return ""
    if flow == RECTIFY:
        return "您上次发送的照片未选择案件, 已超时未采用。" if "photo" in data else ""
    if flow == REPORT and _staff_source(data):
        return f"您上次未完成的{_label(data)}已超时, 草稿已清除。"
    return "您上次未完成的上报已超时, 草稿已清除。"


def _staff_source(data: dict[str, Any]) -> bool:
    return data.get("source") in (CaseSource.PATROL, CaseSource.ROAD_OFFICE)


def _label(data: dict[str, Any]) -> str:
    return CaseSource(data["source"]).label


def _command(data: dict[str, Any]) -> str:
    return "马路办公" if data["source"] == CaseSource.ROAD_OFFICE else "巡查"
