"""GeoReport v2 on the wire, both ways: W3C datetimes, JSON and XML bodies, the error list.

XML follows the spec's shape (a plural root, one element per item, text values, empty elements for
null); JSON is the same data as a list of objects. Reading accepts either, so the client works
with platforms that only speak XML.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring
from zoneinfo import ZoneInfo

from defusedxml.ElementTree import fromstring

from bot.xmltext import xml_safe

CHINA = ZoneInfo("Asia/Shanghai")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# Plural root -> item element name, as the spec names them.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
         "service_request_updates": "request_update", "attributes": "attribute", "values": "value"}


def w3(moment: datetime | None) -> str | None:
    """2026-11-22T12:30:00+08:00: China time with its offset, as the spec requires a zone."""
    if moment is None:
        return None
    return moment.astimezone(CHINA).replace(microsecond=0).isoformat()


def w3_precise(moment: datetime | None) -> str | None:
    """As w3, with the fraction of a second kept (W3C allows it): for windows that must cut within a second."""
    return None if moment is None else moment.astimezone(CHINA).isoformat()


def parse_w3(text: str) -> datetime:
    """A W3C datetime with a zone ("Z" or an offset); raises ValueError otherwise."""
    moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; add Z or an offset such as +08:00")
    return moment.astimezone(UTC)


def render(items: list[Mapping[str, Any]] | Mapping[str, Any], root: str, fmt: str) -> tuple[bytes, str]:
    """Body and content type of a list (or, for a service definition, one object) in `fmt`."""
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False).encode(), JSON_TYPE
    element = Element(root)
    if isinstance(items, Mapping):
        _fill(element, items)
    else:
        for item in items:
            _fill(SubElement(element, ITEMS[root]), item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode(), XML_TYPE


def _fill(element: Element, item: Mapping[str, Any]) -> None:
    for key, value in item.items():
        child = SubElement(element, key)
        if isinstance(value, list):
            for sub in value:
                _fill(SubElement(child, ITEMS[key]), sub)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = xml_safe(str(value))


def error_items(errors: Iterable[tuple[int | str, str]]) -> list[dict[str, Any]]:
    return [{"code": code, "description": description} for code, description in errors]


def parse_items(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """A response body as a list of flat dicts (JSON list, JSON object, or the XML list)."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return []
    if "xml" in content_type or text.startswith("<"):
        root = fromstring(text)
        children = list(root)
        items = children if children and all(len(c) for c in children) else [root]
        return [{child.tag: (child.text or "").strip() or None for child in item} for item in items]
    data = json.loads(text)
    if isinstance(data, dict):
        for key in ("service_requests", "services", "errors", "service_request_updates"):
            if isinstance(data.get(key), list):
                return [dict(x) for x in data[key]]
        return [data]
    return [dict(x) for x in data if isinstance(x, dict)]
