"""Every log record of the whole test run is checked for the secrets the tests configure (tokens,
EncodingAESKeys, app and corp secrets, api keys, webhook and signing keys): the run fails at its end,
naming each test whose logging carried one.

Our packages and the HTTP clients log at DEBUG for the run (urllib3 and wechatpy put request URLs with
their query strings into debug lines), and the formatted text is checked, traceback included. Besides
the fixed values below, every secret a test configured (bot.redact remembers them) is looked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import redact
from bot.simulator.api import FakeWeChatAPI
from tests.chat import AES_KEY, TOKEN, WECOM_AES_KEY, WECOM_TOKEN

FIXED = {
    TOKEN: "WECHAT_TOKEN", AES_KEY: "WECHAT_ENCODING_AES_KEY", WECOM_TOKEN: "WECOM_TOKEN",
    WECOM_AES_KEY: "WECOM_ENCODING_AES_KEY", FakeWeChatAPI.app_secret: "WECHAT_APP_SECRET",
    FakeWeChatAPI.corp_secret: "WECOM_SECRET", "standin-key": "PLATFORM_API_KEY", "test-secret": "CHENGGUAN_SECRET_KEY",
    "metrics-token-for-tests": "CHENGGUAN_METRICS_TOKEN",
}
VERBOSE = ("bot", "console", "handlers", "models", "photocheck", "wechatpy", "urllib3", "requests", "httpx")
_formatter = logging.Formatter()


class SecretScan(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.test = "(collection)"
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a bad format string is logging's own error to report
            return
        if record.exc_info and record.exc_info[0] is not None:
            text += record.exc_text or _formatter.formatException(record.exc_info)
        for secret, name in _secrets().items():
            if secret in text:
                self.leaks.append(f"{self.test}: a {record.name} log line carries {name}")


def _secrets() -> dict[str, str]:
    configured = {value: "a configured secret" for value in redact._secrets}  # noqa: SLF001 (what the run configured)
    return {**configured, **FIXED}


_scan = SecretScan()


def pytest_runtest_setup(item: pytest.Item) -> None:
    _scan.test = item.nodeid


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log_line() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in VERBOSE]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(_scan)
    yield
    root.removeHandler(_scan)
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)
    assert not _scan.leaks, "secrets in log lines:\n" + "\n".join(dict.fromkeys(_scan.leaks))
