"""Bad input gets a clear answer and changes nothing: forged or missing signatures, malformed and
hostile XML, oversized bodies, wrong encryption keys."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto

from bot.simulator.user import WeChatUser, sign
from models import Conversation, InboxMessage, OutboxJob, User
from tests.chat import AES_KEY, TOKEN, count

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName>'
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName>'
    "<FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content>"
    "<MsgId>2</MsgId></xml>"
)


def nothing_stored(service) -> bool:  # type: ignore[no-untyped-def]
    return all(count(service, m) == 0 for m in (InboxMessage, OutboxJob, Conversation, User))


def signed_params(token: str = TOKEN) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "12345"
    return {"timestamp": timestamp, "nonce": nonce, "signature": sign(token, timestamp, nonce)}


def test_get_echo_needs_a_valid_signature(http, mp_service) -> None:  # type: ignore[no-untyped-def]
    good = http.get("/wechat/mp", params={**signed_params(), "echostr": "hello"})
    forged = http.get("/wechat/mp", params={**signed_params("wrong-token"), "echostr": "hello"})
    assert (good.status_code, good.text) == (200, "hello")
    assert forged.status_code == 403 and "hello" not in forged.text


@pytest.mark.parametrize("signature", ["", "0" * 40, "not-a-signature"])
def test_forged_or_missing_signature_is_refused(new_user, mp_service, signature) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    reply = user.post(user.message_xml("text", "<Content>查询</Content>"), signature=signature)
    assert reply.status == 403
    assert nothing_stored(mp_service)


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><MsgType>text</MsgType>",                # truncated
        b"not xml at all",
        b"<html><body>hi</body></html>",                # wrong root
        BILLION_LAUGHS.encode(),
        EXTERNAL_ENTITY.encode(),
        b"<xml><ToUserName>a</ToUserName></xml>",      # no sender, no type
        b"",
        b'<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd"><xml><ToUserName>a</ToUserName><FromUserName>u'
        b"</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content></xml>",
        b"<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>text</MsgType><Content><b>hi</b></Content><MsgId>3</MsgId></xml>",
        b"<xml><ToUserName>a</ToUserName><FromUserName>u</FromUserName><CreateTime>x</CreateTime>"
        b"<MsgType>text</MsgType><Content>hi</Content><MsgId>4</MsgId></xml>",
    ],
    ids=["truncated", "not-xml", "wrong-root", "billion-laughs", "external-entity", "missing-fields", "empty",
         "doctype", "nested-content", "bad-time"],
)
def test_malformed_or_hostile_xml_is_refused(http, mp_service, body) -> None:  # type: ignore[no-untyped-def]
    response = http.post("/wechat/mp", params=signed_params(), content=body)
    assert response.status_code == 400
    assert "Traceback" not in response.text and "passwd" not in response.text
    assert nothing_stored(mp_service)


def test_oversized_body_is_refused(http, mp_service) -> None:  # type: ignore[no-untyped-def]
    big = b"<xml><Content>" + b"a" * (mp_service.config.max_body_bytes + 1) + b"</Content></xml>"
    response = http.post("/wechat/mp", params=signed_params(), content=big)
    assert response.status_code == 413
    assert nothing_stored(mp_service)


def test_unknown_message_types_are_stored_and_answered(new_user, mp_service) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    reply = user.send("shortvideo", "<MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId>")
    assert reply.status == 200 and "使用说明" in reply.text
    assert count(mp_service, InboxMessage) == 1


def test_invalid_coordinates_change_nothing_but_are_answered(new_user, mp_service) -> None:  # type: ignore[no-untyped-def]
    user = new_user()
    reply = user.send("location", "<Location_X>123.4</Location_X><Location_Y>500</Location_Y><Label>x</Label>")
    assert "位置信息无效" in reply.text
    reply = user.send("location", "<Location_X>abc</Location_X><Location_Y>def</Location_Y><Label>x</Label>")
    assert "位置信息无效" in reply.text
    with mp_service.sessions() as s:
        assert "gcj" not in s.scalars(select(Conversation)).one().data


class TestSafeMode:
    @pytest.fixture
    def safe_service(self, mp_service):  # type: ignore[no-untyped-def]
        mp_service.config = replace(mp_service.config, wechat=replace(mp_service.config.wechat, encoding_aes_key=AES_KEY))
        return mp_service

    def test_encrypted_message_gets_an_encrypted_reply(self, http, safe_service) -> None:  # type: ignore[no-untyped-def]
        user = WeChatUser("http://app", TOKEN, "o_safe", aes_key=AES_KEY, app_id=safe_service.config.wechat.app_id, http=http)
        reply = user.send_text("帮助")
        assert reply.status == 200 and "<Encrypt>" in reply.raw and "使用说明" in reply.text

    def test_message_encrypted_with_another_key_is_refused(self, http, safe_service) -> None:  # type: ignore[no-untyped-def]
        other = "Z" * 43
        user = WeChatUser("http://app", TOKEN, "o_safe", aes_key=other, app_id=safe_service.config.wechat.app_id, http=http)
        assert user.send_text("帮助").status in (400, 403)
        assert nothing_stored(safe_service)

    def test_message_for_another_app_id_is_refused(self, http, safe_service) -> None:  # type: ignore[no-untyped-def]
        user = WeChatUser("http://app", TOKEN, "o_safe", aes_key=AES_KEY, app_id="wx_someone_else", http=http)
        assert user.send_text("帮助").status == 403
        assert nothing_stored(safe_service)

    def test_forged_msg_signature_is_refused(self, http, safe_service) -> None:  # type: ignore[no-untyped-def]
        crypto = WeChatCrypto(TOKEN, AES_KEY, safe_service.config.wechat.app_id)
        params = signed_params()
        body = crypto.encrypt_message("<xml><MsgType>text</MsgType></xml>", params["nonce"], params["timestamp"])
        response = http.post("/wechat/mp", params={**params, "msg_signature": "f" * 40}, content=body)
        assert response.status_code == 403
        assert nothing_stored(safe_service)


def test_unconfigured_channel_says_so(http, mp_service) -> None:  # type: ignore[no-untyped-def]
    mp_service.config = replace(mp_service.config, wechat=replace(mp_service.config.wechat, token=""))
    response = http.post("/wechat/mp", params=signed_params(), content=b"<xml/>")
    assert response.status_code == 503 and "WECHAT_TOKEN" in response.text
    assert nothing_stored(mp_service)


