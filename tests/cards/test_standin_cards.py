"""The WeCom stand-in holds cards to WeCom's rules over real HTTP: a task id once per app, a response code
used once and within 72 hours, and app messages over 30 a minute to one member dropped without an error."""

from __future__ import annotations

from datetime import timedelta

import httpx
import time_machine

from bot.simulator.api import FakeWeChatAPI


def _client(api: FakeWeChatAPI) -> tuple[httpx.Client, dict[str, str]]:
    http = httpx.Client(base_url=api.base_url, timeout=5)
    token = http.get("/cgi-bin/gettoken", params={"corpid": api.corp_id, "corpsecret": api.corp_secret}).json()
    return http, {"access_token": token["access_token"]}


def _card(task: str) -> dict[str, object]:
    return {"card_type": "button_interaction", "main_title": {"title": "新的市民上报"}, "task_id": task,
            "button_list": [{"text": "受理", "key": "accept"}]}


def _send(http: httpx.Client, auth: dict[str, str], api: FakeWeChatAPI, body: dict[str, object]) -> dict[str, object]:
    return dict(http.post("/cgi-bin/message/send", params=auth, json={"agentid": api.agent_id, **body}).json())


def _update(http: httpx.Client, auth: dict[str, str], api: FakeWeChatAPI, code: object) -> int:
    body = {"userids": ["u1", "u2"], "agentid": api.agent_id, "response_code": code, "button": {"replace_name": "已受理"}}
    return int(http.post("/cgi-bin/message/update_template_card", params=auth, json=body).json()["errcode"])


def test_cards_task_ids_and_response_codes(wechat_api) -> None:  # type: ignore[no-untyped-def]
    http, auth = _client(wechat_api)
    sent = _send(http, auth, wechat_api, {"touser": "u1|u2", "msgtype": "template_card", "template_card": _card("report-1-0")})
    assert sent["errcode"] == 0 and sent["response_code"]
    assert _send(http, auth, wechat_api, {"touser": "u3", "msgtype": "template_card",
                                          "template_card": _card("report-1-0")})["errcode"] == 40058  # task id reused
    assert _send(http, auth, wechat_api, {"touser": "u3", "msgtype": "template_card",
                                          "template_card": _card("bad task")})["errcode"] == 40058
    assert "[受理]" in wechat_api.messages_to("u2")[0]

    assert _update(http, auth, wechat_api, "no-such-code") == 40058
    assert _update(http, auth, wechat_api, sent["response_code"]) == 0
    assert wechat_api.cards.cards["report-1-0"].shown == {"u1": "已受理", "u2": "已受理"}
    assert _update(http, auth, wechat_api, sent["response_code"]) == 40058  # each code once

    tapped = wechat_api.cards.tap_code("report-1-0")
    with time_machine.travel(timedelta(hours=73)):
        assert _update(http, auth, wechat_api, tapped) == 40058  # 72 hours only


def test_messages_over_30_a_minute_to_one_member_are_dropped_silently(wechat_api) -> None:  # type: ignore[no-untyped-def]
    http, auth = _client(wechat_api)
    answers = [_send(http, auth, wechat_api, {"touser": "u1", "msgtype": "text", "text": {"content": f"第{i}条"}})
               for i in range(32)]
    assert all(a["errcode"] == 0 for a in answers)  # WeCom says nothing
    assert len(wechat_api.messages_to("u1")) == 30 and wechat_api.cards.dropped == [("u1", "text")] * 2
