"""What a handler step gets: the open transaction, who wrote, their conversation and the message."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from bot.messages import Inbound
from models import Conversation, User
from models.outbox import enqueue, enqueue_now


class Acting(Protocol):
    """What a staff action needs, whether it came from chat (Context) or the web console (StaffAction)."""

    session: Session
    config: Config
    user: User | None


@dataclass
class StaffAction:
    """A staff action from outside a chat (the web console): the same handler functions, no conversation."""

    session: Session
    config: Config
    user: User | None


@dataclass
class Context:
    """`connection` is the message's transaction; `session`, the ORM on that same connection, is opened when a
    step first needs it (most resident messages do not: opening, flushing and closing it cost a webhook about
    as much as two of its statements)."""

    connection: Connection
    sessions: sessionmaker[Session]
    config: Config
    conversation: Conversation
    message: Inbound
    now: datetime
    notice: str = ""  # said before the reply, e.g. that an old draft expired
    user_id: int | None = None  # the sender's bound user (None: not bound)

    @cached_property
    def session(self) -> Session:
        # Joins the connection's transaction: the dispatcher commits or rolls back the whole message.
        return self.sessions(bind=self.connection)

    def flush(self) -> None:
        """Write the ORM's pending changes, if a step opened the session."""
        if "session" in self.__dict__:
            self.session.flush()

    def close(self) -> None:
        if "session" in self.__dict__:
            self.session.close()

    @cached_property
    def user(self) -> User | None:
        """The sender's user, loaded when a step first needs more than its id (most resident messages do not)."""
        return self.session.get(User, self.user_id) if self.user_id is not None else None

    def enqueue(self, kind: str, payload: dict[str, Any], *, key: str | None = None) -> None:
        """Queue slow work in this same transaction; the worker runs it after the commit."""
        if key is None:  # nothing to look up first
            enqueue_now(self.connection, kind, payload)
        else:
            enqueue(self.session, kind, payload, key=key)

    def push_text(self, text: str, *, key: str | None = None) -> None:
        """Send a message to the sender later (customer-service message / WeCom app message)."""
        self.enqueue("notify.text", {"channel": self.message.channel, "to": self.message.sender, "text": text}, key=key)
