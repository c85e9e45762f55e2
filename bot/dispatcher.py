"""(user, conversation state, message) -> handler, inside one transaction that also stores the message.

The inbox row goes first: a WeChat retry of a message we already have hits the unique dedupe key and
gets the reply we gave the first time, so it never acts twice, even when the copies arrive at once on
different processes (the second insert waits for the first transaction, then fails).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Connection, and_, bindparam, insert, select, update
from sqlalchemy.orm import class_mapper

from bot.messages import Inbound
from bot.prepared import Prepared
from bot.service import Service
from handlers.context import Context
from handlers.expiry import expired_notice
from models import Conversation, Identity, InboxMessage, Role, User, utcnow
from models.base import insert_unless_present
from models.inbox import store_once
from models.nonces import Delivery, claim
from models.reach import ResidentReach, record_inbound, window_recorded
from models.users import CHANNEL_MP

log = logging.getLogger(__name__)

Router = Callable[[Context], str | None]
Window = tuple[datetime | None, int | None]  # the 48-hour window as recorded: opened at, messages sent since

SORRY = "系统暂时无法处理这条消息, 已记录, 请稍后再试。"

# Built once, run with parameters: every webhook runs them, and building a query costs more than running it.
# The sender's conversation (locked: one message of theirs at a time) and their bound user's id, in one Core
# query: loading ORM objects cost a webhook more than the statement; the user is loaded only when a step needs it.
# With it, the 48-hour window as recorded (models.reach), so a message that need not record it again writes nothing.
_conversations, _identities, _reach = Conversation.__table__, Identity.__table__, ResidentReach.__table__
CONVERSATION_AND_USER = Prepared(
    select(*_conversations.c, _identities.c.user_id, _reach.c.last_inbound_at.label("window_opened"),
           _reach.c.sent_since_inbound.label("window_spent"))
    .select_from(_conversations
                 .outerjoin(_identities, and_(_identities.c.channel == _conversations.c.channel,
                                              _identities.c.external_id == _conversations.c.external_id))
                 .outerjoin(_reach, _reach.c.openid == _conversations.c.external_id))
    .where(_conversations.c.channel == bindparam("channel"), _conversations.c.external_id == bindparam("sender"))
    .with_for_update(of=_conversations)
)
_CONVERSATION_FIELDS = [*_conversations.c.keys(), "user_id", "window_opened", "window_spent"]
_CONVERSATIONS = class_mapper(Conversation).class_manager
NEW_USER = insert(User.__table__).returning(User.__table__.c.id)
NEW_IDENTITY = insert(Identity.__table__)
REPLY_GIVEN = Prepared(select(InboxMessage.reply).where(InboxMessage.dedupe_key == bindparam("dedupe_key")))
SAVE_CONVERSATION = Prepared(update(Conversation).where(Conversation.id == bindparam("conversation_id")).values(
    flow=bindparam("flow"), state=bindparam("state"), data=bindparam("data"), updated_at=bindparam("updated_at")
))
RECORD_REPLY = Prepared(update(InboxMessage).where(InboxMessage.id == bindparam("inbox_id")).values(
    reply=bindparam("reply"), handled_at=bindparam("handled_at")
))


class Dispatcher:
    def __init__(self, service: Service, routers: dict[str, Router]) -> None:
        self.service, self.routers = service, routers

    def handle(self, message: Inbound, delivery: Delivery | None = None) -> str | None:
        """The reply to `message`. With `delivery` (plain-mode callbacks), a signature already used for
        another body raises ReplayedDelivery and nothing is stored.

        One Core transaction: the hot path's statements need no ORM session (its begin, connection
        lookups and commit cost more than the statements); a step that needs the ORM opens one on the
        same connection (Context.session)."""
        try:
            with self.service.engine.begin() as connection:
                if delivery is not None:
                    claim(connection, delivery)
                inbox_id = _store(connection, message)
                if inbox_id is None:
                    return self._reply_to_retry(connection, message)
                ctx, loaded, window = self._context(connection, message)
                if message.channel == CHANNEL_MP and (message.event or not window_recorded(*window, ctx.now)):
                    record_inbound(connection, message.sender, ctx.now, message.event)  # opens WeChat's 48-hour window
                try:
                    reply = self._route(ctx, loaded)
                finally:
                    ctx.close()
                if ctx.notice:
                    reply = "\n".join(filter(None, [ctx.notice, reply]))
                RECORD_REPLY.run(connection, {"inbox_id": inbox_id, "reply": reply, "handled_at": utcnow()})
            return reply
        except _HandlerFailed:
            # The rollback took the handler's changes; keep the message itself, unhandled, for a person.
            with self.service.engine.begin() as connection:
                if delivery is not None:  # the rollback released the signature too
                    claim(connection, delivery)
                if _store(connection, message) is not None and message.channel == CHANNEL_MP:
                    record_inbound(connection, message.sender, utcnow(), message.event)  # WeChat opened the window all the same
            return SORRY

    def _route(self, ctx: Context, loaded: tuple[object, ...]) -> str | None:
        try:
            reply = self.routers[ctx.message.channel](ctx)
            if _saved_fields(ctx.conversation) != loaded:
                _save(ctx.connection, ctx.conversation)
            ctx.flush()  # a write the database refuses is the handler's failure too
            return reply
        except Exception as exc:
            log.exception("handler failed on %s; message kept in the inbox unhandled", ctx.message.dedupe_key)
            raise _HandlerFailed from exc

    def _reply_to_retry(self, connection: Connection, message: Inbound) -> str | None:
        log.info("duplicate delivery of %s ignored", message.dedupe_key)
        reply: str | None = REPLY_GIVEN.scalar(connection, {"dedupe_key": message.dedupe_key})
        return reply

    def _context(self, connection: Connection, message: Inbound) -> tuple[Context, tuple[object, ...], Window]:
        """The handler's context, the conversation's fields as loaded (to see whether it changed) and the
        sender's 48-hour window as recorded."""
        conversation, user_id, window = _conversation_and_user(connection, message)
        loaded = _saved_fields(conversation)
        timeout = timedelta(minutes=self.service.config.conversation_timeout_minutes)
        notice = ""
        if conversation.is_expired(timeout):
            notice = expired_notice(conversation.flow, conversation.state, conversation.data)
            conversation.finish()
        return Context(
            connection=connection, sessions=self.service.sessions, config=self.service.config, user_id=user_id,
            conversation=conversation, message=message, now=utcnow(), notice=notice,
        ), loaded, window


class _HandlerFailed(Exception):
    """A handler raised. A whole-transaction rollback replaces a savepoint around every handler,
    which cost each message two uncacheable statements."""


def _store(connection: Connection, message: Inbound) -> int | None:
    return store_once(
        connection, channel=message.channel, dedupe_key=message.dedupe_key, sender=message.sender,
        msg_type=message.kind, payload=message.to_payload(),
    )


def _conversation_and_user(connection: Connection, message: Inbound) -> tuple[Conversation, int | None, Window]:
    """The sender's conversation, locked (created on their first message), and their user's id: the bound
    user, or on the Official Account a resident registered now (staff must be bound first, in WeCom).

    The conversation is a plain instance outside the session: `_route` writes it back with one UPDATE when
    the handler changed it, instead of the unit of work's flush."""
    who = {"channel": message.channel, "sender": message.sender}
    rows = CONVERSATION_AND_USER.rows(connection, who)
    if not rows:  # the first message; another one of this user's may be creating it too
        create = insert_unless_present(_conversations, ("channel", "external_id"), connection.dialect.name)
        connection.execute(create, {"channel": message.channel, "external_id": message.sender})
        rows = CONVERSATION_AND_USER.rows(connection, who)
    values = dict(zip(_CONVERSATION_FIELDS, rows[0]))
    user_id, window = values.pop("user_id"), (values.pop("window_opened"), values.pop("window_spent"))
    if user_id is None and message.channel == CHANNEL_MP:
        user_id = connection.scalar(NEW_USER, {"name": "", "role": Role.RESIDENT})
        connection.execute(NEW_IDENTITY, {"user_id": user_id, "channel": message.channel, "external_id": message.sender})
    return _as_loaded(values), user_id, window


def _as_loaded(values: dict[str, object]) -> Conversation:
    """The conversation as the ORM itself builds a loaded row: its instance without __init__, the values put in
    its __dict__. Conversation(**values) fired an attribute event per column, about 12 us of every message."""
    conversation: Conversation = _CONVERSATIONS.new_instance()
    conversation.__dict__.update(values)
    return conversation


def _saved_fields(conversation: Conversation) -> tuple[object, ...]:
    return conversation.flow, conversation.state, conversation.data, conversation.updated_at


def _save(connection: Connection, conversation: Conversation) -> None:
    """Write the conversation back (a row deleted meanwhile, by 删除我的信息, stays deleted)."""
    SAVE_CONVERSATION.run(connection, {
        "conversation_id": conversation.id, "flow": conversation.flow, "state": conversation.state,
        "data": conversation.data, "updated_at": conversation.updated_at})


def current_dispatcher() -> Dispatcher:
    dispatcher: Dispatcher = current_app.extensions["chengguan.dispatcher"]
    return dispatcher
