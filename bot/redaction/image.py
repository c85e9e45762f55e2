"""The redacted copy of a photo: orientation applied, every EXIF field (GPS, device serials, times)
and embedded profile dropped, faces and plates blurred beyond reading."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from bot.redaction.detect import Box, find_regions

MARGIN = 0.15      # each box grows by this share on every side: hair, chin and plate frame go too
MOSAIC_CELLS = 8   # a box becomes at most this many cells across before blurring: no detail survives
QUALITY = 88


@dataclass(frozen=True)
class Redacted:
    jpeg: bytes
    regions: list[Box]


def redact(data: bytes) -> Redacted:
    """JPEG bytes of the redacted copy, and the regions blurred (in the upright photo's pixels)."""
    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened).convert("RGB")  # turned as the phone meant, then no EXIF
    pixels = np.array(upright)
    regions = find_regions(pixels)
    for box in regions:
        _obscure(pixels, box)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=QUALITY)  # no exif=, no icc_profile=: nothing carried over
    return Redacted(out.getvalue(), regions)


def _obscure(pixels: np.ndarray, box: Box) -> None:
    height, width = pixels.shape[:2]
    dx, dy = round(box.w * MARGIN), round(box.h * MARGIN)
    x0, y0 = max(0, box.x - dx), max(0, box.y - dy)
    x1, y1 = min(width, box.x + box.w + dx), min(height, box.y + box.h + dy)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    region = pixels[y0:y1, x0:x1]
    cells = (max(1, min(MOSAIC_CELLS, x1 - x0)), max(1, round(MOSAIC_CELLS * (y1 - y0) / (x1 - x0)) or 1))
    coarse = cv2.resize(region, cells, interpolation=cv2.INTER_AREA)
    smooth = cv2.resize(coarse, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    pixels[y0:y1, x0:x1] = cv2.GaussianBlur(smooth, (0, 0), max(2.0, (x1 - x0) / 16))
