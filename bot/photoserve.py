"""A stored photo as an HTTP response, from whichever store holds it: a file with conditional GETs, the
bytes streamed from the bucket, or (CHENGGUAN_PHOTO_LINKS=presigned) a redirect to a short-lived
presigned URL, so the bytes go from the bucket to the platform without passing through this host."""

from __future__ import annotations

import io
import logging
from pathlib import PurePosixPath

from flask import Response, abort, redirect, send_file

from bot.config import Config
from bot.photostore import PhotoMissing, StoreUnavailable, store_for

log = logging.getLogger(__name__)

PRESIGNED_SECONDS = 300  # the platform follows the redirect at once; our own link keeps its lifetime
CACHE_SECONDS = 3600
MIMETYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def photo_response(config: Config, key: str, *, may_redirect: bool = False) -> Response:
    """404 when the photo is not there, 503 (retry later) when the store does not answer."""
    store = store_for(config)
    name = PurePosixPath(key)
    mimetype = MIMETYPES.get(name.suffix.lower(), "application/octet-stream")
    path = store.local_file(key)
    if path is not None:
        return send_file(path, mimetype=mimetype, max_age=CACHE_SECONDS, conditional=True)
    if may_redirect and config.photo_store.links == "presigned":
        link = store.link(key, PRESIGNED_SECONDS)
        if link:
            return redirect(link, code=302)
    try:
        data = store.get(key)
    except PhotoMissing:
        abort(404)
    except StoreUnavailable as exc:
        log.warning("photo %s: %s", key, exc)
        response = Response("照片存储暂时无法访问, 请稍后重试。", status=503, mimetype="text/plain")
        response.headers["Retry-After"] = "30"
        return response
    # the key is named by the photo's sha256: a strong validator for conditional GETs
    return send_file(io.BytesIO(data), mimetype=mimetype, max_age=CACHE_SECONDS, conditional=True,
                     etag=name.stem, download_name=name.name)
