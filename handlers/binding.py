"""绑定: staff bind their WeCom account with the one-time code an admin gave them.

Failed attempts are counted in the database (every process sees them), per WeCom user and over
all users, so codes cannot be guessed at message speed: a code is 8 characters of 32, and with
these limits a guesser gets about 7,000 tries a day against codes that expire in 7.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.context import Context
from models import Identity, InviteCode, User
from models.invites import hash_code
from models.ratecounters import count_event, events_in, window

NOT_BOUND = "您还没有绑定身份。请向管理员索取邀请码, 然后发送「绑定 邀请码」, 例如「绑定 7K3M9QX2」。"
WINDOW_SECONDS = 600
FAILURES_PER_USER = 5     # per WeCom user and 10 minutes
FAILURES_OVERALL = 50     # over all users and 10 minutes
TOO_MANY = "绑定尝试次数过多, 请 10 分钟后再试。如邀请码一直无效, 请向管理员重新索取。"


def bind(ctx: Context, code: str) -> str:
    if ctx.user is not None:
        return f"您已绑定为{ctx.user.role.label}「{ctx.user.name}」, 无需再次绑定。"
    buckets = _failure_buckets(ctx)
    if any(events_in(ctx.session, bucket) >= limit for bucket, _, limit in buckets):
        return TOO_MANY
    invite = ctx.session.scalars(
        select(InviteCode).where(InviteCode.code_hash == hash_code(code)).with_for_update()).one_or_none()
    if invite is None or not invite.usable(ctx.now):
        for bucket, ends_at, _ in buckets:
            count_event(ctx.session, bucket, ends_at)
        return "邀请码无效、已使用或已过期。请向管理员重新索取。"
    user = ctx.session.get_one(User, invite.user_id)
    invite.used_at = ctx.now
    ctx.session.add(Identity(user_id=user.id, channel=ctx.message.channel, external_id=ctx.message.sender))
    ctx.user, ctx.user_id = user, user.id
    return f"绑定成功! 您好, {user.role.label}「{user.name}」。发送「帮助」查看可用命令。"


def _failure_buckets(ctx: Context) -> list[tuple[str, datetime, int]]:
    mine = window(f"bind-fail:{ctx.message.channel}:{ctx.message.sender}", WINDOW_SECONDS, ctx.now)
    everyone = window("bind-fail:all", WINDOW_SECONDS, ctx.now)
    return [(*mine, FAILURES_PER_USER), (*everyone, FAILURES_OVERALL)]
