"""The review card's picture: the problem photo and the rectification photo side by side in one JPEG,
so a reviewer compares them at a glance (a card's own image area cannot carry a local photo)."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

HEIGHT = 720  # each photo scaled to this height; the pair stays well under WeCom's 2 MB image limit
GAP = 12


def side_by_side(left: bytes, right: bytes) -> bytes:
    photos = [_scaled(data) for data in (left, right)]
    width = sum(p.width for p in photos) + GAP
    pair = Image.new("RGB", (width, HEIGHT), "white")
    pair.paste(photos[0], (0, 0))
    pair.paste(photos[1], (photos[0].width + GAP, 0))
    out = io.BytesIO()
    pair.save(out, "JPEG", quality=85)
    return out.getvalue()


def _scaled(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image).convert("RGB")  # as the phone showed it
    width = max(1, round(upright.width * HEIGHT / upright.height))
    return upright.resize((width, HEIGHT))
