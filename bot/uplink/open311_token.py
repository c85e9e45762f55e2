"""Finding the platform's id of a request we filed: from its tokens/ endpoint (GeoReport's batch mode), or,
on a platform without one, from its request list by the case number (see token_batch)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.uplink.capabilities import NO, YES, current, record_success
from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable
from bot.uplink.connection import open311_client
from bot.uplink.lookup import MAX_PAGES, find_request
from bot.uplink.plan import Plan
from bot.uplink.scheduling import schedule_poll
from bot.uplink.token_batch import Collector, pending_tokens, record_found
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.cases import Case
from models.platform import PlatformDelivery

KIND_TOKEN = "open311.token"
LOOKUP_MARGIN = timedelta(minutes=30)


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
        request_id = resolve_token(open311_client(ctx.service), plan, others, others.pages)
    except PlatformRejected as exc:
        raise PermanentJobError(str(exc)) from exc
    record_found(ctx.session, others.found)
    if not request_id:
        ctx.session.commit()  # what the walk found for other cases stays found
        raise PlatformUnavailable(f"平台尚未为 token {plan.token} 分配编号, 稍后再查")
    record_success(ctx.service.sessions, plan.last_success)
    record_found(ctx.session, {delivery.id: request_id})
    schedule_poll(ctx.session, ctx.service.config.platform.poll_minutes)


def resolve_token(client: Open311Client, plan: Plan, see: Callable[[dict[str, Any]], None] | None = None,
                  pages: int = MAX_PAGES) -> str | None:
    """The request id behind the token: from tokens/<token> where the platform has it, else (or while it
    says nothing) from its list of requests, found by the case number in the description."""
    assert plan.token
    if plan.tokens != NO:
        known, request_id = client.token_answer(plan.token)
        if known or plan.tokens == YES:
            return request_id
    return find_on_platform(client, plan, see, pages) if plan.service_code and plan.since else None


def find_on_platform(client: Open311Client, plan: Plan, see: Callable[[dict[str, Any]], None] | None = None,
                     pages: int = MAX_PAGES) -> str | None:
    """`see`: shown every item read on the way (token_batch resolves other cases' tokens with it)."""
    now = utcnow()
    start = max(plan.since - LOOKUP_MARGIN, now - timedelta(days=89))

    def matches(item: dict[str, Any]) -> bool:
        if see is not None:
            see(item)
        return plan.number in str(item.get("description") or "")

    return find_request(client, plan.service_code, start, now + LOOKUP_MARGIN, matches, plan.page_size, pages)
