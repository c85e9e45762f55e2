"""WeCom's template_card_event (a tap on a card's button), which wechatpy's parser does not know:
it comes back as UnknownMessage, and is read here into an event with the card's fields."""

from __future__ import annotations

from typing import Any

from wechatpy.enterprise import parse_message
from wechatpy.events import BaseEvent
from wechatpy.fields import IntegerField, StringField
from wechatpy.messages import UnknownMessage

CARD_EVENT = "template_card_event"


class TemplateCardEvent(BaseEvent):  # type: ignore[misc]
    event = CARD_EVENT
    key = StringField("EventKey")
    task_id = StringField("TaskId")
    card_type = StringField("CardType")
    response_code = StringField("ResponseCode")
    agent = IntegerField("AgentID", 0)


def parse_work_message(xml: bytes | str) -> Any:
    message = parse_message(xml)
    data = getattr(message, "_data", {}) or {}
    if isinstance(message, UnknownMessage) and str(data.get("Event", "")).lower() == CARD_EVENT:
        return TemplateCardEvent(data)
    return message
