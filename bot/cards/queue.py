"""Which card goes to whom, queued in the transaction of the step that calls for it, and every copy of
a card settled (who decided, when, what) when its step is taken, by a click, a typed command or the
console: a before_flush listener sees every audit event, as bot.reactions does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from models import AuditEvent, Case, CaseStatus, User, utcnow
from models.cards import CardStep, SentCard, task_id
from models.outbox import enqueue

KIND = "notify.card"
UPDATE_KIND = "cards.update"
PHOTOS = {CardStep.REPORT: "problem", CardStep.DISPATCH: "", CardStep.REVIEW: "pair"}  # dispatch: notify.photo sends it
# audit action -> (the step it decides, what its cards show afterwards; {who} is the actor)
SETTLES: dict[str, tuple[CardStep, str]] = {
    "accept": (CardStep.REPORT, "已由{who}受理"),
    "reject": (CardStep.REPORT, "已由{who}退回"),
    "start": (CardStep.DISPATCH, "已由{who}认领"),
    "reassign": (CardStep.DISPATCH, "已由{who}改派"),
    "verify": (CardStep.REVIEW, "已由{who}通过"),
    "return": (CardStep.REVIEW, "已由{who}返工"),
}


def install(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _settle_decided)


def queue_card(session: Session, step: CardStep, case: Case, recipients: list[str]) -> None:
    if not recipients:
        return
    task = task_id(step, case.id, _round(step, case))
    enqueue(session, KIND, {"step": step.value, "case_id": case.id, "task_id": task, "to": sorted(set(recipients)),
                            "photos": PHOTOS[step]}, key=f"card:{task}")


def _round(step: CardStep, case: Case) -> int:
    """Task ids are never reused: a review card per rework round, a dispatch card per 派遣 or 改派 (the
    case's version only grows)."""
    if step == CardStep.REVIEW:
        return case.rework_count
    if step == CardStep.DISPATCH:
        return case.version
    return 0


def _settle_decided(session: Session, _flush_context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        if isinstance(obj, AuditEvent) and obj.action in SETTLES:
            step, outcome = SETTLES[obj.action]
            if obj.action == "return" and obj.from_status != CaseStatus.SUBMITTED:
                continue  # the platform sent a verified case back: no card of ours was open
            actor = session.get(User, obj.actor_id) if obj.actor_id else None
            if actor is None and obj.action == "start":  # taken with a passing photo: the one who sent it
                case = session.get(Case, obj.case_id)
                actor = session.get(User, case.assignee_id) if case and case.assignee_id else None
            settle(session, obj.case_id, step, outcome.format(who=actor.name if actor else "系统"), actor)


def settle(session: Session, case_id: int, step: CardStep, outcome: str, actor: User | None) -> None:
    """Mark every open copy of the case's cards of this step handled, and queue their update."""
    open_copies = session.scalars(select(SentCard).where(
        SentCard.case_id == case_id, SentCard.step == step, SentCard.handled_at.is_(None))).all()
    now = utcnow()
    for copy in open_copies:
        copy.handled_at, copy.handled_by, copy.outcome = now, actor.id if actor else None, outcome[:200]
    for task in sorted({c.task_id for c in open_copies}):
        enqueue(session, UPDATE_KIND, {"task_id": task}, key=f"card-update:{task}")
