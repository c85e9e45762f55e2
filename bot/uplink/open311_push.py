"""Outbox jobs that deliver case steps to the platform over GeoReport v2.

open311.push {case_id, action}: "accept" files the case (POST requests); "verify" and "close" post
an update (servicerequestupdates) to the request filed before, filing it first if the uplink was
switched on after the case was accepted. open311.token resolves a token into its request id.

Never twice: the platform's service_request_id (or token) is stored with the case. When a step may
have reached the platform already (this job ran before, or another job for the case did), the
platform's own list is searched for the case number first, and the POST only happens if the case
is not there. Steps of one case go out in the order they happened.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.open311.formats import w3
from bot.uplink import content
from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable
from bot.uplink.connection import open311_client
from bot.uplink.hooks import KIND_OPEN311
from bot.uplink.scheduling import schedule_poll, wait_for_earlier_steps
from bot.uplink.services import service_code_for
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.cases import Case
from models.outbox import OutboxJob, enqueue
from models.platform import TARGET_OPEN311, PlatformDelivery

KIND_TOKEN = "open311.token"
LOOKUP_MARGIN = timedelta(minutes=30)


def open311_push(ctx: JobContext, payload: dict[str, Any]) -> None:
    session, config = ctx.session, ctx.service.config
    if not config.platform.open311_enabled:
        raise PermanentJobError("PLATFORM_OPEN311_URL 未设置, 无法上报; 设置后运行 chengguan platform retry")
    case = session.get(Case, payload["case_id"])
    if case is None:
        raise PermanentJobError(f"案件 id={payload['case_id']} 不存在")
    job = session.get(OutboxJob, ctx.job_id)
    assert job is not None
    wait_for_earlier_steps(session, job, f"open311:{case.id}:", case.number)
    client = open311_client(ctx.service)
    try:
        delivery = _ensure_filed(ctx, client, case, job, payload)
        if delivery.service_request_id:
            schedule_poll(session, config.platform.poll_minutes)
        if payload["action"] != "accept":
            if not delivery.service_request_id:
                raise PlatformUnavailable(f"案件 {case.number} 在平台上的编号尚未确定 (token 未兑现), 稍后再报")
            _post_update(ctx, client, case, delivery, payload["action"])
    except PlatformRejected as exc:
        raise PermanentJobError(str(exc)) from exc


def open311_token(ctx: JobContext, payload: dict[str, Any]) -> None:
    delivery = ctx.session.get(PlatformDelivery, payload["delivery_id"])
    if delivery is None or delivery.service_request_id or not delivery.token:
        return
    try:
        _resolve(ctx.session, open311_client(ctx.service), delivery)
    except PlatformRejected as exc:
        raise PermanentJobError(str(exc)) from exc
    schedule_poll(ctx.session, ctx.service.config.platform.poll_minutes)


def _ensure_filed(
    ctx: JobContext, client: Open311Client, case: Case, job: OutboxJob, payload: dict[str, Any],
) -> PlatformDelivery:
    session = ctx.session
    delivery = _delivery(session, case)
    if delivery.service_request_id:
        return delivery
    if delivery.token:
        _resolve(session, client, delivery)
        return delivery
    service_code = service_code_for(session, case.category_code)
    if not service_code:
        raise PermanentJobError(
            f"分类 {case.category_code} 还没有对应的平台服务代码; 运行 chengguan platform sync-services, "
            f"或 chengguan platform map {case.category_code} <平台服务代码>, 然后 chengguan platform retry"
        )
    if not payload.get("skip_lookup") and _may_have_been_sent(session, job, case):
        found = _find_on_platform(client, case, service_code, job)
        if found:
            _record(session, delivery, found, None, service_code)
            return delivery
    urls = content.photo_urls(session, ctx.service.config, case, "accept")
    try:
        fields = content.request_fields(case, service_code, urls)
    except content.MissingLocation as exc:
        raise PermanentJobError(str(exc)) from exc
    created = client.create(fields)
    _record(session, delivery, created.service_request_id, created.token, service_code)
    if created.token:
        enqueue(session, KIND_TOKEN, {"delivery_id": delivery.id}, key=f"open311:{case.id}:token",
                not_before=utcnow() + timedelta(seconds=5))
    return delivery


def _post_update(ctx: JobContext, client: Open311Client, case: Case, delivery: PlatformDelivery, action: str) -> None:
    note = content.step_note(ctx.session, case, action)
    urls = content.photo_urls(ctx.session, ctx.service.config, case, action)
    fields = {
        "service_request_id": delivery.service_request_id or "",
        "update_id": f"{case.number}-{action}-{case.rework_count}",
        "updated_datetime": w3(utcnow()) or "",
        "status": "CLOSED" if action == "close" else "OPEN",
        "description": content.update_text(case, action, note, urls),
    }
    if urls:
        fields["media_url"] = urls[0]
    client.post_update(fields)


def _delivery(session: Session, case: Case) -> PlatformDelivery:
    delivery = session.scalar(select(PlatformDelivery).where(
        PlatformDelivery.case_id == case.id, PlatformDelivery.target == TARGET_OPEN311))
    if delivery is None:
        delivery = PlatformDelivery(case_id=case.id, target=TARGET_OPEN311, status_notes="")
        session.add(delivery)
        session.flush()
    return delivery


def _may_have_been_sent(session: Session, job: OutboxJob, case: Case) -> bool:
    """This job ran before (attempts counts claims), or an earlier job of the case did."""
    if job.attempts > 1:
        return True
    return bool(session.scalar(select(OutboxJob.id).where(
        OutboxJob.kind == KIND_OPEN311, OutboxJob.id != job.id,
        OutboxJob.idempotency_key.like(f"open311:{case.id}:%"), OutboxJob.attempts > 0)))


def _find_on_platform(client: Open311Client, case: Case, service_code: str, job: OutboxJob) -> str | None:
    now = utcnow()
    start = max(job.created_at - LOOKUP_MARGIN, now - timedelta(days=89))
    for item in client.requests(service_code=service_code, start=start, end=now + LOOKUP_MARGIN):
        if item.get("service_request_id") and content.is_ours(case, item.get("description")):
            return str(item["service_request_id"])
    return None


def _resolve(session: Session, client: Open311Client, delivery: PlatformDelivery) -> None:
    request_id = client.resolve_token(delivery.token or "")
    if not request_id:
        raise PlatformUnavailable(f"平台尚未为 token {delivery.token} 分配编号, 稍后再查")
    _record(session, delivery, request_id, delivery.token, delivery.service_code)


def _record(session: Session, delivery: PlatformDelivery, request_id: str | None, token: str | None,
            service_code: str | None) -> None:
    delivery.service_request_id, delivery.token, delivery.service_code = request_id, token, service_code
    if request_id:
        delivery.delivered_at = utcnow()
        delivery.platform_status = delivery.platform_status or "open"
