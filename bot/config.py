"""Configuration read once from the environment.

Everything has an embedded default that needs no other server: a SQLite file and a photo folder
under CHENGGUAN_DATA_DIR (default ./var). A bad value raises ConfigError with one line that names
the variable and the fix; the CLI prints that line instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(Exception):
    """A missing or invalid setting. str() is one line that says what to change."""


@dataclass(frozen=True)
class WeChatConfig:
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    encoding_aes_key: str = ""  # set -> safe mode (encrypted messages)
    api_base: str = "https://api.weixin.qq.com"

    @property
    def safe_mode(self) -> bool:
        return bool(self.encoding_aes_key)


@dataclass(frozen=True)
class WeComConfig:
    corp_id: str = ""
    agent_id: str = ""
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base: str = "https://qyapi.weixin.qq.com"

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id and self.token and self.encoding_aes_key)


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    photo_dir: Path
    wechat: WeChatConfig = field(default_factory=WeChatConfig)
    wecom: WeComConfig = field(default_factory=WeComConfig)
    max_body_bytes: int = 256 * 1024
    conversation_timeout_minutes: int = 30
    worker_poll_seconds: float = 0.5

    @property
    def is_embedded_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        data_dir = Path(env.get("CHENGGUAN_DATA_DIR") or "./var").expanduser().resolve()
        database_url = _normalise_database_url(env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'chengguan.db'}")
        aes_key = env.get("WECHAT_ENCODING_AES_KEY", "")
        _check_aes_key("WECHAT_ENCODING_AES_KEY", aes_key)
        wecom_key = env.get("WECOM_ENCODING_AES_KEY", "")
        _check_aes_key("WECOM_ENCODING_AES_KEY", wecom_key)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            photo_dir=data_dir / "photos",
            wechat=WeChatConfig(
                token=env.get("WECHAT_TOKEN", ""),
                app_id=env.get("WECHAT_APP_ID", ""),
                app_secret=env.get("WECHAT_APP_SECRET", ""),
                encoding_aes_key=aes_key,
                api_base=env.get("WECHAT_API_BASE") or WeChatConfig.api_base,
            ),
            wecom=WeComConfig(
                corp_id=env.get("WECOM_CORP_ID", ""),
                agent_id=env.get("WECOM_AGENT_ID", ""),
                secret=env.get("WECOM_SECRET", ""),
                token=env.get("WECOM_TOKEN", ""),
                encoding_aes_key=wecom_key,
                api_base=env.get("WECOM_API_BASE") or WeComConfig.api_base,
            ),
            max_body_bytes=_positive_int(env, "CHENGGUAN_MAX_BODY_BYTES", 256 * 1024),
            conversation_timeout_minutes=_positive_int(env, "CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES", 30),
        )

    def ensure_dirs(self) -> None:
        try:
            self.photo_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"CHENGGUAN_DATA_DIR={self.data_dir} is not writable ({exc.strerror}); "
                "point it at a folder you can write to"
            ) from exc


def _normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver for all of them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(
            f"DATABASE_URL={url!r} is not supported; use sqlite:///path/to/file.db "
            "or postgresql://user:password@host/dbname"
        )
    return url


def _check_aes_key(name: str, value: str) -> None:
    if value and len(value) != 43:
        raise ConfigError(
            f"{name} must be the 43-character EncodingAESKey from the WeChat admin console "
            f"(got {len(value)} characters)"
        )


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a whole number") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} must be greater than 0")
    return value
