"""The Official Account's menu as data (`models/data/menu.json`, or a deployment's own file), checked
against WeChat's rules before it is pushed with /cgi-bin/menu/create.

WeChat's rules: at most 3 buttons, each with at most 5 sub-buttons; a name of at most 16 bytes (60 for a
sub-button); a click-type button needs a key of at most 128 bytes, a view button a URL. An account has
one menu: pushing replaces whatever the bureau had, so the command says so.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

KEYED = {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin",
         "location_select"}
MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5


class MenuError(ValueError):
    """The menu breaks one of WeChat's rules; the message names the button and the rule."""


def load_menu(path: Path | None = None) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8") if path else (files("models") / "data" / "menu.json").read_text("utf-8")
    try:
        menu = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MenuError(f"菜单文件不是有效的 JSON: {exc.msg} (第 {exc.lineno} 行)") from None
    check_menu(menu)
    return menu


def check_menu(menu: Any) -> None:
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise MenuError(f"菜单应有 1 至 {MAX_BUTTONS} 个一级按钮: {{\"button\": [...]}}")
    for button in buttons:
        subs = button.get("sub_button") if isinstance(button, dict) else None
        _check_name(button, 16)
        if subs:
            if len(subs) > MAX_SUB_BUTTONS:
                raise MenuError(f"「{button['name']}」最多 {MAX_SUB_BUTTONS} 个子按钮")
            for sub in subs:
                _check_name(sub, 60)
                _check_action(sub)
        else:
            _check_action(button)


def _check_name(button: Any, limit: int) -> None:
    name = button.get("name") if isinstance(button, dict) else None
    if not isinstance(name, str) or not name:
        raise MenuError(f"按钮缺少名称: {button!r}")
    if len(name.encode("utf-8")) > limit:
        raise MenuError(f"按钮名「{name}」超过 {limit} 字节 (约 {limit // 3} 个汉字)")


def _check_action(button: dict[str, Any]) -> None:
    kind, name = button.get("type"), button["name"]
    if kind == "view":
        if not str(button.get("url", "")).startswith(("https://", "http://")):
            raise MenuError(f"「{name}」是链接按钮 (view), 需要 url")
    elif kind in KEYED:
        key = button.get("key")
        if not isinstance(key, str) or not key or len(key.encode("utf-8")) > 128:
            raise MenuError(f"「{name}」需要 key (不超过 128 字节)")
    else:
        raise MenuError(f"「{name}」的类型 {kind!r} 不支持; 可用 view, {', '.join(sorted(KEYED))}")
