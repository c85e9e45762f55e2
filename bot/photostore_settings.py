"""Where photos are kept, read from the environment: the photo folder under the data dir (the embedded
default) or an S3-compatible bucket (CHENGGUAN_PHOTO_STORE=s3://bucket/prefix: MinIO, Aliyun OSS,
Tencent COS, AWS S3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LINK_MODES = ("stream", "presigned")
ADDRESSING = ("auto", "path", "virtual")


class PhotoStoreSettingError(ValueError):
    """str() is one Chinese line naming the variable and the fix."""


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    prefix: str = ""  # "" or "some/folder/" (always ends with a slash)
    endpoint: str = ""  # empty: AWS's own endpoint for the region
    region: str = ""
    access_key: str = field(default="", repr=False)  # empty: boto3's own lookup (AWS_* variables, files, roles)
    secret_key: str = field(default="", repr=False)
    addressing: str = "auto"  # path: MinIO; virtual: OSS, COS

    def describe(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"


@dataclass(frozen=True)
class PhotoStoreSettings:
    folder: Path  # the local photo folder: the store itself, unless s3 is set
    s3: S3Settings | None = None
    links: str = "stream"  # /media/<token>: stream the bytes, or redirect to a short-lived presigned URL


def photo_store_settings(env: Mapping[str, str], folder: Path) -> PhotoStoreSettings:
    links = (env.get("CHENGGUAN_PHOTO_LINKS") or "stream").strip().lower()
    if links not in LINK_MODES:
        raise PhotoStoreSettingError(f"CHENGGUAN_PHOTO_LINKS={links!r} 应为 stream 或 presigned")
    raw = (env.get("CHENGGUAN_PHOTO_STORE") or "").strip()
    if not raw:
        if links == "presigned":
            raise PhotoStoreSettingError("CHENGGUAN_PHOTO_LINKS=presigned 需要对象存储: 请设置 CHENGGUAN_PHOTO_STORE=s3://桶名/前缀")
        return PhotoStoreSettings(folder=folder)
    return PhotoStoreSettings(folder=folder, s3=_s3(env, raw), links=links)


def _s3(env: Mapping[str, str], raw: str) -> S3Settings:
    parts = urlsplit(raw)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise PhotoStoreSettingError(
            f"CHENGGUAN_PHOTO_STORE={raw!r} 应写作 s3://桶名/前缀 (如 s3://chengguan-photos/prod); 留空则用本机照片文件夹")
    prefix = parts.path.strip("/")
    endpoint = _first(env, "CHENGGUAN_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL").rstrip("/")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise PhotoStoreSettingError(f"CHENGGUAN_S3_ENDPOINT={endpoint!r} 应以 https:// 开头 (内网可用 http://)")
    addressing = (env.get("CHENGGUAN_S3_ADDRESSING") or "auto").strip().lower()
    if addressing not in ADDRESSING:
        raise PhotoStoreSettingError(
            f"CHENGGUAN_S3_ADDRESSING={addressing!r} 应为 path (MinIO)、virtual (OSS、COS) 或 auto")
    access_key = _first(env, "CHENGGUAN_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")
    secret_key = _first(env, "CHENGGUAN_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")
    if bool(access_key) != bool(secret_key):
        raise PhotoStoreSettingError(
            "对象存储的密钥不完整: CHENGGUAN_S3_ACCESS_KEY_ID 和 CHENGGUAN_S3_SECRET_ACCESS_KEY 需同时设置")
    _require_boto3()
    return S3Settings(
        bucket=parts.netloc, prefix=f"{prefix}/" if prefix else "", endpoint=endpoint,
        region=_first(env, "CHENGGUAN_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
        access_key=access_key, secret_key=secret_key, addressing=addressing,
    )


def _first(env: Mapping[str, str], *names: str) -> str:
    return next((value.strip() for name in names if (value := env.get(name, "")).strip()), "")


def _require_boto3() -> None:
    try:
        import boto3  # noqa: F401  (only its presence is checked here)
    except ImportError as exc:
        raise PhotoStoreSettingError(
            "CHENGGUAN_PHOTO_STORE 指向对象存储, 但未安装 boto3: 运行 pip install '.[s3]' 后重试") from exc
