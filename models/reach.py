"""How the service may reach a resident on the Official Account, by WeChat's rules.

Customer-service messages (客服消息) are allowed only within 48 hours of the resident's last message,
at most 5 per message, and within 1 minute of a menu click, a follow or a scan, at most 3; after that only a subscription notification (订阅通知, one
message per one-time consent) or a template message reaches them. The dispatcher records every inbound
message here; the notice worker reads and spends it at send time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Connection, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.prepared import Prepared
from models.base import Base, insert_or_update, insert_unless_present, intpk

WINDOW = timedelta(hours=48)
MESSAGES_PER_INBOUND = 5
EVENT_WINDOW = timedelta(minutes=1)
MESSAGES_PER_EVENT = 3
# Events by which the user acts (menu click, follow, scan); others (location reports, a template's
# delivery report, unsubscribe, VIEW) open no window.
WINDOW_EVENTS = frozenset({"click", "subscribe", "subscribe_scan", "scan", "scancode_push", "scancode_waitmsg"})


class ResidentReach(Base):
    __tablename__ = "resident_reach"

    id: Mapped[intpk]
    openid: Mapped[str] = mapped_column(String(128), unique=True)
    last_inbound_at: Mapped[datetime | None]
    sent_since_inbound: Mapped[int] = mapped_column(default=0)  # customer-service messages since then
    last_event_at: Mapped[datetime | None]  # a menu click, follow or scan
    sent_since_event: Mapped[int] = mapped_column(default=0)
    consents: Mapped[int] = mapped_column(default=0)  # one-time subscription consents not yet used
    consent_at: Mapped[datetime | None]

    def window_left(self, now: datetime, messages: int = 1) -> bool:
        """May `messages` customer-service messages go out now?"""
        return self.event_window_left(now, messages) or (
            self.last_inbound_at is not None and now - self.last_inbound_at < WINDOW
            and self.sent_since_inbound + messages <= MESSAGES_PER_INBOUND)

    def event_window_left(self, now: datetime, messages: int = 1) -> bool:
        return (self.last_event_at is not None and now - self.last_event_at < EVENT_WINDOW
                and self.sent_since_event + messages <= MESSAGES_PER_EVENT)

    def __repr__(self) -> str:
        return f"<ResidentReach {self.openid} last={self.last_inbound_at} sent={self.sent_since_inbound}>"


def record_inbound(connection: Connection, openid: str, now: datetime, event: str = "") -> None:
    """The resident wrote (48 hours, 5 messages) or acted (`event`: 1 minute, 3 messages)."""
    if event and event not in WINDOW_EVENTS:
        return
    opened, spent = ("last_event_at", "sent_since_event") if event else ("last_inbound_at", "sent_since_inbound")
    _record(connection.dialect.name, opened, spent).run(connection, {**_EMPTY, "openid": openid, opened: now, spent: 0})


_EMPTY = {"sent_since_inbound": 0, "sent_since_event": 0, "consents": 0}


@cache
def _record(dialect: str, opened: str, spent: str) -> Prepared:
    """The upsert of one window, on the driver's cursor (bot.prepared): the dispatcher runs it in a webhook."""
    record = insert_or_update(ResidentReach.__table__, ("openid",), dialect, (opened, spent))
    return Prepared(record, (*_EMPTY, "openid", opened))

# A message within this long of the recorded one, with nothing sent since, leaves the record as it is: most
# messages of a conversation then write nothing here, and the window closes at most this much before WeChat's.
RECORD_EVERY = timedelta(minutes=1)


def window_recorded(opened: datetime | None, spent: int | None, now: datetime) -> bool:
    """Whether a message now needs no new record, the window being `opened` with `spent` messages sent since."""
    return opened is not None and spent == 0 and timedelta(0) <= now - opened < RECORD_EVERY


def reach_of(session: Session, openid: str) -> ResidentReach:
    """The row for `openid`, created (empty: never wrote, no consent) when missing."""
    row = session.query(ResidentReach).filter_by(openid=openid).one_or_none()
    if row is None:
        create = insert_unless_present(ResidentReach.__table__, ("openid",), session.get_bind().dialect.name)
        session.connection().execute(create, {"openid": openid, **_EMPTY})
        row = session.query(ResidentReach).filter_by(openid=openid).one()
    return row


def count_sent(session: Session, reach: ResidentReach, now: datetime, messages: int = 1) -> None:
    """Customer-service messages went out, counted against the event's short window while it is open
    (it runs out first), else the message's: in the database, so workers sending at once add up."""
    column = "sent_since_event" if reach.event_window_left(now, messages) else "sent_since_inbound"
    session.execute(update(ResidentReach).where(ResidentReach.id == reach.id)
                    .values({column: getattr(ResidentReach, column) + messages})
                    .execution_options(synchronize_session=False))


def take_consent(session: Session, openid: str) -> bool:
    """Use one subscription consent; False when none is left (another worker may have taken the last)."""
    taken = session.execute(update(ResidentReach).where(ResidentReach.openid == openid, ResidentReach.consents > 0)
                            .values(consents=ResidentReach.consents - 1).execution_options(synchronize_session=False))
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def give_back_consent(session: Session, openid: str) -> None:
    session.execute(update(ResidentReach).where(ResidentReach.openid == openid)
                    .values(consents=ResidentReach.consents + 1).execution_options(synchronize_session=False))
