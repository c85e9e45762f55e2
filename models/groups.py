"""Group chats that get the daily digest and the monthly bulletin, and the record of what was sent.

A group belongs to a street or a unit (its digest covers their cases), or is the district group
(`district=True`: it gets the monthly bulletin 通报). It is reached either through a WeCom group
robot (`kind="robot"`, `target` = the webhook URL, a secret: anyone holding it can post) or
through an app-created group chat (`kind="appchat"`, `target` = the chat id).

`SentDigest` is the exactly-once key: one row per (group, what, period), written in the same
transaction as the outbox jobs that carry the message, so any number of workers queue it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk, str200

KIND_ROBOT = "robot"
KIND_APPCHAT = "appchat"


class GroupChat(Base):
    __tablename__ = "group_chats"

    id: Mapped[intpk]
    name: Mapped[str200] = mapped_column(default="")
    kind: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(500), unique=True)  # webhook URL (secret) or chat id
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    district: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Send times (ISO, UTC) of the last minute, for the robot's 20-messages-a-minute limit.
    recent_sends: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[created_at]

    @property
    def masked_target(self) -> str:
        return mask_target(self.kind, self.target)

    def __repr__(self) -> str:  # never the full webhook URL: it is a credential
        return f"<GroupChat {self.id} {self.kind} {self.masked_target}>"


class SentDigest(Base):
    """One message (or split series) queued for a group: `what` is "digest" or "bulletin",
    `period` the day ("2026-10-12") or month ("2026-11") it covers."""

    __tablename__ = "sent_digests"
    __table_args__ = (UniqueConstraint("group_id", "what", "period"),)

    id: Mapped[intpk]
    group_id: Mapped[int] = mapped_column(ForeignKey("group_chats.id"))
    what: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10))
    parts: Mapped[int] = mapped_column(default=1)
    parts_sent: Mapped[int] = mapped_column(default=0)  # parts go out in order: part n waits for n-1
    queued_at: Mapped[created_at]
    sent_at: Mapped[datetime | None]


def webhook_key(url: str) -> str:
    """The `key` parameter of a group-robot webhook URL; ValueError (naming the fix) without one."""
    parts = urlsplit(url.strip())
    key = dict(parse_qsl(parts.query)).get("key", "")
    if parts.scheme not in ("http", "https") or not key:
        raise ValueError(
            "群机器人地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
            " (在群聊「添加群机器人」后复制 Webhook 地址)"
        )
    return key


def mask_target(kind: str, target: str) -> str:
    """A webhook URL with its key cut to the first and last 4 characters and any user:password@
    replaced by ***@ (both are credentials); a chat id as it is."""
    if kind != KIND_ROBOT:
        return target
    try:
        key = webhook_key(target)
        parts = urlsplit(target.strip())
        host = f"{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
    except ValueError:  # no key, or a port that is not a number
        return "***"
    shown = f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "…"
    userinfo = "***@" if "@" in parts.netloc else ""
    query = "&".join(f"{name}={shown if name == 'key' else value}" for name, value in parse_qsl(parts.query))
    return f"{parts.scheme}://{userinfo}{host}{parts.path}?{query}"
