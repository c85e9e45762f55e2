"""vendor.poll: what the 数字城管 platform decided about the cases filed with it, asked case by case (its
query takes our case number) and applied like the Open311 poll's answers (bot/uplink/poll.py): its
结案 closes a verified case, its 返工 sends a submitted or verified case back, by the system."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.uplink.capabilities import record_success
from bot.uplink.client import PlatformRejected
from bot.uplink.poll import PER_ROUND, apply_status
from bot.uplink.connection import vendor_client
from bot.uplink.scheduling import schedule_poll
from bot.uplink.vendor.client import VendorClient, dig
from bot.uplink.vendor.mapping import VendorMapping, load_mapping
from bot.uplink.vendor.push import KIND_VENDOR_POLL, TARGET_VENDOR
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.cases import Case
from models.lifecycle import FINAL
from models.platform import PlatformDelivery


def vendor_poll(ctx: JobContext, _payload: dict[str, Any]) -> None:
    mapping = load_mapping(ctx.service.config.platform.vendor_mapping)
    session = ctx.session
    rows = list(session.execute(
        select(PlatformDelivery, Case).join(Case, Case.id == PlatformDelivery.case_id)
        .where(PlatformDelivery.target == TARGET_VENDOR, Case.status.not_in(FINAL))
        .order_by(PlatformDelivery.polled_at.is_not(None), PlatformDelivery.polled_at, PlatformDelivery.id)
        .limit(PER_ROUND)).all())
    session.commit()  # no database lock waits on the network
    client = vendor_client(ctx.service)
    try:
        answers = [(delivery, case, _status(client, mapping, delivery, case.number)) for delivery, case in rows]
    except PlatformRejected as exc:
        raise PermanentJobError(f"查询平台状态被拒绝: {exc}") from exc
    if rows:  # it answered: the push's 5xx rule counts this as the platform being up
        record_success(ctx.service.sessions, None, TARGET_VENDOR)
    now = utcnow()
    for delivery, case, item in answers:
        if item is not None:
            apply_status(session, delivery, case, item)
        delivery.polled_at = now
    if any(not case.is_final for _d, case in rows):
        schedule_poll(session, ctx.service.config.platform.poll_minutes, kind=KIND_VENDOR_POLL)


def _status(client: VendorClient, mapping: VendorMapping, delivery: PlatformDelivery,
            number: str) -> dict[str, Any] | None:
    """The platform's state in the Open311 poll's terms: closed, or open with a note that says 返工."""
    for item in client.find(number):
        if str(dig(item, mapping.answers["item_id_field"])) != delivery.service_request_id:
            continue
        code, note = str(item.get(mapping.answers["status_field"])), str(item.get(mapping.answers["note_field"]) or "")
        if code in mapping.statuses["closed"]:
            return {"status": "closed", "status_notes": note}
        if code in mapping.statuses["rework"]:
            return {"status": "open", "status_notes": f"返工: {note}" if "返工" not in note else note}
        return {"status": "open", "status_notes": note}
    return None
