"""photo.fetch: download a chat photo at once, refuse what is not a usable photo, store and fingerprint it."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot import outbound, photostore
from bot.worker import JobContext
from models import Photo, PhotoStatus, utcnow
from models.calendar import TZ
from photocheck import ImageRejected, fingerprint

log = logging.getLogger(__name__)

SUFFIX = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
EXPIRED = "图片已过期或无法下载, 请重新拍摄发送。"


def fetch_photo(ctx: JobContext, payload: dict[str, Any]) -> None:
    # Download and fingerprint before the first database access: no transaction is held meanwhile.
    config = ctx.service.config
    refusal: tuple[str, str, str] | None = None
    try:
        data = _download(ctx, payload)
        fp = fingerprint(data, max_bytes=config.max_photo_bytes, max_pixels=config.max_photo_pixels)
    except ImageRejected as exc:
        refusal = (exc.code, exc.message_zh, exc.detail)
    except outbound.MediaGone as exc:
        refusal = ("image.expired", EXPIRED, str(exc))
    photo = ctx.session.get(Photo, payload["photo_id"])
    if photo is None or photo.status != PhotoStatus.PENDING:
        return  # already done by an earlier run of this job
    if refusal is not None:
        _reject(ctx, photo, payload, *refusal)
        return
    # The bytes are stored as received: re-encoding would destroy the evidence photocheck reads
    # (EXIF, JPEG tables). EXIF orientation is applied whenever the photo is decoded.
    photo.storage_path, photo.sha256 = photostore.save(config.photo_dir, data, utcnow(), SUFFIX.get(fp.format, ".img"))
    photo.size, photo.width, photo.height = len(data), fp.width, fp.height
    photo.taken_at = fp.exif.taken_at(TZ)
    photo.fingerprint = fp.to_dict()
    photo.status = PhotoStatus.STORED


def _download(ctx: JobContext, payload: dict[str, Any]) -> bytes:
    """PicUrl first (no token needed); the media API when that fails. Network trouble is retried."""
    limit = ctx.service.config.max_photo_bytes
    if payload.get("pic_url"):
        try:
            return _get_bounded(payload["pic_url"], limit)
        except (httpx.HTTPError, _Unavailable) as exc:
            if not payload.get("media_id"):
                raise
            log.info("PicUrl failed (%s); trying the media API", exc)
    if not payload.get("media_id"):
        raise ImageRejected("image.empty")
    data = outbound.download_media(ctx.service.config, payload["channel"], payload["media_id"])
    if len(data) > limit:
        raise ImageRejected("image.too_large", detail=f"{len(data)} bytes")
    return data


class _Unavailable(Exception):
    pass


def _get_bounded(url: str, limit: int) -> bytes:
    """Download at most `limit` bytes: a huge body is refused without being read into memory."""
    with httpx.stream("GET", url, timeout=10, follow_redirects=True) as response:
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


def _reject(ctx: JobContext, photo: Photo, payload: dict[str, Any], code: str, message_zh: str, detail: str = "") -> None:
    log.info("photo %s refused: %s %s", photo.id, code, detail)
    photo.status, photo.error = PhotoStatus.REJECTED, code
    text = f"您发送的照片无法使用: {message_zh}"
    ctx.enqueue_text(payload["channel"], payload["sender"], text, key=f"photo.rejected:{photo.id}")
