"""The daily retention run: an outbox job queued once a day by the scheduler, deleting in small
transactions what `retention.due` names for the run's time.

The run's time (`at`) is in the job, not read from the clock: a run that starts late, or is retried,
deletes what the report predicted for that time, no more.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.photostore import store_for
from bot.privacy.erase import erase_photos, remove_unreferenced
from bot.privacy.forget import SILENT, forget_resident
from bot.privacy.retention import KINDS, RUN_LIMIT, Kind, due
from bot.service import Service
from models import Conversation, InboxMessage, OutboxJob, User, utcnow
from models.calendar import TZ
from models.outbox import JobStatus, enqueue

if TYPE_CHECKING:
    from bot.worker import JobContext

log = logging.getLogger(__name__)

KIND = "privacy.retention"
RUN_AT = time(3, 30)  # Asia/Shanghai: a quiet hour
BATCH = 500  # rows per transaction: on SQLite the write lock is held this long, never for the whole run
_TABLES = {"inbox": InboxMessage, "conversation": Conversation, "jobs": OutboxJob}


def todays_run(now: datetime) -> datetime:
    """Today's run time (Asia/Shanghai), in UTC."""
    return datetime.combine(now.astimezone(TZ).date(), RUN_AT, tzinfo=TZ).astimezone(now.tzinfo)


def queue_daily_run(service: Service, now: datetime | None = None) -> None:
    """Scheduled every few minutes: queue today's run once its time has come (a worker started late
    catches up; the key makes it once a day across processes)."""
    now = now or utcnow()
    at = todays_run(now)
    if now < at:
        return
    try:
        with transaction(service.sessions) as session:
            enqueue(session, KIND, {"at": at.isoformat()}, key=f"{KIND}:{at.astimezone(TZ).date().isoformat()}")
    except IntegrityError:  # another host's scheduler queued it at the same moment: the key keeps it once
        log.info("today's retention run was queued by another worker")


def next_run(session: Session, now: datetime) -> datetime:
    """When the next run deletes: a queued one's time, else today's or tomorrow's."""
    queued = session.scalars(select(OutboxJob.payload).where(OutboxJob.kind == KIND, OutboxJob.status == JobStatus.PENDING)
                             .order_by(OutboxJob.id).limit(1)).first()
    if queued:
        return datetime.fromisoformat(queued["at"])
    at = todays_run(now)
    return at if now < at else todays_run(now + timedelta(days=1))


def run_retention(ctx: JobContext, payload: dict[str, Any]) -> None:
    at = datetime.fromisoformat(payload["at"])
    for kind in KINDS:
        deleted = apply_kind(ctx.service, kind, at)
        if deleted:
            log.info("retention: %s: %d deleted (kept %d days)", kind.name, deleted, kind.days(ctx.service.config.retention))


def apply_kind(service: Service, kind: Kind, at: datetime) -> int:
    """Delete what is due of one kind, a batch per transaction; returns how many rows."""
    retention, done = service.config.retention, 0
    while done < RUN_LIMIT:
        files: list[str] = []
        with transaction(service.sessions) as session:
            ids = list(session.scalars(due(kind, retention, at, limit=min(BATCH, RUN_LIMIT - done))))
            if kind.name in _TABLES:
                table = _TABLES[kind.name]
                session.execute(delete(table).where(table.id.in_(ids)).execution_options(synchronize_session=False))
            elif kind.name == "residents":
                for user in session.scalars(select(User).where(User.id.in_(ids))):
                    forget_resident(session, user, utcnow(), reason=SILENT)
            else:
                files = erase_photos(session, ids)
        if files:
            with service.sessions() as session:
                remove_unreferenced(session, store_for(service.config), files)
        done += len(ids)
        if len(ids) < BATCH:
            break
    return done
