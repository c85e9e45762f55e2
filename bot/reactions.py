"""What happens next when a case changes, queued in the same transaction as the change.

A before_flush listener on the service's session factory sees every new audit event, whoever wrote
it (a reviewer in the chat, the platform poller, a command), so no caller can forget to notify.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.feedback import question
from models import AuditEvent, Case, Identity, Role, User, utcnow
from models.outbox import enqueue
from models.users import CHANNEL_MP


def install(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _react)


def _react(session: Session, _flush_context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        if isinstance(obj, AuditEvent) and obj.action == "close":
            case = session.get(Case, obj.case_id)
            if case is not None:
                _ask_for_rating(session, case)


def _ask_for_rating(session: Session, case: Case) -> None:
    """满意度回访: a resident who reported the case is asked to rate it once it is closed."""
    if case.reporter_id is None or case.feedback_asked_at is not None:
        return
    reporter = session.get(User, case.reporter_id)
    openid = session.scalar(
        select(Identity.external_id).where(Identity.user_id == case.reporter_id, Identity.channel == CHANNEL_MP)
    )
    if reporter is None or reporter.role != Role.RESIDENT or openid is None:
        return
    case.feedback_asked_at = utcnow()
    enqueue(session, "notify.text", {"channel": CHANNEL_MP, "to": openid, "text": question(case)}, key=f"feedback:{case.id}")
