"""Deliver one queued group message: through the group robot's webhook or as a WeCom app-chat message."""

from __future__ import annotations

import base64
import io
from typing import Any

from bot import outbound
from bot.config import Config
from bot.reminders import robot
from models.groups import KIND_APPCHAT, KIND_ROBOT


def deliver(config: Config, kind: str, target: str, message: dict[str, Any]) -> None:
    if kind == KIND_ROBOT:
        robot.post(target, message, base=config.reminders.webhook_base)
    elif kind == KIND_APPCHAT:
        _appchat(config, target, message)
    else:
        raise ValueError(f"未知的群聊类型 {kind!r}; 应为 robot 或 appchat")


def _appchat(config: Config, chat_id: str, message: dict[str, Any]) -> None:
    """App chats have no @mobile list and take images by media id (uploaded first)."""
    client = outbound.wecom_app(config.wecom)
    msgtype = message["msgtype"]
    if msgtype == "image":
        png = base64.b64decode(message["image"]["base64"])
        media_id = client.media.upload("image", ("chart.png", io.BytesIO(png)))["media_id"]
        client.appchat.send(chat_id, "image", media_id=media_id)
    elif msgtype == "markdown":
        client.appchat.send(chat_id, "markdown", content=message["markdown"]["content"])
    else:
        client.appchat.send(chat_id, "text", content=message["text"]["content"])
