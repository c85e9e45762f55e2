"""A 5xx is "try again later", until it is not: when the platform answers 5xx to the same request again
and again while it files other requests fine, the request itself is what it cannot take (a field it
chokes on). After PLATFORM_SERVER_ERROR_TRIES such answers the job is parked with the reason in one
line, instead of being retried hourly for two days.

The count lives in the job's payload, committed before the failure is raised (the worker rolls back
the job's own writes on failure): {"server_errors": n, "server_errors_since": w3 time of the first}.
A request located only by a typed address also asks for `address` on its next try (payload
"try_address"): some platforms read only that field and answer 500 without it.

Health ("otherwise healthy") is per uplink target: the vendor platform's answers say nothing about the
Open311 platform's, so each adapter passes its own target.
"""

from __future__ import annotations

from typing import Any

from bot.open311.formats import parse_w3, w3
from bot.uplink.capabilities import current, healthy_since, record_failure
from bot.uplink.client import PlatformUnavailable
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.outbox import OutboxJob
from models.platform import TARGET_OPEN311

STREAK_KEYS = ("server_errors", "server_errors_since", "try_address")


def after_unavailable(ctx: JobContext, payload: dict[str, Any], exc: PlatformUnavailable, *,
                      address_only: bool = False, target: str = TARGET_OPEN311) -> None:
    """Record the failure; raise PermanentJobError when this request has had its share of 5xx answers
    while the same platform (`target`) answered other calls as asked."""
    record_failure(ctx.service.sessions, str(exc), target)
    if exc.status is None or exc.status < 500:
        return
    count = int(payload.get("server_errors") or 0) + 1
    since = str(payload.get("server_errors_since") or w3(utcnow()))
    limit = ctx.service.config.platform.server_error_tries
    if count >= limit and healthy_since(current(ctx.session, target), parse_w3(since)):
        ctx.session.commit()
        raise PermanentJobError(
            f"平台对此请求连续 {count} 次答 HTTP {exc.status} (其他请求正常), 多半是本案件的数据它无法处理: "
            f"{exc}; 核对案件位置和内容后运行 chengguan platform retry") from exc
    job = ctx.session.get_one(OutboxJob, ctx.job_id)
    job.payload = {**job.payload, "server_errors": count, "server_errors_since": since,
                   **({"try_address": True} if address_only else {})}
    ctx.session.commit()


def without_streak(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload of a job a person sends again: a fresh count."""
    return {k: v for k, v in payload.items() if k not in STREAK_KEYS}
