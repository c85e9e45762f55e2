"""What both WeChat channels share: parsing a body safely and turning its fields into Inbound."""

from __future__ import annotations

from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy.enterprise.events import EVENT_TYPES as WORK_EVENTS
from wechatpy.events import EVENT_TYPES as MP_EVENTS

from bot.channels.callback_xml import Fields, parse_callback
from bot.messages import Inbound
from bot.xmltext import xml_safe
from models.users import CHANNEL_MP, CHANNEL_WORK

CARD_EVENT = "template_card_event"  # WeCom: a tap on a template card's button
# The events each platform documents (as wechatpy knows them); any other is stored and answered as unknown.
KNOWN_EVENTS = {CHANNEL_MP: frozenset(MP_EVENTS), CHANNEL_WORK: frozenset(WORK_EVENTS) | {CARD_EVENT}}
MESSAGE_KINDS = frozenset({"text", "image", "location", "voice", "video", "link"})


class BadMessage(Exception):
    """The body is not a WeChat message we can read. Answered with 400; nothing is stored."""


def parsed(body: bytes) -> Fields:
    """The body's fields (bot.channels.callback_xml). Malformed XML, a DOCTYPE, another root element than
    <xml> or a missing MsgType become BadMessage."""
    try:
        fields = parse_callback(body)
    except ExpatError as exc:
        raise BadMessage(f"unreadable XML: {exc}") from None
    except ValueError as exc:
        raise BadMessage(f"refused XML: {exc}") from None
    except KeyError as exc:
        raise BadMessage(f"not a WeChat message: no {exc} element") from None
    if not text_field(fields, "MsgType"):
        raise BadMessage("not a WeChat message: no MsgType")
    return fields


def to_inbound(channel: str, fields: Fields) -> Inbound:
    """Map a callback's fields (Official Account or WeCom) to our channel-neutral Inbound."""
    kind = text_field(fields, "MsgType").lower()
    values: dict[str, Any] = {}
    if kind == "text":
        values["text"] = xml_safe(text_field(fields, "Content")).strip()
        values["menu_id"] = xml_safe(text_field(fields, "bizmsgmenuid"))[:40]
    elif kind == "image":
        values.update(pic_url=text_field(fields, "PicUrl"), media_id=text_field(fields, "MediaId"))
    elif kind == "location":
        values.update(lat=_coordinate(text_field(fields, "Location_X")), lon=_coordinate(text_field(fields, "Location_Y")),
                      label=xml_safe(text_field(fields, "Label")))
    elif kind == "voice":
        values.update(media_id=text_field(fields, "MediaId"), text=xml_safe(text_field(fields, "Recognition")).strip())
    elif kind == "event":
        event, key = _event(channel, fields)
        if event in KNOWN_EVENTS[channel]:
            values.update(event=event, event_key=key, **_event_location(event, fields), **_card_click(event, fields))
        else:
            kind = "unknown"
    if kind not in MESSAGE_KINDS and kind != "event":
        kind = "unknown"
    sender = text_field(fields, "FromUserName")
    if not sender:
        raise BadMessage("message without FromUserName")
    msg_id = text_field(fields, "MsgId")
    return Inbound(
        channel=channel, sender=sender, kind=kind, create_time=int(text_field(fields, "CreateTime") or 0),
        **{"msg_id": str(int(msg_id)) if msg_id and int(msg_id) else None, **values},
    )


def _event(channel: str, fields: Fields) -> tuple[str, str]:
    """The event's name and key; on the Official Account, a subscription by scanning a code named as
    wechatpy named it (subscribe_scan with the scene without its qrscene_ prefix)."""
    event, key = text_field(fields, "Event").lower(), text_field(fields, "EventKey")
    if channel == CHANNEL_MP and event == "subscribe" and key:
        if key.startswith(("scanbarcode|", "scanimage|")):
            return "subscribe_scan_product", ""
        if key.startswith("qrscene_"):
            return "subscribe_scan", key.removeprefix("qrscene_")
    return event, key


def _event_location(event: str, fields: Fields) -> dict[str, Any]:
    """The point of a 上报地理位置 event (LOCATION) or of a menu's location picker (location_select)."""
    if event == "location":
        return {"lat": _coordinate(text_field(fields, "Latitude")), "lon": _coordinate(text_field(fields, "Longitude"))}
    if event == "location_select":
        info = fields.get("SendLocationInfo")
        info = info if isinstance(info, dict) else {}
        return {"lat": _coordinate(text_field(info, "Location_X")), "lon": _coordinate(text_field(info, "Location_Y")),
                "label": xml_safe(text_field(info, "Label"))[:200]}
    return {}


def _card_click(event: str, fields: Fields) -> dict[str, Any]:
    """A tap on a WeCom template card: which card (TaskId) and its ResponseCode, which is new for each
    tap and the same in WeCom's retries of it, so it deduplicates the event as a MsgId would."""
    code = xml_safe(text_field(fields, "ResponseCode"))[:255]
    if event != CARD_EVENT or not code:
        return {}
    return {"task_id": xml_safe(text_field(fields, "TaskId"))[:128], "response_code": code, "msg_id": f"card:{code}"[:150]}


def text_field(fields: Fields, name: str) -> str:
    """A text field ("" when absent or empty); a field that holds elements instead is not a message we read."""
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadMessage(f"{name} is not text")
    return value


def _coordinate(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None
