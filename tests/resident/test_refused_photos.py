"""Every kind of unusable photo gets a pushed reply asking for another one, and is not counted."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import select

from models import Photo, PhotoStatus
from tests.photocheck.test_decode_bounds import repeated_scan_jpeg


def bomb() -> bytes:
    """A tiny PNG that claims 40000 x 40000 pixels (1.6 gigapixels) once decoded."""
    buffer = io.BytesIO()
    Image.new("1", (40000, 40000)).save(buffer, format="PNG")
    return buffer.getvalue()


def small_jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 130, 140)).save(buffer, format="JPEG")
    return buffer.getvalue()


def tga() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 130, 140)).save(buffer, format="TGA")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "code", "byte_limit"),
    [
        (lambda: b"this is a text file, not a photo", "image.not_image", None),
        (lambda: small_jpeg()[:300], "image.corrupt", None),
        (bomb, "image.bomb", None),
        (lambda: small_jpeg((2000, 2000)), "image.too_large", 20_000),
        (lambda: repeated_scan_jpeg(300), "image.too_complex", None),
        (tga, "image.not_image", None),
    ],
    ids=["not-an-image", "truncated", "decompression-bomb", "over-size-limit", "scan-bomb", "not-a-phone-format"],
)
def test_unusable_photo_is_refused_with_a_message(make, code, byte_limit, mp_service, wechat_api, new_user, run_worker) -> None:  # type: ignore[no-untyped-def]
    if byte_limit:
        mp_service.config = replace(mp_service.config, max_photo_bytes=byte_limit)
    resident = new_user()
    resident.send_image(*wechat_api.add_media(make()))
    run_worker()
    (pushed,) = wechat_api.wait_for_message(resident.openid)
    assert "无法使用" in pushed
    with mp_service.sessions() as s:
        photo = s.scalars(select(Photo)).one()
        assert (photo.status, photo.error, photo.storage_path) == (PhotoStatus.REJECTED, code, None)
    assert not any(mp_service.config.photo_dir.rglob("*.*"))  # nothing kept on disk
