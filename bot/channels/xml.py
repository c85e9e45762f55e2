"""What both WeChat channels share: parsing a body safely and turning wechatpy messages into Inbound."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

from bot.messages import Inbound
from bot.xmltext import xml_safe


class BadMessage(Exception):
    """The body is not a WeChat message we can read. Answered with 400; nothing is stored."""


def parsed(parse: Callable[[bytes], Any], body: bytes) -> Any:
    """`parse(body)` with wechatpy's parsers, which refuse hostile XML themselves, so the body is parsed once.

    They parse with xmltodict, whose parser raises on any entity declaration (billion laughs, external
    entities: xmltodict >= 1.0, pinned in pyproject.toml) before an entity is expanded; a check of our own
    beforehand parsed every body twice, about 35 us of a webhook. Malformed XML, another root element than
    <xml> or a missing MsgType become BadMessage."""
    try:
        return parse(body)
    except ExpatError as exc:
        raise BadMessage(f"unreadable XML: {exc}") from None
    except ValueError as exc:
        raise BadMessage(f"refused XML: {exc}") from None
    except KeyError as exc:
        raise BadMessage(f"not a WeChat message: no {exc} element") from None


def to_inbound(channel: str, message: Any) -> Inbound:
    """Map a parsed wechatpy message (Official Account or WeCom) to our channel-neutral Inbound."""
    kind = message.type if message.type in {"text", "image", "location", "event", "voice", "video", "link"} else "unknown"
    fields: dict[str, Any] = {}
    if kind == "text":
        fields["text"] = xml_safe(message.content or "").strip()
        fields["menu_id"] = xml_safe(str(message._data.get("bizmsgmenuid") or ""))[:40]  # wechatpy has no field for it
    elif kind == "image":
        fields.update(pic_url=message.image or "", media_id=message.media_id or "")
    elif kind == "location":
        lat, lon = message.location
        fields.update(lat=_coordinate(lat), lon=_coordinate(lon), label=xml_safe(message.label or ""))
    elif kind == "voice":
        fields.update(media_id=message.media_id or "", text=xml_safe(getattr(message, "recognition", None) or "").strip())
    elif kind == "event":
        fields.update(event=(message.event or "").lower(), event_key=str(getattr(message, "key", "") or ""))
        fields.update(_event_location(message))
        fields.update(_card_click(message))
    if not message.source:
        raise BadMessage("message without FromUserName")
    return Inbound(
        channel=channel,
        sender=str(message.source),
        kind=kind,
        create_time=_epoch(message.time),
        **{"msg_id": str(message.id) if getattr(message, "id", None) else None, **fields},
    )


def _event_location(event: Any) -> dict[str, Any]:
    """The point of a 上报地理位置 event (LOCATION) or of a menu's location picker (location_select)."""
    if event.event == "location":
        return {"lat": _coordinate(event.latitude), "lon": _coordinate(event.longitude)}
    if event.event == "location_select":
        info = event.location_info if isinstance(event.location_info, dict) else {}
        return {"lat": _coordinate(info.get("Location_X")), "lon": _coordinate(info.get("Location_Y")),
                "label": xml_safe(str(info.get("Label") or ""))[:200]}
    return {}


def _card_click(event: Any) -> dict[str, Any]:
    """A tap on a WeCom template card: which card (TaskId) and its ResponseCode, which is new for each
    tap and the same in WeCom's retries of it, so it deduplicates the event as a MsgId would."""
    code = xml_safe(str(getattr(event, "response_code", "") or ""))[:255]
    if event.event != "template_card_event" or not code:
        return {}
    return {"task_id": xml_safe(str(getattr(event, "task_id", "") or ""))[:128], "response_code": code,
            "msg_id": f"card:{code}"[:150]}


def _coordinate(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _epoch(value: Any) -> int:
    if value is None:
        return 0
    return int(value.timestamp()) if hasattr(value, "timestamp") else int(value)
