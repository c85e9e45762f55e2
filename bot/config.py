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
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.configerror import ConfigError
from bot.jsonsetting import json_object
from bot.filemodes import private_folder, private_sqlite_file
from bot.notices.settings import NoticeConfig, NoticeSettingError, notice_config
from bot.photostore_settings import PhotoStoreSettingError, PhotoStoreSettings, photo_store_settings
from bot.privacy.settings import RetentionDays, RetentionSettingError, parse_retention
from bot.rates import Rate
from models.deadlines import SourceRules


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
    oauth_base: str = "https://open.weixin.qq.com"  # 网页授权 inside WeCom (console sign-in)
    login_base: str = "https://login.work.weixin.qq.com"  # 扫码登录 for desktop browsers (console sign-in)

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
    server_error_tries: int = 5    # 5xx answers to one request, the platform up otherwise, before it is parked
    vendor_url: str = ""           # a 数字城管 vendor interface (bot/uplink/vendor), driven by vendor_mapping
    vendor_mapping: str = "szcg"   # a shipped mapping's name (models/data/platforms) or a .json path
    vendor_app_key: str = ""
    vendor_secret: str = ""

    @property
    def open311_enabled(self) -> bool:
        return bool(self.open311_url)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)

    @property
    def vendor_enabled(self) -> bool:
        return bool(self.vendor_url)


@dataclass(frozen=True)
class Open311Limits:
    """Limits of our GeoReport server (bot/open311): rate strings as `limits` reads them ("120/minute")."""

    reads_per_address: str = "120/minute"  # anonymous GETs per client address (429 past it)
    cache_seconds: int = 10                # Cache-Control max-age; how stale a listing may be
    posts_per_key: str = "60/minute"       # POSTs per api key
    cases_per_key_per_day: int = 1000      # cases one api key may file per day (Asia/Shanghai)
    public_read: bool = False              # reads without an api key (redacted, as for keys without `private`)


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
    photo_store: PhotoStoreSettings  # the photo folder, or an S3-compatible bucket (bot/photostore.py)
    wechat: WeChatConfig = field(default_factory=WeChatConfig)
    wecom: WeComConfig = field(default_factory=WeComConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    reminders: ReminderConfig = field(default_factory=ReminderConfig)
    open311: Open311Limits = field(default_factory=Open311Limits)
    notices: NoticeConfig = field(default_factory=NoticeConfig)
    retention: RetentionDays = field(default_factory=RetentionDays)  # CHENGGUAN_RETENTION_DAYS
    max_body_bytes: int = 256 * 1024
    conversation_timeout_minutes: int = 30
    max_photo_bytes: int = 20 * 1024 * 1024
    max_photo_pixels: int = 50_000_000
    photocheck_thresholds: dict[str, float] = field(default_factory=dict)  # overrides of photocheck's defaults
    photo_hosts: tuple[str, ...] = (".qpic.cn",)  # where a chat photo's PicUrl may be fetched (WeChat's media CDN)
    job_lease_seconds: int = 60  # a job of a worker that died is taken again after this
    worker_batch: int = 20  # jobs a worker claims at once; a batch-capable kind (open311.push) runs them together
    worker_poll_seconds: float = 0.2  # an idle worker's poll; cheap (one indexed query)
    map_tiles: str = ""  # the console map's tile URL template ({z}/{x}/{y}); empty: no tiles, works offline
    metrics_token: str = ""  # set: GET /metrics with "Authorization: Bearer <token>"; empty: no /metrics
    proxies: int = 0  # reverse proxies in front (nginx): the client's address is taken from X-Forwarded-For

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
            photo_store=_photo_store(env, data_dir / "photos"),
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
                oauth_base=env.get("WECOM_OAUTH_BASE") or WeComConfig.oauth_base,
                login_base=env.get("WECOM_LOGIN_BASE") or WeComConfig.login_base,
            ),
            platform=(platform := _platform(env)),
            notices=_notices(env, platform),
            reminders=_reminders(env),
            open311=_open311(env),
            retention=_retention(env),
            max_body_bytes=_positive_int(env, "CHENGGUAN_MAX_BODY_BYTES", 256 * 1024),
            conversation_timeout_minutes=_positive_int(env, "CHENGGUAN_CONVERSATION_TIMEOUT_MINUTES", 30),
            max_photo_bytes=_positive_int(env, "CHENGGUAN_MAX_PHOTO_BYTES", 20 * 1024 * 1024),
            max_photo_pixels=_positive_int(env, "CHENGGUAN_MAX_PHOTO_PIXELS", 50_000_000),
            photocheck_thresholds=_photocheck_thresholds(env, "CHENGGUAN_PHOTOCHECK_THRESHOLDS"),
            photo_hosts=_photo_hosts(env),
            metrics_token=env.get("CHENGGUAN_METRICS_TOKEN", ""),
            map_tiles=_map_tiles(env),
            job_lease_seconds=_positive_int(env, "CHENGGUAN_JOB_LEASE_SECONDS", 60),
            worker_batch=_positive_int(env, "CHENGGUAN_WORKER_BATCH", 20),
            proxies=_proxies(env),
        )

    def ensure_dirs(self) -> None:
        try:
            private_folder(self.data_dir)
            private_folder(self.photo_dir)
            private_sqlite_file(self.database_url)
        except OSError as exc:
            raise ConfigError(
                f"CHENGGUAN_DATA_DIR={self.data_dir} 无法写入 ({exc.strerror}); "
                "请指向一个可写的文件夹"
            ) from exc


def _normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver for all of them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(
            f"不支持 DATABASE_URL={masked_url(url)!r}; 请用 sqlite:///文件路径.db "
            "或 postgresql://用户:密码@主机/数据库名"
        )
    try:
        port = make_url(url).port
        readable = port is None or 0 < port < 65536
    except (ArgumentError, ValueError):
        readable = False
    if not readable:
        raise ConfigError(
            f"无法解析 DATABASE_URL={masked_url(url)!r}; 请写作 postgresql://用户:密码@主机:端口/数据库名"
            "（密码中的 @ : / 需百分号编码）"
        )
    if url.startswith("postgresql+psycopg:"):
        _require_postgres_driver()
    return url


def _require_postgres_driver() -> None:
    try:
        import psycopg  # noqa: F401  (only its presence is checked here)
    except ImportError as exc:
        raise ConfigError(
            "DATABASE_URL 指向 PostgreSQL, 但未安装其驱动 psycopg: 运行 pip install '.[postgres]' 后重试"
        ) from exc


def masked_url(url: str) -> str:
    """`url` with the password (user:PASSWORD@host) replaced by ***, however malformed the rest is."""
    return re.sub(r"(://[^/@:]*:).*@", r"\1***@", url)


def _platform(env: Mapping[str, str]) -> PlatformConfig:
    open311_url = env.get("PLATFORM_OPEN311_URL", "").strip().rstrip("/")
    webhook_url = env.get("PLATFORM_WEBHOOK_URL", "").strip()
    public_url = env.get("CHENGGUAN_PUBLIC_URL", "").strip().rstrip("/")
    for name, url in (("PLATFORM_OPEN311_URL", open311_url), ("PLATFORM_WEBHOOK_URL", webhook_url),
                      ("CHENGGUAN_PUBLIC_URL", public_url)):
        if url and not url.startswith(("http://", "https://")):  # the value is not echoed: URLs can carry keys
            raise ConfigError(f"{name} 应以 https:// 开头 (内网可用 http://)")
    if open311_url and not env.get("PLATFORM_API_KEY"):
        raise ConfigError("已设置 PLATFORM_OPEN311_URL 但 PLATFORM_API_KEY 为空: 请填入平台发放的密钥")
    if webhook_url and not env.get("PLATFORM_WEBHOOK_SECRET"):
        raise ConfigError("已设置 PLATFORM_WEBHOOK_URL 但 PLATFORM_WEBHOOK_SECRET 为空: 请与平台约定一个共享密钥")
    if (open311_url or webhook_url) and not public_url:
        raise ConfigError(
            "已开启平台上报但 CHENGGUAN_PUBLIC_URL 为空: 请填平台访问本服务的地址 "
            "(如 https://cg.example.gov.cn), 平台要从这里取案件照片"
        )
    vendor_url = env.get("PLATFORM_VENDOR_URL", "").strip().rstrip("/")
    vendor_mapping = env.get("PLATFORM_VENDOR_MAPPING", "").strip() or "szcg"
    if vendor_url:
        _check_vendor(env, vendor_url, vendor_mapping)
    return PlatformConfig(
        vendor_url=vendor_url, vendor_mapping=vendor_mapping,
        vendor_app_key=env.get("PLATFORM_VENDOR_APP_KEY", ""), vendor_secret=env.get("PLATFORM_VENDOR_SECRET", ""),
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
        server_error_tries=_positive_int(env, "PLATFORM_SERVER_ERROR_TRIES", 5),
    )


def _photo_store(env: Mapping[str, str], folder: Path) -> PhotoStoreSettings:
    try:
        return photo_store_settings(env, folder)
    except PhotoStoreSettingError as exc:
        raise ConfigError(str(exc)) from None


def _check_vendor(env: Mapping[str, str], url: str, mapping: str) -> None:
    """The vendor mapping file is read and checked at start, so a wrong key stops the service, not a job."""
    from bot.uplink.vendor.mapping import MappingError, load_mapping

    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"PLATFORM_VENDOR_URL={url!r} 应以 https:// 开头 (内网可用 http://)")
    try:
        auth = load_mapping(mapping).auth["kind"]
    except MappingError as exc:
        raise ConfigError(str(exc)) from None
    if not env.get("PLATFORM_VENDOR_SECRET") and auth != "app_key":
        raise ConfigError("已设置 PLATFORM_VENDOR_URL 但 PLATFORM_VENDOR_SECRET 为空: 请填入平台发放的密钥")


def _notices(env: Mapping[str, str], platform: PlatformConfig) -> NoticeConfig:
    try:
        return notice_config(env, app_id=env.get("WECHAT_APP_ID", ""), public_url=platform.public_url)
    except NoticeSettingError as exc:
        raise ConfigError(str(exc)) from None


def _reminders(env: Mapping[str, str]) -> ReminderConfig:
    digest_time = (env.get("CHENGGUAN_DIGEST_TIME") or ReminderConfig.digest_time).strip()
    hh, _, mm = digest_time.partition(":")
    if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60 and len(mm) == 2):
        raise ConfigError(f"CHENGGUAN_DIGEST_TIME={digest_time!r} 应为时刻, 如 08:30")
    base = env.get("WECOM_WEBHOOK_BASE", "").strip().rstrip("/")
    if base and not base.startswith(("http://", "https://")):
        raise ConfigError("WECOM_WEBHOOK_BASE 应以 https:// 开头 (本机测试可用 http://)")
    return ReminderConfig(
        digest_time=f"{int(hh):02d}:{mm}",
        nudge_lead_minutes=_positive_int(env, "CHENGGUAN_NUDGE_LEAD_MINUTES", 120),
        webhook_base=base,
    )


def _open311(env: Mapping[str, str]) -> Open311Limits:
    default = Open311Limits()
    return Open311Limits(
        reads_per_address=_rate(env, "CHENGGUAN_OPEN311_READ_LIMIT", default.reads_per_address),
        cache_seconds=_positive_int(env, "CHENGGUAN_OPEN311_CACHE_SECONDS", default.cache_seconds),
        posts_per_key=_rate(env, "CHENGGUAN_OPEN311_KEY_LIMIT", default.posts_per_key),
        cases_per_key_per_day=_positive_int(env, "CHENGGUAN_OPEN311_KEY_DAILY", default.cases_per_key_per_day),
        public_read=_switch(env, "CHENGGUAN_OPEN311_PUBLIC_READ"),
    )


def _retention(env: Mapping[str, str]) -> RetentionDays:
    try:
        return parse_retention(env.get("CHENGGUAN_RETENTION_DAYS", ""))
    except RetentionSettingError as exc:
        raise ConfigError(str(exc)) from None


def _switch(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in ("", "0", "1", "false", "true", "no", "yes"):
        raise ConfigError(f"{name} 只能是 1 或 0")
    return raw in ("1", "true", "yes")


def _rate(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).strip()
    try:
        Rate.parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} 应为速率, 如 120/minute 或 10/second") from None
    return raw


_HOST_ENTRY = re.compile(r"\.?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?")


def _photo_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("CHENGGUAN_PHOTO_HOSTS")
    if not raw:
        return Config.photo_hosts
    entries = tuple(entry.strip().lower() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        if not _HOST_ENTRY.fullmatch(entry):
            raise ConfigError(
                f"CHENGGUAN_PHOTO_HOSTS 中的 {entry!r} 无效: 应为主机名 (mmbiz.qpic.cn)、以点开头的域名 "
                "(.qpic.cn) 或 主机:端口, 多个用逗号分隔"
            )
    return entries


def _map_tiles(env: Mapping[str, str]) -> str:
    raw = env.get("CHENGGUAN_MAP_TILES", "").strip()
    parts = urlsplit(raw)
    if raw and (parts.scheme not in ("http", "https") or not parts.netloc
                or not all(p in raw for p in ("{z}", "{x}", "{y}"))):
        raise ConfigError("CHENGGUAN_MAP_TILES 无效: 应为 https://主机/路径/{z}/{x}/{y}.png 这样的瓦片地址模板; 不设则地图不加载底图")
    return raw


def _check_aes_key(name: str, value: str) -> None:
    if value and len(value) != 43:
        raise ConfigError(
            f"{name} 应为微信后台的 43 位 EncodingAESKey "
            f"(现在是 {len(value)} 位)"
        )


def _json_object(env: Mapping[str, str], name: str) -> dict[str, float]:
    raw = env.get(name)
    if not raw:
        return {}
    try:
        return json_object(name, raw, '{"same_angle": 0.3}')
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _photocheck_thresholds(env: Mapping[str, str], name: str) -> dict[str, float]:
    """Checked here, so a typo stops the service at start instead of failing every photo check."""
    from photocheck.thresholds import Thresholds

    values = _json_object(env, name)
    known = sorted(Thresholds().to_dict())
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{name}: 没有阈值 {', '.join(unknown)}; 可用: {', '.join(known)}")
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name}: {key} 应为数字, 如 {{\"{key}\": 0.3}}, 而不是 {json.dumps(value)}")
    return values


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} 应为整数") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} 应大于 0")
    return value


def _proxies(env: Mapping[str, str]) -> int:
    raw = (env.get("CHENGGUAN_PROXIES") or "0").strip()
    if not (raw.isdigit() and int(raw) <= 5):
        raise ConfigError(f"CHENGGUAN_PROXIES={raw!r} 应为本服务前面的反向代理层数 (nginx 一层: 1; 直接对外: 0)")
    return int(raw)


def _check_source_rules(path: str) -> None:
    """A deployment's own deadline rules must load now, not fail on the first report."""
    if not path:
        return
    try:
        SourceRules.load(path)
    except OSError as exc:
        raise ConfigError(f"CHENGGUAN_SOURCE_RULES_FILE={path!r} 无法读取 ({exc.strerror}); 请改正文件路径") from None
    except ValueError as exc:
        raise ConfigError(f"CHENGGUAN_SOURCE_RULES_FILE: {exc}") from None
