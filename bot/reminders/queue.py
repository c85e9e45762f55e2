"""Queue a group's messages exactly once: the SentDigest row (unique per group, what, period) and the
outbox jobs that carry the parts are written in one transaction, so of several workers one wins and
the others roll back on the unique key."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.reminders.send import KIND
from models.groups import SentDigest
from models.outbox import enqueue


log = logging.getLogger(__name__)


def already_queued(session: Session, group_id: int, what: str, period: str) -> bool:
    return session.scalar(select(SentDigest.id).where(
        SentDigest.group_id == group_id, SentDigest.what == what, SentDigest.period == period)) is not None


def queue_messages(session: Session, group_id: int, what: str, period: str, messages: list[dict[str, Any]]) -> SentDigest:
    """Add the record and one group.send job per message to the caller's transaction. A concurrent
    winner makes the flush (or the commit) raise IntegrityError: the caller rolls back and moves on."""
    sent = SentDigest(group_id=group_id, what=what, period=period, parts=len(messages))
    session.add(sent)
    session.flush()
    for part, message in enumerate(messages, start=1):
        enqueue(session, KIND, {"group_id": group_id, "sent_id": sent.id, "part": part, "message": message},
                key=f"group:{what}:{group_id}:{period}:{part}")
    return sent


def queue_to_groups(sessions: sessionmaker[Session], group_ids: Iterable[int], what: str, period: str,
                    messages: list[dict[str, Any]]) -> int:
    """The same messages to each group that has not had them for `period`, one transaction per group;
    returns how many groups were queued (a concurrent worker's win is not counted)."""
    queued = 0
    for group_id in group_ids:
        try:
            with transaction(sessions) as session:
                if not already_queued(session, group_id, what, period):
                    queue_messages(session, group_id, what, period, messages)
                    queued += 1
        except IntegrityError:
            log.info("%s %s for group %s was queued by another worker", what, period, group_id)
    return queued
