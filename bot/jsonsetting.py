"""A setting written as a JSON object, read with one error line that names the setting and an example."""

from __future__ import annotations

import json
from typing import Any


def json_object(name: str, raw: str, example: str) -> dict[str, Any]:
    """`raw` as a dict; ValueError with the line to show when it is not valid JSON or not an object."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{name} 应为 JSON 对象, 如 {example} ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{name} 应为 JSON 对象, 如 {example}")
    return value
