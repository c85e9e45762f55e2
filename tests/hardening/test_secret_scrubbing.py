"""No configured secret and no access token reaches a log line or a stored job error, even when
the HTTP libraries put the whole request URL (…?secret=…, …?access_token=…) into their errors."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Config
from bot.db import transaction
from bot.jobs import job_handlers
from bot.redact import redact
from bot.simulator.api import FakeWeChatAPI, running_api
from bot.worker import Worker
from models import OutboxJob
from models.outbox import enqueue
from models.users import CHANNEL_MP, CHANNEL_WORK
from tests.chat import AES_KEY, TOKEN, WECOM_AES_KEY, WECOM_TOKEN, mp_env


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def queue(service, kind: str, payload: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    with transaction(service.sessions) as s:
        enqueue(s, kind, payload)


def stored_errors(service) -> list[str]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return [job.last_error or "" for job in s.scalars(select(OutboxJob))]


def configured_secrets(api: FakeWeChatAPI) -> list[str]:
    return [api.app_secret, api.corp_secret, TOKEN, WECOM_TOKEN, AES_KEY, WECOM_AES_KEY]


def assert_clean(texts: list[str], secrets: list[str]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_a_failed_token_fetch_stores_and_logs_no_secret(
        mp_service, wechat_api, database_url, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    dead = f"http://127.0.0.1:{closed_port()}"
    env = {**mp_env(wechat_api, database_url, tmp_path / "data", safe=True), "WECHAT_API_BASE": dead, "WECOM_API_BASE": dead}
    mp_service.config = Config.from_env(env)
    queue(mp_service, "notify.text", {"channel": CHANNEL_MP, "to": "o_resident", "text": "您好"})
    queue(mp_service, "notify.text", {"channel": CHANNEL_WORK, "to": "staff1", "text": "您好"})
    caplog.set_level(logging.DEBUG)
    assert Worker(mp_service, job_handlers()).run_once() == 2
    errors = stored_errors(mp_service)
    assert all("ConnectionError" in e for e in errors)  # the reason is kept …
    assert any("secret=***" in e for e in errors)  # … with the secret masked
    assert_clean([*errors, caplog.text], configured_secrets(wechat_api))


def test_a_failed_media_download_stores_and_logs_no_access_token(
        mp_service, database_url, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    with running_api() as api:
        mp_service.config = Config.from_env(mp_env(api, database_url, tmp_path / "data"))
        worker = Worker(mp_service, job_handlers())
        api.user_wrote("o_resident")  # inside WeChat's customer-service window
        queue(mp_service, "notify.text", {"channel": CHANNEL_MP, "to": "o_resident", "text": "您好"})
        worker.run_once()  # a token is now cached
        pic_url, media_id = api.add_media(b"not needed")
    # The API went away: the download fails with the token in the URL.
    queue(mp_service, "photo.fetch", {"photo_id": 1, "channel": CHANNEL_MP, "sender": "o_resident",
                                      "pic_url": pic_url, "media_id": media_id})
    caplog.set_level(logging.DEBUG)
    worker.run_once()
    (token,) = api.issued_tokens
    errors = [e for e in stored_errors(mp_service) if e]
    assert errors and "access_token=***" in errors[0]
    assert_clean([*errors, caplog.text], [token, *configured_secrets(api)])


def test_an_api_answering_500_logs_no_access_token(
        mp_service, wechat_api: FakeWeChatAPI, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    wechat_api.fail_calls_with = 500  # the token fetch works, the call fails: requests puts its URL in the error
    queue(mp_service, "notify.text", {"channel": CHANNEL_MP, "to": "o_resident", "text": "您好"})
    queue(mp_service, "notify.text", {"channel": CHANNEL_WORK, "to": "staff1", "text": "您好"})
    caplog.set_level(logging.DEBUG)
    Worker(mp_service, job_handlers()).run_once()
    assert len(wechat_api.issued_tokens) == 2
    assert "Traceback" in caplog.text  # the failure is logged with its traceback …
    assert_clean([*stored_errors(mp_service), caplog.text], [*wechat_api.issued_tokens, *configured_secrets(wechat_api)])


@pytest.mark.parametrize("text, kept", [
    ("GET /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3t HTTP/1.1", "appid=wx1"),
    ("url: /cgi-bin/media/get?media_id=abc&access_token=TOKEN123 (Caused by …)", "media_id=abc"),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", "webhook/send"),
    ('{"access_token": "TOKEN123", "expires_in": 7200}', "expires_in"),
    ("params={'corpid': 'ww1', 'corpsecret': 'CORPSECRET'}", "corpid"),
])
def test_redact_masks_credentials_in_urls_and_bodies(text: str, kept: str) -> None:
    clean = redact(text)
    assert kept in clean and "***" in clean
    for secret in ("s3cr3t", "TOKEN123", "693a91f6", "CORPSECRET"):
        assert secret not in clean
