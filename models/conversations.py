"""Conversation state, one row per chat user and channel, so any process can serve the next message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk, utcnow


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[intpk]
    channel: Mapped[str] = mapped_column(String(8))
    external_id: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str | None] = mapped_column(String(40))   # e.g. "report"; None = idle
    state: Mapped[str | None] = mapped_column(String(40))  # step within the flow
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the draft being built
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def is_expired(self, timeout: timedelta, now: datetime | None = None) -> bool:
        return self.flow is not None and (now or utcnow()) - self.updated_at > timeout

    def start(self, flow: str, state: str, data: dict[str, Any] | None = None) -> None:
        self.flow, self.state, self.data = flow, state, dict(data or {})
        self.touch()

    def move(self, state: str, **changes: Any) -> None:
        self.state = state
        self.data = {**self.data, **changes}  # a new dict so the JSON column is marked dirty
        self.touch()

    def finish(self) -> None:
        self.flow, self.state, self.data = None, None, {}
        self.touch()

    def touch(self) -> None:
        self.updated_at = utcnow()
