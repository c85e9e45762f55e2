"""Configuration read once from the environment.

Everything has an embedded default that needs no other server: a SQLite file and a photo folder
under CHENGGUAN_DATA_DIR (default ./var). A bad value raises ConfigError with one line that names
the variable and the fix; the CLI prints that line instead of a traceback.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.notices.settings import NoticeConfig, NoticeSettingError, notice_config
from models.deadlines import SourceRules


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
class PlatformConfig:
    """The city platform uplink (Open311 GeoReport v2 and/or a signed JSON webhook) and photo links."""

    open311_url: str = ""          # e.g. https://platform.example.gov.cn/open311/v2 (no trailing file name)
    api_key: str = ""
    jurisdiction_id: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    public_url: str = ""           # where the platform reaches us, for signed photo links
    secret_key: str = ""           # empty: generated once and kept in the data dir
    media_link_days: int = 30
    poll_minutes: int = 10
    timeout_seconds: int = 20

    @property
    def open311_enabled(self) -> bool:
        return bool(self.open311_url)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)


@dataclass(frozen=True)
class ReminderConfig:
    """Daily group digests and deadline nudges (bot/reminders)."""

    digest_time: str = "08:30"        # HH:MM, Asia/Shanghai, on working days
    nudge_lead_minutes: int = 120      # nudge the officer this long before a case's deadline
    webhook_base: str = ""             # override the group-robot host (tests, private deployments)


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    photo_dir: Path
    wechat: WeChatConfig = field(default_factory=WeChatConfig)
    wecom: WeComConfig = field(default_factory=WeComConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    reminders: ReminderConfig = field(default_factory=ReminderConfig)
    notices: NoticeConfig = field(default_factory=NoticeConfig)
    max_body_bytes: int = 256 * 1024
    conversation_timeout_minutes: int = 30
    max_photo_bytes: int = 20 * 1024 * 1024
    max_photo_pixels: int = 50_000_000
    photocheck_thresholds: dict[str, float] = field(default_factory=dict)  # overrides of photocheck's defaults
    photo_hosts: tuple[str, ...] = (".qpic.cn",)  # where a chat photo's PicUrl may be fetched (WeChat's media CDN)
    job_lease_seconds: int = 60  # a job of a worker that died is taken again after this
    worker_poll_seconds: float = 0.2  # an idle worker's poll; cheap (one indexed query)
    metrics_token: str = ""  # set: GET /metrics with "Authorization: Bearer <token>"; empty: no /metrics

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
        _check_source_rules(env.get("CHENGGUAN_SOURCE_RULES_FILE", ""))
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
            platform=(platform := _platform(env)),
            notices=_notices(env, platform),
            reminders=_reminders(env),
            max_body_bytes=_positive_int(env, "CHENGGUAN_MAX_BODY_BYTES", 256 * 1024),
            conversation_timeout_minutes=_positive_int(env, "CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES", 30),
            max_photo_bytes=_positive_int(env, "CHENGGUAN_MAX_PHOTO_BYTES", 20 * 1024 * 1024),
            max_photo_pixels=_positive_int(env, "CHENGGUAN_MAX_PHOTO_PIXELS", 50_000_000),
            photocheck_thresholds=_json_object(env, "CHENGGUAN_PHOTOCHECK_THRESHOLDS"),
            photo_hosts=_photo_hosts(env),
            metrics_token=env.get("CHENGGUAN_METRICS_TOKEN", ""),
            job_lease_seconds=_positive_int(env, "CHENGGUAN_JOB_LEASE_SECONDS", 60),
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
            url = "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith("postgresql+psycopg:"):
        _require_postgres_driver()
        return url
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(
            f"DATABASE_URL={url!r} is not supported; use sqlite:///path/to/file.db "
            "or postgresql://user:password@host/dbname"
        )
    return url


def _require_postgres_driver() -> None:
    try:
        import psycopg  # noqa: F401  (only its presence is checked here)
    except ImportError as exc:
        raise ConfigError(
            "DATABASE_URL 指向 PostgreSQL, 但未安装其驱动 psycopg: 运行 pip install '.[postgres]' 后重试"
        ) from exc


def _platform(env: Mapping[str, str]) -> PlatformConfig:
    open311_url = env.get("PLATFORM_OPEN311_URL", "").strip().rstrip("/")
    webhook_url = env.get("PLATFORM_WEBHOOK_URL", "").strip()
    public_url = env.get("CHENGGUAN_PUBLIC_URL", "").strip().rstrip("/")
    for name, url in (("PLATFORM_OPEN311_URL", open311_url), ("PLATFORM_WEBHOOK_URL", webhook_url),
                      ("CHENGGUAN_PUBLIC_URL", public_url)):
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError(f"{name}={url!r} must start with https:// (or http:// on a private network)")
    if open311_url and not env.get("PLATFORM_API_KEY"):
        raise ConfigError("PLATFORM_OPEN311_URL is set but PLATFORM_API_KEY is empty; set the key the platform issued")
    if webhook_url and not env.get("PLATFORM_WEBHOOK_SECRET"):
        raise ConfigError("PLATFORM_WEBHOOK_URL is set but PLATFORM_WEBHOOK_SECRET is empty; agree a shared secret")
    if (open311_url or webhook_url) and not public_url:
        raise ConfigError(
            "the platform uplink is on but CHENGGUAN_PUBLIC_URL is empty; set the address at which the "
            "platform can reach this service (e.g. https://cg.example.gov.cn), so it can fetch case photos"
        )
    return PlatformConfig(
        open311_url=open311_url,
        api_key=env.get("PLATFORM_API_KEY", ""),
        jurisdiction_id=env.get("PLATFORM_JURISDICTION_ID", ""),
        webhook_url=webhook_url,
        webhook_secret=env.get("PLATFORM_WEBHOOK_SECRET", ""),
        public_url=public_url,
        secret_key=env.get("CHENGGUAN_SECRET_KEY", ""),
        media_link_days=_positive_int(env, "CHENGGUAN_MEDIA_LINK_DAYS", 30),
        poll_minutes=_positive_int(env, "PLATFORM_POLL_MINUTES", 10),
        timeout_seconds=_positive_int(env, "PLATFORM_TIMEOUT_SECONDS", 20),
    )


def _notices(env: Mapping[str, str], platform: PlatformConfig) -> NoticeConfig:
    try:
        return notice_config(env, app_id=env.get("WECHAT_APP_ID", ""), public_url=platform.public_url)
    except NoticeSettingError as exc:
        raise ConfigError(str(exc)) from None


def _reminders(env: Mapping[str, str]) -> ReminderConfig:
    digest_time = (env.get("CHENGGUAN_DIGEST_TIME") or ReminderConfig.digest_time).strip()
    hh, _, mm = digest_time.partition(":")
    if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
        raise ConfigError(f"CHENGGUAN_DIGEST_TIME={digest_time!r} must be a time of day like 08:30")
    base = env.get("WECOM_WEBHOOK_BASE", "").strip().rstrip("/")
    if base and not base.startswith(("http://", "https://")):
        raise ConfigError(f"WECOM_WEBHOOK_BASE={base!r} must start with https:// (or http:// for a local test)")
    return ReminderConfig(
        digest_time=f"{int(hh):02d}:{mm}",
        nudge_lead_minutes=_positive_int(env, "CHENGGUAN_NUDGE_LEAD_MINUTES", 120),
        webhook_base=base,
    )


_HOST_ENTRY = re.compile(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?")


def _photo_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("CHENGGUAN_PHOTO_HOSTS")
    if not raw:
        return Config.photo_hosts
    entries = tuple(entry.strip().lower() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        if not _HOST_ENTRY.fullmatch(entry):
            raise ConfigError(
                f"CHENGGUAN_PHOTO_HOSTS entry {entry!r} must be a host (mmbiz.qpic.cn), a domain with a "
                "leading dot (.qpic.cn) or host:port, separated by commas"
            )
    return entries


def _check_aes_key(name: str, value: str) -> None:
    if value and len(value) != 43:
        raise ConfigError(
            f"{name} must be the 43-character EncodingAESKey from the WeChat admin console "
            f"(got {len(value)} characters)"
        )


def _json_object(env: Mapping[str, str], name: str) -> dict[str, float]:
    raw = env.get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{name} must be a JSON object such as {{\"same_angle\": 0.3}} ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object such as {{\"same_angle\": 0.3}}")
    return value


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


def _check_source_rules(path: str) -> None:
    """A deployment's own deadline rules must load now, not fail on the first report."""
    if not path:
        return
    try:
        SourceRules.load(path)
    except OSError as exc:
        raise ConfigError(f"CHENGGUAN_SOURCE_RULES_FILE={path!r} cannot be read ({exc.strerror}); fix the path") from None
    except ValueError as exc:
        raise ConfigError(f"CHENGGUAN_SOURCE_RULES_FILE: {exc}") from None
