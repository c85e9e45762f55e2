"""企业微信登录: 网页授权 inside WeCom and 扫码登录 on a desktop, through the WeCom stand-in on loopback.
Only the browser that started the sign-in may finish it (state), a code works once, and only bound
reviewers and admins get in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from flask.testing import FlaskClient

from bot.app import create_app
from models import Role
from tests.console.helpers import with_public_url

PUBLIC = "https://console.example.gov.cn"
WECOM_UA = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.20 MicroMessenger/7.0.1"


@pytest.fixture
def client(mp_service) -> FlaskClient:  # type: ignore[no-untyped-def]
    with_public_url(mp_service, PUBLIC)
    return create_app(service=mp_service).test_client()


def approve_on_phone(wechat_api, start: httpx.URL | str, userid: str) -> str:  # type: ignore[no-untyped-def]
    """The member approves on WeCom's page: the stand-in redirects back to our callback with a code."""
    wechat_api.sign_in_as = userid
    answer = httpx.get(str(start).split("#")[0], timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(f"{PUBLIC}/console/login/wecom/callback?")
    return back.removeprefix(PUBLIC)


def test_qr_sign_in_on_a_desktop(client, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    reviewer = new_staff(Role.REVIEWER, "扫码审核员")
    page = client.get("/console/login").get_data(as_text=True)
    assert "企业微信扫码登录" in page
    start = client.get("/console/login/wecom?qr=1")
    url = urlsplit(start.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/wwlogin/sso/login"
    assert query["login_type"] == "CorpApp" and query["appid"] == wechat_api.corp_id
    assert query["agentid"] == wechat_api.agent_id and query["redirect_uri"] == f"{PUBLIC}/console/login/wecom/callback"
    callback = approve_on_phone(wechat_api, start.headers["Location"], reviewer.openid)
    assert client.get(callback).status_code == 302
    assert "扫码审核员" in client.get("/console/").get_data(as_text=True)


def test_authorize_inside_wecom(client, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    admin = new_staff(Role.ADMIN, "企微管理员")
    assert "企业微信登录" in client.get("/console/login", headers={"User-Agent": WECOM_UA}).get_data(as_text=True)
    start = client.get("/console/login/wecom").headers["Location"]
    url = urlsplit(start)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/connect/oauth2/authorize" and url.fragment == "wechat_redirect"
    assert query["scope"] == "snsapi_base" and query["response_type"] == "code" and query["appid"] == wechat_api.corp_id
    client.get(approve_on_phone(wechat_api, start, admin.openid))
    assert "企微管理员" in client.get("/console/").get_data(as_text=True)


def test_replayed_and_forged_callbacks_are_refused(client, mp_service, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    reviewer = new_staff(Role.REVIEWER, "审核员甲")
    callback = approve_on_phone(wechat_api, client.get("/console/login/wecom?qr=1").headers["Location"], reviewer.openid)
    # another browser (an attacker who got the link) has no matching state in its session
    stranger = create_app(service=mp_service).test_client()
    stranger.get("/console/login/wecom?qr=1")  # even with a state of its own
    refused = stranger.get(callback)
    assert refused.status_code == 401 and "登录链接已失效" in refused.get_data(as_text=True)
    assert stranger.get("/console/").status_code == 302  # still not signed in
    # the right browser signs in once; the same link again is refused
    assert client.get(callback).status_code == 302
    again = client.get(callback)
    assert again.status_code == 401
    # a forged state (not the one this session was given)
    client.get("/console/login/wecom?qr=1")
    forged = client.get("/console/login/wecom/callback?code=abc&state=" + "0" * 32)
    assert forged.status_code == 401 and "登录链接已失效" in forged.get_data(as_text=True)


def test_a_used_code_is_refused_by_wecom(client, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    reviewer = new_staff(Role.REVIEWER, "审核员乙")
    callback = approve_on_phone(wechat_api, client.get("/console/login/wecom?qr=1").headers["Location"], reviewer.openid)
    assert client.get(callback).status_code == 302
    code = parse_qs(urlsplit(callback).query)["code"][0]
    client.get("/console/login/wecom?qr=1")
    state = client.get("/console/login/wecom?qr=1").headers["Location"]
    state_value = parse_qs(urlsplit(state).query)["state"][0]
    reused = client.get(f"/console/login/wecom/callback?code={code}&state={state_value}")
    assert reused.status_code == 401 and "凭证无效或已过期" in reused.get_data(as_text=True)


def test_unbound_member_and_officer_are_refused(client, wechat_api, new_staff) -> None:  # type: ignore[no-untyped-def]
    stranger = client.get(approve_on_phone(wechat_api, client.get("/console/login/wecom?qr=1").headers["Location"],
                                           "nobody-bound"))
    text = stranger.get_data(as_text=True)
    assert stranger.status_code == 401 and "chengguan staff add" in text and "绑定 邀请码" in text
    officer = new_staff(Role.OFFICER, "队员丙")
    refused = client.get(approve_on_phone(wechat_api, client.get("/console/login/wecom?qr=1").headers["Location"],
                                          officer.openid))
    assert refused.status_code == 401 and "只供审核员和管理员" in refused.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_without_public_url_there_is_no_wecom_button(mp_service) -> None:  # type: ignore[no-untyped-def]
    client = create_app(service=mp_service).test_client()
    assert "企业微信登录未开通" in client.get("/console/login").get_data(as_text=True)
    assert "尚未开通企业微信登录" in client.get("/console/login/wecom").get_data(as_text=True)
