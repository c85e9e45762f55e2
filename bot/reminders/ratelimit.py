"""The group robot's limit, 20 messages a minute, as a sliding window kept on the group's row.

The caller holds the group row locked (SELECT … FOR UPDATE; SQLite's write lock), so two workers
never both take the 20th place. A place is taken before the send: a failed send still used it, which
errs on the safe side.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from models.groups import GroupChat

LIMIT = 20
WINDOW = timedelta(seconds=61)  # a minute, and a second for clocks that disagree


def _recent(group: GroupChat, now: datetime, window: timedelta) -> list[datetime]:
    return sorted(t for t in (datetime.fromisoformat(s) for s in group.recent_sends or []) if t > now - window)


def full_until(group: GroupChat, now: datetime, limit: int = LIMIT, window: timedelta = WINDOW) -> datetime | None:
    """None when a send at `now` fits the window; else the moment a place frees up."""
    recent = _recent(group, now, window)
    return recent[len(recent) - limit] + window if len(recent) >= limit else None


def reserve(group: GroupChat, now: datetime, window: timedelta = WINDOW) -> None:
    """Take a place for a send at `now` (after full_until said there is one)."""
    group.recent_sends = [t.isoformat() for t in [*_recent(group, now, window), now]]
