"""Outbox jobs that deliver case steps to the platform over GeoReport v2.

open311.push {case_id, action}: "accept" files the case (POST requests); "verify" and "close" post
an update (servicerequestupdates) to the request filed before, filing it first if the uplink was
switched on after the case was accepted. open311.token resolves a token into its request id.

Never twice: the platform's service_request_id (or token) is stored with the case. When a step may
have reached the platform already (this job ran before, or another job for the case did), the
platform's own list is searched for the case number first, and the POST only happens if the case
is not there. Steps of one case go out in the order they happened.

Each job reads what it needs, ends that read (so no database lock is held while the platform is
slow or down), talks to the platform, then writes the outcome; the worker commits that together
with the job's completion, so an interrupted job leaves nothing half-recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.open311.formats import w3
from bot.uplink import content
from bot.uplink.capabilities import NO, UNKNOWN, YES, current, learn, record_success
from bot.uplink.client import Created, Open311Client, PlatformRejected, PlatformUnavailable
from bot.uplink.connection import open311_client
from bot.uplink.hooks import KIND_OPEN311, case_step_keys
from bot.uplink.lookup import find_request
from bot.uplink.media import upload_file
from bot.uplink.scheduling import schedule_poll, wait_for_earlier_steps
from bot.uplink.server_errors import after_unavailable
from bot.uplink.services import service_code_for
from bot.uplink.token_batch import Collector, pending_tokens, record_found
from bot.uplink.updates import note_skipped, send_update
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.cases import Case
from models.outbox import OutboxJob, enqueue
from models.platform import TARGET_OPEN311, PlatformDelivery

KIND_TOKEN = "open311.token"
LOOKUP_MARGIN = timedelta(minutes=30)


@dataclass
class Plan:
    """Everything one push needs, read before any network call."""

    case_id: int
    number: str
    action: str
    job_key: str
    request_id: str | None = None
    token: str | None = None
    service_code: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    look_first: bool = False
    since: Any = None
    update: dict[str, str] = field(default_factory=dict)
    address_only: bool = False  # no coordinates: the platform must read the typed address
    tried_address: bool = False  # `address` is sent although the capabilities do not say so (learning)
    upload: Path | None = None  # the photo file to send as `media` (the platform takes uploads)
    updates: str = UNKNOWN
    tokens: str = UNKNOWN
    page_size: int | None = None
    last_success: datetime | None = None


def open311_push(ctx: JobContext, payload: dict[str, Any]) -> None:
    plan = _plan(ctx, payload)
    ctx.session.commit()  # end the read: nothing is held while the platform answers
    client = open311_client(ctx.service)
    try:
        created = _file(client, plan)
        update_sent = skipped = False
        if plan.action != "accept" and plan.request_id:
            update_sent = send_update(ctx, client, plan.updates, {**plan.update, "service_request_id": plan.request_id})
            skipped = not update_sent
    except PlatformRejected as exc:
        raise PermanentJobError(str(exc)) from exc
    except PlatformUnavailable as exc:
        after_unavailable(ctx, payload, exc, address_only=plan.address_only and not plan.tried_address)
        raise
    if plan.tried_address and created is not None:
        learn(ctx.service.sessions, address_field="address")  # it took the request once `address` was there
    record_success(ctx.service.sessions, plan.last_success)
    _write(ctx, plan, created, update_sent or skipped)
    if skipped:
        note_skipped(ctx, plan.case_id, plan.action, plan.request_id or "")


def open311_token(ctx: JobContext, payload: dict[str, Any]) -> None:
    delivery = ctx.session.get(PlatformDelivery, payload["delivery_id"])
    if delivery is None or delivery.service_request_id or not delivery.token:
        return  # resolved meanwhile, maybe by another case's walk through the request list
    case = ctx.session.get_one(Case, delivery.case_id)
    caps = current(ctx.session)
    plan = Plan(case.id, case.number, "accept", "", token=delivery.token, service_code=delivery.service_code,
                since=delivery.created_at, tokens=caps.tokens, page_size=caps.page_size,
                last_success=caps.last_success_at)
    others = Collector(pending_tokens(ctx.session) if caps.tokens != YES else {})
    ctx.session.commit()
    try:
        request_id = _resolve_token(open311_client(ctx.service), plan, others)
    except PlatformRejected as exc:
        raise PermanentJobError(str(exc)) from exc
    record_found(ctx.session, others.found)
    if not request_id:
        ctx.session.commit()  # what the walk found for other cases stays found
        raise PlatformUnavailable(f"平台尚未为 token {plan.token} 分配编号, 稍后再查")
    record_success(ctx.service.sessions, plan.last_success)
    record_found(ctx.session, {delivery.id: request_id})
    schedule_poll(ctx.session, ctx.service.config.platform.poll_minutes)


def _plan(ctx: JobContext, payload: dict[str, Any]) -> Plan:
    session, config = ctx.session, ctx.service.config
    if not config.platform.open311_enabled:
        raise PermanentJobError("PLATFORM_OPEN311_URL 未设置, 无法上报; 设置后运行 chengguan platform retry")
    case = session.get(Case, payload["case_id"])
    if case is None:
        raise PermanentJobError(f"案件 id={payload['case_id']} 不存在")
    job = session.get_one(OutboxJob, ctx.job_id)
    keys = case_step_keys("open311", case)
    wait_for_earlier_steps(session, job, keys, case.number)
    caps = current(session)
    plan = Plan(case.id, case.number, payload["action"], job.idempotency_key or f"open311:{case.id}:{job.id}",
                updates=caps.updates, tokens=caps.tokens, page_size=caps.page_size, last_success=caps.last_success_at)
    delivery = _delivery(session, case.id)
    if delivery is not None:
        plan.request_id, plan.token, plan.service_code = (delivery.service_request_id, delivery.token,
                                                          delivery.service_code)
        plan.since = delivery.created_at
    if not plan.request_id and not plan.token:
        plan.service_code = service_code_for(session, case.category_code)
        if not plan.service_code:
            raise PermanentJobError(
                f"分类 {case.category_code} 还没有对应的平台服务代码; 运行 chengguan platform sync-services, "
                f"或 chengguan platform map {case.category_code} <平台服务代码>, 然后 chengguan platform retry")
        plan.address_only = case.lat is None or case.lon is None
        plan.tried_address = plan.address_only and bool(payload.get("try_address")) and caps.address_field != "address"
        try:
            plan.fields = content.request_fields(case, plan.service_code,
                                                 content.photo_urls(session, config, case, "accept"),
                                                 with_address=caps.address_field == "address" or plan.tried_address)
        except content.MissingLocation as exc:
            raise PermanentJobError(str(exc)) from exc
        if caps.media == "upload":
            plan.upload = upload_file(session, config, case.id)
            if plan.upload is not None:
                plan.fields.pop("media_url", None)  # the file instead of the link
        plan.look_first = not payload.get("skip_lookup") and _may_have_been_sent(session, job, keys)
        plan.since = job.created_at
    if plan.action != "accept":
        urls = content.photo_urls(session, config, case, plan.action)
        plan.update = {
            "update_id": f"{case.number}-{plan.action}-{case.rework_count}",
            "updated_datetime": w3(utcnow()) or "",
            "status": "CLOSED" if plan.action == "close" else "OPEN",
            "description": content.update_text(case, plan.action, content.step_note(session, case, plan.action), urls),
            **({"media_url": urls[0]} if urls else {}),
        }
    return plan


def _file(client: Open311Client, plan: Plan) -> Created | None:
    """Make sure the platform has the case; sets plan.request_id when it is known."""
    if plan.request_id:
        return None
    if plan.token:
        plan.request_id = _resolve_token(client, plan)
        if not plan.request_id:
            raise PlatformUnavailable(f"平台尚未为 token {plan.token} 分配编号, 稍后再查")
        return None
    if plan.look_first:
        found = _find_on_platform(client, plan)
        if found:
            plan.request_id = found
            return Created(found, None)
    media = (plan.upload.name, plan.upload.read_bytes()) if plan.upload is not None else None
    created = client.create(plan.fields, media)
    plan.request_id, plan.token = created.service_request_id, created.token
    return created


def _write(ctx: JobContext, plan: Plan, created: Created | None, update_sent: bool) -> None:
    session = ctx.session
    delivery = _delivery(session, plan.case_id) or PlatformDelivery(
        case_id=plan.case_id, target=TARGET_OPEN311, status_notes="")
    session.add(delivery)
    delivery.service_request_id, delivery.token = plan.request_id, plan.token
    delivery.service_code = plan.service_code
    if plan.request_id and delivery.delivered_at is None:
        delivery.delivered_at, delivery.platform_status = utcnow(), delivery.platform_status or "open"
    session.flush()
    if plan.request_id:
        schedule_poll(session, ctx.service.config.platform.poll_minutes)
    elif created is not None and created.token:
        enqueue(session, KIND_TOKEN, {"delivery_id": delivery.id}, key=f"open311:{plan.case_id}:token",
                not_before=utcnow() + timedelta(seconds=5))
    if plan.action != "accept" and not update_sent:
        # Filed just now with a token: the update follows as its own job once the token resolves.
        enqueue(session, KIND_OPEN311, {"case_id": plan.case_id, "action": plan.action},
                key=f"{plan.job_key}:after-token")


def _delivery(session: Session, case_id: int) -> PlatformDelivery | None:
    return session.scalar(select(PlatformDelivery).where(
        PlatformDelivery.case_id == case_id, PlatformDelivery.target == TARGET_OPEN311))


def _may_have_been_sent(session: Session, job: OutboxJob, case_keys: list[str]) -> bool:
    """This job ran before (attempts counts claims), or another step job of the case did."""
    if job.attempts > 1:
        return True
    return bool(session.scalar(select(OutboxJob.id).where(
        OutboxJob.idempotency_key.in_(case_keys), OutboxJob.id != job.id, OutboxJob.attempts > 0)))


def _resolve_token(client: Open311Client, plan: Plan, see: Callable[[dict[str, Any]], None] | None = None) -> \
        str | None:
    """The request id behind the token: from tokens/<token> where the platform has it, else (or while it
    says nothing) from its list of requests, found by the case number in the description."""
    assert plan.token
    if plan.tokens != NO:
        known, request_id = client.token_answer(plan.token)
        if known or plan.tokens == YES:
            return request_id
    return _find_on_platform(client, plan, see) if plan.service_code and plan.since else None


def _find_on_platform(client: Open311Client, plan: Plan, see: Callable[[dict[str, Any]], None] | None = None) -> \
        str | None:
    """`see`: shown every item read on the way (token_batch resolves other cases' tokens with it)."""
    now = utcnow()
    start = max(plan.since - LOOKUP_MARGIN, now - timedelta(days=89))

    def matches(item: dict[str, Any]) -> bool:
        if see is not None:
            see(item)
        return plan.number in str(item.get("description") or "")

    return find_request(client, plan.service_code, start, now + LOOKUP_MARGIN, matches, plan.page_size)
