"""Template cards sent to staff in the WeCom app: one row per copy (a card's task and a recipient).

A copy keeps the latest unused ResponseCode WeCom gave for it (the send's answer, or that recipient's
click), because update_template_card takes one code per call, each usable once within 72 hours: after
a decision every copy is changed with its own code, so everyone sees who handled the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, created_at, intpk, str_enum
from models.enums import CaseStatus

if TYPE_CHECKING:
    from models.cases import Case

CODE_LIFETIME = timedelta(hours=72)


class CardStep(StrEnum):
    REPORT = "report"      # a new 随手拍 report: 受理 / 退回
    DISPATCH = "dispatch"  # a dispatched case: 我来处理
    REVIEW = "review"      # a submitted rectification: 通过 / 返工


def card_is_open(step: CardStep, case: Case) -> bool:
    """Whether the card's buttons still have something to decide. A dispatch card (我来处理) stays open
    while nobody of the unit has taken the case, also after 改派 of a case that was being rectified."""
    if step == CardStep.DISPATCH:
        return case.assignee_id is None and case.status in (CaseStatus.DISPATCHED, CaseStatus.RECTIFYING)
    return case.status == (CaseStatus.REPORTED if step == CardStep.REPORT else CaseStatus.SUBMITTED)


class SentCard(Base):
    __tablename__ = "sent_cards"
    __table_args__ = (UniqueConstraint("task_id", "recipient"),)

    id: Mapped[intpk]
    task_id: Mapped[str] = mapped_column(String(128), index=True)  # stable per case and step (and review round)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[CardStep] = mapped_column(str_enum(CardStep))
    recipient: Mapped[str] = mapped_column(String(128))  # WeCom UserId
    response_code: Mapped[str | None] = mapped_column(String(255))  # unused yet; None once spent
    code_at: Mapped[datetime | None]  # when WeCom issued it
    outcome: Mapped[str] = mapped_column(String(200), default="")  # what the card shows once handled
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    def code_is_fresh(self, now: datetime) -> bool:
        return self.response_code is not None and self.code_at is not None and now - self.code_at < CODE_LIFETIME


def task_id(step: CardStep, case_id: int, round_: int = 0) -> str:
    """WeCom task ids: letters, digits and _-@, at most 128 bytes, never reused within the app."""
    return f"{step.value}-{case_id}-{round_}"


def copies(session: Session, task: str) -> list[SentCard]:
    return list(session.scalars(select(SentCard).where(SentCard.task_id == task).order_by(SentCard.id)))
