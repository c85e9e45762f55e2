"""Outbox jobs that deliver case steps to the platform over GeoReport v2.

open311.push {case_id, action}: "accept" files the case (POST requests); "verify" and "close" post
an update (servicerequestupdates) to the request filed before, filing it first if the uplink was
switched on after the case was accepted. (open311.token, resolving a token: bot.uplink.open311_token.)

Never twice: the platform's service_request_id (or token) is stored with the case. When a step may
have reached the platform already (this job ran before, or another job for the case did), the
platform's own list is searched for the case number first, and the POST only happens if the case
is not there. Steps of one case go out in the order they happened.

Each job reads what it needs, ends that read (so no database lock is held while the platform is
slow or down), talks to the platform, then writes the outcome; the worker commits that together
with the job's completion, so an interrupted job leaves nothing half-recorded.

A claimed batch of pushes runs the same way with fewer round trips (open311_push_batch): one read for
the whole batch, the calls one after another, then one transaction with every outcome and completion.
A worker that dies between a POST and that commit leaves its jobs to be claimed again, and a job
claimed again searches the platform before it posts (as above), so the batch sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from bot import logs
from bot.config import Config
from bot.open311.formats import w3
from bot.uplink import content
from bot.uplink.capabilities import defaults, learn, record_success
from bot.uplink.client import Created, Open311Client, PlatformRejected, PlatformUnavailable
from bot.uplink.connection import open311_client
from bot.uplink.hooks import KIND_OPEN311, case_step_keys
from bot.uplink.media import sendable_photos_of, upload_photo
from bot.uplink.open311_token import KIND_TOKEN, find_on_platform, resolve_token
from bot.uplink.plan import Plan, Stored
from bot.uplink.scheduling import (StepJob, check_earlier_steps, other_step_jobs, others_of, schedule_poll,
                                   step_jobs_by_key)
from bot.uplink.server_errors import after_unavailable
from bot.uplink.updates import note_skipped, send_update
from bot.worker import BatchContext, Claimed, JobContext, PermanentJobError, Released
from models.base import utcnow
from models.cases import Case
from models.outbox import OutboxJob, enqueue
from models.photos import Photo
from models.platform import TARGET_OPEN311, PlatformCapabilities, PlatformDelivery, ServiceMapping


@dataclass
class Sent:
    """One push's calls went as asked: what to record."""

    plan: Plan
    created: Created | None
    update_done: bool  # the update went out, or the platform has no updates (skipped)
    skipped: bool


@dataclass(frozen=True)
class JobFacts:
    id: int
    key: str | None
    attempts: int
    created_at: datetime | None


def open311_push(ctx: JobContext, payload: dict[str, Any]) -> None:
    row = _read(ctx.session, payload["case_id"], ctx.job_id)
    if row is None:
        _check_enabled(ctx.service.config)
        raise PermanentJobError(f"案件 id={payload['case_id']} 不存在")
    case, job, delivery, caps, mapped_code = row
    others = other_step_jobs(ctx.session, job.id, case_step_keys("open311", case))
    plan = _plan(ctx, payload, JobFacts(job.id, job.idempotency_key, job.attempts, job.created_at),
                 (case, delivery, caps, mapped_code), others)
    ctx.session.commit()  # end the read: nothing is held while the platform answers
    sent = _send(ctx, open311_client(ctx.service), payload, plan)
    record_success(ctx.service.sessions, plan.last_success)
    _write(ctx, [sent])


def open311_push_batch(batch: BatchContext, jobs: list[Claimed]) -> dict[int, BaseException]:
    """The pushes of a claimed batch: planned from one read, sent one after another on the platform's
    kept-alive connection, recorded together (the worker commits them with the jobs' completions)."""
    session, failed = batch.session, {}
    rows = _read_many(session, [job.payload["case_id"] for job in jobs])
    found = step_jobs_by_key(session, [key for case, *_ in rows.values() for key in case_step_keys("open311", case)])
    unfiled = [case_id for case_id, (_, delivery, *_) in rows.items()
               if delivery is None or not (delivery.service_request_id or delivery.token)]
    photos = sendable_photos_of(session, unfiled, content.STEP_PHOTOS["accept"])  # what their requests show
    plans: list[tuple[Claimed, Plan]] = []
    seen: set[int] = set()
    claimed_now = {job.id for job in jobs}
    for job in jobs:
        case_id = job.payload["case_id"]
        if case_id in seen:  # a later step of a case in this batch: after the earlier one is recorded
            failed[job.id] = Released()
            continue
        seen.add(case_id)
        try:
            if case_id not in rows:
                _check_enabled(batch.service.config)
                raise PermanentJobError(f"案件 id={case_id} 不存在")
            case = rows[case_id][0]
            plans.append((job, _plan(batch.job(job.id), job.payload, JobFacts(job.id, job.key, job.attempts,
                                                                                 job.created_at),
                                     rows[case_id], _before_this_claim(
                                         others_of(found, job.id, case_step_keys("open311", case)), claimed_now),
                                     photos.get(case_id, []))))
        except Exception as exc:  # this job's outcome; the others go on
            failed[job.id] = exc
    session.commit()  # end the read: nothing is held while the platform answers
    client, done = open311_client(batch.service), []
    for job, plan in plans:
        if batch.stopping():  # the worker was told to stop: what has not started goes back
            failed[job.id] = Released()
            continue
        try:
            with logs.scope(job_id=job.id, bind_case=True):  # what the call logs carries the job id and case number
                logs.bind_case(plan.number)
                done.append(_send(batch.job(job.id), client, job.payload, plan))
        except Exception as exc:
            failed[job.id] = exc
    if done:
        record_success(batch.service.sessions, done[0].plan.last_success)  # one read of it for the whole batch
        _write(batch.job(done[0].plan.case_id), done)  # the context's session and service; no job id is used
    return failed


def _check_enabled(config: Config) -> None:
    if not config.platform.open311_enabled:
        raise PermanentJobError("PLATFORM_OPEN311_URL 未设置, 无法上报; 设置后运行 chengguan platform retry")


def _send(ctx: JobContext, client: Open311Client, payload: dict[str, Any], plan: Plan) -> Sent:
    """The platform calls of one push; raises what the worker records for the job."""
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
    return Sent(plan, created, update_sent or skipped, skipped)


def _plan(ctx: JobContext, payload: dict[str, Any], job: JobFacts,
          row: tuple[Case, PlatformDelivery | None, PlatformCapabilities | None, str | None],
          others: list[StepJob], photos: list[Photo] | None = None) -> Plan:
    """What one push will send. `photos`: the case's sendable problem photos, when a batch read them."""
    session, config = ctx.session, ctx.service.config
    _check_enabled(config)
    case, delivery, caps, mapped_code = row
    caps = caps if caps is not None else defaults()
    check_earlier_steps(job.id, others, case.number)
    plan = Plan(case.id, case.number, payload["action"], job.key or f"open311:{case.id}:{job.id}",
                updates=caps.updates, tokens=caps.tokens, page_size=caps.page_size, last_success=caps.last_success_at)
    if delivery is not None:
        plan.request_id, plan.token, plan.service_code = (delivery.service_request_id, delivery.token,
                                                          delivery.service_code)
        plan.since = delivery.created_at
        plan.stored = Stored(delivery.id, plan.request_id, plan.token, plan.service_code,
                             delivered=delivery.delivered_at is not None)
    if not plan.request_id and not plan.token:
        plan.service_code = mapped_code
        if not plan.service_code:
            raise PermanentJobError(
                f"分类 {case.category_code} 还没有对应的平台服务代码; 运行 chengguan platform sync-services, "
                f"或 chengguan platform map {case.category_code} <平台服务代码>, 然后 chengguan platform retry")
        plan.address_only = case.lat is None or case.lon is None
        plan.tried_address = plan.address_only and bool(payload.get("try_address")) and caps.address_field != "address"
        try:
            plan.fields = content.request_fields(case, plan.service_code,
                                                 content.photo_urls(session, config, case, "accept", photos),
                                                 with_address=caps.address_field == "address" or plan.tried_address)
        except content.MissingLocation as exc:
            raise PermanentJobError(str(exc)) from exc
        if caps.media == "upload":
            plan.upload = upload_photo(session, config, case.id)
            if plan.upload is not None:
                plan.fields.pop("media_url", None)  # the file instead of the link
        plan.look_first = not payload.get("skip_lookup") and _may_have_been_sent(job.attempts, others)
        plan.since = job.created_at
    if plan.action != "accept":
        urls = content.photo_urls(session, config, case, plan.action)
        plan.update = {
            "update_id": f"{case.number}-{plan.action}-{case.rework_count}",
            "updated_datetime": w3(utcnow()) or "",
            "status": "CLOSED" if plan.action == "close" else "OPEN",
            "description": content.update_text(case, plan.action, content.step_text(session, case, plan.action), urls),
            **({"media_url": urls[0]} if urls else {}),
        }
    return plan


def _file(client: Open311Client, plan: Plan) -> Created | None:
    """Make sure the platform has the case; sets plan.request_id when it is known."""
    if plan.request_id:
        return None
    if plan.token:
        plan.request_id = resolve_token(client, plan)
        if not plan.request_id:
            raise PlatformUnavailable(f"平台尚未为 token {plan.token} 分配编号, 稍后再查")
        return None
    if plan.look_first:
        found = find_on_platform(client, plan)
        if found:
            plan.request_id = found
            return Created(found, None)
    created = client.create(plan.fields, plan.upload)
    plan.request_id, plan.token = created.service_request_id, created.token
    return created


def _write(ctx: JobContext, sent: list[Sent]) -> None:
    """Record what the pushes did, in the caller's transaction: the deliveries' rows (the new ones in one
    INSERT), the follow-up jobs, the status poll."""
    session = ctx.session
    delivery_ids = _insert_deliveries(session, [item.plan for item in sent if item.plan.stored is None])
    for item in sent:
        if item.plan.stored is not None:
            delivery_ids[item.plan.case_id] = _update_delivery(session, item.plan)
    if any(item.plan.request_id for item in sent):
        schedule_poll(session, ctx.service.config.platform.poll_minutes)
    for item in sent:
        plan = item.plan
        if not plan.request_id and item.created is not None and item.created.token:
            enqueue(session, KIND_TOKEN, {"delivery_id": delivery_ids[plan.case_id]},
                    key=f"open311:{plan.case_id}:token", not_before=utcnow() + timedelta(seconds=5))
        if plan.action != "accept" and not item.update_done:
            # Filed just now with a token: the update follows as its own job once the token resolves.
            enqueue(session, KIND_OPEN311, {"case_id": plan.case_id, "action": plan.action},
                    key=f"{plan.job_key}:after-token")
        if item.skipped:
            note_skipped(ctx, plan.case_id, plan.action, plan.request_id or "")


def _insert_deliveries(session: Session, plans: list[Plan]) -> dict[int, int]:
    """The first deliveries of these cases, in one statement (the ORM's unit of work would send one INSERT per
    row on SQLite); returns their ids by case id."""
    if not plans:
        return {}
    now = utcnow()
    rows = [{"case_id": plan.case_id, "target": TARGET_OPEN311, "status_notes": "", "created_at": now,
             "service_request_id": plan.request_id, "token": plan.token, "service_code": plan.service_code,
             "delivered_at": now if plan.request_id else None, "platform_status": "open" if plan.request_id else None}
            for plan in plans]
    table = PlatformDelivery.__table__
    result = session.connection().execute(insert(table).returning(table.c.case_id, table.c.id), rows)
    return {case_id: delivery_id for case_id, delivery_id in result}


def _update_delivery(session: Session, plan: Plan) -> int:
    """An UPDATE of the case's delivery only when something changed since the plan's read (a later step of a
    filed case writes nothing); returns its id."""
    stored, now = plan.stored, utcnow()
    assert stored is not None
    newly_delivered = bool(plan.request_id) and not stored.delivered
    if newly_delivered or (plan.request_id, plan.token, plan.service_code) != (
            stored.request_id, stored.token, stored.service_code):
        values: dict[str, Any] = {"service_request_id": plan.request_id, "token": plan.token,
                                  "service_code": plan.service_code}
        if plan.request_id:  # the first time it is known: delivered now (SQL keeps what a concurrent job wrote)
            table = PlatformDelivery
            values["platform_status"] = sql_case(
                (table.delivered_at.is_(None), func.coalesce(func.nullif(table.platform_status, ""), "open")),
                else_=table.platform_status)
            values["delivered_at"] = func.coalesce(table.delivered_at, now)
        session.execute(update(PlatformDelivery).where(PlatformDelivery.id == stored.id).values(**values)
                        .execution_options(synchronize_session=False))
    return stored.id


def _read(session: Session, case_id: int, job_id: int) -> tuple[Case, OutboxJob, PlatformDelivery | None,
                                                                PlatformCapabilities | None, str | None] | None:
    """The case, this job, the case's delivery, the platform's capabilities and the category's service
    code, in one round trip (each was a query of its own)."""
    row = session.execute(
        select(Case, OutboxJob, PlatformDelivery, PlatformCapabilities, ServiceMapping.service_code).select_from(Case)
        .join(OutboxJob, OutboxJob.id == job_id)
        .outerjoin(PlatformDelivery, and_(PlatformDelivery.case_id == Case.id,
                                          PlatformDelivery.target == TARGET_OPEN311))
        .outerjoin(PlatformCapabilities, PlatformCapabilities.target == TARGET_OPEN311)
        .outerjoin(ServiceMapping, ServiceMapping.category_code == Case.category_code)
        .where(Case.id == case_id)
    ).first()
    return None if row is None else tuple(row)  # type: ignore[return-value]


def _read_many(session: Session, case_ids: list[int]) -> dict[int, tuple[Case, PlatformDelivery | None,
                                                                      PlatformCapabilities | None, str | None]]:
    """A batch's cases with their deliveries, the platform's capabilities and the categories' service codes,
    in one round trip, by case id."""
    rows = session.execute(
        select(Case, PlatformDelivery, PlatformCapabilities, ServiceMapping.service_code)
        .outerjoin(PlatformDelivery, and_(PlatformDelivery.case_id == Case.id,
                                          PlatformDelivery.target == TARGET_OPEN311))
        .outerjoin(PlatformCapabilities, PlatformCapabilities.target == TARGET_OPEN311)
        .outerjoin(ServiceMapping, ServiceMapping.category_code == Case.category_code)
        .where(Case.id.in_(set(case_ids)))
    )
    return {case.id: (case, delivery, caps, code) for case, delivery, caps, code in rows}


def _before_this_claim(others: list[StepJob], claimed_now: set[int]) -> list[StepJob]:
    """Step jobs as they stood before this batch's claim, which counted an attempt for those in the batch:
    a later step claimed together with its case's first push has not run, so it is no reason to ask first."""
    return [replace(other, attempts=other.attempts - 1) if other.id in claimed_now else other for other in others]


def _may_have_been_sent(attempts: int, others: list[StepJob]) -> bool:
    """This job ran before (attempts counts claims), or another step job of the case did."""
    return attempts > 1 or any(other.attempts > 0 for other in others)
