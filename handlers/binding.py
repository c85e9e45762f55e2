"""绑定: staff bind their WeCom account with the one-time code an admin gave them."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Context
from models import Identity, InviteCode, User

NOT_BOUND = "您还没有绑定身份。请向管理员索取邀请码, 然后发送「绑定 邀请码」, 例如「绑定 7K3M9QX2」。"


def bind(ctx: Context, code: str) -> str:
    if ctx.user is not None:
        return f"您已绑定为{ctx.user.role.label}「{ctx.user.name}」, 无需再次绑定。"
    code = code.strip().upper()
    invite = ctx.session.scalars(select(InviteCode).where(InviteCode.code == code).with_for_update()).one_or_none()
    if invite is None or not invite.usable(ctx.now):
        return "邀请码无效、已使用或已过期。请向管理员重新索取。"
    user = ctx.session.get_one(User, invite.user_id)
    invite.used_at = ctx.now
    ctx.session.add(Identity(user_id=user.id, channel=ctx.message.channel, external_id=ctx.message.sender))
    ctx.user = user
    return f"绑定成功! 您好, {user.role.label}「{user.name}」。发送「帮助」查看可用命令。"
