"""A case (案件) and the one method that moves it through its lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from models.audit import AuditEvent
from models.base import Base, created_at, intpk, str200, str_enum, utcnow
from models.enums import CaseSource, CaseStatus, Satisfaction
from models.lifecycle import FINAL, RoleNotAllowed, Step, find_step
from models.users import User


class Case(Base):
    __tablename__ = "cases"
    # The console's queue: a status tab in deadline order, and the overdue counts, read from the index alone.
    # Its 返工≥2次, category and source filters: the per-tab counts and the page's ids from the index alone too
    # (without them SQLite scanned the table: 156 and 165 ms a page at 100,000 cases).
    __table_args__ = (
        Index("ix_cases_status_deadline", "status", "deadline", "id"),
        Index("ix_cases_status_rework", "status", "rework_count", "deadline", "id"),
        Index("ix_cases_category_status", "category_code", "status", "deadline", "id"),
        Index("ix_cases_source_status", "source", "status", "deadline", "id"),
    )

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. 2026112200017
    source: Mapped[CaseSource] = mapped_column(str_enum(CaseSource))
    category_code: Mapped[str] = mapped_column(String(8))  # indexed first in ix_cases_category_status
    description: Mapped[str] = mapped_column(Text, default="")
    # Location: WGS-84 for GIS and Open311, and the GCJ-02 the phone sent, kept as received.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    gcj_lat: Mapped[float | None] = mapped_column(Float)
    gcj_lon: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str200] = mapped_column(default="")
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"), index=True)
    # 单元网格 and 社区 the point lies in (GB/T 30428), kept as codes: a platform wants them as sent.
    grid_code: Mapped[str] = mapped_column(String(15), default="")
    community_code: Mapped[str] = mapped_column(String(12), default="")
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # dispatched to
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)  # 重复: the original
    deadline: Mapped[datetime | None]
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus),
        default=CaseStatus.REPORTED,
        index=True,
    )
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    # 满意度回访: asked after closure, answered by the resident who reported it.
    feedback_asked_at: Mapped[datetime | None]
    satisfaction: Mapped[Satisfaction | None] = mapped_column(str_enum(Satisfaction))
    rated_at: Mapped[datetime | None]
    # Optimistic lock: a write based on a stale read fails instead of overwriting a newer one.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    events: Mapped[list[AuditEvent]] = relationship(order_by=AuditEvent.id, viewonly=True)

    def transition(
        self,
        target: CaseStatus,
        actor: User | None,
        *,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Move to `target` if the lifecycle and the actor's role allow it, and record who did it.

        `actor=None` is the service itself. Raises TransitionError and changes nothing otherwise.
        """
        session = object_session(self)
        if session is None or self.id is None:
            raise RuntimeError("transition() needs a case that is saved in a session (flush first)")
        step = find_step(self.number, self.status, target)
        _check_actor(step, actor)
        event = AuditEvent(
            case_id=self.id,
            actor_id=actor.id if actor else None,
            action=step.action,
            from_status=self.status,
            to_status=target,
            note=note,
            data=data or {},
        )
        self.status = target
        if step.action == "return":
            self.rework_count += 1
        if target in FINAL:
            self.closed_at = utcnow()
        session.add(event)
        return event

    def record(self, action: str, actor: User | None, *, note: str = "", data: dict[str, Any] | None = None) -> AuditEvent:
        """An audited change that is not a status step (改派, 改类, 改位置, 挂起…): who, when, what, old and new."""
        session = object_session(self)
        if session is None or self.id is None:
            raise RuntimeError("record() needs a case that is saved in a session (flush first)")
        event = AuditEvent(case_id=self.id, actor_id=actor.id if actor else None, action=action,
                           from_status=self.status, to_status=self.status, note=note, data=data or {})
        session.add(event)
        return event

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def __repr__(self) -> str:
        return f"<Case {self.number} {self.status}>"


def _check_actor(step: Step, actor: User | None) -> None:
    if actor is None:
        if not step.system:
            raise RoleNotAllowed(step, None)
    elif not actor.has_role(*step.roles):
        raise RoleNotAllowed(step, actor.role)


def case_for_update(session: Session, number: str) -> Case | None:
    """Load a case and lock its row for the rest of the transaction, so concurrent steps queue up
    and the second one sees the first one's result (SQLite's write transaction is exclusive anyway)."""
    return session.scalars(select(Case).where(Case.number == number).with_for_update()).one_or_none()
