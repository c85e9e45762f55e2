"""A platform's error answer as one short line to store and show, whatever shape the server uses.

GeoReport v2 says a list of {code, description}; real servers also answer {code, detail} or
{"detail": …} (Django REST framework), {"message": …}, {"error": …}, field errors
{"errors": {"field": ["…"]}}, or an HTML error page. None of that is stored as a page of markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

from defusedxml.ElementTree import fromstring

MAX_CHARS = 300
MESSAGE_KEYS = ("description", "detail", "message", "error_description", "error", "msg", "errmsg")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def error_text(body: bytes, content_type: str) -> str:
    """One line (at most MAX_CHARS) saying what the platform objected to; "" when it said nothing."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return ""
    if "html" in content_type or text[:200].lower().lstrip().startswith(("<!doctype html", "<html")):
        return _short(_html(text))
    if "xml" in content_type or text.startswith("<"):
        return _short(_xml(text))
    try:
        return _short(_describe(json.loads(text)))
    except ValueError:
        return _short(text)


def _describe(data: Any) -> str:
    if isinstance(data, list):
        return "; ".join(filter(None, (_describe(item) for item in data)))
    if isinstance(data, dict):
        for key in ("errors", "service_requests"):
            if key in data:
                return _describe(data[key])
        message = next((data[k] for k in MESSAGE_KEYS if isinstance(data.get(k), (str, int)) and data.get(k)), None)
        if message is not None:
            code = data.get("code", data.get("errcode", ""))
            return f"{code} {message}".strip() if isinstance(code, (str, int)) else str(message)
        # {"field": ["message", …], …}: field errors of a form
        return "; ".join(f"{field}: {_describe(value)}" for field, value in data.items() if value)
    return "" if data is None else str(data)


def _xml(text: str) -> str:
    try:
        root = fromstring(text)
    except Exception:  # not XML after all, or hostile: a line of its text is enough
        return _TAGS.sub(" ", text)
    items = list(root) if len(root) else [root]
    return _describe([{child.tag: (child.text or "").strip() for child in item} or (item.text or "")
                      for item in items])


def _html(text: str) -> str:
    title = _TITLE.search(text)
    return (title.group(1) if title else _TAGS.sub(" ", text)).strip()


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_CHARS else line[: MAX_CHARS - 1] + "…"
