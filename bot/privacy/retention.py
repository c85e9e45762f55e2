"""What the retention limits let us keep, and what a run at a given time deletes.

One function, `due`, says which rows a run at `at` removes; `chengguan privacy report` shows its
answer and the daily job acts on it, so the report is exactly what the job will do (for the same `at`,
unless people report or ask for deletion in between).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from bot.privacy.settings import RetentionDays
from models import (Case, Conversation, Identity, InboxMessage, JobStatus, OutboxJob, Photo, PhotoStatus, ResidentReach,
                    Role, User)
from models.lifecycle import FINAL

RUN_LIMIT = 100_000  # rows of one kind a run deletes at most; the rest go the next day


@dataclass(frozen=True)
class Kind:
    """One kind of held data: the rows held (id, age) and how many days they are kept."""

    name: str
    label: str
    held: Callable[[], Select[tuple[int, datetime]]]
    age: ColumnElement[datetime]
    days: Callable[[RetentionDays], int]


def _photos_of_final_cases() -> Select[tuple[int, datetime]]:
    return (select(Photo.id, Case.closed_at).join(Case, Photo.case_id == Case.id)
            .where(Photo.status == PhotoStatus.STORED, Case.status.in_(FINAL)))


_FORGOTTEN_RESIDENT = exists().where(User.id == Photo.uploaded_by, User.role == Role.RESIDENT, User.forgotten_at.is_not(None))

# A resident's last message (the reach record has it), or when they were registered.
_LAST_SEEN = func.coalesce(ResidentReach.last_inbound_at, User.created_at)


def _residents_without_open_cases() -> Select[tuple[int, datetime]]:
    open_case = exists().where(Case.reporter_id == User.id, Case.status.not_in(FINAL))
    return (select(User.id, _LAST_SEEN).join(Identity, Identity.user_id == User.id)
            .join(ResidentReach, ResidentReach.openid == Identity.external_id, isouter=True)
            .where(User.role == Role.RESIDENT, User.forgotten_at.is_(None), ~open_case))


KINDS: tuple[Kind, ...] = (
    Kind("inbox", "收到的原始消息", lambda: select(InboxMessage.id, InboxMessage.received_at),
         InboxMessage.received_at, lambda r: r.inbox),
    Kind("conversation", "会话状态", lambda: select(Conversation.id, Conversation.updated_at),
         Conversation.updated_at, lambda r: r.conversation),
    Kind("photos_closed", "已结案案件的照片", lambda: _photos_of_final_cases().where(~_FORGOTTEN_RESIDENT),
         Case.closed_at, lambda r: r.photos_closed),
    # The reporter asked for deletion while the case was open: its photos were kept for the rectification
    # check, and go at the first run after it closed.
    Kind("photos_forgotten", "已申请删除的市民的照片 (案件结案后删除)",
         lambda: _photos_of_final_cases().where(_FORGOTTEN_RESIDENT), Case.closed_at, lambda r: 0),
    Kind("photos_unused", "未用于案件的照片", lambda: select(Photo.id, Photo.created_at)
         .where(Photo.case_id.is_(None), Photo.status.in_([PhotoStatus.STORED, PhotoStatus.PENDING])),
         Photo.created_at, lambda r: r.photos_unused),
    Kind("jobs", "已完成的后台任务", lambda: select(OutboxJob.id, OutboxJob.done_at)
         .where(OutboxJob.status == JobStatus.DONE), OutboxJob.done_at, lambda r: r.jobs),
    # Last: forgetting a resident queues jobs and erases photos, which the kinds above must not see this run.
    Kind("residents", "无未结案件的市民身份 (按最后一次消息)", _residents_without_open_cases, _LAST_SEEN,
         lambda r: r.residents),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}


def cutoff(kind: Kind, retention: RetentionDays, at: datetime) -> datetime:
    return at - timedelta(days=kind.days(retention))


def due(kind: Kind, retention: RetentionDays, at: datetime, limit: int = RUN_LIMIT) -> Select[tuple[int]]:
    """The ids a run at `at` deletes, oldest id first (the job takes them in batches in this order)."""
    held = kind.held().where(kind.age < cutoff(kind, retention, at)).subquery()
    return select(held.c[0]).order_by(held.c[0]).limit(limit)


@dataclass(frozen=True)
class Holding:
    kind: Kind
    count: int
    oldest: datetime | None
    due_ids: list[int]


def holdings(session: Session, retention: RetentionDays, at: datetime) -> list[Holding]:
    """Per kind: what is held now (count, oldest) and the ids a run at `at` deletes."""
    found = []
    for kind in KINDS:
        held = kind.held().subquery()
        count, oldest = session.execute(select(func.count(), func.min(held.c[1]))).one()
        found.append(Holding(kind, int(count), oldest, list(session.scalars(due(kind, retention, at)))))
    return found
