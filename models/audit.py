"""Append-only record of every change to a case: who, when, from, to, why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, intpk, str_enum
from models.enums import CaseStatus

_status = str_enum(CaseStatus)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[CaseStatus | None] = mapped_column(_status)
    to_status: Mapped[CaseStatus | None] = mapped_column(_status)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[created_at]

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.from_status}->{self.to_status}>"


class AuditIsAppendOnly(Exception):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args: Any) -> None:
    raise AuditIsAppendOnly("audit events are never changed; append a new one instead")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args: Any) -> None:
    raise AuditIsAppendOnly("audit events are never deleted")

