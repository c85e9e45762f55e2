"""The aligned view: the rectification photo warped onto the problem photo with the transform
photocheck estimates (photocheck/align.py), so a reviewer sees at a glance whether the angle matches.

Rendered once per photo pair as a JPEG the size of the problem photo's working copy, and cached in the photo
store beside the photos (a pair that cannot be aligned is remembered too, so it is not tried again)."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from bot.photostore import PhotoMissing, PhotoStore
from photocheck.align import similarity_alignment
from photocheck.decode import ImageRejected, load_image
from photocheck.features import WORK_SIZE, prepare

CACHE_FOLDER = "aligned"
NOT_ALIGNED = b""  # cached answer for a pair without a usable transform
QUALITY = 85
MIN_INLIERS = 12  # fewer RANSAC inliers is chance between unrelated scenes (2-4 seen), not a viewpoint (90+)


def _render(problem: bytes, rectification: bytes) -> bytes:
    """The rectification photo in the problem photo's frame (JPEG); NOT_ALIGNED when no transform fits."""
    try:
        loaded_a = load_image(problem, draft_size=(WORK_SIZE, WORK_SIZE), mode="RGB")
        loaded_b = load_image(rectification, draft_size=(WORK_SIZE, WORK_SIZE), mode="RGB")
    except ImageRejected:
        return NOT_ALIGNED
    a, b = prepare(loaded_a), prepare(loaded_b)
    alignment = similarity_alignment(a, b)
    if alignment is None or alignment.inliers < MIN_INLIERS:
        return NOT_ALIGNED
    (ha, wa), (hb, wb) = a.shape, b.shape
    colour_b = np.asarray(loaded_b.image.convert("RGB").resize((wb, hb), Image.Resampling.BILINEAR))
    if alignment.mirrored:
        colour_b = np.ascontiguousarray(colour_b[:, ::-1])
    warped = cv2.warpAffine(colour_b, alignment.matrix, (wa, ha), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(235, 235, 235))
    out = io.BytesIO()
    Image.fromarray(warped).save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def aligned_jpeg(store: PhotoStore, problem: tuple[str, str], rectification: tuple[str, str]) -> bytes:
    """(sha256, store key) of each photo in; the cached or freshly rendered JPEG out (NOT_ALIGNED: none)."""
    key = f"{CACHE_FOLDER}/{problem[0][:32]}-{rectification[0][:32]}.jpg"
    try:
        return store.get(key)
    except PhotoMissing:
        pass
    rendered = _render(store.get(problem[1]), store.get(rectification[1]))
    store.put(key, rendered)  # two requests at once render twice, and either result is the same
    return rendered
