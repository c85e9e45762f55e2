"""企业微信登录 for the console: 网页授权 inside WeCom's browser, 扫码登录 on a desktop browser.

Both end the same way: WeCom sends the browser back to our callback with `code` and the `state` we
gave it; the server swaps the code for the member's UserId (/cgi-bin/auth/getuserinfo, with the app's
access token) and signs in the staff member bound to that UserId in the WeCom app (「绑定 码」).
The state is a one-time nonce kept in the console's signed session, so a callback URL forged or
replayed by someone else finds no matching state and is refused.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import session
from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot.config import Config
from models import Identity, User
from models.users import CHANNEL_WORK

STATE_KEY = "wecom_state"
CODE_MAX = 512
NOT_BOUND = ("您的企业微信账号还没有绑定城管账号。请联系管理员用 `chengguan staff add` 为您建账号, "
             "再在企业微信应用里发送「绑定 邀请码」, 然后重新登录。")
NOT_REVIEWER = "审核台只供审核员和管理员使用; 您的身份是{role}, 请在企业微信应用里处理案件。"


class WeComLoginRefused(Exception):
    """Why this WeCom sign-in did not work, in Chinese, with what to do."""


def available(config: Config) -> bool:
    """WeCom sign-in needs the app (to swap codes) and our public address (WeCom redirects back to it)."""
    wecom = config.wecom
    return bool(wecom.corp_id and wecom.secret and wecom.agent_id and config.platform.public_url)


def callback_url(config: Config) -> str:
    # From configuration, never from the request's Host header: WeCom only redirects to the trusted domain anyway.
    return config.platform.public_url.rstrip("/") + "/console/login/wecom/callback"


def start(config: Config, *, qr: bool) -> str:
    """Where to send the browser: WeCom's authorize page (inside WeCom) or its QR sign-in page (desktop)."""
    state = secrets.token_hex(16)  # WeCom allows a-zA-Z0-9, at most 128 bytes
    session[STATE_KEY] = state
    wecom = config.wecom
    if qr:
        query = {"login_type": "CorpApp", "appid": wecom.corp_id, "agentid": wecom.agent_id,
                 "redirect_uri": callback_url(config), "state": state}
        return f"{wecom.login_base.rstrip('/')}/wwlogin/sso/login?{urlencode(query)}"
    query = {"appid": wecom.corp_id, "redirect_uri": callback_url(config), "response_type": "code",
             "scope": "snsapi_base", "state": state, "agentid": wecom.agent_id}
    return f"{wecom.oauth_base.rstrip('/')}/connect/oauth2/authorize?{urlencode(query)}#wechat_redirect"


def check_state(given: str) -> None:
    """The state must be the one this browser's session was given; it is used up either way."""
    expected = session.pop(STATE_KEY, None)
    if not isinstance(expected, str) or not secrets.compare_digest(expected, given[:64]):
        raise WeComLoginRefused("登录链接已失效或不是从本页面发起的, 请回到登录页重新点击「企业微信登录」。")


def member_userid(config: Config, code: str) -> str:
    """The WeCom UserId behind a sign-in code (a code works once, for 5 minutes)."""
    from bot.outbound import wecom_app

    if not code or len(code) > CODE_MAX:
        raise WeComLoginRefused("企业微信没有返回登录凭证, 请重新登录。")
    try:
        answer = wecom_app(config.wecom).get("auth/getuserinfo", params={"code": code})
    except (WeChatClientException, OSError) as exc:
        raise WeComLoginRefused("企业微信登录凭证无效或已过期, 请重新登录。") from exc
    userid = answer.get("userid") or answer.get("UserId") or ""
    if not userid:  # a visitor outside the organisation gets an openid only
        raise WeComLoginRefused("只有本单位企业微信成员可以登录, 请用本单位的企业微信账号。")
    return str(userid)


def staff_for(db: Session, userid: str) -> User:
    """The staff member bound to this UserId in the WeCom app, if the console is theirs."""
    from console.auth import CONSOLE_ROLES

    user = db.scalars(select(User).join(Identity, Identity.user_id == User.id)
                      .where(Identity.channel == CHANNEL_WORK, Identity.external_id == userid[:128])).one_or_none()
    if user is None:
        raise WeComLoginRefused(NOT_BOUND)
    if not user.has_role(*CONSOLE_ROLES):
        raise WeComLoginRefused(NOT_REVIEWER.format(role=user.role.label))
    return user
