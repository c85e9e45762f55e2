"""How the service may reach a resident on the Official Account, by WeChat's rules.

Customer-service messages (客服消息) are allowed only within 48 hours of the resident's last message
or event, at most 5 per inbound message; after that only a subscription notification (订阅通知, one
message per one-time consent) or a template message reaches them. The dispatcher records every inbound
message here; the notice worker reads and spends it at send time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, bindparam, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, insert_unless_present, intpk

WINDOW = timedelta(hours=48)
MESSAGES_PER_INBOUND = 5


class ResidentReach(Base):
    __tablename__ = "resident_reach"

    id: Mapped[intpk]
    openid: Mapped[str] = mapped_column(String(128), unique=True)
    last_inbound_at: Mapped[datetime | None]
    sent_since_inbound: Mapped[int] = mapped_column(default=0)  # customer-service messages since then
    consents: Mapped[int] = mapped_column(default=0)  # one-time subscription consents not yet used
    consent_at: Mapped[datetime | None]

    def window_left(self, now: datetime, messages: int = 1) -> bool:
        """May `messages` customer-service messages go out now?"""
        return (self.last_inbound_at is not None and now - self.last_inbound_at < WINDOW
                and self.sent_since_inbound + messages <= MESSAGES_PER_INBOUND)

    def __repr__(self) -> str:
        return f"<ResidentReach {self.openid} last={self.last_inbound_at} sent={self.sent_since_inbound}>"


_RECORD_INBOUND = update(ResidentReach).where(ResidentReach.openid == bindparam("who")).values(
    last_inbound_at=bindparam("now"), sent_since_inbound=0)


def record_inbound(session: Session, openid: str, now: datetime) -> None:
    """The resident wrote (a message or an event): a new 48-hour window with a fresh quota."""
    connection = session.connection()
    if connection.execute(_RECORD_INBOUND, {"who": openid, "now": now}).rowcount:  # type: ignore[attr-defined]
        return
    create = insert_unless_present(ResidentReach.__table__, ("openid",), session.get_bind().dialect.name)
    connection.execute(create, {"openid": openid, "sent_since_inbound": 0, "consents": 0})
    connection.execute(_RECORD_INBOUND, {"who": openid, "now": now})


def reach_of(session: Session, openid: str) -> ResidentReach:
    """The row for `openid`, created (empty: never wrote, no consent) when missing."""
    row = session.query(ResidentReach).filter_by(openid=openid).one_or_none()
    if row is None:
        create = insert_unless_present(ResidentReach.__table__, ("openid",), session.get_bind().dialect.name)
        session.connection().execute(create, {"openid": openid, "sent_since_inbound": 0, "consents": 0})
        row = session.query(ResidentReach).filter_by(openid=openid).one()
    return row


def count_sent(session: Session, openid: str, messages: int = 1) -> None:
    """Customer-service messages went out: counted in the database, so workers sending at once add up."""
    session.execute(update(ResidentReach).where(ResidentReach.openid == openid)
                    .values(sent_since_inbound=ResidentReach.sent_since_inbound + messages)
                    .execution_options(synchronize_session=False))


def take_consent(session: Session, openid: str) -> bool:
    """Use one subscription consent; False when none is left (another worker may have taken the last)."""
    taken = session.execute(update(ResidentReach).where(ResidentReach.openid == openid, ResidentReach.consents > 0)
                            .values(consents=ResidentReach.consents - 1).execution_options(synchronize_session=False))
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def give_back_consent(session: Session, openid: str) -> None:
    session.execute(update(ResidentReach).where(ResidentReach.openid == openid)
                    .values(consents=ResidentReach.consents + 1).execution_options(synchronize_session=False))
