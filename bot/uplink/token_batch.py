"""Token answers resolved through the request list, for platforms without tokens/: a walk through the list
for one case resolves every pending token whose case it passes on the way, so the token jobs of cases
filed together take a few walks between them instead of one each (10,000 queued cases: see bench.uplink)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from bot.uplink.content import MARKER
from bot.uplink.lookup import MAX_PAGES
from models.base import utcnow
from models.cases import Case
from models.platform import TARGET_OPEN311, PlatformDelivery

PENDING_LIMIT = 20_000  # bounds the read (numbers and ids only); the oldest pending ones, whose jobs come first
PENDING_PER_PAGE = 25  # a walk may read one more page per this many pending cases: a backlog is walked once, deep


class Collector:
    """Called with every request item the walk reads; keeps the ids of the pending cases among them."""

    def __init__(self, pending: dict[str, int]) -> None:
        self.pending, self.found = pending, {}  # case number -> delivery id; delivery id -> request id

    @property
    def pages(self) -> int:
        """How far the walk may go: the usual bound, and further with many pending (the oldest case's own walk
        passes all the newer ones on its way down, so one walk resolves a whole backlog)."""
        return MAX_PAGES + len(self.pending) // PENDING_PER_PAGE

    def __call__(self, item: dict[str, Any]) -> None:
        description, request_id = str(item.get("description") or ""), item.get("service_request_id")
        words = description.rsplit(MARKER, 1)[-1].split() if MARKER in description else []
        delivery_id = self.pending.get(words[0]) if words and request_id else None
        if delivery_id is not None:
            self.found[delivery_id] = str(request_id)


def pending_tokens(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Case.number, PlatformDelivery.id).join(Case, Case.id == PlatformDelivery.case_id)
        .where(PlatformDelivery.target == TARGET_OPEN311, PlatformDelivery.token.is_not(None),
               PlatformDelivery.service_request_id.is_(None))
        .order_by(PlatformDelivery.id).limit(PENDING_LIMIT)).all()
    return {number: delivery_id for number, delivery_id in rows}


def record_found(session: Session, found: dict[int, str]) -> None:
    """One UPDATE statement for all (executemany): a backlog's thousands of rows hold the write lock briefly."""
    if not found:
        return
    table = PlatformDelivery.__table__
    now_param = bindparam("now", type_=table.c.delivered_at.type)  # stored as the model stores times
    statement = (update(table).where(table.c.id == bindparam("delivery"), table.c.service_request_id.is_(None))
                 .values(service_request_id=bindparam("request"),
                         delivered_at=func.coalesce(table.c.delivered_at, now_param),
                         platform_status=func.coalesce(table.c.platform_status, "open")))
    now = utcnow()
    session.connection().execute(statement, [{"delivery": delivery_id, "request": request_id, "now": now}
                                             for delivery_id, request_id in found.items()])
