"""Secrets out of log lines and stored errors.

The HTTP libraries put the whole request URL into their errors (requests: "Max retries exceeded
with url: /cgi-bin/token?…&secret=…", "500 Server Error for url: …?access_token=…"), and the worker
logs and stores exception texts. So every log record is cleaned when it is created (message and
traceback, from any logger, before any handler sees it), and the worker cleans every error it
stores. Masked: the values of credential-like query parameters and JSON/dict fields, and every
configured secret wherever it appears.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from bot.config import Config

MASK = "***"
_NAMES = r"access_token|corpsecret|appsecret|secret|api_key|key|password|passwd|encoding_aes_key"
# name=value in a URL or form body (access_token=…, &secret=…, ?key=…)
_QUERY = re.compile(rf"(?i)(?<![A-Za-z0-9])({_NAMES})=([^&\s'\"<>),]+)")
# "name": "value" in JSON, 'name': 'value' in a dict repr
_FIELD = re.compile(rf"(?i)([\"'])({_NAMES})\1(\s*:\s*)([\"'])(.*?)\4")
# user:password@ in a URL (a database URL in an error)
_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]+):([^@\s/]+)@")
MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words all over the logs

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
_installed = False
_exception_formatter = logging.Formatter()


def redact(text: str) -> str:
    """`text` with configured secrets and credential values replaced by ***."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _QUERY.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MASK}{m.group(4)}", text)
    return _USERINFO.sub(lambda m: f"{m.group(1)}:{MASK}@", text)


def remember(config: Config) -> None:
    """Add this configuration's secrets to the ones masked everywhere (several configs may be live)."""
    global _secrets
    values = {
        config.wechat.app_secret, config.wechat.token, config.wechat.encoding_aes_key,
        config.wecom.secret, config.wecom.token, config.wecom.encoding_aes_key,
        config.platform.api_key, config.platform.webhook_secret, config.platform.secret_key, config.metrics_token,
        config.photo_store.s3.secret_key if config.photo_store.s3 else "",
    }
    found = {v for v in values if v and len(v) >= MIN_SECRET_LENGTH}
    with _lock:
        # longest first, so a secret that contains another is masked whole
        _secrets = tuple(sorted(set(_secrets) | found, key=len, reverse=True))


def install_log_redaction(config: Config) -> None:
    """Mask secrets in every log record of this process from now on (idempotent)."""
    global _installed
    remember(config)
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _clean(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def _clean(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it itself when the record is emitted
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        # Formatters use exc_text when it is set, so the traceback is rendered (and cleaned) once here.
        record.exc_text = redact(_exception_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
