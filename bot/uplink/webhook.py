"""The second uplink: a signed JSON POST per case step, for vendor platforms that take webhooks.

Signature: X-Chengguan-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared
secret>, X-Chengguan-Timestamp: <unix seconds>. A receiver checks both with `verify_signature` (or
its own code) and refuses timestamps older than a few minutes, so a captured request cannot be
replayed later. X-Chengguan-Event is the same for every retry of one step: receivers deduplicate on
it, which makes our at-least-once delivery act exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from bot.open311.formats import w3
from bot.open311.serialize import find_category
from bot.uplink import content
from bot.uplink.client import RETRYABLE_4XX, PlatformUnavailable
from bot.uplink.connection import webhook_http
from bot.uplink.hooks import KIND_WEBHOOK, case_step_keys, step_key
from bot.uplink.scheduling import wait_for_earlier_steps
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.cases import Case
from models.outbox import OutboxJob

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str,
                     now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> bool:
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - moment) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature or "")


def webhook_push(ctx: JobContext, payload: dict[str, Any]) -> None:
    platform = ctx.service.config.platform
    if not platform.webhook_enabled:
        raise PermanentJobError("PLATFORM_WEBHOOK_URL 未设置, 无法推送; 设置后运行 chengguan platform retry")
    case = ctx.session.get(Case, payload["case_id"])
    if case is None:
        raise PermanentJobError(f"案件 id={payload['case_id']} 不存在")
    job = ctx.session.get(OutboxJob, ctx.job_id)
    assert job is not None
    wait_for_earlier_steps(ctx.session, job, case_step_keys("webhook", case), case.number)
    action = payload["action"]
    event_id = job.idempotency_key or step_key(KIND_WEBHOOK, case, action)
    body = json.dumps(event_body(ctx, case, action, event_id), ensure_ascii=False, separators=(",", ":")).encode()
    ctx.session.commit()  # end the read: nothing is held while the platform answers
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Chengguan-Event": event_id,
               "X-Chengguan-Timestamp": str(timestamp),
               "X-Chengguan-Signature": sign(platform.webhook_secret, timestamp, body)}
    try:
        response = webhook_http(ctx.service).post(platform.webhook_url, content=body, headers=headers)
    except httpx.TransportError as exc:
        raise PlatformUnavailable(f"连不上平台 webhook ({type(exc).__name__}: {exc})") from exc
    if response.status_code >= 500 or response.status_code in RETRYABLE_4XX:
        raise PlatformUnavailable(f"平台 webhook 暂时出错 (HTTP {response.status_code})")
    if response.status_code >= 400:
        raise PermanentJobError(f"平台 webhook 拒绝 (HTTP {response.status_code}): {response.text[:300]}")


def event_body(ctx: JobContext, case: Case, action: str, event_id: str) -> dict[str, Any]:
    category = find_category(case.category_code)
    photos = content.photo_urls(ctx.session, ctx.service.config, case, action)
    return {
        "event_id": event_id,
        "action": action,
        "occurred_at": w3(utcnow()),
        "note": content.step_text(ctx.session, case, action),  # public text, never a staff note
        "photos": photos,
        "case": {
            "number": case.number, "status": case.status.value, "status_label": case.status.label,
            "category_code": case.category_code, "category_name": category.label if category else None,
            "source": case.source.value, "source_label": case.source.label,
            "description": case.description, "address": case.address or None,
            "lat": case.lat, "long": case.lon, "deadline": w3(case.deadline),
            "rework_count": case.rework_count, "reported_at": w3(case.created_at),
        },
    }
