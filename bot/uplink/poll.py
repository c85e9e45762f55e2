"""Polling the platform for what it decided about the cases we filed, and applying it.

- closed on the platform: a verified case is closed (结案) by the system, with the platform's note;
  a case closed there at another stage gets an audit note for a person to look at.
- returned for rework (open again with a note that says so, or reopened after it was closed):
  a submitted or verified case goes back to rework (返工) by the system, and the officer is told;
  a case at another stage gets a "platform_return" audit note for a person to look at.
Steps taken here carry data["origin"] = "platform", so they are not pushed back to the platform.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.open311.formats import parse_w3
from bot.uplink.capabilities import record_success
from bot.uplink.client import Open311Client, PlatformRejected
from bot.uplink.connection import open311_client
from bot.uplink.hooks import ORIGIN_PLATFORM
from bot.uplink.scheduling import schedule_poll
from bot.worker import JobContext, PermanentJobError
from models.audit import AuditEvent
from models.base import utcnow
from models.cases import Case
from models.enums import CaseStatus
from models.lifecycle import FINAL
from models.platform import TARGET_OPEN311, PlatformDelivery

CHUNK = 50
PER_ROUND = 1000
REWORK_WORDS = ("返工", "退回", "驳回", "不合格", "重新整改", "rework", "returned", "rejected")


def open311_poll(ctx: JobContext, _payload: dict[str, Any]) -> None:
    try:
        remaining = poll_once(ctx.session, open311_client(ctx.service), end_read=ctx.session.commit)
    except PlatformRejected as exc:
        raise PermanentJobError(f"查询平台状态被拒绝: {exc}") from exc
    record_success(ctx.service.sessions, None)
    if remaining:
        schedule_poll(ctx.session, ctx.service.config.platform.poll_minutes)


def poll_once(session: Session, client: Open311Client, end_read: Callable[[], None] | None = None) -> int:
    """Query every open delivered case (oldest poll first); returns how many stay open.

    The worker passes `end_read` (commit) so no database lock waits on the network; a case changed
    meanwhile by someone else then fails the write (version check) and the poll is retried."""
    rows = list(session.execute(
        select(PlatformDelivery, Case).join(Case, Case.id == PlatformDelivery.case_id)
        .where(PlatformDelivery.target == TARGET_OPEN311, PlatformDelivery.service_request_id.is_not(None),
               Case.status.not_in(FINAL))
        .order_by(PlatformDelivery.polled_at.is_not(None), PlatformDelivery.polled_at, PlatformDelivery.id)
        .limit(PER_ROUND)
    ).all())
    if end_read is not None:
        end_read()
    answers: list[tuple[PlatformDelivery, Case, dict[str, Any]]] = []
    for start in range(0, len(rows), CHUNK):
        by_id = {d.service_request_id: (d, c) for d, c in rows[start:start + CHUNK]}
        for item in client.requests(ids=list(by_id)):
            pair = by_id.get(str(item.get("service_request_id")))
            if pair:
                answers.append((*pair, item))
    now = utcnow()
    for delivery, case, item in answers:
        apply_status(session, delivery, case, item)
    for delivery, _case in rows:
        delivery.polled_at = now
    return sum(1 for _d, c in rows if not c.is_final)


def apply_status(session: Session, delivery: PlatformDelivery, case: Case, item: dict[str, Any]) -> None:
    status = str(item.get("status") or "").lower()
    notes = str(item.get("status_notes") or "").strip()
    before = delivery.platform_status
    if status == before and notes == delivery.status_notes:
        return
    delivery.platform_status, delivery.status_notes = status or before, notes
    delivery.platform_updated_at = _when(item.get("updated_datetime")) or utcnow()
    data = {"origin": ORIGIN_PLATFORM, "service_request_id": delivery.service_request_id,
            "platform_status": status, "status_notes": notes}
    if status == "closed":
        _closed(session, case, notes, data)
    elif status == "open" and (before == "closed" or _says_rework(notes)):
        _returned(session, case, notes, data)


def _closed(session: Session, case: Case, notes: str, data: dict[str, Any]) -> None:
    if case.status == CaseStatus.VERIFIED:
        case.transition(CaseStatus.CLOSED, None, note=f"平台结案{': ' + notes if notes else ''}", data=data)
    elif not case.is_final:
        _note(session, case, "platform_closed", f"平台已结案, 本系统案件仍为「{case.status.label}」, 请核对: {notes}", data)


def _returned(session: Session, case: Case, notes: str, data: dict[str, Any]) -> None:
    reason = notes or "平台重新打开了案件"
    if case.status in (CaseStatus.SUBMITTED, CaseStatus.VERIFIED):
        case.transition(CaseStatus.RETURNED, None, note=f"平台返工: {reason}", data=data)
    else:
        _note(session, case, "platform_return", f"平台要求返工: {reason}", data)


def _note(session: Session, case: Case, action: str, note: str, data: dict[str, Any]) -> None:
    session.add(AuditEvent(case_id=case.id, action=action, from_status=case.status, to_status=case.status,
                           note=note, data=data))


def _says_rework(notes: str) -> bool:
    lowered = notes.lower()
    return any(word in lowered for word in REWORK_WORDS)


def _when(value: object):  # type: ignore[no-untyped-def]
    try:
        return parse_w3(str(value)) if value else None
    except ValueError:
        return None
