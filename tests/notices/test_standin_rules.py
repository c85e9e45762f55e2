"""The stand-in WeChat API keeps WeChat's rules for reaching residents, over real HTTP on loopback."""

from __future__ import annotations

from datetime import timedelta

import httpx
import time_machine

from bot.simulator.api import FakeWeChatAPI

from tests.notices.conftest import START


def call(api: FakeWeChatAPI, path: str, body: dict) -> dict:  # type: ignore[type-arg]
    token = httpx.post(f"{api.base_url}/cgi-bin/stable_token", timeout=5, json={
        "grant_type": "client_credential", "appid": api.app_id, "secret": api.app_secret}).json()["access_token"]
    return dict(httpx.post(f"{api.base_url}{path}", params={"access_token": token}, json=body, timeout=5).json())


def text(to: str) -> dict:  # type: ignore[type-arg]
    return {"touser": to, "msgtype": "text", "text": {"content": "你好"}}


def test_customer_service_window_and_quota(wechat_api: FakeWeChatAPI) -> None:
    custom = "/cgi-bin/message/custom/send"
    with time_machine.travel(START, tick=True) as clock:
        assert call(wechat_api, custom, text("o_silent"))["errcode"] == 45015  # never wrote
        wechat_api.user_wrote("o_a")
        assert [call(wechat_api, custom, text("o_a"))["errcode"] for _ in range(6)] == [0] * 5 + [45047]
        wechat_api.user_wrote("o_a")  # a new message: a new quota
        assert call(wechat_api, custom, text("o_a"))["errcode"] == 0
        clock.shift(timedelta(hours=48, seconds=1))
        assert call(wechat_api, custom, text("o_a"))["errcode"] == 45015
        wechat_api.user_wrote("o_a", event="CLICK")  # a menu click: one minute, 3 messages
        assert [call(wechat_api, custom, text("o_a"))["errcode"] for _ in range(4)] == [0] * 3 + [45047]
        clock.shift(timedelta(minutes=1))
        assert call(wechat_api, custom, text("o_a"))["errcode"] == 45015
    assert len(wechat_api.pushed_to("o_a")) == 9 and wechat_api.pushed_to("o_silent") == []


def test_subscription_needs_consent_and_templates_must_exist(wechat_api: FakeWeChatAPI) -> None:
    note = {"touser": "o_b", "template_id": "SUB", "data": {"thing1": {"value": "已办结"}}}
    assert call(wechat_api, "/cgi-bin/message/subscribe/bizsend", note)["errcode"] == 43101
    link = ("https://mp.weixin.qq.com/mp/subscribemsg?action=get_confirm&appid=wxsimulator&scene=1&template_id=SUB"
            "&redirect_url=http%3A%2F%2Fapp%2Fwechat%2Fsubscribe&reserved=abc#wechat_redirect")
    redirect = wechat_api.authorise("o_b", link)
    assert redirect.startswith("http://app/wechat/subscribe?openid=o_b&template_id=SUB&action=confirm")
    assert call(wechat_api, "/cgi-bin/message/subscribe/bizsend", note)["errcode"] == 0
    assert call(wechat_api, "/cgi-bin/message/subscribe/bizsend", note)["errcode"] == 43101  # one consent, one message

    template = {"touser": "o_b", "template_id": "TPL", "data": {"keyword1": {"value": "2026112400001"}}}
    assert call(wechat_api, "/cgi-bin/message/template/send", template)["errcode"] == 40037
    wechat_api.templates.add("TPL")
    assert call(wechat_api, "/cgi-bin/message/template/send", template)["errcode"] == 0
    assert [p.kind for p in wechat_api.pushed_to("o_b")] == ["bizsend", "template"]
