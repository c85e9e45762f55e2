"""Distinct pictures for the image messages: the test photos (tests/photos.py), each cropped and
re-encoded a little differently, so every picture is its own object in the bucket (photos are stored
by content) and the near-duplicate index sees near and far neighbours."""

from __future__ import annotations

import io

from PIL import Image

from tests.photos import SOURCES, photo


def distinct_photos(count: int) -> list[bytes]:
    bases = [Image.open(io.BytesIO(photo(name))).convert("RGB") for name in SOURCES]
    pictures = []
    for n in range(count):
        base, shave = bases[n % len(bases)], 1 + n // len(bases)
        out = io.BytesIO()
        base.crop((shave, shave, base.width - shave, base.height - shave)).save(out, "JPEG", quality=90)
        pictures.append(out.getvalue())
    return pictures
