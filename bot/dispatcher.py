"""(user, conversation state, message) -> handler, inside one transaction that also stores the message.

The inbox row goes first: a WeChat retry of a message we already have hits the unique dedupe key and
gets the reply we gave the first time, so it never acts twice, even when the copies arrive at once on
different processes (the second insert waits for the first transaction, then fails).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.messages import Inbound
from bot.service import Service
from handlers.context import Context
from handlers.expiry import expired_notice
from models import Conversation, Identity, InboxMessage, Role, User, utcnow
from models.base import insert_unless_present
from models.inbox import store_once
from models.nonces import Delivery, claim
from models.reach import record_inbound
from models.users import CHANNEL_MP

log = logging.getLogger(__name__)

Router = Callable[[Context], str | None]

SORRY = "系统暂时无法处理这条消息, 已记录, 请稍后再试。"

# Built once, run with parameters: every webhook runs them, and building a query costs more than running it.
USER_BY_IDENTITY = select(User).join(Identity).where(
    Identity.channel == bindparam("channel"), Identity.external_id == bindparam("sender")
)
RECORD_REPLY = update(InboxMessage).where(InboxMessage.id == bindparam("inbox_id")).values(
    reply=bindparam("reply"), handled_at=bindparam("handled_at")
)
CONVERSATION_FOR_UPDATE = select(Conversation).where(
    Conversation.channel == bindparam("channel"), Conversation.external_id == bindparam("sender")
).with_for_update()


class Dispatcher:
    def __init__(self, service: Service, routers: dict[str, Router]) -> None:
        self.service, self.routers = service, routers

    def handle(self, message: Inbound, delivery: Delivery | None = None) -> str | None:
        """The reply to `message`. With `delivery` (plain-mode callbacks), a signature already used for
        another body raises ReplayedDelivery and nothing is stored."""
        try:
            with transaction(self.service.sessions) as session:
                if delivery is not None:
                    claim(session, delivery)
                inbox_id = _store(session, message)
                if inbox_id is None:
                    return self._reply_to_retry(session, message)
                if message.channel == CHANNEL_MP:  # every message or event opens WeChat's 48-hour window
                    record_inbound(session, message.sender, utcnow(), message.event)
                ctx = self._context(session, message)
                reply = self._route(ctx)
                if ctx.notice:
                    reply = "\n".join(filter(None, [ctx.notice, reply]))
                session.connection().execute(
                    RECORD_REPLY, {"inbox_id": inbox_id, "reply": reply, "handled_at": utcnow()})
            return reply
        except _HandlerFailed:
            # The rollback took the handler's changes; keep the message itself, unhandled, for a person.
            with transaction(self.service.sessions) as session:
                if delivery is not None:  # the rollback released the signature too
                    claim(session, delivery)
                if _store(session, message) is not None and message.channel == CHANNEL_MP:
                    record_inbound(session, message.sender, utcnow(), message.event)  # WeChat opened the window all the same
            return SORRY

    def _route(self, ctx: Context) -> str | None:
        try:
            reply = self.routers[ctx.message.channel](ctx)
            ctx.session.flush()  # a write the database refuses is the handler's failure too
            return reply
        except Exception as exc:
            log.exception("handler failed on %s; message kept in the inbox unhandled", ctx.message.dedupe_key)
            raise _HandlerFailed from exc

    def _reply_to_retry(self, session: Session, message: Inbound) -> str | None:
        log.info("duplicate delivery of %s ignored", message.dedupe_key)
        return session.scalar(select(InboxMessage.reply).where(InboxMessage.dedupe_key == message.dedupe_key))

    def _context(self, session: Session, message: Inbound) -> Context:
        conversation = _conversation_for_update(session, message)
        timeout = timedelta(minutes=self.service.config.conversation_timeout_minutes)
        notice = ""
        if conversation.is_expired(timeout):
            notice = expired_notice(conversation.flow, conversation.state, conversation.data)
            conversation.finish()
        return Context(
            session=session, config=self.service.config, user=_user(session, message),
            conversation=conversation, message=message, now=utcnow(), notice=notice,
        )


class _HandlerFailed(Exception):
    """A handler raised. A whole-transaction rollback replaces a savepoint around every handler,
    which cost each message two uncacheable statements."""


def _store(session: Session, message: Inbound) -> int | None:
    return store_once(
        session, channel=message.channel, dedupe_key=message.dedupe_key, sender=message.sender,
        msg_type=message.kind, payload=message.to_payload(),
    )


def _user(session: Session, message: Inbound) -> User | None:
    """The bound user; a resident writing to the Official Account for the first time is registered."""
    user = session.scalars(USER_BY_IDENTITY, {"channel": message.channel, "sender": message.sender}).one_or_none()
    if user is not None:
        return user
    if message.channel != CHANNEL_MP:
        return None  # staff must be bound first (WeCom)
    user = User(name="", role=Role.RESIDENT)
    session.add(user)
    session.flush()
    session.add(Identity(user_id=user.id, channel=message.channel, external_id=message.sender))
    return user


def _conversation_for_update(session: Session, message: Inbound) -> Conversation:
    who = {"channel": message.channel, "sender": message.sender}
    conversation = session.scalars(CONVERSATION_FOR_UPDATE, who).one_or_none()
    if conversation is None:  # the first message; another one of this user's may be creating it too
        dialect = session.get_bind().dialect.name
        create = insert_unless_present(Conversation.__table__, ("channel", "external_id"), dialect)
        session.connection().execute(create, {"channel": message.channel, "external_id": message.sender})
        conversation = session.scalars(CONVERSATION_FOR_UPDATE, who).one()
    return conversation


def current_dispatcher() -> Dispatcher:
    dispatcher: Dispatcher = current_app.extensions["chengguan.dispatcher"]
    return dispatcher
