"""Chat photos: downloaded at once, refused when not usable, stored as received, fingerprinted, indexed."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from bot import analysis, outbound, photostore
from bot.httpclient import shared_http
from bot.tasks.photo_hosts import photo_host_allowed
from bot.photostore import StoreUnavailable
from bot.worker import JobContext, JobHandler, RetryLater
from models import Photo, PhotoFeatures, PhotoStatus, utcnow
from models.photo_index import index_photo
from models.calendar import TZ
from photocheck import Fingerprint, ImageRejected

log = logging.getLogger(__name__)

SUFFIX = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp"}
EXPIRED = "图片已过期或无法下载, 请重新拍摄发送。"
STORE_WAIT = timedelta(minutes=1)


def waits_for_store(handler: JobHandler) -> JobHandler:
    """A photo store that is down is no fault of the photo: the job waits for the store (no attempt used,
    never parked for it) instead of running out of attempts and refusing the resident's photo."""
    @functools.wraps(handler)
    def run(ctx: JobContext, payload: dict[str, Any]) -> None:
        try:
            handler(ctx, payload)
        except StoreUnavailable as exc:
            raise RetryLater(str(exc), STORE_WAIT) from exc
    return run


@dataclass(frozen=True)
class Received:
    """A downloaded chat photo: its bytes and fingerprint, or why it cannot be used."""

    data: bytes = b""
    fingerprint: Fingerprint | None = None
    refusal: tuple[str, str, str] | None = None  # code, Chinese message, detail
    storage_path: str = ""  # its key in the photo store, named by content
    features: bytes = b""  # photocheck's features blob, stored so pair checks need not compute them again


def receive(ctx: JobContext, payload: dict[str, Any]) -> Received:
    """Download, fingerprint and write to the photo store; call it before the first database access,
    so no transaction (on SQLite: the one write lock) is held meanwhile. Network trouble raises (the
    job is retried); an unusable photo is a refusal. The file is named by its content, so a retry
    writes nothing new. A store that is down raises too (retried)."""
    config = ctx.service.config
    try:
        data = _download(ctx, payload)
        described = analysis.run(analysis.describe_photo, data, config.max_photo_bytes, config.max_photo_pixels)
    except outbound.MediaGone as exc:
        return Received(refusal=("image.expired", EXPIRED, str(exc)))
    except ImageRejected as exc:
        return Received(refusal=(exc.code, exc.message_zh, exc.detail))
    if isinstance(described, analysis.Refusal):
        return Received(refusal=(described.code, described.message_zh, described.detail))
    fp, features = described
    path, _ = photostore.save(photostore.store_for(config), data, utcnow(), SUFFIX.get(fp.format, ".img"), digest=fp.sha256)
    return Received(data, fp, storage_path=path, features=features)


def pending_photo(ctx: JobContext, payload: dict[str, Any]) -> Photo | None:
    photo = ctx.session.get(Photo, payload["photo_id"])
    return photo if photo is not None and photo.status == PhotoStatus.PENDING else None  # else: done before


def store(ctx: JobContext, photo: Photo, received: Received) -> None:
    """Keep the photo as received and add it to the near-duplicate index.

    The bytes are not re-encoded: that would destroy the evidence photocheck reads (EXIF, JPEG
    tables). EXIF orientation is applied whenever the photo is decoded.
    """
    fp = received.fingerprint
    assert fp is not None and received.storage_path
    photo.storage_path, photo.sha256 = received.storage_path, fp.sha256
    photo.size, photo.width, photo.height = len(received.data), fp.width, fp.height
    photo.taken_at = fp.exif.taken_at(TZ)
    photo.fingerprint = fp.to_dict()
    photo.status = PhotoStatus.STORED
    index_photo(ctx.session, photo.id, fp)
    if received.features:
        from photocheck.featureblob import FEATURES_VERSION

        ctx.session.add(PhotoFeatures(photo_id=photo.id, version=FEATURES_VERSION, data=received.features))


@waits_for_store
def fetch_photo(ctx: JobContext, payload: dict[str, Any]) -> None:
    """photo.fetch: a problem photo from a chat."""
    received = receive(ctx, payload)
    photo = pending_photo(ctx, payload)
    if photo is None:
        return
    if received.refusal is not None:
        reject(ctx, photo, payload, *received.refusal)
    else:
        store(ctx, photo, received)


def _download(ctx: JobContext, payload: dict[str, Any]) -> bytes:
    """PicUrl first (no token needed) when it is on a WeChat media host; the media API otherwise or
    when that fails. Network trouble is retried."""
    config = ctx.service.config
    limit = config.max_photo_bytes
    pic_url = payload.get("pic_url") or ""
    if pic_url and not photo_host_allowed(pic_url, config.photo_hosts):
        log.warning("photo %s: PicUrl is not on a WeChat media host (CHENGGUAN_PHOTO_HOSTS); not fetched",
                    payload.get("photo_id"))
        pic_url = ""
    if pic_url:
        try:
            return _get_bounded(pic_url, limit)
        except (httpx.HTTPError, _Unavailable) as exc:
            if not payload.get("media_id"):
                raise
            log.info("PicUrl failed (%s); trying the media API", exc)
    if not payload.get("media_id"):
        raise ImageRejected("image.empty")
    data = outbound.download_media(config, payload["channel"], payload["media_id"])
    if len(data) > limit:
        raise ImageRejected("image.too_large", detail=f"{len(data)} bytes")
    return data


class _Unavailable(Exception):
    pass


def _get_bounded(url: str, limit: int) -> bytes:
    """Download at most `limit` bytes: a huge body is refused without being read into memory.
    A redirect is not followed (it could lead anywhere): it counts as unavailable."""
    with shared_http().stream("GET", url, timeout=10, follow_redirects=False) as response:
        if response.status_code != 200:
            raise _Unavailable(f"HTTP {response.status_code}")
        declared = int(response.headers.get("Content-Length") or 0)
        if declared > limit:
            raise ImageRejected("image.too_large", detail=f"Content-Length {declared}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise ImageRejected("image.too_large", detail=f"more than {limit} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def reject(ctx: JobContext, photo: Photo, payload: dict[str, Any], code: str, message_zh: str, detail: str = "") -> None:
    log.info("photo %s refused: %s %s", photo.id, code, detail)
    photo.status, photo.error = PhotoStatus.REJECTED, code
    text = f"您发送的照片无法使用: {message_zh}"
    ctx.enqueue_text(payload["channel"], payload["sender"], text, key=f"photo.rejected:{photo.id}")


UNPROCESSED = "这张照片未能处理, 请重新拍摄发送。"


def photo_job_parked(ctx: JobContext, payload: dict[str, Any], reason: str) -> None:
    """photo.fetch / rectify.check gave up: the photo is unusable from now on (so nothing waits on it for
    ever), and the sender hears it and what to do."""
    photo = pending_photo(ctx, payload)
    if photo is not None:
        reject(ctx, photo, payload, "job.parked", UNPROCESSED, reason)
