"""What we send to WeChat and WeCom, against the stand-in that refuses what the real APIs refuse:
expired tokens are fetched again, a wrong agentid is an error, never a silent success."""

from __future__ import annotations

import pytest
from wechatpy.exceptions import WeChatClientException

from bot import outbound
from bot.config import Config
from bot.simulator.api import MP, WECOM, FakeWeChatAPI
from models.users import CHANNEL_MP, CHANNEL_WORK
from tests.chat import mp_env


@pytest.fixture
def config(wechat_api: FakeWeChatAPI, database_url: str, tmp_path, service) -> Config:  # type: ignore[no-untyped-def]
    # `service`: the clients keep their tokens in this test's database, emptied afterwards (a token left
    # there made a later test's first fetch unnecessary)
    return Config.from_env(mp_env(wechat_api, database_url, tmp_path / "data"))


@pytest.mark.parametrize(("channel", "scope", "to"), [(CHANNEL_MP, MP, "o_resident"), (CHANNEL_WORK, WECOM, "lisi")])
def test_an_expired_token_is_fetched_again_and_the_message_sent(config, wechat_api, channel, scope, to) -> None:  # type: ignore[no-untyped-def]
    wechat_api.user_wrote(to)  # a resident's customer-service window (WeCom has none)
    outbound.send_text(config, channel, to, "第一条")
    wechat_api.expire_tokens()
    outbound.send_text(config, channel, to, "第二条")
    outbound.send_text(config, channel, to, "第三条")
    assert wechat_api.messages_to(to) == ["第一条", "第二条", "第三条"]
    assert wechat_api.tokens_issued == {scope: 2, ({MP, WECOM} - {scope}).pop(): 0}


@pytest.mark.parametrize("channel", [CHANNEL_MP, CHANNEL_WORK])
def test_media_download_survives_an_expired_token(config, wechat_api, channel) -> None:  # type: ignore[no-untyped-def]
    _, media_id = wechat_api.add_media(b"\xff\xd8photo")
    assert outbound.download_media(config, channel, media_id) == b"\xff\xd8photo"
    wechat_api.expire_tokens()
    assert outbound.download_media(config, channel, media_id) == b"\xff\xd8photo"
    with pytest.raises(outbound.MediaGone, match="40007"):
        outbound.download_media(config, channel, "expired-media-id")


def test_app_messages_carry_the_configured_agentid(config, wechat_api) -> None:  # type: ignore[no-untyped-def]
    outbound.send_text(config, CHANNEL_WORK, "lisi", "新任务")
    [sent] = wechat_api.pushed
    assert (sent.raw["agentid"], sent.raw["touser"], sent.raw["msgtype"]) == (wechat_api.agent_id, "lisi", "text")
    other_app = Config.from_env({**mp_env(wechat_api, config.database_url, config.data_dir), "WECOM_AGENT_ID": "0"})
    with pytest.raises(WeChatClientException) as refused:
        outbound.send_text(other_app, CHANNEL_WORK, "lisi", "发错应用")
    assert refused.value.errcode == 40056
    assert wechat_api.messages_to("lisi") == ["新任务"]


def test_a_token_of_the_other_api_is_refused(wechat_api) -> None:  # type: ignore[no-untyped-def]
    import httpx

    token = httpx.get(f"{wechat_api.base_url}/cgi-bin/token",
                      params={"appid": wechat_api.app_id, "secret": wechat_api.app_secret}).json()["access_token"]
    answer = httpx.post(f"{wechat_api.base_url}/cgi-bin/message/send", params={"access_token": token},
                        json={"touser": "lisi", "agentid": wechat_api.agent_id, "msgtype": "text",
                              "text": {"content": "x"}}).json()
    assert answer == {"errcode": 40014, "errmsg": "invalid access_token"}
    assert wechat_api.pushed == []
