"""Callbacks are fresh: timestamps outside ±5 minutes are refused on both channels, and in plain mode
(where the signature does not cover the body) a signature cannot be used for a second body."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.dispatcher import SORRY
from bot.simulator.user import WeChatUser, sign
from models import CallbackNonce, Conversation, InboxMessage, OutboxJob, Role, User
from models.nonces import PURGE_EVERY, Delivery, ReplayedDelivery, claim
from models.users import CHANNEL_MP
from tests.chat import AES_KEY, TOKEN, count

SIX_MINUTES = 6 * 60


def nothing_stored(service) -> bool:  # type: ignore[no-untyped-def]
    return all(count(service, m) == 0 for m in (InboxMessage, OutboxJob, Conversation, User))


@pytest.mark.parametrize("offset", [-SIX_MINUTES, SIX_MINUTES], ids=["old", "future"])
def test_a_resident_message_outside_the_window_is_refused(offset: int, mode: str, new_user, mp_service) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    if mode == "safe":
        mp_service.config = replace(mp_service.config, wechat=replace(mp_service.config.wechat, encoding_aes_key=AES_KEY))
        user = WeChatUser("http://app", TOKEN, user.openid, aes_key=AES_KEY, http=user.http)
    reply = user.post(user.message_xml("text", "<Content>帮助</Content>"), timestamp=int(time.time()) + offset)
    assert reply.status == 403
    assert nothing_stored(mp_service)
    assert user.send_text("帮助").status == 200  # the same message, signed now, is served


def test_a_staff_message_outside_the_window_is_refused(new_staff, mp_service, http: httpx.Client) -> None:  # type: ignore[no-untyped-def]
    member = new_staff(Role.OFFICER)
    before = count(mp_service, InboxMessage)
    stale = member.post(member.message_xml("text", "<Content>帮助</Content>"), timestamp=int(time.time()) - SIX_MINUTES)
    assert stale.status == 403
    assert count(mp_service, InboxMessage) == before


def test_the_echo_check_outside_the_window_is_refused(http: httpx.Client, mp_service) -> None:  # type: ignore[no-untyped-def]
    timestamp, nonce = str(int(time.time()) - SIX_MINUTES), "1234567"
    response = http.get("/wechat/mp", params={"timestamp": timestamp, "nonce": nonce,
                                               "signature": sign(TOKEN, timestamp, nonce), "echostr": "echo-4711"})
    assert response.status_code == 403 and "echo-4711" not in response.text


def _xml(sender: str, text: str, msg_id: int) -> bytes:
    return (f"<xml><ToUserName>gh</ToUserName><FromUserName>{sender}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>"
            f"<Content>{text}</Content><MsgId>{msg_id}</MsgId></xml>").encode()


def test_a_captured_plain_mode_signature_cannot_carry_another_body(http: httpx.Client, mp_service) -> None:  # type: ignore[no-untyped-def]
    timestamp, nonce = str(int(time.time())), "8675309"
    params = {"timestamp": timestamp, "nonce": nonce, "signature": sign(TOKEN, timestamp, nonce)}
    genuine = _xml("o_genuine", "帮助", 1001)
    assert http.post("/wechat/mp", params=params, content=genuine).status_code == 200
    # WeChat's retry of the same delivery passes (the inbox answers it without acting again) …
    assert http.post("/wechat/mp", params=params, content=genuine).status_code == 200
    # … an attacker's body under the captured signature does not.
    forged = http.post("/wechat/mp", params=params, content=_xml("o_victim", "查询", 1002))
    assert forged.status_code == 403
    with mp_service.sessions() as s:
        assert s.scalars(select(InboxMessage.sender)).all() == ["o_genuine"]
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_an_echo_check_url_cannot_be_reused_for_a_message(http: httpx.Client, mp_service) -> None:  # type: ignore[no-untyped-def]
    timestamp, nonce = str(int(time.time())), "5551234"
    params = {"timestamp": timestamp, "nonce": nonce, "signature": sign(TOKEN, timestamp, nonce)}
    assert http.get("/wechat/mp", params={**params, "echostr": "hi"}).text == "hi"
    assert http.post("/wechat/mp", params=params, content=_xml("o_victim", "帮助", 2001)).status_code == 403
    assert nothing_stored(mp_service)


def test_remembered_signatures_expire(service) -> None:  # type: ignore[no-untyped-def]
    long_ago = int(time.time()) - 3600
    for n in range(2 * PURGE_EVERY + 2):
        with service.engine.begin() as connection:
            claim(connection, Delivery("mp", long_ago, str(n), "sig", b"body"))
    assert count(service, CallbackNonce) < PURGE_EVERY  # purged as later claims come in
    now = int(time.time())
    with service.engine.begin() as connection:
        claim(connection, Delivery("mp", now, "1", "sig", b"body"))
    with pytest.raises(ReplayedDelivery), service.engine.begin() as connection:
        claim(connection, Delivery("mp", now, "1", "sig", b"other body"))
    with service.sessions() as s:
        expiry = s.scalar(select(CallbackNonce.expires_at).where(CallbackNonce.delivery_key == f"mp:{now}:1:sig"))
    assert expiry == datetime.fromtimestamp(now, UTC) + timedelta(minutes=5)


def test_a_signature_stays_used_when_the_handler_fails(mp_service) -> None:  # type: ignore[no-untyped-def]
    app = create_app(service=mp_service)

    def failing_handler(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("handler bug")

    app.extensions["chengguan.dispatcher"].routers[CHANNEL_MP] = failing_handler
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://app")
    timestamp, nonce = str(int(time.time())), "3141592"
    params = {"timestamp": timestamp, "nonce": nonce, "signature": sign(TOKEN, timestamp, nonce)}
    sorry = http.post("/wechat/mp", params=params, content=_xml("o_genuine", "帮助", 3001))
    assert sorry.status_code == 200 and SORRY in sorry.text  # the message is kept for a person …
    forged = http.post("/wechat/mp", params=params, content=_xml("o_victim", "帮助", 3002))
    assert forged.status_code == 403  # … and its signature stays used
    with mp_service.sessions() as s:
        assert s.scalars(select(InboxMessage.sender)).all() == ["o_genuine"]
