"""WeCom's per-member limits for app messages: 30 a minute and 1,000 an hour per recipient; WeCom drops
the excess without an error. So every app message to a member is counted before it is sent, in the
database (all workers share the count), and a job that would go over waits: RetryLater, not a failure.

The counts are kept in slots of a sixth of the window, and a message goes out only when the last seven
slots (more than a whole window, however the window falls on the slots) hold fewer than the limit:
never more than 30 in any 60 seconds, not merely in each clock minute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.db import transaction
from bot.worker import JobContext, RetryLater
from models.base import utcnow
from models.ratecounters import count_event, events_in


@dataclass(frozen=True)
class MemberLimit:
    name: str
    limit: int
    window_seconds: int

    @property
    def slot_seconds(self) -> int:
        return self.window_seconds // 6

    def slots(self, now: datetime) -> list[tuple[str, datetime]]:
        """The current slot first, then the six before it: (bucket suffix, end of the slot)."""
        index = int(now.timestamp() // self.slot_seconds)
        return [(f"{self.name}@{i}", datetime.fromtimestamp((i + 1) * self.slot_seconds, UTC))
                for i in range(index, index - 7, -1)]


LIMITS = (MemberLimit("wecom-minute", 30, 60), MemberLimit("wecom-hour", 1000, 3600))


class _Over(Exception):
    def __init__(self, wait: timedelta) -> None:
        self.wait = wait


def pace(ctx: JobContext, recipients: Iterable[str], messages: int = 1) -> None:
    """Count `messages` app messages to each recipient now, committed at once; or raise RetryLater
    (counting nothing) when that would take any of them over a limit."""
    try:
        with transaction(ctx.service.sessions) as session:
            now = utcnow()
            for recipient in sorted(set(recipients)):  # one order for all workers: no lock cycles on PostgreSQL
                for limit in LIMITS:
                    _count(session, limit, recipient, messages, now)
    except _Over as over:
        raise RetryLater("企业微信每人每分钟 30 条、每小时 1000 条的上限: 稍后发送", over.wait) from None


def _count(session: Session, limit: MemberLimit, recipient: str, messages: int, now: datetime) -> None:
    (current, ends), *earlier = limit.slots(now)
    if messages > limit.limit:
        raise ValueError(f"{messages} messages at once exceed {limit.name}")
    keep_until = ends + timedelta(seconds=limit.window_seconds * 2)
    for _ in range(messages):  # the first write locks the slot's row: the recipient's senders queue here
        used = count_event(session, f"{recipient}:{current}", keep_until)
    used += sum(events_in(session, f"{recipient}:{bucket}") for bucket, _ in earlier)
    if used > limit.limit:
        raise _Over(ends - now + timedelta(seconds=1))
