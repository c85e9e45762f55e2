"""Queueing a notice (from the reactions, in the transaction that changed the case)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Case
from models.outbox import enqueue

KIND = "notice.resident"
UNDELIVERABLE_PREFIX = "无法送达: "


def queue_notice(session: Session, kind: str, case: Case, openid: str, reason: str = "") -> None:
    """Queue one notice; each kind goes once per case and resident (the idempotency key)."""
    payload = {"notice": kind, "case_id": case.id, "to": openid, **({"reason": reason} if reason else {})}
    enqueue(session, KIND, payload, key=f"notice:{kind}:{case.id}:{openid}")
