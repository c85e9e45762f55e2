"""Photos in an S3-compatible bucket (MinIO, Aliyun OSS, Tencent COS, AWS S3) through boto3.

Bounded waits (connect 5 s, read 30 s, three tries): a worker whose store is down fails the job
quickly and the outbox retries it later. Errors name the store's error code, never a credential.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from bot.photostore import PhotoMissing, StoreUnavailable, checked_key
from bot.photostore_settings import S3Settings

MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class S3Store:
    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self._client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint or None,
            region_name=settings.region or None,
            aws_access_key_id=settings.access_key or None,
            aws_secret_access_key=settings.secret_key or None,
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": settings.addressing},
                connect_timeout=5, read_timeout=30,
                retries={"mode": "standard", "total_max_attempts": 3},
            ),
        )

    def put(self, key: str, data: bytes) -> None:
        # Always written: the same key holds the same bytes, and a PUT costs less than a HEAD and a PUT.
        with _translated(key):
            self._client.put_object(Bucket=self.settings.bucket, Key=self._key(key), Body=data,
                                    ContentType=_content_type(key))

    def get(self, key: str) -> bytes:
        with _translated(key):
            answer = self._client.get_object(Bucket=self.settings.bucket, Key=self._key(key))
            return bytes(answer["Body"].read())

    def delete(self, key: str) -> bool:
        with _translated(key):  # S3 answers the same whether the key was there or not
            self._client.delete_object(Bucket=self.settings.bucket, Key=self._key(key))
        return True

    def local_file(self, key: str) -> Path | None:
        return None

    def link(self, key: str, seconds: int) -> str:
        return str(self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.settings.bucket, "Key": self._key(key)}, ExpiresIn=seconds))

    def describe(self) -> str:
        return self.settings.describe()

    def _key(self, key: str) -> str:
        return self.settings.prefix + checked_key(key)


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """boto3's errors as the store's own: a missing object, or a store that cannot be used now."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
        if code in MISSING_CODES:
            raise PhotoMissing(key) from exc
        raise StoreUnavailable(f"对象存储拒绝了请求: {code}") from exc
    except BotoCoreError as exc:  # no connection, timeout, no credentials
        raise StoreUnavailable(f"对象存储无法访问: {type(exc).__name__}") from exc


def _content_type(key: str) -> str:
    suffix = key.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        suffix, "application/octet-stream")
