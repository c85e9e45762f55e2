"""group.send: one part of a digest or bulletin, from the outbox, in order and within the rate limit.

A full minute (or the robot's own 45009), or an earlier part not yet out, does not sleep and does not count as a failure: the job
hands over to a continuation queued for the moment a place frees up (`next_try_at`), under the same
key with a "~n" suffix, in the same transaction that marks this one done. A send that fails is
retried with back-off; nothing is recorded as sent until the robot said ok, so no part goes twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot.db import transaction
from bot.reminders import ratelimit
from bot.reminders.deliver import deliver
from bot.reminders.robot import INVALID_KEYS, RobotError, RobotRateLimited
from bot.worker import JobContext, PermanentJobError
from models.base import utcnow
from models.groups import GroupChat, SentDigest
from models.outbox import OutboxJob, enqueue

KIND = "group.send"
UNKNOWN_CHATS = {86001, 86003}  # WeCom appchat/send: chat id invalid / chat not found


def _order_wait(ctx: JobContext, session: Session) -> timedelta:
    """Part n waits for part n-1: 2 s, 4 s … up to a minute, as its continuations go on."""
    key = session.scalar(select(OutboxJob.idempotency_key).where(OutboxJob.id == ctx.job_id)) or ""
    _, _, n = key.partition("~")
    return timedelta(seconds=min(2 ** (int(n or 0) + 1), 60))


def send_group_message(ctx: JobContext, payload: dict[str, Any]) -> None:
    now = utcnow()
    part = int(payload.get("part", 1))
    with transaction(ctx.service.sessions) as session:  # short: lock, check, take a place, commit
        group = session.get(GroupChat, payload["group_id"], with_for_update=True)
        if group is None or not group.active:
            raise PermanentJobError(f"群聊 {payload['group_id']} 已删除或停用; 用 chengguan groups list 查看")
        sent = session.get(SentDigest, payload["sent_id"]) if payload.get("sent_id") else None
        if sent is not None and part <= sent.parts_sent:
            return  # already out
        wait = ratelimit.full_until(group, now)
        if wait is None and sent is not None and part > sent.parts_sent + 1:
            wait = now + _order_wait(ctx, session)  # the worker may run a batch in any order
        elif wait is None:
            ratelimit.reserve(group, now)
        kind, target = group.kind, group.target
    if wait is not None:
        defer(ctx, payload, wait)
        return
    try:
        deliver(ctx.service.config, kind, target, payload["message"])
    except RobotRateLimited:
        defer(ctx, payload, now + ratelimit.WINDOW)
        return
    except RobotError as exc:
        if exc.errcode in INVALID_KEYS:
            raise PermanentJobError(f"{exc}; 群机器人地址失效, 请在群里重新添加机器人并 chengguan groups add 更新") from exc
        raise
    except WeChatClientException as exc:
        if exc.errcode in UNKNOWN_CHATS:
            raise PermanentJobError(f"应用群聊 {target} 不存在或应用已不在群里 ({exc.errcode}); "
                                    "用 chengguan groups add --chat-id 登记新的群聊 id") from exc
        raise
    if payload.get("sent_id"):
        record_sent(ctx, payload["sent_id"], part, now)


def record_sent(ctx: JobContext, sent_id: int, part: int, now: datetime) -> None:
    sent = ctx.session.get(SentDigest, sent_id, with_for_update=True)
    if sent is not None:
        sent.parts_sent = max(sent.parts_sent, part)
        if sent.parts_sent >= sent.parts:
            sent.sent_at = now


def defer(ctx: JobContext, payload: dict[str, Any], until: datetime) -> None:
    """Hand the message to a continuation job due at `until`; this one ends done, unsent."""
    job = ctx.session.get_one(OutboxJob, ctx.job_id)
    base, _, n = (job.idempotency_key or f"job:{ctx.job_id}").partition("~")
    enqueue(ctx.session, KIND, payload, key=f"{base}~{int(n or 0) + 1}", not_before=max(until, utcnow() + timedelta(seconds=1)))
