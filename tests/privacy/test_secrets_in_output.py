"""Secrets never reach a log line or a command's output: a whole case lifecycle with every secret
configured, `chengguan doctor`, and the configuration errors of the settings that hold or carry one.
(tests/secretscan.py checks every log line of the whole run besides.)"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.config import Config, ConfigError
from bot.uplink.hooks import install as install_uplink
from models import OutboxJob
from tests.chat import WECOM_AES_KEY, mp_env
from tests.secretscan import SecretScan
from tests.staff.scenario import SAME_ANGLE, case_in_rectification, send_photo

EXTRA = {  # beside the channel secrets of mp_env
    "PLATFORM_OPEN311_URL": "http://127.0.0.1:9/open311/v2", "PLATFORM_API_KEY": "platform-api-key-XYZ",
    "PLATFORM_WEBHOOK_URL": "http://127.0.0.1:9/hook", "PLATFORM_WEBHOOK_SECRET": "webhook-secret-XYZ",
    "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9", "CHENGGUAN_SECRET_KEY": "signing-key-XYZ",
    "CHENGGUAN_METRICS_TOKEN": "metrics-token-XYZ", "PLATFORM_TIMEOUT_SECONDS": "1",
}
SECRET_VARIABLES = ("WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY",
                    "PLATFORM_API_KEY", "PLATFORM_WEBHOOK_SECRET", "CHENGGUAN_SECRET_KEY", "CHENGGUAN_METRICS_TOKEN")


def _secrets(env: dict[str, str]) -> list[str]:
    return [env[name] for name in SECRET_VARIABLES if env.get(name)]


def test_a_case_lifecycle_with_every_secret_configured_logs_none(
        mp_service, wechat_api, database_url, tmp_path, new_user, new_staff, run_worker, caplog) -> None:  # type: ignore[no-untyped-def]
    env = {**mp_env(wechat_api, database_url, tmp_path / "data"), **EXTRA}
    mp_service.config = Config.from_env(env)
    install_uplink(mp_service.sessions, mp_service.config)  # the fixture's service was built without it
    caplog.set_level(logging.DEBUG)
    number, reviewer, officer = case_in_rectification(mp_service, wechat_api, new_user, new_staff, run_worker)
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "核查通过, 已上报平台" in reviewer.send_text(f"通过 {number}").text  # with an uplink the platform closes it
    run_worker()  # the uplink pushes fail against the closed port: their errors are logged and stored
    with mp_service.sessions() as s:
        errors = [job.last_error or "" for job in s.scalars(select(OutboxJob))]
        kinds = [(job.kind, job.status, job.attempts, job.next_try_at) for job in s.scalars(select(OutboxJob))]
    assert any(errors), f"the uplink was meant to fail and record why: {kinds}"
    text = "\n".join([caplog.text, *errors])
    assert len(caplog.records) > 20
    for secret in _secrets(env):
        assert secret not in text


def test_doctor_prints_no_secret(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**mp_env(_FakeAPI, "", tmp_path / "data"), **EXTRA, "DATABASE_URL": ""}
    run = subprocess.run([sys.executable, "-m", "bot", "doctor"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    assert "[正常] 数据库" in run.stdout
    for secret in _secrets(env):
        assert secret not in run.stdout + run.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("WECHAT_ENCODING_AES_KEY", "aes-key-secret-but-not-43-long"),
    ("WECOM_ENCODING_AES_KEY", "aes-key-secret-but-not-43-long"),
    ("PLATFORM_OPEN311_URL", "ftp://user:url-password-XYZ@platform.example/v2?api_key=url-key-XYZ"),
    ("PLATFORM_WEBHOOK_URL", "platform.example/hook?key=url-key-XYZ"),
    ("CHENGGUAN_PUBLIC_URL", "//user:url-password-XYZ@cg.example"),
    ("WECOM_WEBHOOK_BASE", "qyapi.example/cgi-bin/webhook/send?key=url-key-XYZ"),
    ("DATABASE_URL", "postgress://admin:url-password-XYZ@db.internal/cg"),
])
def test_a_config_error_names_the_variable_not_its_value(name: str, value: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"CHENGGUAN_DATA_DIR": str(tmp_path), "PLATFORM_API_KEY": "k", "PLATFORM_WEBHOOK_SECRET": "s", name: value}
    with pytest.raises(ConfigError) as raised:
        Config.from_env(env)
    line = str(raised.value)
    assert name in line
    for secret in ("aes-key-secret", "url-password-XYZ", "url-key-XYZ"):
        assert secret not in line


def test_the_scan_of_the_whole_run_sees_a_leak() -> None:
    scan = SecretScan()
    record = logging.LogRecord("bot.x", logging.DEBUG, __file__, 1, "key %s", (WECOM_AES_KEY,), None)
    scan.emit(record)  # a record made without the service's redacting factory
    assert scan.leaks == ["(collection): a bot.x log line carries WECOM_ENCODING_AES_KEY"]


class _FakeAPI:  # what mp_env reads from the stand-in API, for a command that makes no call
    app_id, app_secret, corp_id, corp_secret = "wx_doctor", "doctor-app-secret-XYZ", "ww_doctor", "doctor-corp-secret-XYZ"
    agent_id, base_url = "1000002", "http://127.0.0.1:9"
